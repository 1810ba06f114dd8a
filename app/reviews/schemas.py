"""Review request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from app.language import Language
from app.reviews.enums import RecommendationLevel, ReviewKind, ReviewStatus, ReviewType, SusrCriterion, TriggerOutcome
from app.reviews.models import TAG_FIELDS, Review
from app.schemas import (
    STORED,
    Code,
    MultiLine,
    PastDate,
    SingleLine,
    StrictBool,
    StrictInput,
    UniqueItems,
    merge_patch_of,
)

ShortText = Annotated[SingleLine, Field(min_length=1, max_length=300)]


class Reviewer(StrictInput):
    name: ShortText
    organisation: Annotated[SingleLine, Field(max_length=300)] | None = None


class Recommendation(StrictInput):
    ref: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    text: Annotated[MultiLine, Field(min_length=1, max_length=10_000)]
    level: RecommendationLevel
    text_cy: Annotated[MultiLine, Field(min_length=1, max_length=10_000)] | None = Field(
        default=None,
        # Left out when there is none: a recommendation without Welsh is stored and answered as before.
        exclude_if=lambda text: text is None,
        description="The recommendation in Welsh, if the board gives it (beside `text`, in English).",
    )


def _no_duplicates(name: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise PydanticCustomError("duplicate", "{name} lists '{value}' twice", {"name": name, "value": value})
        seen.add(value)


def _kind_mismatch(message: str) -> PydanticCustomError:
    return PydanticCustomError("kind-mismatch", message)


class ReviewContent(StrictInput):
    """Everything a board writes about a review (all but its region)."""

    reference: Annotated[
        SingleLine, Field(min_length=1, max_length=100, description="The board's own reference, unique per region.")
    ]
    kind: ReviewKind
    review_type: ReviewType | None = Field(default=None, description="A CPR's type; a SUSR has none.")
    susr_criteria: Annotated[list[SusrCriterion], Field(max_length=5), UniqueItems] = Field(
        default_factory=list, description="The review criteria a SUSR met; empty for a CPR."
    )
    trigger_outcome: TriggerOutcome
    on_cp_register_6m: StrictBool = False
    looked_after_6m: StrictBool = False
    historic: StrictBool = False
    multiple_abuse: StrictBool = False
    reviewers: Annotated[list[Reviewer], Field(max_length=20)] = Field(default_factory=list)
    title: ShortText
    summary: Annotated[MultiLine, Field(max_length=50_000)] | None = None
    language: Language = Field(
        default=Language.en,
        description="The language the review was written in: `en` (English) or `cy` (Welsh). The report's text "
        "is in it; a Welsh review needs `title_cy`.",
    )
    title_cy: ShortText | None = Field(default=None, description="The title in Welsh.")
    summary_cy: Annotated[MultiLine, Field(max_length=50_000)] | None = Field(default=None, description="The summary in Welsh.")
    age_band: Code | None = None
    abuse_categories: Annotated[list[Code], Field(max_length=20), UniqueItems] = Field(default_factory=list)
    agencies: Annotated[list[Code], Field(max_length=50), UniqueItems] = Field(default_factory=list)
    themes: Annotated[list[Code], Field(max_length=50), UniqueItems] = Field(default_factory=list)
    context_factors: Annotated[list[Code], Field(max_length=50), UniqueItems] = Field(default_factory=list)
    completed_on: PastDate | None = None
    recommendations: Annotated[list[Recommendation], Field(max_length=500)] = Field(default_factory=list)
    full_text: Annotated[MultiLine, Field(max_length=5_000_000)] | None = Field(
        default=None, description="The report's text; otherwise extracted from the report document."
    )

    @model_validator(mode="after")
    def _kind_fields_agree(self) -> ReviewContent:
        if self.kind is ReviewKind.cpr:
            if self.review_type is None:
                raise _kind_mismatch("a CPR needs review_type (concise or extended)")
            if self.susr_criteria:
                raise _kind_mismatch("susr_criteria belong to a SUSR, not a CPR")
        else:
            if self.review_type is not None:
                raise _kind_mismatch("review_type belongs to a CPR; a SUSR has susr_criteria instead")
            if not self.susr_criteria:
                raise _kind_mismatch("a SUSR needs the susr_criteria it met")
        _no_duplicates("susr_criteria", [c.value for c in self.susr_criteria])
        for name in ("abuse_categories", "agencies", "themes", "context_factors"):
            _no_duplicates(name, getattr(self, name))
        _no_duplicates("recommendations", [r.ref for r in self.recommendations])
        if self.language is Language.cy and self.title_cy is None:
            raise PydanticCustomError("welsh-title-required", "a review written in Welsh (language cy) needs title_cy")
        return self


class ReviewCreate(ReviewContent):
    region: Code


if TYPE_CHECKING:  # to a type checker, a patch is an input like any other

    class _ReviewPatch(StrictInput): ...

    class _CorrectablePatch(StrictInput): ...

else:
    _ReviewPatch = merge_patch_of(ReviewContent, name="_ReviewPatch")
    _CorrectablePatch = merge_patch_of(ReviewContent, name="_CorrectablePatch", exclude=frozenset({"kind"}))


class ReviewPatch(_ReviewPatch):
    """A JSON merge patch (RFC 7396) of ReviewContent: send only what changes."""


# What a correction may not change, and what to do instead.
_NOT_CORRECTED = {
    "kind": "a review's kind is not corrected: withdraw it and create the review again as the kind it is",
    "status": "a review's status changes only through its lifecycle steps (submit, publish, withdraw, reinstate)",
}


class CorrectionChanges(_CorrectablePatch):
    """A JSON merge patch (RFC 7396) of what a correction may change: the review's content but its
    kind, and (an admin only) its region."""

    region: Code | None = Field(default=None, description="Moves the review to another region's board (admins only).")

    @model_validator(mode="before")
    @classmethod
    def _not_corrected(cls, data: object) -> object:
        if isinstance(data, dict):
            for name, why in _NOT_CORRECTED.items():
                if name in data:
                    raise ValueError(why)
        return data


class CorrectionIn(StrictInput):
    reason: Annotated[
        MultiLine, Field(min_length=3, max_length=2000, description="Why the review is corrected; every reader sees it.")
    ]
    changes: CorrectionChanges


class ReviewRecord(BaseModel):
    """What the registry adds to a review."""

    id: str
    region: str
    status: ReviewStatus
    version: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    published_on: date | None
    public_until: date | None
    withdrawn_at: datetime | None = None
    withdrawn_reason: str | None = None


class WithdrawIn(StrictInput):
    reason: Annotated[MultiLine, Field(min_length=3, max_length=2000, description="Why, for the record")]


class ReviewListItem(ReviewRecord):
    reference: str
    kind: ReviewKind
    review_type: ReviewType | None
    susr_criteria: list[SusrCriterion]
    trigger_outcome: TriggerOutcome
    title: str
    title_cy: str | None = None
    language: Language = Language.en
    age_band: str | None
    themes: list[str]
    completed_on: date | None


class ContextWarning(BaseModel):
    """Learning context the review lacks. Never an error: it does not stop a submission."""

    code: str = Field(description="`no-themes`, `no-context-factors`, `no-agencies`, `no-timeline` or `short-summary`.")
    detail: str
    field: str | None = Field(default=None, description="The field (or document) to complete, e.g. `themes`.")


class ReviewOut(ReviewRecord, ReviewContent):
    model_config = {"extra": "ignore"}

    warnings: list[ContextWarning] = Field(
        default_factory=list,
        description="Learning context the review lacks, as it is now (a timeline uploaded later clears "
        "`no-timeline`). Never blocks submission.",
    )

    corrected_at: datetime | None = Field(
        default=None,
        description="When the review was last corrected after submission (its fields, a document or an action); "
        "GET /reviews/{id}/corrections lists each correction and its reason.",
    )
    full_text: str | None = Field(
        default=None,
        exclude_if=lambda text: text is None,
        description="The report's text (tens of kilobytes), given or extracted from the report document: only in "
        "`GET /reviews/{id}?include=full_text`, and there only if the review has one. Other answers leave it out.",
    )

    @classmethod
    def from_model(
        cls,
        review: Review,
        warnings: list[ContextWarning] | None = None,
        corrected_at: datetime | None = None,
        *,
        with_full_text: bool = False,
    ) -> ReviewOut:
        data = review_as_dict(review, with_full_text=with_full_text) | {"warnings": warnings or [], "corrected_at": corrected_at}
        return cls.model_validate(data, context=STORED)


class ReviewPage(BaseModel):
    items: list[ReviewListItem]
    next_cursor: str | None = None

    @classmethod
    def from_models(cls, reviews: list[Review], next_cursor: str | None) -> ReviewPage:
        return cls(
            items=[ReviewListItem.model_validate(review_as_dict(r, with_full_text=False)) for r in reviews],
            next_cursor=next_cursor,
        )


def review_as_dict(review: Review, *, with_full_text: bool = True) -> dict[str, object]:
    """The review's fields and tag codes; without the report's text (not even loaded) if told."""
    data: dict[str, object] = review.model_dump(exclude={"full_text"})
    if with_full_text:
        # Read as an attribute: the column is deferred (reviews.repository), and model_dump would
        # give its default for a value not loaded yet instead of loading it.
        data["full_text"] = review.full_text
    for field, vocabulary in TAG_FIELDS.items():
        data[field] = review.tag_codes(vocabulary)
    return data


def content_of(review: Review) -> dict[str, object]:
    """The review's current content, as a board would PUT it back."""
    data = review_as_dict(review)
    return {name: data[name] for name in ReviewContent.model_fields}
