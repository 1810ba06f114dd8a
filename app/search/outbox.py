"""Nothing lost on the way to the index: outbox rows are written with the change, drained after it.

`enqueue` runs inside the writer's transaction. `drain` re-reads each review and hands the search
backend its current document (with its version, so a stale write never wins); rows leave the
outbox only once the backend has taken them. While the backend is down they wait, with backoff.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from app.db import SEARCH_OUTBOX, begin_writing
from app.reviews.models import Review
from app.search.backend import SearchBackend, SearchDocument, SearchUnavailable
from app.search.models import SearchOutbox

MAX_BACKOFF = timedelta(minutes=5)


def enqueue(session: Session, *, review_id: str, now: datetime) -> None:
    if not session.info.get(SEARCH_OUTBOX, True):
        return  # the backend indexed the change in this very transaction (the SQL backend)
    session.add(SearchOutbox(review_id=review_id, enqueued_at=now, available_at=now))
    session.info["search_outbox_written"] = True


@dataclass
class DrainResult:
    indexed: int = 0
    waiting: int = 0


def drain(
    sessions: sessionmaker[Session],
    backend: SearchBackend,
    *,
    now: Callable[[], datetime],
    batch_size: int = 200,
    include_postponed: bool = False,
) -> DrainResult:
    """Index everything due in the outbox, batch by batch, until it is empty or the backend fails.
    `include_postponed` also retries rows still backing off from an earlier failure (a person asked)."""
    result = DrainResult()
    while True:
        with sessions() as session:
            begin_writing(session)
            rows = _due(session, datetime.max.replace(tzinfo=UTC) if include_postponed else now(), batch_size)
            if not rows:
                return result
            review_ids = sorted({row.review_id for row in rows})
            reviews = session.execute(select(Review).where(col(Review.id).in_(review_ids))).scalars().all()
            try:
                backend.index([SearchDocument.of(review) for review in reviews])
            except SearchUnavailable as exc:
                _postpone(session, rows, now(), str(exc))
                session.commit()
                result.waiting = len(rows)
                return result
            session.execute(delete(SearchOutbox).where(col(SearchOutbox.id).in_([row.id for row in rows])))
            session.commit()
            result.indexed += len(review_ids)


def _due(session: Session, at: datetime, limit: int) -> list[SearchOutbox]:
    query = (
        select(SearchOutbox)
        .where(col(SearchOutbox.available_at) <= at)
        .order_by(col(SearchOutbox.id))
        .limit(limit)
        .with_for_update(skip_locked=True)  # several drains share the work on PostgreSQL
    )
    return list(session.execute(query).scalars())


def _postpone(session: Session, rows: list[SearchOutbox], at: datetime, reason: str) -> None:
    for row in rows:
        backoff = min(MAX_BACKOFF, timedelta(seconds=2 ** min(row.attempts, 10)))
        session.execute(
            update(SearchOutbox)
            .where(col(SearchOutbox.id) == row.id)
            .values(attempts=row.attempts + 1, available_at=at + backoff, last_error=reason[:200])
        )


def lag(session: Session, now: datetime) -> dict[str, float | int]:
    """How much is waiting, and how long the oldest entry has waited (seconds)."""
    count, oldest = session.execute(select(func.count(), func.min(col(SearchOutbox.enqueued_at)))).one()
    return {"pending": int(count), "oldest_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0.0}


def reindex(sessions: sessionmaker[Session], backend: SearchBackend, *, batch_size: int = 500) -> str:
    """Rebuild the search index from the database, the source of truth."""

    def batches() -> Iterator[list[SearchDocument]]:
        after = ""
        while True:
            with sessions() as session:
                reviews = (
                    session.execute(select(Review).where(col(Review.id) > after).order_by(col(Review.id)).limit(batch_size))
                    .scalars()
                    .all()
                )
                if not reviews:
                    return
                yield [SearchDocument.of(review) for review in reviews]
                after = reviews[-1].id

    return backend.reindex(batches())
