"""The baselines: the same work done straight against the backend, with none of the registry around it.

- `raw_import`: the corpus's rows (review, tags, action plan, actions) bulk-inserted with SQLAlchemy
  Core `executemany`, in the same batches, into the same schema (so the database's own full-text
  index is maintained for both), with no validation, history, audit or outbox.
- `raw_bulk_index`: the same documents the registry indexes, read with plain SQL and sent with
  opensearch-py's `helpers.bulk` into a fresh index with the same mapping.
- `captured_sql` / `captured_search_body`: the exact statements (or OpenSearch request body) that the
  registry's search and trends send for a request, captured in-process, so the baseline replays
  *the same query* through a bare DB-API cursor / opensearch-py client.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from opensearchpy import OpenSearch, helpers
from sqlalchemy import Engine, event, text
from sqlmodel import SQLModel

from app.reviews.models import TAG_FIELDS

IMPORTER = "import:bench-raw"


def _review_rows(document: dict[str, Any], public_window_days: int) -> tuple[dict[str, Any], list[dict], dict | None, list[dict]]:
    review_id = str(uuid.uuid4())
    published = date.fromisoformat(document["published_on"]) if document.get("published_on") else None
    at = datetime.combine(published, datetime.min.time(), tzinfo=UTC) if published else datetime.now(UTC)
    status = document.get("status", "draft")
    review = {
        "id": review_id,
        **{
            k: document.get(k)
            for k in (
                "region",
                "reference",
                "kind",
                "review_type",
                "trigger_outcome",
                "title",
                "summary",
                "age_band",
                "full_text",
            )
        },
        **{k: bool(document.get(k, False)) for k in ("on_cp_register_6m", "looked_after_6m", "historic", "multiple_abuse")},
        "susr_criteria": document.get("susr_criteria", []),
        "reviewers": document.get("reviewers", []),
        "recommendations": document.get("recommendations", []),
        "completed_on": date.fromisoformat(document["completed_on"]) if document.get("completed_on") else None,
        "status": status,
        "version": 1,
        "created_at": at,
        "created_by": IMPORTER,
        "updated_at": at,
        "updated_by": IMPORTER,
        "submitted_at": at if status in ("submitted", "published") else None,
        "published_on": published,
        "public_until": published + timedelta(days=public_window_days) if published else None,
        "withdrawn_at": None,
        "withdrawn_reason": None,
        "withdrawn_from": None,
    }
    tags = [
        {"review_id": review_id, "vocabulary": vocabulary, "code": code}
        for field, vocabulary in TAG_FIELDS.items()
        for code in document.get(field, [])
    ]
    plan = actions = None
    if document.get("action_plan") is not None:
        plan = {"review_id": review_id, "version": 1, "created_at": at, "updated_at": at, "updated_by": IMPORTER}
        actions = [
            {
                "id": str(uuid.uuid4()),
                "review_id": review_id,
                "position": position,
                "recommendation_ref": action["recommendation_ref"],
                "description": action["description"],
                "lead_agency": action["lead_agency"],
                "target_date": date.fromisoformat(action["target_date"]),
                "status": action.get("status", "not_started"),
                "progress_notes": action.get("progress_notes", []),
                "version": 1,
                "updated_at": at,
                "updated_by": IMPORTER,
            }
            for position, action in enumerate(document["action_plan"]["actions"])
        ]
    return review, tags, plan, actions or []


def raw_import(engine: Engine, files: list[Path], *, batch_size: int = 100, public_window_days: int = 84) -> int:
    """Insert the files' rows in batches, one transaction each. Returns how many reviews."""
    tables = SQLModel.metadata.tables
    for start in range(0, len(files), batch_size):
        reviews, tags, plans, actions = [], [], [], []
        for path in files[start : start + batch_size]:
            review, review_tags, plan, review_actions = _review_rows(json.loads(path.read_bytes()), public_window_days)
            reviews.append(review)
            tags.extend(review_tags)
            actions.extend(review_actions)
            if plan is not None:
                plans.append(plan)
        with engine.begin() as connection:
            connection.execute(tables["review"].insert(), reviews)
            connection.execute(tables["review_tag"].insert(), tags)
            if plans:
                connection.execute(tables["action_plan"].insert(), plans)
                connection.execute(tables["action"].insert(), actions)
    return len(files)


def _documents(engine: Engine, batch_size: int) -> Iterator[list[dict[str, Any]]]:
    """The search documents, as the registry builds them, read with plain SQL."""
    after = ""
    while True:
        with engine.connect() as connection:
            rows = (
                connection.execute(
                    text(
                        "SELECT id, version, reference, region, kind, review_type, status, completed_on, published_on, "
                        "public_until, age_band, title, summary, recommendations, full_text FROM review "
                        "WHERE id > :after ORDER BY id LIMIT :n"
                    ),
                    {"after": after, "n": batch_size},
                )
                .mappings()
                .all()
            )
            if not rows:
                return
            ids = [row["id"] for row in rows]
            tags: dict[tuple[str, str], list[str]] = {}
            for review_id, vocabulary, code in connection.execute(
                text(
                    "SELECT review_id, vocabulary, code FROM review_tag WHERE review_id >= :first AND review_id <= :last ORDER BY code"
                ),
                {"first": ids[0], "last": ids[-1]},
            ):
                tags.setdefault((review_id, vocabulary), []).append(code)
        documents = []
        for row in rows:
            completed = _as_date(row["completed_on"])
            recommendations = row["recommendations"]
            if isinstance(recommendations, str):
                recommendations = json.loads(recommendations)
            documents.append(
                {
                    "id": row["id"],
                    "version": row["version"],
                    "reference": row["reference"],
                    "region": row["region"],
                    "kind": row["kind"],
                    "review_type": row["review_type"],
                    "status": row["status"],
                    "year": completed.year if completed else None,
                    "completed_on": completed.isoformat() if completed else None,
                    "published_on": _iso(row["published_on"]),
                    "public_until": _iso(row["public_until"]),
                    "age_band": row["age_band"],
                    "themes": tags.get((row["id"], "theme"), []),
                    "agencies": tags.get((row["id"], "agency"), []),
                    "abuse_categories": tags.get((row["id"], "abuse_category"), []),
                    "title": row["title"],
                    "summary": row["summary"] or "",
                    "recommendations": "\n".join(r["text"] for r in recommendations),
                    "full_text": row["full_text"] or "",
                }
            )
        yield documents
        after = ids[-1]


def _as_date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _iso(value: Any) -> str | None:
    value = _as_date(value)
    return value.isoformat() if value else None


def raw_bulk_index(engine: Engine, client: OpenSearch, *, index: str, body: dict[str, Any], batch_size: int = 500) -> int:
    """Create `index` with `body` (settings and mappings) and bulk-load every review into it."""
    client.indices.create(index=index, body=body)
    count = 0
    for documents in _documents(engine, batch_size):
        actions = [
            {
                "_op_type": "index",
                "_index": index,
                "_id": d["id"],
                "version": d["version"],
                "version_type": "external",
                "_source": d,
            }
            for d in documents
        ]
        helpers.bulk(client, actions)
        count += len(actions)
    client.indices.refresh(index=index)
    return count


@contextmanager
def captured_sql(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement (with its DB-API parameters) the engine sends while the block runs."""
    statements: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", remember)


def replay_sql(engine: Engine, statements: list[tuple[str, Any]]) -> Callable[[], int]:
    """A function that sends the statements through one bare DB-API cursor and fetches every row."""
    raw = engine.raw_connection()
    cursor = raw.cursor()
    chosen = [(s, p) for s, p in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]

    def run() -> int:
        rows = 0
        for statement, parameters in chosen:
            cursor.execute(statement, parameters)
            rows += len(cursor.fetchall())
        raw.rollback()  # as the registry's read-only request ends its transaction
        return rows

    return run


# --- The least work that answers the same question (issue 14) -----------------------------------
# Not a replay of the registry's SQL: what a hand-written query on the same database and index needs
# to answer the same question for the same caller, so that a slow design shows in the ratio.


def least_search(engine: Engine, q: str, *, principal: Any, today: date) -> Callable[[], int]:
    """The ranked top 20 for `q` from the same full-text index, under the same visibility: no total,
    no facets, no highlights. bm25 on SQLite (FTS5's own ranking), ts_rank on PostgreSQL."""
    from sqlalchemy import column, func, literal_column, select, table, text

    from app.reviews.models import Review
    from app.reviews.repository import visibility_clause
    from app.search.query import parse, to_fts5, to_websearch

    query = parse(q)
    visible = visibility_clause(principal, today)
    if engine.dialect.name == "postgresql":
        tsquery = func.websearch_to_tsquery(text("'registry_english'::regconfig"), to_websearch(query))
        vector = literal_column("review.search_vector")
        statement = (
            select(Review.id).where(vector.op("@@")(tsquery), visible).order_by(func.ts_rank(vector, tsquery).desc()).limit(20)
        )
    else:
        fts, key = table("review_fts", column("rowid")), table("search_key", column("key"), column("review_id"))
        statement = (
            select(key.c.review_id)
            .select_from(fts.join(key, key.c.key == fts.c.rowid).join(Review, Review.id == key.c.review_id))
            .where(literal_column("review_fts").op("MATCH")(to_fts5(query)), visible)
            .order_by(func.bm25(literal_column("review_fts")))
            .limit(20)
        )
    return _reading(engine, statement)


def least_trend(engine: Engine, dimensions: list[str], *, principal: Any, today: date) -> Callable[[], int]:
    """Review counts by one or two dimensions over the visible reviews: a GROUP BY on the review
    table for its own columns; with a tag (theme, agency), on the tag table joined to it."""
    from sqlalchemy import extract, func, select

    from app.reviews.models import Review, ReviewTag
    from app.reviews.repository import visibility_clause

    tag = next((d for d in dimensions if d in _TAG_DIMENSIONS), None)
    keys = [
        ReviewTag.code if d == tag else extract("year", Review.completed_on) if d == "year" else getattr(Review, d)
        for d in dimensions
    ]
    statement = select(*keys, func.count()).where(visibility_clause(principal, today)).group_by(*keys)
    if tag is not None:
        statement = statement.select_from(ReviewTag).join(Review, Review.id == ReviewTag.review_id)
        statement = statement.where(ReviewTag.vocabulary == tag)
    return _reading(engine, statement)


_TAG_DIMENSIONS = ("theme", "agency")


def _reading(engine: Engine, statement: Any) -> Callable[[], int]:
    """A function that runs the compiled statement on one bare DB-API cursor and fetches every row."""
    compiled = statement.compile(engine, compile_kwargs={"render_postcompile": True})
    sql, named = str(compiled), compiled.params
    # SQLite's driver takes ? placeholders in order; psycopg takes %(name)s by name.
    parameters: Any = [named[name] for name in compiled.positiontup or []] if compiled.positional else named
    raw = engine.raw_connection()
    cursor = raw.cursor()

    def run() -> int:
        cursor.execute(sql, parameters)
        rows = len(cursor.fetchall())
        raw.rollback()
        return rows

    return run
