"""Finding a review on behalf of a caller: the per-record side of the policy table.

Both the reviews and the action-plans services reach reviews through here.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app import audit
from app.auth.policies import Permission, can_read, require
from app.auth.principals import ANONYMOUS, Principal
from app.errors import NotFound
from app.reviews import repository
from app.reviews.models import Review

READ = "review:read"
# A review's documents are audited as document events naming their kind, never their content.
DOCUMENT_UPLOAD = "document:upload"
DOCUMENT_DOWNLOAD = "document:download"
_READS = frozenset({READ, DOCUMENT_DOWNLOAD})  # a success inside the public window needs no row


def readable_review(
    session: Session,
    *,
    principal: Principal,
    review_id: str,
    today: date,
    audit_as: str = READ,
    document_kind: str | None = None,
) -> Review:
    """The review, or 404 when it does not exist or the caller may not see it (the same answer).
    Audited as `audit_as`; a plain read of a review inside its public window only if it is refused
    after all. An anonymous caller's refusal is never recorded (`audit.to_record`)."""
    audit.note(session, principal, audit_as, target_type="review", target_id=review_id, document_kind=document_kind)
    review = repository.get(session, review_id)
    if review is None or not can_read(
        principal, region=review.region, status=review.status, public_until=review.public_until, today=today
    ):
        raise NotFound(f"There is no review {review_id} that you may see.")
    if audit_as in _READS and can_read(
        ANONYMOUS, region=review.region, status=review.status, public_until=review.public_until, today=today
    ):
        audit.only_if_refused(session)  # anyone may read it today: only a refusal is worth a row
    return review


def writable_review(
    session: Session,
    *,
    principal: Principal,
    review_id: str,
    permission: Permission,
    today: date,
    audit_as: str | None = None,
    document_kind: str | None = None,
) -> Review:
    """The review if the caller may read it (else 404) and may do `permission` on it (else 401/403),
    audited as `audit_as` (the permission's name unless told)."""
    review = readable_review(
        session,
        principal=principal,
        review_id=review_id,
        today=today,
        audit_as=audit_as or permission.value,
        document_kind=document_kind,
    )
    require(principal, permission, region=review.region)
    return review
