"""Every query on recommendations: they live in their review's row (Review.recommendations), and
their actions in the action plan (Action.recommendation_ref)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, String, case, cast, func, select, true
from sqlmodel import Session, col

from app.action_plans.enums import ActionStatus
from app.action_plans.models import Action
from app.auth.principals import Principal
from app.recommendations.enums import ActionStatusFilter, ActionStatusSummary
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


# --- one recommendation a row (GET /recommendations) --------------------------------------------


@dataclass(frozen=True)
class RecommendationRow:
    """One recommendation, with the columns of its review it is shown with."""

    review_id: str
    reference: str
    title: str
    region: str
    completed_on: date | None
    position: int
    ref: str
    level: str
    text: str


def _recommendation_rows(session: Session) -> tuple[Any, Any, Any]:
    """The review's recommendations unnested, one row each: the table-valued function, the position
    and a getter of a field, for the database at hand (SQLite json_each, PostgreSQL json_array_elements)."""
    if session.get_bind().dialect.name == "postgresql":
        elements = func.json_array_elements(col(Review.recommendations)).table_valued("value", with_ordinality="ordinality")
        rows = elements.render_derived(name="rec", with_types=False)
        return rows, rows.c.ordinality - 1, lambda name: rows.c.value.op("->>")(name)
    rows = func.json_each(col(Review.recommendations)).table_valued("key", "value").alias("rec")
    return rows, rows.c.key, lambda name: func.json_extract(rows.c.value, f"$.{name}")


def _summary_of_actions() -> tuple[Any, ColumnElement[str]]:
    """Per (review, recommendation ref), how far its actions have gone, as ActionStatusSummary says."""
    counts = (
        select(
            col(Action.review_id).label("review_id"),
            col(Action.recommendation_ref).label("ref"),
            func.count().label("total"),
            func.sum(case((col(Action.status) == ActionStatus.completed.value, 1), else_=0)).label("completed"),
            func.sum(case((col(Action.status) == ActionStatus.not_started.value, 1), else_=0)).label("not_started"),
        )
        .group_by(col(Action.review_id), col(Action.recommendation_ref))
        .subquery("recommendation_actions")
    )
    summary = case(
        (counts.c.total.is_(None), ActionStatusSummary.none.value),
        (counts.c.completed == counts.c.total, ActionStatusSummary.completed.value),
        (counts.c.not_started == counts.c.total, ActionStatusSummary.not_started.value),
        else_=ActionStatusSummary.in_progress.value,
    )
    return counts, summary


def recommendations_query(
    session: Session,
    *,
    principal: Principal,
    today: date,
    filters: ReviewFilters,
    level: str | None,
    action_status: ActionStatusFilter | None,
) -> Select[Any]:
    """Every recommendation of a review the principal may read that the filters, the level and the
    status of its actions admit, newest review first (completed_on), then by review id and position."""
    rows, position, field = _recommendation_rows(session)
    ref = cast(field("ref"), String)
    query = (
        select(
            col(Review.id),
            col(Review.reference),
            col(Review.title),
            col(Review.region),
            col(Review.completed_on),
            position.label("position"),
            ref.label("ref"),
            cast(field("level"), String).label("level"),
            cast(field("text"), String).label("text"),
        )
        .select_from(Review)
        .join(rows, true())
        .where(visibility_clause(principal, today), filter_clause(filters))
    )
    if level is not None:
        query = query.where(cast(field("level"), String) == level)
    if action_status is not None:
        counts, summary = _summary_of_actions()
        query = query.outerjoin(counts, (counts.c.review_id == col(Review.id)) & (counts.c.ref == ref))
        if action_status is ActionStatusFilter.not_completed:
            query = query.where(summary != ActionStatusSummary.completed.value)
        else:
            query = query.where(summary == action_status.value)
    return query.order_by(col(Review.completed_on).desc().nulls_last(), col(Review.id), position)


def count_of(session: Session, query: Select[Any]) -> int:
    return int(session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one())


def page_of(session: Session, query: Select[Any], *, offset: int, limit: int) -> list[RecommendationRow]:
    return [RecommendationRow(*row) for row in session.execute(query.offset(offset).limit(limit)).all()]


def each_of(session: Session, query: Select[Any], *, batch: int = 500) -> Iterator[RecommendationRow]:
    """Every row, read `batch` at a time: words are matched in Python over them, since no database
    index matches whole unstemmed words as the one parser does (ADR 0032)."""
    for row in session.execute(query.execution_options(yield_per=batch)):
        yield RecommendationRow(*row)
