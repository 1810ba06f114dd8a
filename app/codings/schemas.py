"""Codings and the agreement between coders, as the API takes and shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator
from pydantic_core import PydanticCustomError

from app.codings.models import Coding
from app.documents.enums import DocumentKind
from app.schemas import JSON_INTEGER, Code, MultiLine, StrictInput

# A field of the review the quote is taken from: its title, summary or full text, or one
# recommendation; or their Welsh (ADR 0045).
LOCATION_FIELD = r"^(title|title_cy|summary|summary_cy|full_text|recommendations(_cy)?/[A-Za-z0-9][A-Za-z0-9._-]{0,19})$"
MAX_QUOTE = 10_000
MAX_OFFSET = 10_000_000


class Location(StrictInput):
    """Where the quote is: exactly one of `field` and `document_kind`, and its character offsets
    (`start` inclusive, `end` exclusive, counted in Unicode code points from 0)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    field: Annotated[str, Field(max_length=40, pattern=LOCATION_FIELD)] | None = Field(
        default=None,
        description="`title`, `summary`, `full_text`, or `recommendations/<ref>`; or the Welsh: `title_cy`, "
        "`summary_cy`, `recommendations_cy/<ref>`.",
    )
    document_kind: DocumentKind | None = Field(
        default=None, description="A document of the review; its extracted text is the review's full text (the report)."
    )
    start: Annotated[int, Field(ge=0, le=MAX_OFFSET), Strict(), JSON_INTEGER]
    end: Annotated[int, Field(ge=1, le=MAX_OFFSET), Strict(), JSON_INTEGER]

    @model_validator(mode="after")
    def _one_place(self) -> Location:
        if (self.field is None) == (self.document_kind is None):
            raise PydanticCustomError("one-place-required", "give exactly one of field and document_kind")
        if self.end <= self.start:
            raise PydanticCustomError("offsets-reversed", "end must be greater than start")
        return self


Quote = Annotated[MultiLine, Field(min_length=1, max_length=MAX_QUOTE, description="Exactly the text at start:end.")]
Note = Annotated[MultiLine, Field(max_length=5_000)]


class CodingCreate(StrictInput):
    # The quote is compared character for character: it is never stripped.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    theme: Code = Field(description="A `learning_theme` code (GET /vocabularies).")
    perspective: Code = Field(description="A `perspective` code: the discipline you code from.")
    quote: Quote
    location: Location
    note: Note | None = None


class CodingPatch(StrictInput):
    """JSON merge patch: send only what changes. A new quote or location is checked against the text
    as it is now; `note: null` clears the note."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    theme: Code | None = None
    perspective: Code | None = None
    quote: Quote | None = None
    location: Location | None = None
    note: Note | None = None


class LocationOut(BaseModel):
    field: str | None = None
    document_kind: str | None = None
    start: int
    end: int


class CodingOut(BaseModel):
    id: str
    review_id: str
    coder: str = Field(description="Who coded it (the token's subject).")
    theme: str
    perspective: str
    quote: str
    location: LocationOut
    note: str | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, coding: Coding) -> CodingOut:
        return cls(
            id=coding.id,
            review_id=coding.review_id,
            coder=coding.coder,
            theme=coding.theme,
            perspective=coding.perspective,
            quote=coding.quote,
            location=LocationOut(
                field=coding.location_field,
                document_kind=coding.location_document_kind,
                start=coding.start_offset,
                end=coding.end_offset,
            ),
            note=coding.note,
            version=coding.version,
            created_at=coding.created_at,
            updated_at=coding.updated_at,
        )


class CodingList(BaseModel):
    coder: str = Field(description="Whose codings these are: your own subject, or `all`.")
    items: list[CodingOut] = Field(description="Oldest first.")


Statistic = Literal["cohen_kappa", "fleiss_kappa", "krippendorff_alpha"]


class ThemeAgreement(BaseModel):
    theme: str
    reviews: int = Field(description="Reviews coded (any theme) by two or more of the coders counted.")
    coders: int = Field(description="Coders counted: those who coded at least one of those reviews.")
    statistic: Statistic | None = Field(
        description="`cohen_kappa` for two coders; for more, `fleiss_kappa` when every one coded every review counted, "
        "else `krippendorff_alpha` (nominal, with the missing ratings); null when there is nothing to compare."
    )
    value: float | None = Field(description="null when the statistic is undefined; `reason` says why.")
    reason: str | None = None


class Agreement(BaseModel):
    perspective: str | None = Field(description="The perspective the codings were restricted to, if any.")
    themes: list[ThemeAgreement]
