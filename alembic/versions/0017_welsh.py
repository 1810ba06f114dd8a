"""welsh: a review's original language, its Welsh title and summary, and a Welsh search index

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03

Issue 15 (ADR 0045). `review.language` (en or cy), `title_cy` and `summary_cy`; a recommendation's
Welsh text is the `text_cy` of its JSON object, so it needs no column. Welsh is indexed apart from
English, with diacritics folded and neither stemmed nor stopped: the English stemmer reads Welsh
words as English ones, and English stopwords drop Welsh words ("a", "i", "cân" once folded).
The report's text is indexed in the review's language.

SQLite: a second FTS5 table, `review_fts_cy` (no porter), on the same `search_key`, written by the
same triggers as `review_fts`. PostgreSQL: the `registry_welsh` configuration (`simple` after
`unaccent`) and a generated `search_vector_cy`; `search_vector` is built again (generated columns
cannot be altered) so that it holds the report's text only for a review written in English.
The review columns are added in place (no batch copy), so the table's triggers stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = "(SELECT key FROM search_key WHERE review_id = new.id)"
_SQLITE_ENGLISH = f"""
    {_KEY},
    new.title,
    coalesce(new.summary, ''),
    (SELECT coalesce(group_concat(json_extract(value, '$.text'), char(10)), '') FROM json_each(new.recommendations)),
    CASE WHEN new.language = 'cy' THEN '' ELSE coalesce(new.full_text, '') END
"""
_SQLITE_WELSH = f"""
    {_KEY},
    coalesce(new.title_cy, ''),
    coalesce(new.summary_cy, ''),
    (SELECT coalesce(group_concat(json_extract(value, '$.text_cy'), char(10)), '') FROM json_each(new.recommendations)),
    CASE WHEN new.language = 'cy' THEN coalesce(new.full_text, '') ELSE '' END
"""
_FTS_COLUMNS = "(rowid, title, summary, recommendations, full_text)"
# Migration 0002's document, before the report's text went by language.
_SQLITE_0002 = """
    (SELECT key FROM search_key WHERE review_id = new.id),
    new.title,
    coalesce(new.summary, ''),
    (SELECT coalesce(group_concat(json_extract(value, '$.text'), char(10)), '') FROM json_each(new.recommendations)),
    coalesce(new.full_text, '')
"""


def _pg_vector(config: str, title: str, summary: str, texts: str, full_text: str) -> str:
    # As migration 0016's (a tsvector holds at most 1 MB).
    return f"""
    setweight(to_tsvector('{config}', coalesce({title}, '')), 'A')
    || setweight(to_tsvector('{config}', coalesce({summary}, '')), 'B')
    || setweight(to_tsvector('{config}', coalesce(jsonb_path_query_array(recommendations::jsonb, '$[*].{texts}')::text, '')), 'B')
    || setweight(to_tsvector('{config}', left(coalesce({full_text}, ''), 500000)), 'C')
    """


_PG_ENGLISH = _pg_vector("registry_english", "title", "summary", "text", "CASE WHEN language = 'cy' THEN NULL ELSE full_text END")
_PG_WELSH = _pg_vector("registry_welsh", "title_cy", "summary_cy", "text_cy", "CASE WHEN language = 'cy' THEN full_text END")
_PG_0016 = _pg_vector("registry_english", "title", "summary", "text", "full_text")


def _sqlite_triggers(english: str, welsh: str | None) -> None:
    op.execute("DROP TRIGGER review_fts_insert")
    op.execute("DROP TRIGGER review_fts_update")
    also_welsh = f"INSERT INTO review_fts_cy {_FTS_COLUMNS} VALUES ({welsh});" if welsh else ""
    forget_welsh = f"DELETE FROM review_fts_cy WHERE rowid = {_KEY};" if welsh else ""
    columns = "title, summary, recommendations, full_text" + (", language, title_cy, summary_cy" if welsh else "")
    op.execute(
        f"""CREATE TRIGGER review_fts_insert AFTER INSERT ON review BEGIN
            INSERT INTO search_key (review_id) VALUES (new.id);
            INSERT INTO review_fts {_FTS_COLUMNS} VALUES ({english});
            {also_welsh}
        END"""
    )
    op.execute(
        f"""CREATE TRIGGER review_fts_update AFTER UPDATE OF {columns} ON review BEGIN
            DELETE FROM review_fts WHERE rowid = {_KEY};
            INSERT INTO review_fts {_FTS_COLUMNS} VALUES ({english});
            {forget_welsh}
            {also_welsh}
        END"""
    )


def _pg_vectors(english: str, welsh: str | None) -> None:
    op.execute("DROP INDEX ix_review_search_vector")
    op.execute("ALTER TABLE review DROP COLUMN search_vector")
    op.execute(f"ALTER TABLE review ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({english}) STORED")
    op.execute("CREATE INDEX ix_review_search_vector ON review USING gin (search_vector)")
    if welsh:
        op.execute(f"ALTER TABLE review ADD COLUMN search_vector_cy tsvector GENERATED ALWAYS AS ({welsh}) STORED")
        op.execute("CREATE INDEX ix_review_search_vector_cy ON review USING gin (search_vector_cy)")


def upgrade() -> None:
    op.add_column("review", sa.Column("language", sa.String(length=2), nullable=False, server_default="en"))
    op.add_column("review", sa.Column("title_cy", sa.String(length=300), nullable=True))
    op.add_column("review", sa.Column("summary_cy", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE review_fts_cy USING fts5("
            "title, summary, recommendations, full_text, tokenize = 'unicode61 remove_diacritics 2')"
        )
        # Every review's Welsh row, empty until a Welsh field is given (the reports so far are English).
        op.execute(
            "INSERT INTO review_fts_cy (rowid, title, summary, recommendations, full_text) SELECT key, '', '', '', '' FROM search_key"
        )
        _sqlite_triggers(_SQLITE_ENGLISH, _SQLITE_WELSH)
    else:
        op.execute("CREATE TEXT SEARCH CONFIGURATION registry_welsh (COPY = simple)")
        op.execute(
            "ALTER TEXT SEARCH CONFIGURATION registry_welsh ALTER MAPPING FOR word, hword, hword_part WITH unaccent, simple"
        )
        _pg_vectors(_PG_ENGLISH, _PG_WELSH)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_triggers(_SQLITE_0002, None)
        op.execute("DROP TABLE review_fts_cy")
    else:
        op.execute("DROP INDEX ix_review_search_vector_cy")
        op.execute("ALTER TABLE review DROP COLUMN search_vector_cy")
        _pg_vectors(_PG_0016, None)
        op.execute("DROP TEXT SEARCH CONFIGURATION registry_welsh")
    op.drop_column("review", "summary_cy")
    op.drop_column("review", "title_cy")
    op.drop_column("review", "language")
