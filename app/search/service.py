"""Search and trends on behalf of a caller: permission, parsing, paging and suppression."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Annotated

from pydantic import Field
from sqlmodel import Session

from app import audit
from app.action_plans import service as action_plans
from app.auth.policies import Permission, allows, require
from app.auth.principals import Principal
from app.clock import Clock
from app.errors import InvalidInput, ProblemItem
from app.pagination import CursorPosition, decode_cursor, encode_cursor
from app.reviews import repository as reviews
from app.reviews import service as review_service
from app.reviews.repository import ReviewFilters
from app.search import measures
from app.search.backend import DIMENSIONS, SearchBackend, SearchRequest
from app.search.measures import ACTION_MEASURES, RATIOS, ActionFacts, Cell, Measure, ReviewFacts
from app.search.query import parse_search
from app.search.schemas import FacetCount, Facets, SearchItem, SearchResults, TrendBucket, TrendKey, Trends
from app.search.sql import review_keys
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
    request = SearchRequest(query=parse_search(q), filters=filters, offset=offset, limit=limit)
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
    query, ids = parse_search(q), list[str]()
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
    measure: Measure = Measure.reviews,
) -> Trends:
    require(principal, Permission.trends)
    dimensions = _dimensions(group_by)
    today = clock.today()
    if measure is Measure.reviews:
        counted = backend.trends(session, principal=principal, today=today, group_by=dimensions, filters=filters)
        found = [Cell(key, count) for key, count in counted]
    else:
        found = _measured(session, principal=principal, today=today, measure=measure, group_by=dimensions, filters=filters)
    suppressing = not allows(principal, Permission.trends_unsuppressed)
    # Counts of 1 to 4 are hidden; for a share or a median, those of 1 to 4 things (its denominator).
    hidden = suppress([(cell.key, cell.count) for cell in found]) if suppressing else set()
    # Shown buckets biggest first; hidden ones after them, by key, so their place reveals nothing.
    shown = [cell for cell in found if cell.key not in hidden]
    concealed = sorted((cell for cell in found if cell.key in hidden), key=lambda cell: tuple(str(v) for v in cell.key))
    ratio = measure in RATIOS

    def bucket(cell: Cell, *, show: bool) -> TrendBucket:
        key = TrendKey(**dict(zip(dimensions, cell.key, strict=True)))
        if not ratio:
            return TrendBucket(key=key, count=cell.count if show else None, suppressed=not show)
        return TrendBucket(
            key=key,
            count=cell.count if show else None,
            suppressed=not show,
            value=cell.value if show else None,
            denominator=cell.count if show else None,
        )

    return Trends(
        group_by=list(dimensions),
        measure=measure,
        suppression=suppressing,
        buckets=[*(bucket(cell, show=True) for cell in shown), *(bucket(cell, show=False) for cell in concealed)],
    )


# Rows read per query when measuring (well inside every database's limit on bound parameters).
_BATCH = 1000


def _measured(
    session: Session,
    *,
    principal: Principal,
    today: date,
    measure: Measure,
    group_by: tuple[str, ...],
    filters: ReviewFilters,
) -> list[Cell]:
    """A measure other than `reviews`, from the database on every backend (ADR 0028): the reviews the
    principal may read (the same grants as the backend's count), their actions and their context."""
    keyed = review_keys(session, principal=principal, today=today, group_by=group_by, filters=filters)
    ids = sorted({review_id for review_id, _ in keyed})
    facts: dict[str, ReviewFacts] = {}
    followed: dict[str, list[ActionFacts]] = defaultdict(list)
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        found = reviews.for_measures(session, batch)
        complete = (
            {review_id for review_id, warnings in review_service.learning_context(session, found).items() if not warnings}
            if measure is Measure.complete_context_share
            else set()
        )
        for review in found:
            facts[review.id] = ReviewFacts(
                recommendations=len(review.recommendations),
                submitted=review.submitted_at is not None,
                completed_on=review.completed_on,
                published_on=review.published_on,
                complete_context=review.id in complete,
            )
        if measure in ACTION_MEASURES:
            for action in action_plans.followed_actions(session, review_ids=batch):
                followed[action.review_id].append(
                    ActionFacts(
                        target_date=action.target_date, completed_on=action.completed_on(), overdue=action.is_overdue(today)
                    )
                )
    return measures.cells(measure, keyed, facts, followed)


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
