"""Saved searches and feeds: who may keep them, the feed's token, and what a feed may show.

A saved search's feed is read with its owner's stored subject, role and region, today: the same
permission, parser and backend as GET /search, then the database picks the newest of the matches
the owner may read (ADR 0029). The token is a capability: only its sha256 is kept, compared in
constant time, and a wrong or revoked one answers 404 like a missing feed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlmodel import Session

from app import audit
from app.auth import service as accounts
from app.auth.policies import Permission, allows, can_read, require
from app.auth.principals import ANONYMOUS, Principal, Role
from app.clock import Clock
from app.errors import InvalidInput, NotFound, ProblemItem
from app.feeds import repository
from app.feeds.models import SavedSearch
from app.feeds.schemas import SavedFilters, SavedSearchCreate
from app.reviews import service as reviews
from app.reviews.models import Review
from app.schemas import STORED
from app.search import service as search
from app.search.backend import SearchBackend
from app.vocab.enums import Vocabulary
from app.vocab.service import check_codes, list_regions

CREATE = "saved-search:create"
DELETE = "saved-search:delete"
ROTATE = "saved-search:rotate-token"
REVOKE = "saved-search:revoke-token"
READ_IN_FEED = "review:read-in-feed"

FEED_ENTRIES = 50  # a feed shows the newest 50 matches
MAX_PER_ACCOUNT = 100


@dataclass(frozen=True)
class FeedItem:
    review: Review
    since: datetime  # when it became readable as it is now: the entry's `updated`


@dataclass(frozen=True)
class FeedContent:
    """What a feed shows; the router renders it as Atom (it knows the addresses)."""

    key: str  # the saved search's id, or "published"
    title: str
    updated: datetime
    items: list[FeedItem]


def new_token() -> tuple[str, str]:
    """A fresh token and its hash (hex sha256: the token is 256 random bits, so no salt or stretching)."""
    token = secrets.token_urlsafe(32)
    return token, _hash(token)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def list_saved(session: Session, *, principal: Principal) -> list[SavedSearch]:
    require(principal, Permission.saved_searches)
    return repository.of_owner(session, principal.subject)


def create(session: Session, *, principal: Principal, data: SavedSearchCreate, clock: Clock) -> tuple[SavedSearch, str]:
    """The saved search and its feed's token (shown this once)."""
    audit.note(session, principal, CREATE, target_type="saved_search")
    require(principal, Permission.saved_searches)
    check_filter_codes(session, data.filters)
    if repository.count_of_owner(session, principal.subject) >= MAX_PER_ACCOUNT:
        raise InvalidInput(
            f"An account keeps at most {MAX_PER_ACCOUNT} saved searches; delete one first.",
            errors=[ProblemItem(code="too-many-saved-searches", detail=f"at most {MAX_PER_ACCOUNT} per account")],
        )
    token, token_hash = new_token()
    now = clock.now()
    saved = SavedSearch(
        owner_subject=principal.subject,
        owner_role=principal.role.value,
        owner_region=principal.region,
        name=data.name,
        q=data.q,
        filters=data.filters.stored(),
        token_hash=token_hash,
        created_at=now,
        token_issued_at=now,
    )
    repository.add(session, saved)
    audit.note(session, principal, CREATE, target_type="saved_search", target_id=saved.id)
    return saved, token


def check_filter_codes(session: Session, filters: SavedFilters) -> None:
    """A saved search outlives the request: a region or code that does not exist is a typo that would
    never match, so it is refused (422 `unknown-code`, every one at once) rather than kept."""
    problems: list[ProblemItem] = []
    if filters.region is not None and filters.region not in {region.code for region in list_regions(session)}:
        problems.append(
            ProblemItem(
                code="unknown-code",
                detail=f"'{filters.region}' is not a known region; GET /api/v1/regions lists them.",
                location="body",
                field="filters.region",
                pointer="#/filters/region",
            )
        )
    try:
        check_codes(
            session,
            single={
                "filters.theme": (Vocabulary.theme, filters.theme),
                "filters.age_band": (Vocabulary.age_band, filters.age_band),
                "filters.coded_theme": (Vocabulary.learning_theme, filters.coded_theme),
            },
        )
    except InvalidInput as exc:
        problems.extend(exc.errors or [])
    if problems:
        raise InvalidInput(f"{len(problems)} code(s) are not in the registry's vocabularies.", errors=problems)


def _owned(session: Session, *, principal: Principal, saved_search_id: str) -> SavedSearch:
    """The caller's own saved search, or 404 (someone else's answers like a missing one)."""
    require(principal, Permission.saved_searches)
    saved = repository.get(session, saved_search_id)
    if saved is None or saved.owner_subject != principal.subject:
        raise NotFound(f"You have no saved search {saved_search_id}.")
    return saved


def delete(session: Session, *, principal: Principal, saved_search_id: str) -> None:
    audit.note(session, principal, DELETE, target_type="saved_search", target_id=saved_search_id)
    repository.delete(session, _owned(session, principal=principal, saved_search_id=saved_search_id))


def rotate_token(session: Session, *, principal: Principal, saved_search_id: str, clock: Clock) -> tuple[SavedSearch, str]:
    """A new token (shown this once); the old one stops working at once."""
    audit.note(session, principal, ROTATE, target_type="saved_search", target_id=saved_search_id)
    saved = _owned(session, principal=principal, saved_search_id=saved_search_id)
    token, saved.token_hash = new_token()
    saved.token_issued_at = clock.now()
    repository.add(session, saved)
    return saved, token


def revoke_token(session: Session, *, principal: Principal, saved_search_id: str) -> None:
    audit.note(session, principal, REVOKE, target_type="saved_search", target_id=saved_search_id)
    saved = _owned(session, principal=principal, saved_search_id=saved_search_id)
    saved.token_hash, saved.token_issued_at = None, None
    repository.add(session, saved)


def _owner(session: Session, saved: SavedSearch) -> Principal | None:
    """The owner as saved, while their account still stands so: deactivated, or given another role or
    region, it no longer reads through its feeds (ADR 0034)."""
    try:
        role = Role(saved.owner_role)
    except ValueError:
        return None
    owner = Principal(subject=saved.owner_subject, role=role, region=saved.owner_region)
    return owner if accounts.still_holds(session, owner) else None


def saved_search_feed(session: Session, *, saved_search_id: str, token: str, backend: SearchBackend, clock: Clock) -> FeedContent:
    """The newest matches the owner may read today. A missing search, a wrong or revoked token, an
    owner whose account was deactivated or changed, or whose role no longer keeps saved searches: 404,
    all alike."""
    saved = repository.get(session, saved_search_id)
    presented = _hash(token)
    stored = saved.token_hash if saved is not None and saved.token_hash is not None else ""
    owner = _owner(session, saved) if saved is not None else None
    if (
        saved is None
        or owner is None
        or not hmac.compare_digest(presented.encode(), stored.encode())
        or not allows(owner, Permission.saved_searches)
    ):
        raise NotFound("There is no feed at this address.")
    today = clock.today()
    filters = SavedFilters.model_validate(saved.filters, context=STORED).as_review_filters()
    ids = search.matching_ids(session, principal=owner, backend=backend, q=saved.q, filters=filters, clock=clock)
    dated = reviews.newest_readable(session, principal=owner, today=today, among=ids, limit=FEED_ENTRIES)
    # Like a search: showing a review outside its public window is a read to account for, on the owner's behalf.
    not_public = [
        review.id
        for review, _ in dated
        if not can_read(ANONYMOUS, region=review.region, status=review.status, public_until=review.public_until, today=today)
    ]
    if not_public:
        audit.note_each(session, owner, READ_IN_FEED, target_type="review", target_ids=not_public)
    items = [FeedItem(review, since) for review, since in dated]
    return FeedContent(
        key=saved.id,
        title=f"Safeguarding reviews: {saved.name or saved.q}",
        updated=items[0].since if items else saved.created_at,
        items=items,
    )


def published_feed(session: Session, *, clock: Clock) -> FeedContent:
    """Exactly what an anonymous caller may read: published reviews inside their public window."""
    today = clock.today()
    dated = reviews.newest_readable(session, principal=ANONYMOUS, today=today, among=None, limit=FEED_ENTRIES)
    items = [FeedItem(review, since) for review, since in dated]
    return FeedContent(
        key="published",
        title="Safeguarding reviews: newly published",
        updated=items[0].since if items else datetime.combine(today, time(), tzinfo=UTC),
        items=items,
    )
