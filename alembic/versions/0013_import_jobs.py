"""import jobs: archives uploaded through the API, their progress, problems and result

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-02

Issue 13, part 2 (ADR 0035).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_job",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_subject", sa.String(length=200), nullable=False),
        sa.Column("owner_role", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("archive_format", sa.String(length=8), nullable=False),
        sa.Column("archive_sha256", sa.String(length=64), nullable=False),
        sa.Column("archive_bytes", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("imported_ids", sa.JSON(), nullable=False),
        sa.Column("already_present", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job")),
    )
    op.create_index("ix_import_job_region", "import_job", ["region", "created_at"], unique=False)
    op.create_index("ix_import_job_status", "import_job", ["status", "heartbeat_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_import_job_status", table_name="import_job")
    op.drop_index("ix_import_job_region", table_name="import_job")
    op.drop_table("import_job")
