"""Every query on reviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlalchemy import select as sa_select
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from app.auth.policies import READ_GRANTS, ReadGrant
from app.auth.principals import Principal, Role
from app.codings.models import Coding
from app.documents.models import ReviewDocument
from app.reviews.models import Review, ReviewTag
from app.vocab import repository as vocab
from app.vocab.enums import Vocabulary


@dataclass(frozen=True)
class ReviewFilters:
    region: str | None = None
    kind: str | None = None
    review_type: str | None = None
    status: str | None = None
    year: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    theme: str | None = None
    age_band: str | None = None
    coded_theme: str | None = None  # a learning theme some coder coded the review with


@dataclass(frozen=True)
class Position:
    """Where a page ends in the listing order (newest first)."""

    created_at: datetime
    id: str


def _grant_clause(grant: ReadGrant, principal: Principal, today: date) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = [col(Review.status).in_([s.value for s in grant.statuses])]
    if grant.own_region_only:
        parts.append(col(Review.region) == principal.region if principal.region else false())
    if grant.within_public_window:
        parts.append(col(Review.public_until) >= today)
    return and_(*parts)


def visibility_clause(principal: Principal, today: date) -> ColumnElement[bool]:
    """The SQL form of READ_GRANTS: the reviews this principal may read."""
    grants = READ_GRANTS[principal.role]
    return or_(*(_grant_clause(g, principal, today) for g in grants)) if grants else false()


def _has_tag(vocabulary: str, code: str) -> ColumnElement[bool]:
    return (
        select(ReviewTag.review_id)
        .where(ReviewTag.review_id == Review.id, ReviewTag.vocabulary == vocabulary, ReviewTag.code == code)
        .exists()
    )


def filter_clause(filters: ReviewFilters) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    for field in ("region", "kind", "review_type", "status", "age_band"):
        value = getattr(filters, field)
        if value is not None:
            parts.append(getattr(Review, field) == value)
    if filters.year is not None:
        parts.append(col(Review.completed_on).between(date(filters.year, 1, 1), date(filters.year, 12, 31)))
    if filters.year_from is not None:
        parts.append(col(Review.completed_on) >= date(filters.year_from, 1, 1))
    if filters.year_to is not None:
        parts.append(col(Review.completed_on) <= date(filters.year_to, 12, 31))
    if filters.theme is not None:
        parts.append(_has_tag("theme", filters.theme))
    if filters.coded_theme is not None:
        # The theme or any theme under it (ADR 0032): a sub-theme's coding is a coding of its theme too.
        lines = vocab.lineage(Vocabulary.learning_theme.value)
        family = sa_select(lines.c.code).where(lines.c.ancestor == filters.coded_theme)
        parts.append(select(Coding.id).where(col(Coding.review_id) == Review.id, col(Coding.theme).in_(family)).exists())
    return and_(true(), *parts)


def not_public(session: Session, review_ids: list[str], today: date) -> list[str]:
    """Those of these reviews that an anonymous caller may not read today (outside their public window)."""
    if not review_ids:
        return []
    anonymous = Principal(subject="anonymous", role=Role.anonymous)
    found = session.exec(select(Review.id).where(col(Review.id).in_(review_ids), ~visibility_clause(anonymous, today))).all()
    hidden = set(found)
    return [review_id for review_id in review_ids if review_id in hidden]


# The report's text is tens of kilobytes that a read rarely shows: it loads when first touched.
_WITHOUT_TEXT = (defer(Review.full_text),)  # type: ignore[arg-type]


def get(session: Session, review_id: str) -> Review | None:
    return session.get(Review, review_id, options=_WITHOUT_TEXT)


def get_many(session: Session, review_ids: list[str]) -> list[Review]:
    return list(session.execute(select(Review).where(col(Review.id).in_(review_ids))).scalars())


def in_id_order(session: Session, *, after: str, limit: int) -> list[Review]:
    """Every review, `limit` at a time, in id order (a rebuild of the search index walks them all)."""
    return list(session.execute(select(Review).where(col(Review.id) > after).order_by(col(Review.id)).limit(limit)).scalars())


def region_references(session: Session, among: list[tuple[str, str]] | None = None) -> set[tuple[str, str]]:
    """The (region, reference) keys that exist: all of them, or those of `among`."""
    query = select(col(Review.region), col(Review.reference))
    if among is not None:
        regions = {region for region, _ in among}
        references = {reference for _, reference in among}
        query = query.where(col(Review.region).in_(regions), col(Review.reference).in_(references))
    found = {(region, reference) for region, reference in session.execute(query)}
    return found if among is None else found & set(among)


def add(session: Session, review: Review) -> None:
    session.add(review)
    session.flush()


def reference_holder_status(session: Session, *, region: str, reference: str, other_than: str | None = None) -> str | None:
    """The status of the review (other than `other_than`) holding this reference in this region, or None."""
    query = select(Review.status).where(Review.region == region, Review.reference == reference)
    if other_than is not None:
        query = query.where(Review.id != other_than)
    return session.exec(query).first()


def list_visible(
    session: Session,
    *,
    principal: Principal,
    today: date,
    filters: ReviewFilters,
    limit: int,
    after: Position | None,
) -> list[Review]:
    query = select(Review).where(visibility_clause(principal, today), filter_clause(filters))
    if after is not None:
        query = query.where(
            or_(
                col(Review.created_at) < after.created_at,
                and_(col(Review.created_at) == after.created_at, col(Review.id) < after.id),
            )
        )
    query = query.order_by(col(Review.created_at).desc(), col(Review.id).desc()).limit(limit)
    return list(session.exec(query.options(*_WITHOUT_TEXT)))


@dataclass(frozen=True)
class Milestones:
    """When a review reached each step: enough to say since when it has been what it is now."""

    id: str
    status: str
    created_at: datetime
    submitted_at: datetime | None
    published_on: date | None
    withdrawn_at: datetime | None


def milestones_visible(session: Session, *, principal: Principal, today: date, among: list[str] | None) -> list[Milestones]:
    """The dates of the reviews (of `among`, or all) this principal may read today: no review text."""
    query = sa_select(
        col(Review.id),
        col(Review.status),
        col(Review.created_at),
        col(Review.submitted_at),
        col(Review.published_on),
        col(Review.withdrawn_at),
    ).where(visibility_clause(principal, today))
    if among is not None:
        if not among:
            return []
        query = query.where(col(Review.id).in_(among))
    return [Milestones(*row) for row in session.execute(query).all()]


def with_document(session: Session, review_ids: list[str], kind: str) -> set[str]:
    """Those of these reviews that carry a document of this kind (the timeline, for the learning context)."""
    if not review_ids:
        return set()
    query = select(ReviewDocument.review_id).where(col(ReviewDocument.review_id).in_(review_ids), ReviewDocument.kind == kind)
    return set(session.exec(query).all())


def for_measures(session: Session, review_ids: list[str]) -> list[Review]:
    """These reviews, without their report text (trends measure them, they never show it)."""
    if not review_ids:
        return []
    query = select(Review).where(col(Review.id).in_(review_ids)).options(*_WITHOUT_TEXT)
    return list(session.execute(query).scalars())
