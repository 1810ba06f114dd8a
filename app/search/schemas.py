"""Search and trends as the API answers them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from app.reviews.enums import ReviewKind, ReviewStatus, ReviewType
from app.search.measures import Measure


class SearchItem(BaseModel):
    id: str
    reference: str
    region: str
    kind: ReviewKind
    review_type: ReviewType | None
    status: ReviewStatus
    title: str
    title_cy: str | None = Field(default=None, description="The title in Welsh, if the board gave it.")
    completed_on: date | None
    score: float = Field(
        description="Where the query's words are found in this review: per word, phrase or OR-group, 10 in the title, "
        "4 in the summary or recommendations, 1 in the report's text, in English and in Welsh (each language's "
        "text read on its own). Depends on this review alone; ties come newest first."
    )
    highlights: list[str] = Field(description="Fragments with matches in <mark>; the rest is HTML-escaped text.")


class FacetCount(BaseModel):
    key: str | int
    count: int


class Facets(BaseModel):
    region: list[FacetCount]
    kind: list[FacetCount]
    review_type: list[FacetCount]
    theme: list[FacetCount]
    year: list[FacetCount]


class SearchResults(BaseModel):
    total: int
    items: list[SearchItem]
    facets: Facets
    next_cursor: str | None = None


class TrendKey(BaseModel):
    """The bucket's value of each dimension grouped by; only those dimensions are present."""

    region: str | None = None
    year: int | None = Field(default=None, description="The year the review was completed")
    kind: ReviewKind | None = None
    review_type: ReviewType | None = None
    theme: str | None = None
    age_band: str | None = None
    agency: str | None = None
    coded_theme: str | None = Field(default=None, description="A learning theme coders coded the reviews with")
    perspective: str | None = Field(default=None, description="A perspective coders coded the reviews from")


class TrendBucket(BaseModel):
    key: TrendKey
    count: int | None = Field(
        description="What the bucket counts (the measure's count; for a share or a median, how many were measured). "
        "null when suppressed"
    )
    suppressed: bool
    value: float | None = Field(
        default=None,
        description="Shares and medians only: the share (0 to 1) or the median (days). null when suppressed",
    )
    denominator: int | None = Field(
        default=None,
        description="Shares and medians only: how many things the share or median is of. null when suppressed",
    )


class Trends(BaseModel):
    group_by: list[str]
    measure: Measure = Field(default=Measure.reviews, description="What each bucket measures (`measure`).")
    suppression: bool = Field(description="Whether small numbers (1 to 4) are hidden for this caller.")
    buckets: list[TrendBucket]
