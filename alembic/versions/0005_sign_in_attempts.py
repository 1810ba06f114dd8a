"""sign-in attempts: an atomic counter per account name and per address for the sign-in throttle

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

The throttle used to count refused sign-ins in the audit trail after each request ended, so a
burst of parallel guesses all read the same count (ADR 0017).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_attempts",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("window_started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_attempts")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_attempts")
