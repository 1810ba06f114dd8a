"""Every query on action plans and actions."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, delete, select

from app.action_plans.enums import ActionStatus
from app.action_plans.models import Action, ActionPlan
from app.reviews.models import Review


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


def overdue_actions(session: Session, *, today: date, statuses: list[str], region: str | None) -> list[tuple[str, str, date]]:
    """(region, lead agency, target date) of every open action past its date, on reviews in `statuses`."""
    query = (
        select(col(Review.region), col(Action.lead_agency), col(Action.target_date))
        .join(Review, col(Review.id) == Action.review_id)
        .where(
            col(Action.status) != ActionStatus.completed,
            col(Action.target_date) < today,
            col(Review.status).in_(statuses),
        )
    )
    if region is not None:
        query = query.where(Review.region == region)
    return [(r, a, d) for r, a, d in session.exec(query)]


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
