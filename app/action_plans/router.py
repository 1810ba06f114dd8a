"""/reviews/{id}/action-plan and the progress of its actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from app.action_plans import service
from app.action_plans.schemas import ActionOut, ActionPatch, ActionPlanIn, ActionPlanOut, OverdueActions
from app.auth.dependencies import TOKEN_OPTIONAL, PrincipalDep
from app.errors import problem_responses
from app.etags import etag, with_etag
from app.pagination import DEFAULT_LIMIT
from app.parameters import CodeFilter, Cursor, IfMatch, Limit, ReviewId
from app.registry import ClockDep
from app.sessions import SessionDep

router = APIRouter(prefix="/reviews/{review_id}/action-plan", tags=["action plans"])
overdue_router = APIRouter(tags=["action plans"])

ActionId = Annotated[str, Path(min_length=1, max_length=64)]


@router.put(
    "",
    operation_id="put_action_plan",
    summary="Create or replace a draft review's action plan",
    responses={
        **with_etag(200, "The plan was replaced"),
        status.HTTP_201_CREATED: {
            "model": ActionPlanOut,
            **with_etag(201, "The plan was created")[201],
        },
        **problem_responses(403, 404, 409, 412, 428),
    },
)
def put_action_plan(
    review_id: ReviewId,
    body: ActionPlanIn,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> ActionPlanOut:
    plan, actions, created = service.put_plan(
        session, principal=principal, review_id=review_id, data=body, if_match=if_match, clock=clock
    )
    if created:
        response.status_code = status.HTTP_201_CREATED
    response.headers["ETag"] = etag(plan.version)
    return ActionPlanOut.from_model(plan, actions, clock.today())


@router.get(
    "",
    operation_id="get_action_plan",
    summary="Read a review's action plan",
    openapi_extra=TOKEN_OPTIONAL,
    responses={**with_etag(), **problem_responses(404)},
)
def get_action_plan(
    review_id: ReviewId, response: Response, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> ActionPlanOut:
    plan, actions = service.get_plan(session, principal=principal, review_id=review_id, clock=clock)
    response.headers["ETag"] = etag(plan.version)
    return ActionPlanOut.from_model(plan, actions, clock.today())


@router.patch(
    "/actions/{action_id}",
    operation_id="update_action",
    summary="Record an action's status and progress (If-Match: the action's version)",
    responses={**with_etag(200, "The action, with its new version"), **problem_responses(403, 404, 409, 412, 428)},
)
def update_action(
    review_id: ReviewId,
    action_id: ActionId,
    body: ActionPatch,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> ActionOut:
    action = service.update_action(
        session,
        principal=principal,
        review_id=review_id,
        action_id=action_id,
        patch=body,
        if_match=if_match,
        clock=clock,
    )
    response.headers["ETag"] = etag(action.version)
    return ActionOut.from_model(action, clock.today())


@overdue_router.get(
    "/actions/overdue",
    operation_id="list_overdue_actions",
    summary="Overdue actions, longest overdue first, with their counts by region, lead agency and age "
    "(a board sees its own region)",
    responses=problem_responses(403),
)
def overdue_actions(
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    region: Annotated[CodeFilter, Query(description="Only this region's (a board: its own, else 403)")] = None,
    agency: Annotated[CodeFilter, Query(description="Only actions this agency leads")] = None,
    min_days: Annotated[int | None, Query(ge=1, le=36_500, description="Overdue by at least this many days")] = None,
    max_days: Annotated[int | None, Query(ge=1, le=36_500, description="Overdue by at most this many days")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> OverdueActions:
    return service.overdue(
        session,
        principal=principal,
        clock=clock,
        region=region,
        agency=agency,
        min_days=min_days,
        max_days=max_days,
        limit=limit,
        cursor=cursor,
    )
