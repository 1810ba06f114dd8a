"""throttle pairs: sign-ins counted per account name and address; document events name their kind

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02

Issue 13, parts 5 and 6 (ADR 0036). The `account:NAME` counters, which locked an account out for
everyone, are no longer read: they are deleted. `audit_event.document_kind` names the kind of
document a `document:upload` or `document:download` was of. The column is added in place (no
batch copy), so the table's append-only triggers stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM sign_in_attempts WHERE key LIKE 'account:%'")
    op.add_column("audit_event", sa.Column("document_kind", sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_event", "document_kind")
    op.execute("DELETE FROM sign_in_attempts WHERE key LIKE 'pair:%'")
