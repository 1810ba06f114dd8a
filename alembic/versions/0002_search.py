"""search: full-text structures for the SQL backend, and the search outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

SQLite: an FTS5 table (porter stemming) kept in step with `review` by triggers, through
`search_key`, a stable integer per review (a table's implicit rowid may change on VACUUM).
PostgreSQL: a generated, GIN-indexed tsvector column on `review`. Either way the SQL index is
written in the same transaction as the review. The outbox feeds external backends (OpenSearch).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The text a recommendation list contributes, and the longest report text worth indexing
# (a tsvector holds at most 1 MB).
_SQLITE_DOCUMENT = """
    (SELECT key FROM search_key WHERE review_id = new.id),
    new.title,
    coalesce(new.summary, ''),
    (SELECT coalesce(group_concat(json_extract(value, '$.text'), char(10)), '') FROM json_each(new.recommendations)),
    coalesce(new.full_text, '')
"""

_PG_VECTOR = """
    setweight(to_tsvector('english', coalesce(title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
    || setweight(to_tsvector('english', coalesce(jsonb_path_query_array(recommendations::jsonb, '$[*].text')::text, '')), 'B')
    || setweight(to_tsvector('english', left(coalesce(full_text, ''), 500000)), 'C')
"""


def upgrade() -> None:
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.String(length=36), nullable=False),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_outbox")),
    )
    with op.batch_alter_table("search_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_outbox_review_id"), ["review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_search_outbox_available_at"), ["available_at"], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TABLE search_key (key INTEGER PRIMARY KEY AUTOINCREMENT,"
            " review_id VARCHAR(36) NOT NULL UNIQUE REFERENCES review (id))"
        )
        op.execute(
            "CREATE VIRTUAL TABLE review_fts USING fts5("
            "title, summary, recommendations, full_text, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        op.execute(
            f"""CREATE TRIGGER review_fts_insert AFTER INSERT ON review BEGIN
                INSERT INTO search_key (review_id) VALUES (new.id);
                INSERT INTO review_fts (rowid, title, summary, recommendations, full_text) VALUES ({_SQLITE_DOCUMENT});
            END"""
        )
        op.execute(
            f"""CREATE TRIGGER review_fts_update AFTER UPDATE OF title, summary, recommendations, full_text ON review BEGIN
                DELETE FROM review_fts WHERE rowid = (SELECT key FROM search_key WHERE review_id = new.id);
                INSERT INTO review_fts (rowid, title, summary, recommendations, full_text) VALUES ({_SQLITE_DOCUMENT});
            END"""
        )
        op.execute("INSERT INTO search_key (review_id) SELECT id FROM review ORDER BY created_at")
        op.execute(
            "INSERT INTO review_fts (rowid, title, summary, recommendations, full_text) "
            + "SELECT "
            + _SQLITE_DOCUMENT.replace("new.", "review.").replace(
                "(SELECT key FROM search_key WHERE review_id = review.id)", "search_key.key"
            )
            + " FROM review JOIN search_key ON search_key.review_id = review.id"
        )
    else:
        op.execute(f"ALTER TABLE review ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({_PG_VECTOR}) STORED")
        op.execute("CREATE INDEX ix_review_search_vector ON review USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER review_fts_update")
        op.execute("DROP TRIGGER review_fts_insert")
        op.execute("DROP TABLE review_fts")
        op.execute("DROP TABLE search_key")
    else:
        op.execute("DROP INDEX ix_review_search_vector")
        op.execute("ALTER TABLE review DROP COLUMN search_vector")
    with op.batch_alter_table("search_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_outbox_available_at"))
        batch_op.drop_index(batch_op.f("ix_search_outbox_review_id"))
    op.drop_table("search_outbox")
