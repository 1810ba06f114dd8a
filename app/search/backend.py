"""The one search interface, and the document every backend indexes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlmodel import Session

from app.auth.principals import Principal
from app.errors import ServiceUnavailable
from app.language import Language
from app.reviews.models import Review
from app.reviews.repository import ReviewFilters
from app.search.query import SearchQuery

# What search results and trends can be grouped by, in the API's words.
FACETS = ("region", "kind", "review_type", "theme", "year")
DIMENSIONS = ("region", "year", "kind", "review_type", "theme", "age_band", "agency", "coded_theme", "perspective")

# Relevance (ADR 0022): each required clause of the query scores the weight of every tier of fields
# it is found in. A score depends on the review alone, never on how many other reviews (readable by
# the caller or not) contain the words, so it cannot reveal hidden reviews, and every backend agrees.
# Equal scores go newest first (completed_on), then by id.
RANK_TIERS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("title",), 10),
    (("summary", "recommendations"), 4),
    (("full_text",), 1),
)


class SearchUnavailable(ServiceUnavailable):
    """The backend cannot be reached (a 503 to readers); writes still stand and wait in the outbox."""

    def __init__(self, detail: str = "Search is temporarily unavailable. Try again shortly.") -> None:
        super().__init__(detail, headers={"Retry-After": "10"})


def ordered(cells: Iterable[tuple[tuple[Any, ...], int]]) -> list[tuple[tuple[Any, ...], int]]:
    """The one order for facets and trend buckets on every backend: biggest first, then by key."""
    return sorted(cells, key=lambda cell: (-cell[1], tuple(str(v) for v in cell[0])))


@dataclass(frozen=True)
class SearchDocument:
    """A review as search sees it: rebuilt from the database whenever the review changes."""

    id: str
    version: int
    reference: str
    region: str
    kind: str
    review_type: str | None
    status: str
    year: int | None
    completed_on: date | None
    published_on: date | None
    public_until: date | None
    age_band: str | None
    themes: list[str]
    agencies: list[str]
    abuse_categories: list[str]
    title: str
    summary: str
    recommendations: str
    # The report's text is indexed in the review's language: `full_text` for English, `full_text_cy`.
    full_text: str
    title_cy: str = ""
    summary_cy: str = ""
    recommendations_cy: str = ""
    full_text_cy: str = ""
    # The learning themes coders coded the review with, and the perspectives they coded from.
    coded_themes: list[str] = field(default_factory=list)
    perspectives: list[str] = field(default_factory=list)
    # Each coding's theme and perspective together, as "theme|perspective" (codes hold no "|"): a
    # (theme, perspective) bucket takes both from one coding, never one from each of two.
    coded_pairs: list[str] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        review: Review,
        *,
        coded: tuple[list[str], list[str], list[tuple[str, str]]] = ([], [], []),
        coding_changes: int = 0,
    ) -> SearchDocument:
        """`coded`: the review's coded themes, perspectives and (theme, perspective) pairs, one per
        coding; `coding_changes`: how many times its
        codings have changed (history's count, which only grows). The document's version is the
        review's plus that count, so a coding change is a newer version too (external versioning)."""
        welsh = review.language == Language.cy
        return cls(
            id=review.id,
            version=review.version + coding_changes,
            reference=review.reference,
            region=review.region,
            kind=review.kind,
            review_type=review.review_type,
            status=review.status,
            year=review.completed_on.year if review.completed_on else None,
            completed_on=review.completed_on,
            published_on=review.published_on,
            public_until=review.public_until,
            age_band=review.age_band,
            themes=review.tag_codes("theme"),
            agencies=review.tag_codes("agency"),
            abuse_categories=review.tag_codes("abuse_category"),
            title=review.title,
            summary=review.summary or "",
            recommendations="\n".join(r["text"] for r in review.recommendations),
            full_text="" if welsh else (review.full_text or ""),
            title_cy=review.title_cy or "",
            summary_cy=review.summary_cy or "",
            recommendations_cy="\n".join(r["text_cy"] for r in review.recommendations if r.get("text_cy")),
            full_text_cy=(review.full_text or "") if welsh else "",
            coded_themes=list(coded[0]),
            perspectives=list(coded[1]),
            coded_pairs=[pair_of(theme, perspective) for theme, perspective in coded[2]],
        )


def pair_of(theme: str, perspective: str) -> str:
    """A coding's theme and perspective as one keyword (`coded_pairs`)."""
    return f"{theme}|{perspective}"


@dataclass(frozen=True)
class SearchRequest:
    query: SearchQuery
    filters: ReviewFilters
    offset: int
    limit: int


@dataclass
class Hit:
    id: str
    reference: str
    region: str
    kind: str
    review_type: str | None
    status: str
    title: str
    title_cy: str | None
    completed_on: date | None
    score: float
    highlights: list[str]


@dataclass
class SearchPage:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)


class SearchBackend(Protocol):
    name: str
    # True when the database indexes a review in the transaction that changes it (the SQL backend):
    # then nothing needs the search outbox.
    indexes_in_transaction: bool

    def index(self, documents: list[SearchDocument]) -> None:
        """Write these documents; a stale version never overwrites a newer one."""

    def remove(self, review_ids: list[str]) -> None:
        """Take these reviews out of the index (reviews are never deleted; this is for repairs)."""

    def search(self, session: Session, *, principal: Principal, today: date, request: SearchRequest) -> SearchPage:
        """Ranked hits the principal may read, with highlights and facet counts."""

    def trends(
        self, session: Session, *, principal: Principal, today: date, group_by: tuple[str, ...], filters: ReviewFilters
    ) -> list[tuple[tuple[Any, ...], int]]:
        """Review counts per combination of the group_by dimensions, over what the principal may read."""

    def recommendation_candidates(
        self, session: Session, *, principal: Principal, today: date, terms: list[str], excluding: str, limit: int
    ) -> list[str]:
        """Ids of the reviews the principal may read, other than `excluding`, whose recommendations
        hold at least one of `terms` (as the index stems them): at most `limit`, newest first
        (completed_on, reviews without a date last), then by id. Finds only; nothing is scored here
        (app.search.similarity scores each pair, ADR 0027)."""

    def reindex(self, batches: Iterable[list[SearchDocument]]) -> str:
        """Rebuild the whole index from these documents without a gap in service; names the result."""

    def health(self) -> str:
        """`ok` (or the cluster's colour), or why not."""
