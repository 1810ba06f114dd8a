"""The revision table: rows are only ever added, and read in the order they were written."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.history.models import Revision


def add(session: Session, revision: Revision) -> None:
    session.add(revision)


def of_review(
    session: Session, review_id: str, *, after_id: int | None, limit: int, entities: Sequence[str] | None = None
) -> list[Revision]:
    """The review's revisions after `after_id` (from the first when None), oldest first."""
    query = select(Revision).where(Revision.review_id == review_id)
    if entities is not None:
        query = query.where(col(Revision.entity).in_(list(entities)))
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
