"""/reviews/{review_id}/redactions: an admin removes given text from a review and its history."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Response, status

from app.auth.dependencies import PrincipalDep
from app.errors import problem_responses
from app.etags import etag, with_etag
from app.parameters import IfMatch, ReviewId
from app.redactions import service
from app.redactions.schemas import RedactionIn, RedactionOut
from app.registry import ClockDep, RegistryDep
from app.sessions import SessionDep

router = APIRouter(prefix="/reviews", tags=["reviews"])


@router.post(
    "/{review_id}/redactions",
    operation_id="create_redaction",
    summary="Remove given text (a name, an address) from a review and its whole history (admins; If-Match required)",
    status_code=status.HTTP_201_CREATED,
    responses={**with_etag(201, "What was rewritten (never the text)"), **problem_responses(403, 404, 412, 428)},
)
def create_redaction(
    review_id: ReviewId,
    body: RedactionIn,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    registry: RegistryDep,
    background: BackgroundTasks,
    if_match: IfMatch = None,
) -> RedactionOut:
    answer, files = service.redact(
        session, principal=principal, review_id=review_id, text=body.text, reason=body.reason, if_match=if_match, clock=clock
    )
    for sha256 in files:  # after the commit: a redaction that failed keeps every file
        background.add_task(registry.documents.remove, sha256)
    response.headers["ETag"] = etag(answer.version)
    return answer
