"""Every query on the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilters:
    actor: str | None = None
    target_id: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def add(session: Session, event: AuditEvent) -> None:
    session.add(event)  # inserted with the transaction's other rows, at its commit


def search(session: Session, filters: AuditFilters, *, limit: int, before_id: int | None) -> list[AuditEvent]:
    query = select(AuditEvent)
    if filters.actor is not None:
        query = query.where(AuditEvent.subject == filters.actor)
    if filters.target_id is not None:
        query = query.where(AuditEvent.target_id == filters.target_id)
    if filters.action is not None:
        query = query.where(AuditEvent.action == filters.action)
    if filters.since is not None:
        query = query.where(col(AuditEvent.at) >= filters.since)
    if filters.until is not None:
        query = query.where(col(AuditEvent.at) < filters.until)
    if before_id is not None:
        query = query.where(col(AuditEvent.id) < before_id)
    return list(session.exec(query.order_by(col(AuditEvent.id).desc()).limit(limit)))
