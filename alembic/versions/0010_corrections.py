"""corrections: a revision may carry the reason it was made (a correction after submission)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

Issue 13, part 1 (ADR 0033). A correction of a submitted or published review, a replaced document
and a revised action are revisions like any other change, with the reason they were made.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.drop_column("reason")
