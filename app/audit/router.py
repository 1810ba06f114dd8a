"""GET /audit: who did what, when, to which record, and how it ended."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.audit import service
from app.audit.repository import AuditFilters
from app.audit.schemas import AuditEventOut, AuditPage
from app.auth.dependencies import PrincipalDep
from app.errors import problem_responses
from app.pagination import DEFAULT_LIMIT
from app.parameters import Cursor, Limit
from app.schemas import IsoDateTime
from app.sessions import SessionDep

router = APIRouter(tags=["audit"])


@router.get(
    "/audit",
    operation_id="list_audit_events",
    summary="The audit trail, newest first (inspectorate and admins)",
    responses=problem_responses(403),
)
def list_audit_events(
    session: SessionDep,
    principal: PrincipalDep,
    actor: Annotated[str | None, Query(max_length=200, description="The subject who acted")] = None,
    target_id: Annotated[str | None, Query(max_length=150)] = None,
    action: Annotated[str | None, Query(max_length=64, description="e.g. review:read, review:edit, token:password")] = None,
    since: Annotated[IsoDateTime | None, Query(description="From this instant (inclusive)")] = None,
    until: Annotated[IsoDateTime | None, Query(description="Before this instant")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> AuditPage:
    filters = AuditFilters(actor=actor, target_id=target_id, action=action, since=since, until=until)
    rows, next_cursor = service.events(session, principal=principal, filters=filters, limit=limit, cursor=cursor)
    return AuditPage(items=[AuditEventOut.model_validate(r.model_dump()) for r in rows], next_cursor=next_cursor)
