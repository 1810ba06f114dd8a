"""Authorization as data: what each role may do, and which reviews it may read.

The per-record checks below and the list filter in `app.reviews.repository` (later, the search
filter) are all derived from READ_GRANTS, so a list and a read can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.auth.principals import Principal, Role
from app.errors import AuthenticationRequired, Forbidden
from app.reviews.enums import ReviewStatus


class Permission(StrEnum):
    review_create = "review:create"
    review_edit = "review:edit"
    review_submit = "review:submit"
    review_publish = "review:publish"
    review_withdraw = "review:withdraw"
    review_reinstate = "review:reinstate"
    review_correct = "review:correct"  # correct a submitted or published review, with a reason (ADR 0033)
    review_move = "review:move"  # correct a review's region: move it to another board
    review_redact = "review:redact"  # remove given text from a review and its whole history (admins, ADR 0038)
    revisions_read = "review:revisions"
    action_plan_write = "action-plan:write"
    action_progress_write = "action-plan:progress"
    search = "search"
    trends = "trends"
    trends_unsuppressed = "trends:unsuppressed"
    overdue_read = "actions:overdue"
    audit_read = "audit:read"
    accounts_manage = "accounts:manage"
    vocabularies_manage = "vocabularies:manage"
    codings_write = "codings:write"  # code reviews against the learning themes, and read one's own codings
    codings_agreement = "codings:agreement"  # the agreement between coders (statistics, not the codings)
    codings_read_all = "codings:read-all"  # every coder's codings of a review (GET ...?coder=all), ADR 0026
    saved_searches = "saved-searches"  # keep searches and follow their feeds
    reviews_import = "reviews:import"  # upload an archive of reviews, and follow its import jobs (ADR 0035)


class Scope(StrEnum):
    own_region = "own_region"
    any_region = "any_region"


_BOARD_WORK = (
    Permission.review_create,
    Permission.review_edit,
    Permission.review_submit,
    Permission.review_publish,
    Permission.review_withdraw,
    Permission.review_correct,
    Permission.revisions_read,
    Permission.action_plan_write,
    Permission.action_progress_write,
    Permission.overdue_read,
    Permission.reviews_import,
)

# What every signed-in reader does: find, count, and follow what is published.
_READER_WORK = (Permission.search, Permission.trends, Permission.saved_searches)
# Coding reviews against the learning themes (researchers, the inspectorate and admins).
_CODER_WORK = (Permission.codings_write, Permission.codings_agreement)

PERMISSIONS: dict[Role, dict[Permission, Scope]] = {
    Role.board: {p: Scope.own_region for p in _BOARD_WORK} | {p: Scope.any_region for p in _READER_WORK},
    Role.inspectorate: {p: Scope.any_region for p in (*_READER_WORK, *_CODER_WORK)}
    | {
        Permission.trends_unsuppressed: Scope.any_region,
        Permission.overdue_read: Scope.any_region,
        Permission.audit_read: Scope.any_region,
        Permission.revisions_read: Scope.any_region,
        Permission.codings_read_all: Scope.any_region,
    },
    Role.practitioner: {p: Scope.any_region for p in _READER_WORK},
    Role.researcher: {p: Scope.any_region for p in (*_READER_WORK, *_CODER_WORK)},
    Role.admin: {p: Scope.any_region for p in Permission},
    Role.anonymous: {},
}


@dataclass(frozen=True)
class ReadGrant:
    """One way a role may see a review: in these statuses, optionally only its own region's,
    optionally only while the review is inside its public window."""

    statuses: frozenset[ReviewStatus]
    own_region_only: bool = False
    within_public_window: bool = False


_ALL = frozenset(ReviewStatus)
_PUBLISHED = frozenset({ReviewStatus.published})

READ_GRANTS: dict[Role, tuple[ReadGrant, ...]] = {
    Role.board: (
        ReadGrant(frozenset({ReviewStatus.draft, ReviewStatus.submitted, ReviewStatus.published}), own_region_only=True),
        ReadGrant(_PUBLISHED),
    ),
    Role.inspectorate: (ReadGrant(frozenset({ReviewStatus.submitted, ReviewStatus.published, ReviewStatus.withdrawn})),),
    Role.practitioner: (ReadGrant(_PUBLISHED),),
    Role.researcher: (ReadGrant(_PUBLISHED),),
    Role.admin: (ReadGrant(_ALL),),
    Role.anonymous: (ReadGrant(_PUBLISHED, within_public_window=True),),
}


def grant_admits(
    grant: ReadGrant, principal: Principal, *, region: str, status: str, public_until: date | None, today: date
) -> bool:
    if status not in grant.statuses:
        return False
    if grant.own_region_only and region != principal.region:
        return False
    return not (grant.within_public_window and (public_until is None or today > public_until))


def can_read(principal: Principal, *, region: str, status: str, public_until: date | None, today: date) -> bool:
    return any(
        grant_admits(g, principal, region=region, status=status, public_until=public_until, today=today)
        for g in READ_GRANTS[principal.role]
    )


def scope_of(principal: Principal, permission: Permission) -> Scope | None:
    return PERMISSIONS[principal.role].get(permission)


def allows(principal: Principal, permission: Permission, *, region: str | None = None) -> bool:
    scope = scope_of(principal, permission)
    if scope is None:
        return False
    if scope is Scope.own_region and region is not None:
        return region == principal.region
    return True


def require(principal: Principal, permission: Permission, *, region: str | None = None) -> None:
    """Raise 401 for an anonymous caller, 403 for one whose role or region does not allow it."""
    if allows(principal, permission, region=region):
        return
    if principal.is_anonymous:
        raise AuthenticationRequired()
    if scope_of(principal, permission) is Scope.own_region:
        raise Forbidden(f"A {principal.role} account acts only for its own region ({principal.region}).")
    raise Forbidden(f"A {principal.role} account may not do this.")
