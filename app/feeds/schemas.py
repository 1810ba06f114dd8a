"""Saved searches as the API takes and answers them (the token only in the answers that issue one)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from app.feeds.models import SavedSearch
from app.reviews.enums import ReviewKind, ReviewStatus, ReviewType
from app.reviews.repository import ReviewFilters
from app.schemas import STORED, Code, SingleLine, StrictInput

Year = Annotated[int, Field(ge=1900, le=2999)]


class SavedFilters(StrictInput):
    """The filters of GET /search, by the same names and rules."""

    region: Code | None = None
    kind: ReviewKind | None = None
    review_type: ReviewType | None = None
    status: ReviewStatus | None = None
    year: Year | None = Field(default=None, description="The year the review was completed")
    year_from: Year | None = Field(default=None, description="Completed in this year or later")
    year_to: Year | None = Field(default=None, description="Completed in this year or earlier")
    theme: Code | None = None
    age_band: Code | None = None
    coded_theme: Code | None = Field(default=None, description="A learning theme coders coded the review with, or any under it")

    def as_review_filters(self) -> ReviewFilters:
        return ReviewFilters(**self.model_dump())

    def stored(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class SavedSearchCreate(StrictInput):
    name: Annotated[SingleLine, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="The feed's title; the query when left out."
    )
    q: Annotated[SingleLine, Field(min_length=1, max_length=500)] = Field(description="What GET /search takes as `q`.")
    filters: SavedFilters = Field(default_factory=SavedFilters)


class SavedSearchOut(BaseModel):
    id: str
    name: str | None
    q: str
    filters: SavedFilters
    created_at: datetime
    feed_active: bool = Field(description="Whether the feed has a token (false once revoked).")
    token_issued_at: datetime | None = Field(description="When the feed's current token was issued.")

    @classmethod
    def from_model(cls, saved: SavedSearch) -> SavedSearchOut:
        return cls(
            id=saved.id,
            name=saved.name,
            q=saved.q,
            filters=SavedFilters.model_validate(saved.filters, context=STORED),
            created_at=saved.created_at,
            feed_active=saved.token_hash is not None,
            token_issued_at=saved.token_issued_at,
        )


class SavedSearchWithToken(SavedSearchOut):
    """Answered once, when the search is saved and when its token is rotated: keep the URL, it is
    not shown again (the registry keeps only the token's hash)."""

    feed_token: str = Field(description="The feed's secret token. Shown this once.")
    feed_url: str = Field(description="The feed's address, with its token: give it to a feed reader. Shown this once.")


class SavedSearchList(BaseModel):
    items: list[SavedSearchOut]
