"""The revision table: rows are only ever added, and read in the order they were written."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.history.models import Revision


def add(session: Session, revision: Revision) -> None:
    session.add(revision)


def of_review(session: Session, review_id: str, *, after_id: int | None, limit: int) -> list[Revision]:
    """The review's revisions after `after_id` (from the first when None), oldest first."""
    query = select(Revision).where(Revision.review_id == review_id)
    if after_id is not None:
        query = query.where(col(Revision.id) > after_id)
    return list(session.exec(query.order_by(col(Revision.id)).limit(limit)))
