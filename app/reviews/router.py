"""/reviews: drafts, reading, listing, editing and the lifecycle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlmodel import Session

from app.auth.dependencies import TOKEN_OPTIONAL, PrincipalDep
from app.errors import problem_responses
from app.etags import etag, with_etag
from app.history.schemas import CorrectionPage, RevisionPage
from app.pagination import DEFAULT_LIMIT
from app.parameters import Cursor, FiltersDep, IfMatch, Limit, ReviewId
from app.registry import ClockDep, RegistryDep
from app.reviews import service
from app.reviews.enums import ReviewPart
from app.reviews.models import Review
from app.reviews.schemas import CorrectionIn, ReviewCreate, ReviewOut, ReviewPage, ReviewPatch, WithdrawIn
from app.sessions import SessionDep

router = APIRouter(prefix="/reviews", tags=["reviews"])


def _answer(response: Response, review: Review, session: Session, *, with_full_text: bool = False) -> ReviewOut:
    response.headers["ETag"] = etag(review.version)
    return ReviewOut.from_model(
        review, service.warnings_of(session, review), service.corrected_at(session, review), with_full_text=with_full_text
    )


Include = Annotated[
    ReviewPart | None,
    Query(description="`full_text`: the answer carries the report's text too (tens of kilobytes; left out otherwise)."),
]


@router.post(
    "",
    operation_id="create_review",
    summary="Create a draft review",
    status_code=status.HTTP_201_CREATED,
    responses={**with_etag(201, "The draft", location=True), **problem_responses(403, 409)},
)
def create_review(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep, clock: ClockDep, body: ReviewCreate
) -> ReviewOut:
    review = service.create_review(session, principal=principal, data=body, clock=clock)
    response.headers["Location"] = str(request.url_for("get_review", review_id=review.id).path)
    return _answer(response, review, session)


@router.get("", operation_id="list_reviews", summary="List the reviews you may see, newest first", openapi_extra=TOKEN_OPTIONAL)
def list_reviews(
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    filters: FiltersDep,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ReviewPage:
    rows, next_cursor = service.list_reviews(
        session, principal=principal, filters=filters, limit=limit, cursor=cursor, clock=clock
    )
    return ReviewPage.from_models(rows, next_cursor)


@router.get(
    "/{review_id}",
    name="get_review",
    operation_id="get_review",
    summary="Read a review (its ETag is its version)",
    openapi_extra=TOKEN_OPTIONAL,
    responses={**with_etag(), **problem_responses(404)},
)
def get_review(
    review_id: ReviewId,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    include: Include = None,
) -> ReviewOut:
    review = service.get_review(session, principal=principal, review_id=review_id, clock=clock)
    return _answer(response, review, session, with_full_text=include is ReviewPart.full_text)


@router.patch(
    "/{review_id}",
    operation_id="update_review",
    summary="Edit a draft (JSON merge patch; If-Match required)",
    responses={**with_etag(), **problem_responses(403, 404, 409, 412, 428)},
)
def update_review(
    review_id: ReviewId,
    body: ReviewPatch,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> ReviewOut:
    review = service.update_review(
        session,
        principal=principal,
        review_id=review_id,
        patch=body.model_dump(exclude_unset=True),
        if_match=if_match,
        clock=clock,
    )
    return _answer(response, review, session)


@router.post(
    "/{review_id}/submit",
    operation_id="submit_review",
    summary="Submit a draft to the registry (checks every submission rule)",
    responses={**with_etag(), **problem_responses(403, 404, 409, 412)},
)
def submit_review(
    review_id: ReviewId,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> ReviewOut:
    review = service.submit_review(session, principal=principal, review_id=review_id, if_match=if_match, clock=clock)
    return _answer(response, review, session)


@router.post(
    "/{review_id}/publish",
    operation_id="publish_review",
    summary="Publish a submitted review (opens its public window)",
    responses={**with_etag(), **problem_responses(403, 404, 409, 412)},
)
def publish_review(
    review_id: ReviewId,
    registry: RegistryDep,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> ReviewOut:
    review = service.publish_review(
        session,
        principal=principal,
        review_id=review_id,
        if_match=if_match,
        public_window_days=registry.settings.public_window_days,
        clock=clock,
    )
    return _answer(response, review, session)


@router.post(
    "/{review_id}/withdraw",
    operation_id="withdraw_review",
    summary="Withdraw a review: kept whole, hidden from all but the inspectorate and admins",
    responses={**with_etag(), **problem_responses(403, 404, 409, 412)},
)
def withdraw_review(
    review_id: ReviewId,
    body: WithdrawIn,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> ReviewOut:
    review = service.withdraw_review(
        session, principal=principal, review_id=review_id, reason=body.reason, if_match=if_match, clock=clock
    )
    return _answer(response, review, session)


@router.post(
    "/{review_id}/reinstate",
    operation_id="reinstate_review",
    summary="Reinstate a withdrawn review to the status it had (admin)",
    responses={**with_etag(), **problem_responses(403, 404, 409, 412)},
)
def reinstate_review(
    review_id: ReviewId,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> ReviewOut:
    review = service.reinstate_review(session, principal=principal, review_id=review_id, if_match=if_match, clock=clock)
    return _answer(response, review, session)


@router.get(
    "/{review_id}/revisions",
    operation_id="list_revisions",
    summary="Every change to the review, its action plan and its actions, oldest first: who, when, what changed",
    responses=problem_responses(403, 404),
)
def review_revisions(
    review_id: ReviewId,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> RevisionPage:
    return service.revisions(session, principal=principal, review_id=review_id, limit=limit, cursor=cursor, clock=clock)


@router.post(
    "/{review_id}/corrections",
    operation_id="correct_review",
    summary="Correct a submitted or published review, with a reason (a JSON merge patch; If-Match required)",
    responses={**with_etag(200, "The corrected review"), **problem_responses(403, 404, 409, 412, 428)},
)
def correct_review(
    review_id: ReviewId,
    body: CorrectionIn,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> ReviewOut:
    review = service.correct_review(
        session,
        principal=principal,
        review_id=review_id,
        reason=body.reason,
        changes=body.changes.model_dump(exclude_unset=True),
        if_match=if_match,
        clock=clock,
    )
    return _answer(response, review, session)


@router.get(
    "/{review_id}/corrections",
    operation_id="list_corrections",
    summary="The corrections of a review after its submission, oldest first: when, why, and what",
    openapi_extra=TOKEN_OPTIONAL,
    responses=problem_responses(404),
)
def list_corrections(
    review_id: ReviewId,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> CorrectionPage:
    return service.corrections(session, principal=principal, review_id=review_id, limit=limit, cursor=cursor, clock=clock)
