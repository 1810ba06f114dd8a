"""folded diacritics: PostgreSQL's search reads "ŵyr" as "wyr", as SQLite and OpenSearch do

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03

Issue 15. SQLite's FTS5 tokenizer removes diacritics (`unicode61 remove_diacritics 2`) and the
OpenSearch analyzer folds them (`asciifolding`), but PostgreSQL's `english` configuration kept
them: a review containing "ŵyr" was found by `q=wyr` on SQLite and not on PostgreSQL. The
`registry_english` text search configuration is `english` with the `unaccent` dictionary before
the stemmer for words that are not plain ASCII. The search vector is a generated column, whose
expression PostgreSQL cannot alter, so it is dropped and added again (the table is rewritten once).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _vector(config: str) -> str:
    # As migration 0002's, with the configuration named (a tsvector holds at most 1 MB).
    return f"""
    setweight(to_tsvector('{config}', coalesce(title, '')), 'A')
    || setweight(to_tsvector('{config}', coalesce(summary, '')), 'B')
    || setweight(to_tsvector('{config}', coalesce(jsonb_path_query_array(recommendations::jsonb, '$[*].text')::text, '')), 'B')
    || setweight(to_tsvector('{config}', left(coalesce(full_text, ''), 500000)), 'C')
    """


def _search_vector(config: str) -> None:
    op.execute("DROP INDEX ix_review_search_vector")
    op.execute("ALTER TABLE review DROP COLUMN search_vector")
    op.execute(f"ALTER TABLE review ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({_vector(config)}) STORED")
    op.execute("CREATE INDEX ix_review_search_vector ON review USING gin (search_vector)")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite's tokenizer has removed diacritics since migration 0002
    # A trusted extension (PostgreSQL 13+): the database's owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE TEXT SEARCH CONFIGURATION registry_english (COPY = english)")
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION registry_english ALTER MAPPING FOR word, hword, hword_part WITH unaccent, english_stem"
    )
    _search_vector("registry_english")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _search_vector("english")
    op.execute("DROP TEXT SEARCH CONFIGURATION registry_english")
