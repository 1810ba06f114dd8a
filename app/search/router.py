"""GET /search and GET /trends."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.dependencies import PrincipalDep
from app.errors import problem_responses
from app.pagination import DEFAULT_LIMIT
from app.parameters import Cursor, FiltersDep, Limit
from app.registry import ClockDep, RegistryDep
from app.search import service
from app.search.backend import DIMENSIONS
from app.search.measures import Measure
from app.search.schemas import SearchResults, Trends
from app.sessions import SessionDep

router = APIRouter(tags=["search"])

# A component of its own (app/openapi.py adds it), so that generated clients name the enum well.
DIMENSION_SCHEMA = "TrendDimension"
# The document admits one dimension or two different ones, as repeated parameters. The service
# also reads them comma-separated (`group_by=region,year`), which no schema of an array can bound
# to two dimensions in all: what the document admits, the service accepts.
_GROUP_BY_SCHEMA = {"items": {"$ref": f"#/components/schemas/{DIMENSION_SCHEMA}"}, "uniqueItems": True}


@router.get(
    "/search",
    operation_id="search_reviews",
    summary="Full-text search across every review you may read, with highlights and facets",
    responses=problem_responses(403),
)
def search(
    registry: RegistryDep,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    filters: FiltersDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=500,
            description='Words must all match; "a phrase", either OR other, -excluded. Stopwords are ignored.',
        ),
    ],
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> SearchResults:
    return service.search(
        session,
        principal=principal,
        backend=registry.search,
        q=q,
        filters=filters,
        limit=limit,
        cursor=cursor,
        clock=clock,
    )


@router.get(
    "/trends",
    operation_id="get_trends",
    response_model_exclude_unset=True,  # a key holds only the dimensions grouped by
    summary="Review counts or outcome measures by one or two dimensions; small numbers hidden below the inspectorate",
    responses=problem_responses(403),
)
def trends(
    registry: RegistryDep,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    filters: FiltersDep,
    group_by: Annotated[
        list[str],
        Query(
            min_length=1,
            max_length=2,
            description=f"One dimension or two different ones, of: {', '.join(DIMENSIONS)}: repeat the parameter "
            "(`group_by=region&group_by=year`), or comma-separate them (`group_by=region,year`).",
            json_schema_extra=_GROUP_BY_SCHEMA,
        ),
    ],
    measure: Annotated[
        Measure,
        Query(
            description="What each bucket measures: `reviews` (a count, the default), `recommendations`, `actions`, "
            "`actions_completed`, `actions_overdue` (counts), `actions_on_time_share`, `complete_context_share` "
            "(shares, 0 to 1) or `days_to_publication_median` (days from completion to publication)."
        ),
    ] = Measure.reviews,
) -> Trends:
    return service.trends(
        session,
        principal=principal,
        backend=registry.search,
        group_by=group_by,
        filters=filters,
        clock=clock,
        measure=measure,
    )
