"""The search outbox table: what waits for the index, and since when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlmodel import Session, col

from app.search.models import SearchOutbox


def add(session: Session, *, review_id: str, now: datetime) -> None:
    session.add(SearchOutbox(review_id=review_id, enqueued_at=now, available_at=now))


def due(session: Session, at: datetime, limit: int) -> list[SearchOutbox]:
    query = (
        select(SearchOutbox)
        .where(col(SearchOutbox.available_at) <= at)
        .order_by(col(SearchOutbox.id))
        .limit(limit)
        .with_for_update(skip_locked=True)  # several drains share the work on PostgreSQL
    )
    return list(session.execute(query).scalars())


def remove(session: Session, rows: list[SearchOutbox]) -> None:
    session.execute(delete(SearchOutbox).where(col(SearchOutbox.id).in_([row.id for row in rows])))


def postpone(session: Session, row: SearchOutbox, *, until: datetime, reason: str) -> None:
    session.execute(
        update(SearchOutbox)
        .where(col(SearchOutbox.id) == row.id)
        .values(attempts=row.attempts + 1, available_at=until, last_error=reason[:200])
    )


def pending(session: Session) -> tuple[int, datetime | None]:
    """How many rows wait, and when the oldest was enqueued."""
    count, oldest = session.execute(select(func.count(), func.min(col(SearchOutbox.enqueued_at)))).one()
    return int(count), oldest
