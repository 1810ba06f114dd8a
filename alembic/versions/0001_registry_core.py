"""registry core: reviews, action plans, accounts, vocabularies

Revision ID: 0001
Revises:
Create Date: 2026-11-26

The seed data (regions and vocabularies of the domain) is written here, literally, so this
migration means the same thing forever whatever the application later says.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


REGIONS = [
    ("cardiff-vale", "Cardiff and Vale Regional Safeguarding Board"),
    ("cwm-taf-morgannwg", "Cwm Taf Morgannwg Safeguarding Board"),
    ("gwent", "Gwent Safeguarding Board"),
    ("mid-west-wales", "Mid and West Wales Safeguarding Board (CYSUR)"),
    ("north-wales", "North Wales Safeguarding Board"),
    ("west-glamorgan", "West Glamorgan Safeguarding Board"),
]

TERMS = [
    (
        "theme",
        "hierarchy-of-knowledge",
        "Hierarchy of knowledge",
        "Professional views above family and community; adults above children; mothers above fathers; "
        "hierarchies between professions; inconclusive medical evidence prioritised; tunnel vision.",
    ),
    (
        "theme",
        "information-sharing-and-recording",
        "Information sharing and recording",
        "Sharing outside child-protection cases; fear of complaints; GDPR confusion; IT systems; "
        "inconsistent approaches; poor records, no chronologies.",
    ),
    (
        "theme",
        "partial-assessment",
        "Partial assessment",
        "Family context ignored; new partners not followed up; large families; unrealistic expectations of "
        "wider family; polarised views of mothers; supervision as a panacea; families off-rolled from services.",
    ),
    (
        "theme",
        "voice-of-the-child",
        "Voice of the child",
        "Voice not heard; children spoken to in front of parents; each child's experience in large families; "
        "the child's lived experience.",
    ),
    (
        "theme",
        "practice-challenges",
        "Practice challenges",
        "Workload and supervision, agile working, IT difficulties, data protection, clarity about concise and extended reviews.",
    ),
    ("age_band", "unborn", "Unborn", None),
    ("age_band", "under-1", "Under 1", None),
    ("age_band", "1-5", "1 to 5", None),
    ("age_band", "6-10", "6 to 10", None),
    ("age_band", "11-15", "11 to 15", None),
    ("age_band", "16-17", "16 to 17", None),
    ("age_band", "18-plus-care-leaver", "18 or over, care leaver", None),
    ("abuse_category", "neglect", "Neglect", None),
    ("abuse_category", "physical", "Physical abuse", None),
    ("abuse_category", "emotional", "Emotional abuse", None),
    ("abuse_category", "sexual", "Sexual abuse", None),
    ("agency", "childrens-social-care", "Children's social care", None),
    ("agency", "police", "Police", None),
    ("agency", "health", "Health (other)", None),
    ("agency", "gp", "General practice", None),
    ("agency", "midwifery", "Midwifery", None),
    ("agency", "health-visiting", "Health visiting", None),
    ("agency", "emergency-department", "Emergency department", None),
    ("agency", "mental-health", "Mental health services", None),
    ("agency", "education", "Education", None),
    ("agency", "probation", "Probation", None),
    ("agency", "youth-justice", "Youth justice", None),
    ("agency", "housing", "Housing", None),
    ("agency", "third-sector", "Third sector", None),
    ("context_factor", "domestic-abuse", "Domestic abuse", None),
    ("context_factor", "parental-mental-ill-health", "Parental mental ill-health", None),
    ("context_factor", "substance-misuse", "Substance misuse", None),
    ("context_factor", "not-in-school", "Not in school", None),
]


def upgrade() -> None:
    op.create_table(
        "region",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_region")),
    )
    op.create_table(
        "vocabulary_term",
        sa.Column("vocabulary", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("vocabulary", "code", name=op.f("pk_vocabulary_term")),
    )
    op.create_table(
        "api_client",
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("secret_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["region"], ["region.code"], name=op.f("fk_api_client_region_region")),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_api_client")),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["region"], ["region.code"], name=op.f("fk_app_user_region_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_table(
        "review",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("review_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("susr_criteria", sa.JSON(), nullable=False),
        sa.Column("trigger_outcome", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("on_cp_register_6m", sa.Boolean(), nullable=False),
        sa.Column("looked_after_6m", sa.Boolean(), nullable=False),
        sa.Column("historic", sa.Boolean(), nullable=False),
        sa.Column("multiple_abuse", sa.Boolean(), nullable=False),
        sa.Column("reviewers", sa.JSON(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("age_band", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("recommendations", sa.JSON(), nullable=False),
        sa.Column("full_text", sa.Text(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("public_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["region"], ["region.code"], name=op.f("fk_review_region_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        sa.UniqueConstraint("region", "reference", name=op.f("uq_review_region_reference")),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index("ix_review_listing", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_review_region_status", ["region", "status"], unique=False)

    op.create_table(
        "action_plan",
        sa.Column("review_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], name=op.f("fk_action_plan_review_id_review")),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_action_plan")),
    )
    op.create_table(
        "review_tag",
        sa.Column("review_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("vocabulary", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], name=op.f("fk_review_tag_review_id_review")),
        sa.ForeignKeyConstraint(
            ["vocabulary", "code"],
            ["vocabulary_term.vocabulary", "vocabulary_term.code"],
            name="fk_review_tag_term_vocabulary_term",
        ),
        sa.PrimaryKeyConstraint("review_id", "vocabulary", "code", name=op.f("pk_review_tag")),
    )
    with op.batch_alter_table("review_tag", schema=None) as batch_op:
        batch_op.create_index("ix_review_tag_term", ["vocabulary", "code"], unique=False)

    op.create_table(
        "action",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("review_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("recommendation_ref", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("lead_agency", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("progress_notes", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["action_plan.review_id"], name=op.f("fk_action_review_id_action_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index("ix_action_open_by_date", ["status", "target_date"], unique=False)
        batch_op.create_index("ix_action_review", ["review_id", "position"], unique=False)

    region = sa.table("region", sa.column("code"), sa.column("name"), sa.column("created_at", sa.DateTime(timezone=True)))
    now = datetime.now(UTC)
    op.bulk_insert(region, [{"code": c, "name": n, "created_at": now} for c, n in REGIONS])
    term = sa.table("vocabulary_term", sa.column("vocabulary"), sa.column("code"), sa.column("label"), sa.column("description"))
    op.bulk_insert(term, [{"vocabulary": v, "code": c, "label": label, "description": d} for v, c, label, d in TERMS])


def downgrade() -> None:
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index("ix_action_review")
        batch_op.drop_index("ix_action_open_by_date")

    op.drop_table("action")
    with op.batch_alter_table("review_tag", schema=None) as batch_op:
        batch_op.drop_index("ix_review_tag_term")

    op.drop_table("review_tag")
    op.drop_table("action_plan")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index("ix_review_region_status")
        batch_op.drop_index("ix_review_listing")

    op.drop_table("review")
    op.drop_table("app_user")
    op.drop_table("api_client")
    op.drop_table("vocabulary_term")
    op.drop_table("region")
