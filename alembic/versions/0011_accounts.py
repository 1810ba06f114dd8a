"""accounts through the API: a token generation and a version on each account

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Issue 13, part 4 (ADR 0034). `token_generation` is carried in each token and compared on every
request, so a change to an account ends the tokens issued before it; `version` is the account's
ETag. Existing accounts start at generation 0 and version 1 (server defaults fill their rows).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("app_user", "api_client")


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(table, sa.Column("token_generation", sa.Integer(), nullable=False, server_default="0"))
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        # An existing account was last changed when it was made.
        op.add_column(table, sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        op.execute(sa.text(f"UPDATE {table} SET updated_at = created_at"))
        with op.batch_alter_table(table) as batch:
            batch.alter_column("updated_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("updated_at")
            batch.drop_column("version")
            batch.drop_column("token_generation")
