"""Recommendations on behalf of a caller: the similar ones of other reviews, and a search over them (ADR 0027)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import Field
from sqlmodel import Session

from app import audit
from app.action_plans.enums import ActionStatus
from app.auth.policies import Permission, require
from app.auth.principals import Principal
from app.clock import Clock
from app.errors import NotFound
from app.pagination import CursorPosition, decode_cursor, encode_cursor
from app.recommendations import repository
from app.recommendations.enums import ActionStatusFilter, ActionStatusSummary
from app.recommendations.repository import ActionsByRecommendation, RecommendationRow, ReviewRecommendations
from app.recommendations.schemas import (
    ActionCounts,
    RecommendationItem,
    RecommendationResults,
    ReviewBrief,
    SimilarRecommendation,
    SimilarRecommendations,
)
from app.reviews import repository as reviews
from app.reviews.access import readable_review
from app.reviews.repository import ReviewFilters
from app.search import similarity
from app.search.backend import SearchBackend
from app.search.query import ParsedQuery, parse, words

READ_IN_SEARCH = "review:read-in-search"
# The most reviews whose recommendations are scored against one: the newest that share a term.
MAX_CANDIDATE_REVIEWS = 1000
MAX_OFFSET = 10_000


class RecommendationsPosition(CursorPosition):
    """How many recommendations the earlier pages showed."""

    o: Annotated[int, Field(ge=0, lt=MAX_OFFSET)]


def action_status(actions: list[tuple[str, date]]) -> ActionStatusSummary:
    statuses = {status for status, _ in actions}
    if not statuses:
        return ActionStatusSummary.none
    if statuses == {ActionStatus.completed}:
        return ActionStatusSummary.completed
    if statuses == {ActionStatus.not_started}:
        return ActionStatusSummary.not_started
    return ActionStatusSummary.in_progress


@dataclass(frozen=True)
class _Found:
    review: ReviewRecommendations
    position: int
    recommendation: dict[str, Any]


def _item(found: _Found, actions: ActionsByRecommendation, today: date) -> dict[str, Any]:
    review, recommendation = found.review, found.recommendation
    its_actions = actions.get((review.id, recommendation["ref"]), [])
    return {
        "review": ReviewBrief(
            id=review.id,
            reference=review.reference,
            title=review.title,
            region=review.region,
            year=review.completed_on.year if review.completed_on else None,
        ),
        "ref": recommendation["ref"],
        "text": recommendation["text"],
        "level": recommendation["level"],
        "actions": ActionCounts(
            total=len(its_actions),
            completed=sum(1 for s, _ in its_actions if s == ActionStatus.completed),
            overdue=sum(1 for s, d in its_actions if s != ActionStatus.completed and d < today),
        ),
        "action_status": action_status(its_actions),
    }


def _audit_shown(session: Session, principal: Principal, review_ids: list[str], today: date) -> None:
    """A review's title and text shown outside its public window is a read to account for (as search does)."""
    shown = reviews.not_public(session, list(dict.fromkeys(review_ids)), today)
    if shown:
        audit.note_each(session, principal, READ_IN_SEARCH, target_type="review", target_ids=shown)


def _newest_first(found: _Found) -> tuple[Any, ...]:
    completed_on = found.review.completed_on
    return (completed_on is None, -completed_on.toordinal() if completed_on else 0, found.review.id, found.position)


def similar(
    session: Session,
    *,
    principal: Principal,
    backend: SearchBackend,
    review_id: str,
    ref: str,
    limit: int,
    clock: Clock,
) -> SimilarRecommendations:
    require(principal, Permission.search)
    today = clock.today()
    review = readable_review(session, principal=principal, review_id=review_id, today=today)
    position = next((i for i, r in enumerate(review.recommendations) if r["ref"] == ref), None)
    if position is None:
        raise NotFound(f"Review {review_id} has no recommendation {ref}.")
    source = _Found(
        ReviewRecommendations(
            review.id, review.reference, review.title, review.region, review.completed_on, review.recommendations
        ),
        position,
        review.recommendations[position],
    )
    source_terms = similarity.terms(source.recommendation["text"])
    # The backend finds candidates only; the database says again what the caller may read (the
    # index may lag), and one scorer, reading the pair alone, ranks them on every backend.
    candidate_ids = backend.recommendation_candidates(
        session,
        principal=principal,
        today=today,
        terms=similarity.query_terms(source.recommendation["text"]),
        excluding=review.id,
        limit=MAX_CANDIDATE_REVIEWS,
    )
    scored: list[tuple[float, _Found]] = []
    for candidate in repository.readable_among(session, principal=principal, today=today, review_ids=candidate_ids):
        if candidate.id == review.id:
            continue
        for i, recommendation in enumerate(candidate.recommendations):
            score = similarity.dice(source_terms, similarity.terms(recommendation["text"]))
            if score > 0:
                scored.append((score, _Found(candidate, i, recommendation)))
    scored.sort(key=lambda pair: (-pair[0], *_newest_first(pair[1])))
    shown = scored[:limit]
    actions = repository.actions_of(session, list(dict.fromkeys([review.id, *(f.review.id for _, f in shown)])))
    _audit_shown(session, principal, [review.id, *(f.review.id for _, f in shown)], today)
    return SimilarRecommendations(
        source=RecommendationItem(**_item(source, actions, today)),
        items=[SimilarRecommendation(**_item(found, actions, today), score=score) for score, found in shown],
    )


def _matches(query: ParsedQuery, text: str) -> bool:
    """Every required clause found in the text (a word, or a phrase's words in a row), no excluded one."""
    found = words(text)

    def has(alternative: tuple[str, ...]) -> bool:
        n = len(alternative)
        return any(found[i : i + n] == alternative for i in range(len(found) - n + 1))

    return all(any(has(a) for a in clause) for clause in query.required) and not any(has(a) for a in query.excluded)


def _row_item(row: RecommendationRow, actions: ActionsByRecommendation, today: date) -> RecommendationItem:
    review = ReviewRecommendations(row.review_id, row.reference, row.title, row.region, row.completed_on, [])
    recommendation = {"ref": row.ref, "text": row.text, "level": row.level}
    return RecommendationItem(**_item(_Found(review, row.position, recommendation), actions, today))


def search(
    session: Session,
    *,
    principal: Principal,
    q: str | None,
    level: str | None,
    action_status_filter: ActionStatusFilter | None,
    filters: ReviewFilters,
    limit: int,
    cursor: str | None,
    clock: Clock,
) -> RecommendationResults:
    """The level, the status of the actions, what the caller may read, the order, the page and the
    total are the database's; words (whole, unstemmed, per recommendation) are matched here, over
    the rows the database admits, read in batches, since no full-text index matches them alike."""
    require(principal, Permission.search)
    today = clock.today()
    offset = decode_cursor(cursor, RecommendationsPosition).o if cursor is not None else 0
    query = parse(q) if q is not None else None
    if query is not None and query.is_empty:
        return RecommendationResults(total=0, items=[])
    admitted = repository.recommendations_query(
        session, principal=principal, today=today, filters=filters, level=level, action_status=action_status_filter
    )
    page: list[RecommendationRow]
    if query is None:
        total = repository.count_of(session, admitted)
        page = repository.page_of(session, admitted, offset=offset, limit=limit)
    else:
        total, page = 0, []
        for row in repository.each_of(session, admitted):
            if _matches(query, row.text):
                if offset <= total < offset + limit:
                    page.append(row)
                total += 1
    actions = repository.actions_of(session, list(dict.fromkeys(row.review_id for row in page)))
    _audit_shown(session, principal, [row.review_id for row in page], today)
    following = offset + limit
    return RecommendationResults(
        total=total,
        items=[_row_item(row, actions, today) for row in page],
        next_cursor=encode_cursor(RecommendationsPosition(o=following)) if following < min(total, MAX_OFFSET) else None,
    )
