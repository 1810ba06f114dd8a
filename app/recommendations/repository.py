"""Every query on recommendations: they live in their review's row (Review.recommendations), and
their actions in the action plan (Action.recommendation_ref)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlmodel import Session, col

from app.action_plans.models import Action
from app.auth.principals import Principal
from app.reviews.models import Review
from app.reviews.repository import ReviewFilters, filter_clause, visibility_clause


@dataclass(frozen=True)
class ReviewRecommendations:
    """The columns of a review that its recommendations are shown with (never its full text)."""

    id: str
    reference: str
    title: str
    region: str
    completed_on: date | None
    recommendations: list[dict[str, Any]]


# (review id, recommendation ref) -> the (status, target date) of each action addressing it.
ActionsByRecommendation = dict[tuple[str, str], list[tuple[str, date]]]

_COLUMNS = (
    col(Review.id),
    col(Review.reference),
    col(Review.title),
    col(Review.region),
    col(Review.completed_on),
    col(Review.recommendations),
)


def _reviews(session: Session, *conditions: ColumnElement[bool]) -> list[ReviewRecommendations]:
    rows = session.execute(
        select(*_COLUMNS).where(*conditions).order_by(col(Review.completed_on).desc().nulls_last(), col(Review.id))
    ).all()
    return [ReviewRecommendations(*row) for row in rows]


def readable(session: Session, *, principal: Principal, today: date, filters: ReviewFilters) -> list[ReviewRecommendations]:
    """Every review the principal may read that the filters admit, newest first (completed_on), then by id."""
    return _reviews(session, visibility_clause(principal, today), filter_clause(filters))


def readable_among(session: Session, *, principal: Principal, today: date, review_ids: list[str]) -> list[ReviewRecommendations]:
    """Those of these reviews the principal may read (the database decides, not an index's copy)."""
    if not review_ids:
        return []
    return _reviews(session, visibility_clause(principal, today), col(Review.id).in_(review_ids))


def actions_of(session: Session, review_ids: list[str]) -> ActionsByRecommendation:
    found: ActionsByRecommendation = defaultdict(list)
    # In slices: a list of every readable review would pass SQLite's limit on bound parameters.
    for start in range(0, len(review_ids), 500):
        rows = session.execute(
            select(col(Action.review_id), col(Action.recommendation_ref), col(Action.status), col(Action.target_date)).where(
                col(Action.review_id).in_(review_ids[start : start + 500])
            )
        ).all()
        for review_id, ref, status, target_date in rows:
            found[(review_id, ref)].append((status, target_date))
    return dict(found)
