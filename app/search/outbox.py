"""Nothing lost on the way to the index: outbox rows are written with the change, drained after it.

`enqueue` runs inside the writer's transaction. `drain` re-reads each review and hands the search
backend its current document (with its version, so a stale write never wins); rows leave the
outbox only once the backend has taken them. While the backend is down they wait, with backoff.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from app.codings import repository as codings
from app.db import SEARCH_OUTBOX, write_transaction
from app.history import repository as history
from app.reviews import repository as reviews
from app.reviews.models import Review
from app.search import repository
from app.search.backend import SearchBackend, SearchDocument, SearchUnavailable

MAX_BACKOFF = timedelta(minutes=5)


def documents_of(session: Session, found: list[Review]) -> list[SearchDocument]:
    """The reviews' search documents, with their codings' themes and perspectives."""
    ids = [review.id for review in found]
    coded = codings.coded_terms(session, ids)
    changes = history.count_of(session, ids, entity="coding")
    return [SearchDocument.of(r, coded=coded.get(r.id, ([], [], [])), coding_changes=changes.get(r.id, 0)) for r in found]


def enqueue(session: Session, *, review_id: str, now: datetime) -> None:
    if not session.info.get(SEARCH_OUTBOX, True):
        return  # the backend indexed the change in this very transaction (the SQL backend)
    repository.add(session, review_id=review_id, now=now)
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
        with write_transaction(sessions) as session:
            rows = repository.due(session, datetime.max.replace(tzinfo=UTC) if include_postponed else now(), batch_size)
            if not rows:
                return result
            review_ids = sorted({row.review_id for row in rows})
            try:
                backend.index(documents_of(session, reviews.get_many(session, review_ids)))
            except SearchUnavailable as exc:
                at = now()
                for row in rows:
                    backoff = min(MAX_BACKOFF, timedelta(seconds=2 ** min(row.attempts, 10)))
                    repository.postpone(session, row, until=at + backoff, reason=str(exc))
                result.waiting = len(rows)
                return result
            repository.remove(session, rows)
            result.indexed += len(review_ids)


def lag(session: Session, now: datetime) -> dict[str, float | int]:
    """How much is waiting, and how long the oldest entry has waited (seconds)."""
    count, oldest = repository.pending(session)
    return {"pending": count, "oldest_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0.0}


def reindex(sessions: sessionmaker[Session], backend: SearchBackend, *, batch_size: int = 500) -> str:
    """Rebuild the search index from the database, the source of truth."""

    def batches() -> Iterator[list[SearchDocument]]:
        after = ""
        while True:
            with sessions() as session:
                found = reviews.in_id_order(session, after=after, limit=batch_size)
                if not found:
                    return
                yield documents_of(session, found)
                after = found[-1].id

    return backend.reindex(batches())
