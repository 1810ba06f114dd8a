"""GET /reviews/{id}/recommendations/{ref}/similar and GET /recommendations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.auth.dependencies import PrincipalDep
from app.errors import problem_responses
from app.pagination import DEFAULT_LIMIT, MAX_LIMIT
from app.parameters import CodeFilter, Cursor, Limit, ReviewId
from app.recommendations import service
from app.recommendations.enums import ActionStatusFilter
from app.recommendations.schemas import RecommendationResults, SimilarRecommendations
from app.registry import ClockDep, RegistryDep
from app.reviews.enums import RecommendationLevel
from app.reviews.repository import ReviewFilters
from app.sessions import SessionDep

router = APIRouter(tags=["recommendations"])

RecommendationRef = Annotated[
    str, Path(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="The recommendation's ref")
]


@router.get(
    "/reviews/{review_id}/recommendations/{ref}/similar",
    operation_id="get_similar_recommendations",
    summary="The recommendations of other reviews most like this one, across regions and years",
    responses=problem_responses(403, 404),
)
def similar(
    review_id: ReviewId,
    ref: RecommendationRef,
    registry: RegistryDep,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
) -> SimilarRecommendations:
    return service.similar(
        session, principal=principal, backend=registry.search, review_id=review_id, ref=ref, limit=limit, clock=clock
    )


@router.get(
    "/recommendations",
    operation_id="search_recommendations",
    summary="Recommendations alone, by words, level, region, year and how far their actions have gone",
    responses=problem_responses(403),
)
def search(
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=500,
            description='Words that must all be in the recommendation; "a phrase", either OR other, -excluded. '
            "Whole words, not stemmed; stopwords are ignored.",
        ),
    ] = None,
    level: RecommendationLevel | None = None,
    action_status: Annotated[
        ActionStatusFilter | None,
        Query(description="How far its actions have gone; not_completed is none, not_started or in_progress."),
    ] = None,
    region: CodeFilter = None,
    year_from: Annotated[int | None, Query(ge=1900, le=2999, description="Reviews completed in this year or later")] = None,
    year_to: Annotated[int | None, Query(ge=1900, le=2999, description="Reviews completed in this year or earlier")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> RecommendationResults:
    return service.search(
        session,
        principal=principal,
        q=q,
        level=level,
        action_status_filter=action_status,
        filters=ReviewFilters(region=region, year_from=year_from, year_to=year_to),
        limit=limit,
        cursor=cursor,
        clock=clock,
    )
