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


class RevisionPage(BaseModel):
    items: list[RevisionOut] = Field(description="Oldest first.")
    next_cursor: str | None = None
