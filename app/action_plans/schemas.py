"""Action plan request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, computed_field, model_validator
from pydantic_core import PydanticCustomError

from app.action_plans.enums import ActionStatus
from app.action_plans.models import Action, ActionPlan
from app.etags import etag
from app.schemas import Code, MultiLine, PlausibleDate, SingleLine, StrictInput


class ActionIn(StrictInput):
    recommendation_ref: Annotated[SingleLine, Field(min_length=1, max_length=20)]
    description: Annotated[MultiLine, Field(min_length=1, max_length=10_000)]
    lead_agency: Code
    target_date: PlausibleDate
    status: ActionStatus = ActionStatus.not_started


class ActionPlanIn(StrictInput):
    actions: Annotated[list[ActionIn], Field(min_length=1, max_length=1000)]


# Every PATCH of an action appends one dated entry to its progress notes, and every read of the
# action carries them all, so their number is bounded (each entry is bounded by ProgressNoteIn).
MAX_PROGRESS_NOTES = 200


class ProgressNoteIn(StrictInput):
    note: Annotated[MultiLine, Field(min_length=1, max_length=10_000)]
    evidence: Annotated[MultiLine, Field(max_length=2_000)] | None = Field(
        default=None, description="Where the evidence is, e.g. a document reference or address."
    )


class ActionPatch(StrictInput):
    status: ActionStatus | None = None
    progress_note: ProgressNoteIn | None = Field(
        default=None,
        description=f"Appended to the action's dated notes. Every PATCH adds one entry, with or without a note; "
        f"an action keeps at most {MAX_PROGRESS_NOTES}, and a PATCH past that is refused (422).",
    )
    target_date: PlausibleDate | None = Field(
        default=None, description="A revised target date (plans slip): needs a `reason`, and the entry keeps the old one."
    )
    description: Annotated[MultiLine, Field(min_length=1, max_length=10_000)] | None = Field(
        default=None, description="A revised description: needs a `reason`, and the entry keeps the old one."
    )
    reason: Annotated[MultiLine, Field(min_length=3, max_length=2000)] | None = Field(
        default=None,
        description="Why the target date or description is revised: listed with the review's corrections.",
    )

    @model_validator(mode="after")
    def _something_changes(self) -> ActionPatch:
        if self.status is None and self.progress_note is None and not self.revises():
            raise PydanticCustomError(
                "empty-patch", "send a status, a progress_note, a revised target_date or description, or several"
            )
        return self

    def revises(self) -> bool:
        return self.target_date is not None or self.description is not None


class ProgressNote(BaseModel):
    """One dated entry in an action's history: the status it was left in, and what was said."""

    recorded_at: datetime
    recorded_by: str
    note: str | None = None
    evidence: str | None = None
    status: ActionStatus
    revised: dict[str, str] | None = Field(
        default=None, description="What this entry revised (target_date, description), each with the value it had before."
    )
    reason: str | None = Field(default=None, description="Why it was revised.")


class ActionOut(BaseModel):
    id: str
    recommendation_ref: str
    description: str
    lead_agency: str
    target_date: date
    status: ActionStatus
    overdue: bool = Field(description="The target date has passed and the action is not completed.")
    version: int = Field(description="The action's version; `etag` is the same, quoted, for If-Match.")
    updated_at: datetime
    progress_notes: list[ProgressNote]

    @computed_field(description="Send it as If-Match to PATCH this action.")  # type: ignore[prop-decorator]
    @property
    def etag(self) -> str:
        return etag(self.version)

    @classmethod
    def from_model(cls, action: Action, today: date) -> ActionOut:
        return cls.model_validate(action.model_dump() | {"overdue": action.is_overdue(today)})


class ActionPlanOut(BaseModel):
    review_id: str
    version: int
    updated_at: datetime
    actions: list[ActionOut]

    @classmethod
    def from_model(cls, plan: ActionPlan, actions: list[Action], today: date) -> ActionPlanOut:
        return cls(
            review_id=plan.review_id,
            version=plan.version,
            updated_at=plan.updated_at,
            actions=[ActionOut.from_model(a, today) for a in actions],
        )


class OverdueGroup(BaseModel):
    region: str
    lead_agency: str
    total: int
    ageing: dict[str, int] = Field(description="Overdue actions by days past their target date: 1-30, 31-90, 91-180, over-180.")


class OverdueAction(BaseModel):
    """One overdue action, with its review and its latest progress."""

    action_id: str
    review_id: str
    reference: str = Field(description="The review's reference, unique in its region.")
    region: str
    recommendation_ref: str
    lead_agency: str
    target_date: date
    days_overdue: int = Field(description="Days past the target date, as of `as_of` (1 the day after).")
    status: ActionStatus
    last_progress: ProgressNote | None = Field(description="The action's latest progress entry; null if it has none.")


class OverdueActions(BaseModel):
    as_of: date
    total: int = Field(description="Overdue actions the filters keep, on every page.")
    groups: list[OverdueGroup] = Field(description="Those actions counted by region and lead agency, on every page.")
    items: list[OverdueAction] = Field(description="This page of them, longest overdue first.")
    next_cursor: str | None = None
