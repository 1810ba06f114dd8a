"""Action plan rules: a plan answers the review's recommendations; progress is tracked afterwards."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import Field
from sqlmodel import Session

from app.action_plans import repository
from app.action_plans.enums import ActionStatus
from app.action_plans.models import Action, ActionPlan
from app.action_plans.repository import OverdueFilters
from app.action_plans.schemas import (
    MAX_PROGRESS_NOTES,
    ActionPatch,
    ActionPlanIn,
    OverdueAction,
    OverdueActions,
    OverdueGroup,
    ProgressNote,
)
from app.auth.policies import Permission, Scope, require, scope_of
from app.auth.principals import Principal
from app.clock import Clock
from app.errors import InvalidInput, InvalidTransition, NotFound, PreconditionFailed, ProblemItem
from app.etags import check_if_match, lost_race_is_412
from app.history import service as history
from app.pagination import DEFAULT_LIMIT, CursorPosition, TextId, decode_cursor, encode_cursor
from app.reviews.access import readable_review, writable_review
from app.reviews.enums import ReviewStatus
from app.reviews.models import Review
from app.vocab.service import check_codes


def addressed_recommendations(session: Session, *, review_id: str) -> set[str] | None:
    """The recommendation refs the review's action plan answers; None when it has no plan."""
    if repository.get_plan(session, review_id) is None:
        return None
    return repository.addressed_refs(session, review_id)


def get_plan(session: Session, *, principal: Principal, review_id: str, clock: Clock) -> tuple[ActionPlan, list[Action]]:
    readable_review(session, principal=principal, review_id=review_id, today=clock.today())
    plan = repository.get_plan(session, review_id)
    if plan is None:
        raise NotFound(f"Review {review_id} has no action plan yet.")
    return plan, repository.actions_of(session, review_id)


def put_plan(
    session: Session,
    *,
    principal: Principal,
    review_id: str,
    data: ActionPlanIn,
    if_match: str | None,
    clock: Clock,
) -> tuple[ActionPlan, list[Action], bool]:
    """Create or replace a draft review's plan. Returns the plan, its actions, and whether it is new."""
    review = writable_review(
        session, principal=principal, review_id=review_id, permission=Permission.action_plan_write, today=clock.today()
    )
    plan = repository.get_plan(session, review_id)
    if plan is not None:
        check_if_match(if_match, plan.version, what="action plan")
    elif if_match is not None and if_match.strip() != "*":
        raise PreconditionFailed("The review has no action plan yet, so no ETag can match; send the PUT without If-Match.")
    if review.status != ReviewStatus.draft:
        raise InvalidTransition(
            f"The plan of a {review.status} review is not replaced; update each action with "
            "PATCH /reviews/{id}/action-plan/actions/{action_id}."
        )
    check_answers(review, data)
    check_codes(session, multiple=agency_codes(data))

    now = clock.now()
    created = plan is None
    if plan is None:
        plan = ActionPlan(review_id=review_id, created_at=now, updated_at=now, updated_by=principal.subject)
    else:
        plan.version += 1
        plan.updated_at, plan.updated_by = now, principal.subject
    actions = new_actions(review_id, data, subject=principal.subject, now=now)
    previous: dict[str, object] | None = (
        {"actions": [_action_snapshot(a) for a in repository.actions_of(session, review_id)]} if not created else None
    )
    with lost_race_is_412("action plan"):
        repository.replace_actions(session, plan, actions)
    remember_plan(session, plan, actions, change="create" if created else "replace", previous=previous)
    return plan, actions, created


def check_answers(review: Review, data: ActionPlanIn) -> None:
    """Every action answers one of the review's recommendations (all strays reported at once)."""
    refs = {recommendation["ref"] for recommendation in review.recommendations}
    unknown = [
        ProblemItem(
            code="unknown-recommendation",
            detail=f"The review has no recommendation '{action.recommendation_ref}'.",
            location="body",
            field=f"actions.{index}.recommendation_ref",
            pointer=f"#/actions/{index}/recommendation_ref",
        )
        for index, action in enumerate(data.actions)
        if action.recommendation_ref not in refs
    ]
    if unknown:
        raise InvalidInput("Every action must answer one of the review's recommendations.", errors=unknown)


def agency_codes(data: ActionPlanIn) -> dict[str, tuple[str, list[str]]]:
    """The plan's codes to check against the vocabularies (vocab.service.check_codes)."""
    return {"actions.{}.lead_agency": ("agency", [a.lead_agency for a in data.actions])}


def new_actions(review_id: str, data: ActionPlanIn, *, subject: str, now: datetime) -> list[Action]:
    return [
        Action(review_id=review_id, position=position, updated_at=now, updated_by=subject, **action.model_dump())
        for position, action in enumerate(data.actions)
    ]


def remember_plan(
    session: Session, plan: ActionPlan, actions: list[Action], *, change: str, previous: dict[str, object] | None
) -> None:
    history.record(
        session,
        review_id=plan.review_id,
        entity="action_plan",
        entity_id=plan.review_id,
        version=plan.version,
        change=change,
        snapshot={"actions": [_action_snapshot(a) for a in actions]},
        previous=previous,
        at=plan.updated_at,
        by=plan.updated_by,
    )


def _action_snapshot(action: Action) -> dict[str, object]:
    """An action as history records it: its notes are not repeated, each is recorded once, by the
    progress revision that adds it (`progress_note`)."""
    return action.model_dump(mode="json", exclude={"updated_at", "updated_by", "progress_notes"})


def too_many_notes() -> InvalidInput:
    return InvalidInput(
        f"The action already has {MAX_PROGRESS_NOTES} progress entries, the most one action keeps.",
        errors=[
            ProblemItem(
                code="too-many-progress-notes",
                detail=f"An action keeps at most {MAX_PROGRESS_NOTES} progress entries (a status change without a note is one too).",
                location="body",
                field="progress_note",
                pointer="#/progress_note",
            )
        ],
    )


def update_action(
    session: Session,
    *,
    principal: Principal,
    review_id: str,
    action_id: str,
    patch: ActionPatch,
    if_match: str | None,
    clock: Clock,
) -> Action:
    review = writable_review(
        session,
        principal=principal,
        review_id=review_id,
        permission=Permission.action_progress_write,
        today=clock.today(),
    )
    action = repository.get_action(session, review_id, action_id)
    if action is None:
        raise NotFound(f"Review {review_id} has no action {action_id}.")
    check_if_match(if_match, action.version, what="action")
    if review.status == ReviewStatus.withdrawn:
        raise InvalidTransition("The review is withdrawn; its actions are no longer tracked.")
    if len(action.progress_notes) >= MAX_PROGRESS_NOTES:
        raise too_many_notes()
    revised = _revise(action, patch)
    previous = _action_snapshot(action)
    if patch.status is not None:
        action.status = patch.status
    note = patch.progress_note
    entry: dict[str, object] = {
        "recorded_at": clock.now().isoformat(),
        "recorded_by": principal.subject,
        "note": note.note if note else None,
        "evidence": note.evidence if note else None,
        "status": action.status,
    }
    if revised:
        entry |= {"revised": revised, "reason": patch.reason}
        if patch.target_date is not None:
            action.target_date = patch.target_date
        if patch.description is not None:
            action.description = patch.description
    action.progress_notes = [*action.progress_notes, entry]
    action.version += 1
    action.updated_at, action.updated_by = clock.now(), principal.subject
    with lost_race_is_412("action"):
        session.flush()
    history.record(
        session,
        review_id=review_id,
        entity="action",
        entity_id=action.id,
        version=action.version,
        change="revise" if revised else "progress",
        snapshot=_action_snapshot(action) | {"progress_note": entry},
        previous=previous,
        at=action.updated_at,
        by=principal.subject,
        reason=patch.reason if revised else None,
    )
    return action


def _revise(action: Action, patch: ActionPatch) -> dict[str, str]:
    """What the patch revises (target date, description), each with the value it had; a revision
    needs a reason, and a reason a revision."""
    revised: dict[str, str] = {}
    if patch.target_date is not None and patch.target_date != action.target_date:
        revised["target_date"] = action.target_date.isoformat()
    if patch.description is not None and patch.description != action.description:
        revised["description"] = action.description
    if revised and patch.reason is None:
        raise InvalidInput(
            "Revising an action's target date or description needs a reason: plans slip, and the registry shows why.",
            errors=[_reason_item("reason-required", "Send `reason`: why the action is revised.")],
        )
    if patch.reason is not None and not revised:
        raise InvalidInput(
            "A reason is given for a revision, and nothing is revised.",
            errors=[
                _reason_item(
                    "nothing-revised",
                    "Send `reason` with a target_date or description that differs from the action's, or leave it out.",
                )
            ],
        )
    return revised


def _reason_item(code: str, detail: str) -> ProblemItem:
    return ProblemItem(code=code, detail=detail, location="body", field="reason", pointer="#/reason")


# Days past the target date -> bucket name; the last bucket has no upper bound.
AGEING_BUCKETS = ((30, "1-30"), (90, "31-90"), (180, "91-180"), (None, "over-180"))
# Actions are followed once their review is in the registry proper, not while it is a draft.
_TRACKED = [ReviewStatus.submitted.value, ReviewStatus.published.value]


class OverduePosition(CursorPosition):
    """The last action of a page: its target date (as an ordinal day) and its id."""

    t: Annotated[int, Field(ge=1, le=date.max.toordinal())]
    i: TextId


def overdue(
    session: Session,
    *,
    principal: Principal,
    clock: Clock,
    region: str | None = None,
    agency: str | None = None,
    min_days: int | None = None,
    max_days: int | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> OverdueActions:
    """Overdue actions, listed and counted by region and lead agency, aged. A board sees its own
    region's; asking for another region is a 403, as every own-region permission answers (ADR 0028)."""
    require(principal, Permission.overdue_read, region=region)
    if scope_of(principal, Permission.overdue_read) is Scope.own_region:
        region = principal.region
    if min_days is not None and max_days is not None and min_days > max_days:
        raise InvalidInput(
            "No action can be overdue by at least min_days and at most max_days.",
            errors=[
                ProblemItem(code="invalid-days", detail="min_days is greater than max_days", location="query", field="min_days")
            ],
        )
    today = clock.today()
    filters = OverdueFilters(
        today=today,
        statuses=_TRACKED,
        readable_by=principal,
        region=region,
        agency=agency,
        due_from=today - timedelta(days=max_days) if max_days is not None else None,
        due_to=today - timedelta(days=min_days) if min_days is not None else None,
    )
    groups: dict[tuple[str, str], dict[str, int]] = {}
    for action_region, lead_agency, target in repository.overdue_actions(session, filters):
        ageing = groups.setdefault((action_region, lead_agency), {name: 0 for _, name in AGEING_BUCKETS})
        days = (today - target).days
        ageing[next(name for limit_, name in AGEING_BUCKETS if limit_ is None or days <= limit_)] += 1
    counted = [
        OverdueGroup(region=r, lead_agency=a, total=sum(ageing.values()), ageing=ageing)
        for (r, a), ageing in sorted(groups.items())
    ]
    after = None
    if cursor is not None:
        position = decode_cursor(cursor, OverduePosition)
        after = (date.fromordinal(position.t), position.i)
    rows = repository.overdue_page(session, filters, after=after, limit=limit + 1)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = encode_cursor(OverduePosition(t=last.target_date.toordinal(), i=last.id))
    items = [
        OverdueAction(
            action_id=action.id,
            review_id=action.review_id,
            reference=reference,
            region=action_region,
            recommendation_ref=action.recommendation_ref,
            lead_agency=action.lead_agency,
            target_date=action.target_date,
            days_overdue=(today - action.target_date).days,
            status=ActionStatus(action.status),
            last_progress=ProgressNote.model_validate(action.progress_notes[-1]) if action.progress_notes else None,
        )
        for action, reference, action_region in rows
    ]
    return OverdueActions(as_of=today, total=sum(g.total for g in counted), groups=counted, items=items, next_cursor=next_cursor)


def followed_actions(session: Session, *, review_ids: list[str]) -> list[Action]:
    """The actions of those of these reviews whose actions are followed (submitted or published), for
    the trends' action measures: the same reviews the overdue view follows."""
    return repository.actions_of_reviews(session, review_ids, statuses=_TRACKED)
