"""Path, header and query parameters that several routers declare alike (routers never import each other)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Query

from app.language import Language, negotiate
from app.pagination import MAX_LIMIT
from app.reviews.enums import ReviewKind, ReviewStatus, ReviewType
from app.reviews.repository import ReviewFilters

ReviewId = Annotated[str, Path(min_length=1, max_length=64, description="The review's id")]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=200, description="The ETag from your last read")]
CodeFilter = Annotated[str | None, Query(max_length=64)]


async def review_filters(
    region: CodeFilter = None,
    kind: ReviewKind | None = None,
    review_type: ReviewType | None = None,
    status: ReviewStatus | None = None,
    year: Annotated[int | None, Query(ge=1900, le=2999, description="The year the review was completed")] = None,
    year_from: Annotated[int | None, Query(ge=1900, le=2999, description="Completed in this year or later")] = None,
    year_to: Annotated[int | None, Query(ge=1900, le=2999, description="Completed in this year or earlier")] = None,
    theme: CodeFilter = None,
    age_band: CodeFilter = None,
    coded_theme: Annotated[
        str | None, Query(max_length=64, description="A learning theme that a coder coded the review with, or any theme under it")
    ] = None,
) -> ReviewFilters:
    """The filters shared by lists, search and trends."""
    return ReviewFilters(
        region=region,
        kind=kind,
        review_type=review_type,
        status=status,
        year=year,
        year_from=year_from,
        year_to=year_to,
        theme=theme,
        age_band=age_band,
        coded_theme=coded_theme,
    )


FiltersDep = Annotated[ReviewFilters, Depends(review_filters)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=512, description="next_cursor of the previous page")]


def requested_language(
    accept_language: Annotated[
        str | None,
        Header(
            alias="Accept-Language",
            max_length=500,
            description="`cy` for Welsh labels (and Welsh problem documents); English otherwise. "
            "`Content-Language` says which the answer is in.",
        ),
    ] = None,
) -> Language:
    return negotiate(accept_language)


LanguageDep = Annotated[Language, Depends(requested_language)]
