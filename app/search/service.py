"""Search and trends on behalf of a caller: permission, parsing, paging and suppression."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from sqlmodel import Session

from app import audit
from app.auth.policies import Permission, allows, require
from app.auth.principals import Principal
from app.clock import Clock
from app.errors import InvalidInput, ProblemItem
from app.pagination import CursorPosition, decode_cursor, encode_cursor
from app.reviews import repository as reviews
from app.reviews.repository import ReviewFilters
from app.search.backend import DIMENSIONS, SearchBackend, SearchRequest
from app.search.query import parse
from app.search.schemas import FacetCount, Facets, SearchItem, SearchResults, TrendBucket, TrendKey, Trends
from app.search.suppression import suppress

READ_IN_SEARCH = "review:read-in-search"
# Deeper than this, ranked paging stops (OpenSearch's window; nobody reads page 500).
MAX_OFFSET = 10_000


class SearchPosition(CursorPosition):
    """How many hits the earlier pages showed (relevance has no keyset order)."""

    o: Annotated[int, Field(ge=0, lt=MAX_OFFSET)]


def search(
    session: Session,
    *,
    principal: Principal,
    backend: SearchBackend,
    q: str,
    filters: ReviewFilters,
    limit: int,
    cursor: str | None,
    clock: Clock,
) -> SearchResults:
    require(principal, Permission.search)
    offset = decode_cursor(cursor, SearchPosition).o if cursor is not None else 0
    request = SearchRequest(query=parse(q), filters=filters, offset=offset, limit=limit)
    page = backend.search(session, principal=principal, today=clock.today(), request=request)
    # A hit shows a review's title and text; outside its public window that is a read to account
    # for, as GET /reviews/{id} is (the database decides, not the index's copy).
    shown_outside_window = reviews.not_public(session, [hit.id for hit in page.hits], clock.today())
    if shown_outside_window:
        audit.note_each(session, principal, READ_IN_SEARCH, target_type="review", target_ids=shown_outside_window)
    following = offset + limit
    return SearchResults(
        total=page.total,
        items=[SearchItem(**vars(hit)) for hit in page.hits],
        facets=Facets(**{name: [FacetCount(key=k, count=n) for k, n in counts] for name, counts in page.facets.items()}),
        next_cursor=encode_cursor(SearchPosition(o=following)) if following < min(page.total, MAX_OFFSET) else None,
    )


def matching_ids(
    session: Session, *, principal: Principal, backend: SearchBackend, q: str, filters: ReviewFilters, clock: Clock
) -> list[str]:
    """Every review (up to MAX_OFFSET, most relevant first) GET /search would find for this principal:
    the same permission, parser and backend, page after page (a saved search's feed sorts them by date)."""
    require(principal, Permission.search)
    query, ids = parse(q), list[str]()
    while len(ids) < MAX_OFFSET:
        request = SearchRequest(query=query, filters=filters, offset=len(ids), limit=min(_MATCH_PAGE, MAX_OFFSET - len(ids)))
        page = backend.search(session, principal=principal, today=clock.today(), request=request)
        ids.extend(hit.id for hit in page.hits)
        if not page.hits or len(ids) >= page.total:
            break
    return ids


_MATCH_PAGE = 500


def trends(
    session: Session,
    *,
    principal: Principal,
    backend: SearchBackend,
    group_by: list[str],
    filters: ReviewFilters,
    clock: Clock,
) -> Trends:
    require(principal, Permission.trends)
    dimensions = _dimensions(group_by)
    cells = backend.trends(session, principal=principal, today=clock.today(), group_by=dimensions, filters=filters)
    suppressing = not allows(principal, Permission.trends_unsuppressed)
    hidden = suppress(cells) if suppressing else set()
    # Shown buckets biggest first; hidden ones after them, by key, so their place reveals nothing.
    shown = [(key, count) for key, count in cells if key not in hidden]
    concealed = sorted((key for key, _ in cells if key in hidden), key=lambda key: tuple(str(v) for v in key))
    return Trends(
        group_by=list(dimensions),
        suppression=suppressing,
        buckets=[
            *(
                TrendBucket(key=TrendKey(**dict(zip(dimensions, key, strict=True))), count=count, suppressed=False)
                for key, count in shown
            ),
            *(
                TrendBucket(key=TrendKey(**dict(zip(dimensions, key, strict=True))), count=None, suppressed=True)
                for key in concealed
            ),
        ],
    )


def _dimensions(group_by: list[str]) -> tuple[str, ...]:
    names = tuple(name.strip() for part in group_by for name in part.split(",") if name.strip())
    problems = []
    if not 1 <= len(names) <= 2 or len(set(names)) != len(names):
        problems.append("group by one dimension or two different ones")
    unknown = [name for name in names if name not in DIMENSIONS]
    if unknown:
        problems.append(f"unknown dimension(s) {', '.join(unknown)}; use {', '.join(DIMENSIONS)}")
    if problems:
        raise InvalidInput(
            "The trend cannot be grouped like that.",
            errors=[ProblemItem(code="invalid-group-by", detail=p, location="query", field="group_by") for p in problems],
        )
    return names
