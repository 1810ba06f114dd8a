"""Noting what a request does, and writing it down whatever happens to the request.

Services call `note` before they check permissions; the session dependency writes the event with
the outcome: in the request's own transaction when it succeeds, in a fresh one when it fails (so
denials are kept even though the request's changes are rolled back).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlmodel import Session

from app.audit import repository
from app.audit.models import AuditEvent
from app.audit.repository import AuditFilters
from app.auth.policies import Permission, require
from app.auth.principals import Principal
from app.pagination import CursorPosition, RowId, decode_cursor, encode_cursor

_NOTE = "audit_note"


@dataclass(frozen=True)
class AuditNote:
    principal: Principal
    action: str
    target_type: str | None = None
    target_id: str | None = None


def note(session: Session, principal: Principal, action: str, *, target_type: str | None = None, target_id: str | None = None) -> None:
    session.info[_NOTE] = AuditNote(principal, action, target_type, target_id)


def forget(session: Session) -> None:
    """Not worth recording after all (a read inside the public window)."""
    session.info.pop(_NOTE, None)


def identify(session: Session, principal: Principal) -> None:
    """Who the request turned out to be (a token request learns it only after checking)."""
    pending = session.info.get(_NOTE)
    if pending is not None:
        session.info[_NOTE] = replace(pending, principal=principal)


def pending(session: Session) -> AuditNote | None:
    return session.info.get(_NOTE)


def status_of(exc: BaseException) -> int:
    """The HTTP status a failed request answers with."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    from app.errors import DomainError

    if isinstance(exc, DomainError):
        return exc.status
    if isinstance(exc, RequestValidationError):
        return 422
    if isinstance(exc, HTTPException):
        return exc.status_code
    return 500


def outcome_of(status: int) -> str:
    if status < 400:
        return "success"
    if status in (401, 403, 404):
        return "denied"
    return "failed" if status >= 500 else "refused"


def write(
    session: Session, entry: AuditNote, *, status: int, at: datetime, request_id: str | None, client_address: str | None
) -> None:
    repository.add(
        session,
        AuditEvent(
            at=at,
            request_id=request_id,
            subject=entry.principal.subject,
            role=entry.principal.role.value,
            region=entry.principal.region,
            action=entry.action,
            target_type=entry.target_type,
            target_id=entry.target_id,
            outcome=outcome_of(status),
            status=status,
            client_address=client_address,
        ),
    )


def recent_failures(session: Session, *, action_prefix: str, since: datetime, subject: str | None = None, client_address: str | None = None) -> list[datetime]:
    """When the denied attempts at this action since `since` happened, for a subject or an address."""
    return repository.denied_since(
        session, action_prefix=action_prefix, since=since, subject=subject, client_address=client_address
    )


class AuditPosition(CursorPosition):
    """The next page holds the events before this id (newest first)."""

    before: RowId


def events(
    session: Session, *, principal: Principal, filters: AuditFilters, limit: int, cursor: str | None
) -> tuple[list[AuditEvent], str | None]:
    require(principal, Permission.audit_read)
    filters = replace(filters, since=_utc(filters.since), until=_utc(filters.until))
    before = decode_cursor(cursor, AuditPosition).before if cursor is not None else None
    rows = repository.search(session, filters, limit=limit + 1, before_id=before)
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(AuditPosition(before=rows[-1].id))
    return rows, None


def _utc(moment: datetime | None) -> datetime | None:
    """An instant without a zone is read as UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
