"""What the revisions endpoint answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class RevisionOut(BaseModel):
    entity: str
    entity_id: str
    version: int
    change: str
    changed_fields: list[str] = Field(description="What the change was about (not version or updated_at).")
    changed_at: datetime
    changed_by: str
    snapshot: dict[str, Any] = Field(
        description="The entity's whole state in its first revision; in every later one, the new values of "
        "changed_fields only (an action's progress revision: the entry it added, as progress_note)."
    )
    reason: str | None = Field(
        default=None, description="Why: given for a correction after submission (ADR 0033); null for other changes."
    )


class RevisionPage(BaseModel):
    items: list[RevisionOut] = Field(description="Oldest first.")
    next_cursor: str | None = None


class CorrectionOut(BaseModel):
    """One correction after submission: of the review's fields, one of its documents, or an action."""

    corrected_at: datetime
    reason: str
    entity: str = Field(description="`review`, `document` (entity_id: its kind) or `action` (entity_id: its id).")
    entity_id: str
    changed_fields: list[str] = Field(description="What was corrected.")
    corrected_by: str | None = Field(
        description="Who corrected it: shown only to those who may read the review's revisions, otherwise null."
    )


class CorrectionPage(BaseModel):
    items: list[CorrectionOut] = Field(description="Oldest first.")
    next_cursor: str | None = None
