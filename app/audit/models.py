"""The audit trail: one row per write, token request, or read outside a review's public window.
The database refuses to update or delete these rows (triggers, migration 0004)."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.columns import UTCDateTime


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_subject", "subject", "id"),
        Index("ix_audit_event_target", "target_id", "id"),
        Index("ix_audit_event_at", "at"),
        Index("ix_audit_event_failures", "action", "outcome", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    request_id: str | None = Field(default=None, max_length=128)
    subject: str = Field(max_length=200)
    role: str = Field(max_length=32)
    region: str | None = Field(default=None, max_length=64)
    action: str = Field(max_length=64)
    target_type: str | None = Field(default=None, max_length=32)
    target_id: str | None = Field(default=None, max_length=150)
    document_kind: str | None = Field(default=None, max_length=32)  # document:upload and document:download
    outcome: str = Field(max_length=16)
    status: int
    client_address: str | None = Field(default=None, max_length=64)
