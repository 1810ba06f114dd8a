"""Finding a review on behalf of a caller: the per-record side of the policy table.

Both the reviews and the action-plans services reach reviews through here.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.auth.policies import Permission, can_read, require
from app.auth.principals import Principal
from app.errors import NotFound
from app.reviews import repository
from app.reviews.models import Review


def readable_review(session: Session, *, principal: Principal, review_id: str, today: date) -> Review:
    """The review, or 404 when it does not exist or the caller may not see it (the same answer)."""
    review = repository.get(session, review_id)
    if review is None or not can_read(
        principal, region=review.region, status=review.status, public_until=review.public_until, today=today
    ):
        raise NotFound(f"There is no review {review_id} that you may see.")
    return review


def writable_review(
    session: Session, *, principal: Principal, review_id: str, permission: Permission, today: date
) -> Review:
    """The review if the caller may read it (else 404) and may do `permission` on it (else 401/403)."""
    review = readable_review(session, principal=principal, review_id=review_id, today=today)
    require(principal, permission, region=review.region)
    return review
