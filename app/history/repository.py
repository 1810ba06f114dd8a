"""The revision table: rows are only ever added (the database refuses anything else, but for
redaction's `allow_rewrite`), and read in the order they were written."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime

from sqlalchemy import func, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from app.history.models import Revision


def add(session: Session, revision: Revision) -> None:
    session.add(revision)


@contextmanager
def allow_rewrite(session: Session) -> Iterator[None]:
    """Inside this block, and in this session's transaction only, the database lets revisions be
    updated (never deleted): the one door its triggers leave (migration 0014, ADR 0037), for
    redaction alone, which audits what it does. PostgreSQL: a transaction-local setting. SQLite,
    which has none: the one row of `redaction_in_progress`, taken out again when the block ends,
    even when it raises (a caller that went on to commit would otherwise leave the door open)."""
    if session.get_bind().dialect.name == "sqlite":
        opening, closing = "INSERT INTO redaction_in_progress (id) VALUES (1)", "DELETE FROM redaction_in_progress"
    else:
        opening, closing = "SET LOCAL registry.redaction = 'on'", "SET LOCAL registry.redaction = 'off'"
    session.execute(text(opening))
    try:
        yield
        session.flush()
    except BaseException:
        with suppress(SQLAlchemyError):  # a transaction the database aborted closes the door as it rolls back
            session.execute(text(closing))
        raise
    session.execute(text(closing))


def of_review(
    session: Session,
    review_id: str,
    *,
    after_id: int | None,
    limit: int,
    entities: Sequence[str] | None = None,
    corrections_only: bool = False,
) -> list[Revision]:
    """The review's revisions after `after_id` (from the first when None), oldest first; only those
    made with a reason (the corrections) when `corrections_only`."""
    query = select(Revision).where(Revision.review_id == review_id)
    if entities is not None:
        query = query.where(col(Revision.entity).in_(list(entities)))
    if corrections_only:
        query = query.where(col(Revision.reason).is_not(None))
    if after_id is not None:
        query = query.where(col(Revision.id) > after_id)
    return list(session.exec(query.order_by(col(Revision.id)).limit(limit)))


def count_of(session: Session, review_ids: Sequence[str], *, entity: str) -> dict[str, int]:
    """How many revisions of this entity each review has (they only ever grow)."""
    if not review_ids:
        return {}
    query = (
        select(col(Revision.review_id), func.count())
        .where(col(Revision.review_id).in_(list(review_ids)), Revision.entity == entity)
        .group_by(col(Revision.review_id))
    )
    return {review_id: int(n) for review_id, n in session.execute(query).all()}


def last_correction(session: Session, review_id: str) -> datetime | None:
    """When the review (its fields, a document or an action) was last corrected, or None."""
    query = select(func.max(Revision.changed_at)).where(Revision.review_id == review_id, col(Revision.reason).is_not(None))
    found: datetime | None = session.exec(query).one()
    return found


def of_entity(session: Session, review_id: str, *, entity: str, entity_id: str) -> list[Revision]:
    """One entity's revisions (a document's, say), oldest first."""
    query = select(Revision).where(Revision.review_id == review_id, Revision.entity == entity, Revision.entity_id == entity_id)
    return list(session.exec(query.order_by(col(Revision.id))))
