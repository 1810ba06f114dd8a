"""/reviews/{id}/codings, /codings/{id} and /codings/agreement: coding reviews against the learning themes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from app.auth.dependencies import PrincipalDep
from app.codings import service
from app.codings.schemas import Agreement, CodingCreate, CodingList, CodingOut, CodingPatch
from app.errors import problem_responses
from app.etags import etag, with_etag
from app.parameters import IfMatch, ReviewId
from app.registry import ClockDep
from app.sessions import SessionDep

router = APIRouter(tags=["codings"])

CodingId = Annotated[str, Path(min_length=1, max_length=64, description="The coding's id")]


def _answer(response: Response, coding: CodingOut) -> CodingOut:
    response.headers["ETag"] = etag(coding.version)
    return coding


@router.post(
    "/reviews/{review_id}/codings",
    operation_id="create_coding",
    summary="Code a quoted passage of a review with a learning theme, from your perspective",
    status_code=status.HTTP_201_CREATED,
    responses={**with_etag(201, "The coding", location=True), **problem_responses(403, 404, 409)},
)
def create_coding(
    review_id: ReviewId,
    body: CodingCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> CodingOut:
    coding = service.create_coding(session, principal=principal, review_id=review_id, data=body, clock=clock)
    response.headers["Location"] = str(request.url_for("update_coding", coding_id=coding.id).path)
    return _answer(response, CodingOut.from_model(coding))


@router.get(
    "/reviews/{review_id}/codings",
    operation_id="list_codings",
    summary="Your own codings of a review (everyone's with coder=all, for the inspectorate and admins)",
    responses=problem_responses(403, 404),
)
def list_codings(
    review_id: ReviewId,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    coder: Annotated[
        str | None, Query(max_length=200, description="`all` for every coder's codings; leave it out for your own.")
    ] = None,
) -> CodingList:
    return service.list_codings(session, principal=principal, review_id=review_id, coder=coder, clock=clock)


@router.get(
    "/codings/agreement",
    operation_id="get_coding_agreement",
    summary="How far coders agree on which reviews carry each learning theme",
    responses=problem_responses(403),
)
def get_coding_agreement(
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    theme: Annotated[str | None, Query(max_length=64, description="One learning theme; every one when left out.")] = None,
    perspective: Annotated[str | None, Query(max_length=64, description="Only codings made from this perspective.")] = None,
) -> Agreement:
    return service.agreement_of(session, principal=principal, theme=theme, perspective=perspective, clock=clock)


@router.patch(
    "/codings/{coding_id}",
    name="update_coding",
    operation_id="update_coding",
    summary="Change your own coding (JSON merge patch; If-Match required)",
    responses={**with_etag(), **problem_responses(403, 404, 409, 412, 428)},
)
def update_coding(
    coding_id: CodingId,
    body: CodingPatch,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> CodingOut:
    coding = service.update_coding(session, principal=principal, coding_id=coding_id, patch=body, if_match=if_match, clock=clock)
    return _answer(response, CodingOut.from_model(coding))


@router.delete(
    "/codings/{coding_id}",
    operation_id="delete_coding",
    summary="Delete your own coding (If-Match required; its history is kept)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403, 404, 412, 428),
)
def delete_coding(
    coding_id: CodingId, session: SessionDep, principal: PrincipalDep, clock: ClockDep, if_match: IfMatch = None
) -> Response:
    service.delete_coding(session, principal=principal, coding_id=coding_id, if_match=if_match, clock=clock)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
