"""Every query on codings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from app.auth.principals import Principal
from app.codings.models import Coding
from app.reviews.models import Review
from app.reviews.repository import visibility_clause


def add(session: Session, coding: Coding) -> None:
    session.add(coding)
    session.flush()


def get(session: Session, coding_id: str) -> Coding | None:
    return session.get(Coding, coding_id)


def remove(session: Session, coding: Coding) -> None:
    session.delete(coding)
    session.flush()


def of_review(session: Session, review_id: str, *, coder: str | None) -> list[Coding]:
    """The review's codings (one coder's, or everyone's when None), oldest first."""
    query = select(Coding).where(Coding.review_id == review_id)
    if coder is not None:
        query = query.where(Coding.coder == coder)
    return list(session.exec(query.order_by(col(Coding.created_at), col(Coding.id))))


def coded(session: Session, *, principal: Principal, today: date, perspective: str | None) -> list[tuple[str, str, str]]:
    """(review, coder, theme) for every coding of a review the principal may read, once each."""
    query = (
        select(col(Coding.review_id), col(Coding.coder), col(Coding.theme))
        .join(Review, col(Review.id) == col(Coding.review_id))
        .where(visibility_clause(principal, today))
        .distinct()
    )
    if perspective is not None:
        query = query.where(Coding.perspective == perspective)
    return [(review_id, coder, theme) for review_id, coder, theme in session.execute(query).all()]


def coded_terms(session: Session, review_ids: Sequence[str]) -> dict[str, tuple[list[str], list[str], list[tuple[str, str]]]]:
    """Each review's coded themes, perspectives and (theme, perspective) pairs of one coding each
    (sorted, once each): what search indexes."""
    if not review_ids:
        return {}
    rows = session.execute(
        select(col(Coding.review_id), col(Coding.theme), col(Coding.perspective)).where(col(Coding.review_id).in_(review_ids))
    ).all()
    pairs: dict[str, set[tuple[str, str]]] = {}
    for review_id, theme, perspective in rows:
        pairs.setdefault(review_id, set()).add((theme, perspective))
    return {
        review_id: (sorted({t for t, _ in coded}), sorted({p for _, p in coded}), sorted(coded))
        for review_id, coded in pairs.items()
    }
