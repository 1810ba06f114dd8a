"""Every state a review and its action plan have been in: appended, never changed."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from app.columns import UTCDateTime


class Revision(SQLModel, table=True):
    __tablename__ = "revision"
    __table_args__ = (Index("ix_revision_review", "review_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: str = Field(max_length=36)
    entity: str = Field(max_length=16, description="review, action_plan, action or coding")
    entity_id: str = Field(max_length=36)
    version: int
    change: str = Field(max_length=32)
    changed_fields: list[str] = Field(default=[], sa_type=JSON)
    snapshot: dict[str, Any] = Field(default={}, sa_type=JSON)
    changed_at: datetime = Field(sa_type=UTCDateTime)
    changed_by: str = Field(max_length=200)
    # Why: set for a correction after submission (a review's fields, a replaced document, a revised
    # action), which the review's readers see listed (ADR 0033); None for every other change.
    reason: str | None = Field(default=None, max_length=2000)
