"""/reviews/{review_id}/redactions: an admin removes given text from a review and its history."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.auth.dependencies import PrincipalDep
from app.errors import problem_responses
from app.etags import etag, with_etag
from app.parameters import IfMatch, ReviewId
from app.redactions import service
from app.redactions.schemas import RedactionIn, RedactionOut
from app.registry import ClockDep
from app.sessions import SessionDep

router = APIRouter(prefix="/reviews", tags=["reviews"])


@router.post(
    "/{review_id}/redactions",
    operation_id="create_redaction",
    summary="Remove given text (a name, an address) from a review and its whole history (admins; If-Match required)",
    description=(
        "Replaces the text, in any letter case where it stands as whole words, with `[redacted]` in the review's "
        "fields, its action plan's actions and progress notes, its codings, every revision of them and the search "
        "indexes, in any status. The text is never stored, logged or audited; the audit and a revision of the review "
        "(with the reason) record who, when, why and where. The answer lists the documents whose files still hold "
        "the text: replace each with a redacted upload. 422 `text-not-found` when the text is nowhere (nothing changes)."
    ),
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
    if_match: IfMatch = None,
) -> RedactionOut:
    answer = service.redact(
        session, principal=principal, review_id=review_id, text=body.text, reason=body.reason, if_match=if_match, clock=clock
    )
    response.headers["ETag"] = etag(answer.version)
    return answer
