"""The framework's ceiling: a bare FastAPI app answering the registry's read-by-id route.

`GET /api/v1/reviews/{id}`: no auth, no database, no middleware. It returns, for any id, the JSON
document read once at import from the file named by `BENCH_BARE_DOCUMENT` (the benchmark writes
there the body the registry returned for the same review, so both servers send the same bytes).
The handler is `async def`, so no threadpool hop either: nothing FastAPI serves can be faster.

`GET /db/reviews/{id}`, when `BENCH_BARE_DATABASE_URL` is set: the same framework plus the database,
the way a minimal hand-written endpoint would read a review. A plain `def` (run in the threadpool,
as the registry's handlers are) sends the review's row and its tags' query through a bare DB-API
connection of its thread and returns the row as a dict. The step between the two ceilings is the
database's share; the step from this one to the registry is the registry's own.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException

DOCUMENT: dict[str, Any] = json.loads(Path(os.environ["BENCH_BARE_DOCUMENT"]).read_bytes())
DATABASE_URL = os.environ.get("BENCH_BARE_DATABASE_URL", "")

app = FastAPI()
_local = threading.local()


@app.get("/api/v1/reviews/{review_id}")
async def get_review(review_id: str) -> dict[str, Any]:
    """The loaded document, whatever the id."""
    return DOCUMENT


def _connection() -> Any:
    if not hasattr(_local, "connection"):
        if DATABASE_URL.startswith("sqlite:///"):
            import sqlite3

            _local.connection = sqlite3.connect(DATABASE_URL.removeprefix("sqlite:///"))
            _local.marker = "?"
        else:
            import psycopg

            _local.connection = psycopg.connect(DATABASE_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
            _local.marker = "%s"
    return _local.connection


@app.get("/db/reviews/{review_id}")
def get_review_from_the_database(review_id: str) -> dict[str, Any]:
    """The review's row and its tags, read with plain SQL."""
    connection = _connection()
    cursor = connection.cursor()
    cursor.execute(f"SELECT * FROM review WHERE id = {_local.marker}", (review_id,))
    row = cursor.fetchone()
    if row is None:
        raise HTTPException(404)
    review = {column[0]: value for column, value in zip(cursor.description, row, strict=True)}
    cursor.execute(f"SELECT vocabulary, code FROM review_tag WHERE review_id = {_local.marker}", (review_id,))
    for vocabulary, code in cursor.fetchall():
        review.setdefault(vocabulary, []).append(code)
    review.pop("search_vector", None)
    return review
