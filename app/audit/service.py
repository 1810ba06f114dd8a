"""Noting what a request does, and writing it down whatever happens to the request.

Services call `note` before they check permissions; the session dependency writes the event with
the outcome: in the request's own transaction when it succeeds, in a fresh one when it fails (so
denials are kept even though the request's changes are rolled back). `to_record` says whether a
note is worth a row given how the request ended (ADR 0014).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlmodel import Session

from app.audit import bounds, repository
from app.audit.models import AuditEvent
from app.audit.repository import AuditFilters
from app.auth.policies import Permission, require
from app.auth.principals import Principal
from app.pagination import CursorPosition, RowId, decode_cursor, encode_cursor

_NOTE = "audit_note"
SIGN_IN = "token:"  # the actions of token requests: their refusals are counted by the throttle


@dataclass(frozen=True)
class AuditNote:
    principal: Principal
    action: str
    target_type: str | None = None
    target_id: str | None = None
    # A request that shows several records (a search page) is recorded as one row for each.
    other_target_ids: tuple[str, ...] = ()
    only_if_refused: bool = False
    document_kind: str | None = None  # a document event's kind (report, ...), never its content


def note(
    session: Session,
    principal: Principal,
    action: str,
    *,
    target_type: str | None = None,
    target_id: str | None = None,
    document_kind: str | None = None,
) -> None:
    session.info[_NOTE] = AuditNote(principal, action, target_type, target_id, document_kind=document_kind)


def note_each(session: Session, principal: Principal, action: str, *, target_type: str, target_ids: list[str]) -> None:
    """Like `note`, for a request that shows several records: one row per record."""
    first, *others = target_ids
    session.info[_NOTE] = AuditNote(principal, action, target_type, first, tuple(others))


def only_if_refused(session: Session) -> None:
    """A read anyone may make today: nothing to account for if it succeeds, but a refusal that
    comes after (a permission the read also needs, a missing plan or document) is still recorded."""
    pending = session.info.get(_NOTE)
    if pending is not None:
        session.info[_NOTE] = replace(pending, only_if_refused=True)


def identify(session: Session, principal: Principal) -> None:
    """Who the request turned out to be (a token request learns it only after checking)."""
    pending = session.info.get(_NOTE)
    if pending is not None:
        session.info[_NOTE] = replace(pending, principal=principal)


def pending(session: Session) -> AuditNote | None:
    return session.info.get(_NOTE)


def to_record(session: Session, *, refused: bool) -> AuditNote | None:
    """The note to write for a request that succeeded or was refused, or None when there is none
    worth a row: a public read that succeeded, or an anonymous caller's refused request (anyone can
    send those, with targets of their choosing; recording them would let anyone fill the trail).
    A refused sign-in is the exception: it is what the throttle counts."""
    entry = pending(session)
    if entry is None:
        return None
    if not refused:
        return None if entry.only_if_refused else entry
    if entry.principal.is_anonymous and not entry.action.startswith(SIGN_IN):
        return None
    return entry


def outcome_of(status: int) -> str:
    if status < 400:
        return "success"
    if status in (401, 403, 404):
        return "denied"
    return "failed" if status >= 500 else "refused"


def write(
    session: Session, entry: AuditNote, *, status: int, at: datetime, request_id: str | None, client_address: str | None
) -> None:
    """Every value a caller controls is fitted to its column (`bounds`): the row is always written."""
    for target_id in (entry.target_id, *entry.other_target_ids):
        repository.add(
            session,
            AuditEvent(
                at=at,
                request_id=bounds.fit(request_id, "request_id"),
                subject=bounds.fit(entry.principal.subject, "subject"),
                role=entry.principal.role.value,
                region=bounds.fit(entry.principal.region, "region"),
                action=entry.action,
                target_type=entry.target_type,
                target_id=bounds.fit(target_id, "target_id"),
                document_kind=entry.document_kind,
                outcome=outcome_of(status),
                status=status,
                client_address=bounds.client_address(client_address),
            ),
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
        last = rows[-1].id
        assert last is not None, "an event read from the database has its id"
        return rows, encode_cursor(AuditPosition(before=last))
    return rows, None


def _utc(moment: datetime | None) -> datetime | None:
    """An instant without a zone is read as UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
