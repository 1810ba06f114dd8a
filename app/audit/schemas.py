"""What the audit endpoint answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    request_id: str | None
    subject: str
    role: str
    region: str | None
    action: str
    target_type: str | None
    target_id: str | None
    document_kind: str | None = Field(description="The kind of document a `document:upload` or `document:download` was of.")
    outcome: str
    status: int


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    next_cursor: str | None = None
