"""Every query on action plans and actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, delete, select

from app.action_plans.enums import ActionStatus
from app.action_plans.models import Action, ActionPlan
from app.auth.principals import Principal
from app.reviews.models import Review
from app.reviews.repository import visibility_clause


def get_plan(session: Session, review_id: str) -> ActionPlan | None:
    return session.get(ActionPlan, review_id)


def actions_of(session: Session, review_id: str) -> list[Action]:
    return list(session.exec(select(Action).where(Action.review_id == review_id).order_by(col(Action.position))))


def get_action(session: Session, review_id: str, action_id: str) -> Action | None:
    action = session.get(Action, action_id)
    return action if action is not None and action.review_id == review_id else None


def addressed_refs(session: Session, review_id: str) -> set[str]:
    return set(session.exec(select(Action.recommendation_ref).where(Action.review_id == review_id).distinct()))


def replace_actions(session: Session, plan: ActionPlan, actions: list[Action]) -> None:
    session.add(plan)
    session.flush()
    session.execute(delete(Action).where(col(Action.review_id) == plan.review_id))
    session.add_all(actions)
    session.flush()


@dataclass(frozen=True)
class OverdueFilters:
    """Which overdue actions: open, past their target date, on reviews in `statuses`; optionally of one
    region or lead agency, and due between two dates (how long overdue, as dates)."""

    today: date
    statuses: list[str]
    readable_by: Principal  # and only of reviews this principal may read today (READ_GRANTS)
    region: str | None = None
    agency: str | None = None
    due_from: date | None = None
    due_to: date | None = None


def _overdue(query: Any, filters: OverdueFilters) -> Any:
    query = query.join(Review, col(Review.id) == Action.review_id).where(
        col(Action.status) != ActionStatus.completed,
        col(Action.target_date) < filters.today,
        col(Review.status).in_(filters.statuses),
        visibility_clause(filters.readable_by, filters.today),
    )
    if filters.region is not None:
        query = query.where(Review.region == filters.region)
    if filters.agency is not None:
        query = query.where(Action.lead_agency == filters.agency)
    if filters.due_from is not None:
        query = query.where(col(Action.target_date) >= filters.due_from)
    if filters.due_to is not None:
        query = query.where(col(Action.target_date) <= filters.due_to)
    return query


def overdue_actions(session: Session, filters: OverdueFilters) -> list[tuple[str, str, date]]:
    """(region, lead agency, target date) of every overdue action the filters keep."""
    query = _overdue(select(col(Review.region), col(Action.lead_agency), col(Action.target_date)), filters)
    return [(r, a, d) for r, a, d in session.exec(query)]


def overdue_page(
    session: Session, filters: OverdueFilters, *, after: tuple[date, str] | None, limit: int
) -> list[tuple[Action, str, str]]:
    """(action, review reference, region) of overdue actions, longest overdue first (then by id),
    after the position `after` (target date, action id)."""
    query = _overdue(select(Action, col(Review.reference), col(Review.region)), filters)
    if after is not None:
        query = query.where(
            or_(
                col(Action.target_date) > after[0],
                and_(col(Action.target_date) == after[0], col(Action.id) > after[1]),
            )
        )
    query = query.order_by(col(Action.target_date), col(Action.id)).limit(limit)
    return [(action, reference, region) for action, reference, region in session.exec(query)]


def actions_of_reviews(session: Session, review_ids: list[str], *, statuses: list[str]) -> list[Action]:
    """The actions of those of these reviews that are in `statuses`."""
    if not review_ids:
        return []
    query = (
        select(Action)
        .join(Review, col(Review.id) == Action.review_id)
        .where(col(Action.review_id).in_(review_ids), col(Review.status).in_(statuses))
    )
    return list(session.exec(query))
