"""Action plan tables: one plan per review, one row per action, progress notes kept in order."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, Text
from sqlmodel import Field, SQLModel

from app.action_plans.enums import ActionStatus
from app.columns import UTCDateTime, utcnow

_plan_version = Column("version", Integer, nullable=False, default=1)
_action_version = Column("version", Integer, nullable=False, default=1)


class ActionPlan(SQLModel, table=True):
    __tablename__ = "action_plan"
    __mapper_args__ = {"version_id_col": _plan_version, "version_id_generator": False}

    review_id: str = Field(foreign_key="review.id", primary_key=True, max_length=36)
    version: int = Field(default=1, sa_column=_plan_version)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: str = Field(max_length=200)


class Action(SQLModel, table=True):
    __table_args__ = (
        Index("ix_action_open_by_date", "status", "target_date"),
        Index("ix_action_review", "review_id", "position"),
    )
    __mapper_args__ = {"version_id_col": _action_version, "version_id_generator": False}

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    review_id: str = Field(foreign_key="action_plan.review_id", max_length=36)
    position: int
    recommendation_ref: str = Field(max_length=20)
    description: str = Field(sa_type=Text)
    lead_agency: str = Field(max_length=64)
    target_date: date
    status: str = Field(default=ActionStatus.not_started, max_length=16)
    progress_notes: list[dict[str, Any]] = Field(default=[], sa_type=JSON)
    version: int = Field(default=1, sa_column=_action_version)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: str = Field(max_length=200)

    def is_overdue(self, today: date) -> bool:
        return self.status != ActionStatus.completed and self.target_date < today

    def completed_on(self) -> date | None:
        """The day (UTC) a completed action was completed: that of the first of its latest run of
        progress entries left `completed`, or, with no entry since its plan made it completed, the day
        it was last written (ADR 0028). None while it is open."""
        if self.status != ActionStatus.completed:
            return None
        moment = None
        for entry in reversed(self.progress_notes):
            if entry.get("status") != ActionStatus.completed:
                break
            moment = entry.get("recorded_at")
        return datetime.fromisoformat(moment).date() if isinstance(moment, str) else self.updated_at.date()
