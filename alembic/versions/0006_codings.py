"""codings: a hierarchical learning-theme codebook, the coders' perspectives, and codings of reviews

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Issue 12: researchers code reviews' passages with learning themes, each from a perspective (ADR
0026). Vocabulary terms get a parent in the same vocabulary. The seed (the four themes of the
research the registry grew from, their sub-themes, and five perspectives) is written here
literally, so this migration means the same thing forever.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (code, label, parent)
LEARNING_THEMES = [
    ("hierarchy-of-knowledge", "Hierarchy of knowledge", None),
    ("fathers-overlooked", "Fathers overlooked", "hierarchy-of-knowledge"),
    ("adults-before-children", "Priority of adults over children", "hierarchy-of-knowledge"),
    ("professional-hierarchies", "Professional hierarchies", "hierarchy-of-knowledge"),
    ("tunnel-vision", "Tunnel vision", "hierarchy-of-knowledge"),
    ("medical-evidence-over-wider-evidence", "Medical evidence over wider evidence", "hierarchy-of-knowledge"),
    ("information-sharing-and-recording", "Information sharing and recording", None),
    ("sharing-outside-child-protection", "Information sharing outside child protection", "information-sharing-and-recording"),
    ("fear-of-complaints", "Fear of complaints", "information-sharing-and-recording"),
    ("gdpr-confusion", "GDPR confusion", "information-sharing-and-recording"),
    ("it-systems", "IT systems", "information-sharing-and-recording"),
    ("missing-chronologies-and-poor-records", "Missing chronologies and poor records", "information-sharing-and-recording"),
    ("partial-assessment", "Partial assessment", None),
    ("new-partners-not-assessed", "New partners not assessed", "partial-assessment"),
    ("large-families", "Large families", "partial-assessment"),
    ("grandparents-and-wider-family", "Grandparents and wider family", "partial-assessment"),
    ("polarised-views-of-mothers", "Polarised views of mothers", "partial-assessment"),
    ("supervision", "Supervision", "partial-assessment"),
    ("service-disengagement", "Service disengagement", "partial-assessment"),
    ("voice-of-the-child", "Voice of the child", None),
    ("children-spoken-to-in-front-of-parents", "Children spoken to in front of parents", "voice-of-the-child"),
    ("each-childs-lived-experience", "Each child's lived experience", "voice-of-the-child"),
]
PERSPECTIVES = [
    ("criminology", "Criminology"),
    ("legal", "Legal"),
    ("social-work", "Social work"),
    ("health", "Health"),
    ("education", "Education"),
]


def upgrade() -> None:
    with op.batch_alter_table("vocabulary_term", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_foreign_key(
            "fk_vocabulary_term_parent_vocabulary_term", "vocabulary_term", ["vocabulary", "parent"], ["vocabulary", "code"]
        )
    op.create_table(
        "coding",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("review_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("coder", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("theme_vocabulary", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("theme", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("perspective_vocabulary", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("perspective", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("location_field", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("location_document_kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], name=op.f("fk_coding_review_id_review")),
        sa.ForeignKeyConstraint(
            ["theme_vocabulary", "theme"],
            ["vocabulary_term.vocabulary", "vocabulary_term.code"],
            name="fk_coding_theme_vocabulary_term",
        ),
        sa.ForeignKeyConstraint(
            ["perspective_vocabulary", "perspective"],
            ["vocabulary_term.vocabulary", "vocabulary_term.code"],
            name="fk_coding_perspective_vocabulary_term",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coding")),
    )
    with op.batch_alter_table("coding", schema=None) as batch_op:
        batch_op.create_index("ix_coding_review_coder", ["review_id", "coder"], unique=False)
        batch_op.create_index("ix_coding_theme", ["theme", "review_id"], unique=False)

    term = sa.table(
        "vocabulary_term",
        sa.column("vocabulary"),
        sa.column("code"),
        sa.column("label"),
        sa.column("description"),
        sa.column("parent"),
    )
    rows = [
        {"vocabulary": "learning_theme", "code": c, "label": label, "description": None, "parent": parent}
        for c, label, parent in LEARNING_THEMES
    ]
    rows += [
        {"vocabulary": "perspective", "code": c, "label": label, "description": None, "parent": None} for c, label in PERSPECTIVES
    ]
    op.bulk_insert(term, rows)  # parents come before their children


def downgrade() -> None:
    with op.batch_alter_table("coding", schema=None) as batch_op:
        batch_op.drop_index("ix_coding_theme")
        batch_op.drop_index("ix_coding_review_coder")
    op.drop_table("coding")
    vocabulary = sa.column("vocabulary")
    op.execute(sa.table("vocabulary_term", vocabulary).delete().where(vocabulary.in_(["learning_theme", "perspective"])))
    with op.batch_alter_table("vocabulary_term", schema=None) as batch_op:
        batch_op.drop_constraint("fk_vocabulary_term_parent_vocabulary_term", type_="foreignkey")
        batch_op.drop_column("parent")
