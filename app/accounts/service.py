"""Managing accounts: admins create, read, change and deactivate users and API clients; everyone
signed in with a password changes their own. The CLI's bootstrap commands (`registry create-user`,
`create-client`) call `create_user` and `create_client` here, so both apply the same rules.

Every change that alters what an account's tokens stand for (active, role, region, password,
secret) adds one to its token generation: each token issued before is refused on its next use,
on every replica, because every request compares the token's generation with the database's
(app/auth/service.py `check_still_valid`, ADR 0034). Passwords and secrets are kept as Argon2
hashes only; neither they nor their hashes reach an answer, a log or the audit trail.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from app import audit
from app.accounts import repository
from app.accounts.repository import AccountFilters
from app.accounts.schemas import (
    ACCOUNT_NAME,
    MAX_NAME_LENGTH,
    MIN_PASSWORD_LENGTH,
    AccountCreated,
    AccountOut,
    AccountPage,
    AccountPatch,
    ClientCreate,
    ClientSecret,
    PasswordChange,
    UserCreate,
)
from app.audit import bounds
from app.auth import repository as accounts
from app.auth import throttle
from app.auth.models import ApiClient, User
from app.auth.passwords import hash_secret, verify_secret
from app.auth.policies import Permission, require
from app.auth.principals import ACCOUNT_ROLES, AccountKind, Principal, Role
from app.auth.throttle import LoginLimits
from app.clock import Clock
from app.columns import utcnow
from app.db import write_transaction
from app.errors import Conflict, InvalidInput, InvalidTransition, NotFound, ProblemItem
from app.etags import check_if_match, lost_race_is_412
from app.pagination import CursorPosition, decode_cursor, encode_cursor
from app.vocab.service import check_codes

Account = User | ApiClient


# --- The rules, shared with the CLI ------------------------------------------------------------


def _problem(code: str, detail: str, field: str | None) -> ProblemItem:
    return ProblemItem(code=code, detail=detail, location="body", field=field, pointer=f"#/{field}" if field else "#")


def check_role_and_region(session: Session, role: str, region: str | None) -> Role:
    """A role accounts may hold; a board has its region, and no other role has one."""
    problems = []
    if role not in {r.value for r in ACCOUNT_ROLES}:
        problems.append(_problem("unknown-role", f"role must be one of {', '.join(ACCOUNT_ROLES)}", "role"))
    elif role == Role.board and not region:
        problems.append(_problem("region-required", "a board account needs its region", "region"))
    elif role != Role.board and region is not None:
        problems.append(_problem("region-not-allowed", f"only a board account has a region, not a {role} account", "region"))
    if problems:
        raise InvalidInput("The account is not valid.", errors=problems)
    check_codes(session, region=region)
    return Role(role)


def check_password_strength(password: str, *, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "The password is too short.",
            errors=[_problem("too-short", f"at least {MIN_PASSWORD_LENGTH} characters", field)],
        )


def _check_name(session: Session, name: str, *, field: str) -> None:
    """A name the schema allows (the CLI's too), taken by no account of either kind: one name, one
    account. A client's id is also its account id, so it must not be a user's id either."""
    if not re.fullmatch(ACCOUNT_NAME, name) or len(name) > MAX_NAME_LENGTH:
        detail = f"1 to {MAX_NAME_LENGTH} letters, digits and . _ @ -, starting with a letter or digit"
        raise InvalidInput(f"The {field} is not valid.", errors=[_problem("invalid-name", detail, field)])
    taken = accounts.user_by_username(session, name) or accounts.client_by_id(session, name) or accounts.user_by_id(session, name)
    if taken is not None:
        raise Conflict(f"There is already an account '{name}'.")


def create_user(
    session: Session, *, username: str, password: str, role: str, region: str | None, now: datetime | None = None
) -> User:
    checked = check_role_and_region(session, role, region)
    check_password_strength(password)
    _check_name(session, username, field="username")
    now = now or utcnow()
    user = User(
        username=username, password_hash=hash_secret(password), role=checked, region=region, created_at=now, updated_at=now
    )
    accounts.add(session, user)
    return user


def create_client(
    session: Session, *, client_id: str, role: str, region: str | None, now: datetime | None = None
) -> tuple[ApiClient, str]:
    """A new API client and its secret, which is shown once and kept only as a hash."""
    checked = check_role_and_region(session, role, region)
    _check_name(session, client_id, field="client_id")
    now = now or utcnow()
    secret = _new_secret()
    client = ApiClient(
        client_id=client_id, secret_hash=hash_secret(secret), role=checked, region=region, created_at=now, updated_at=now
    )
    accounts.add(session, client)
    return client, secret


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def _changed(account: Account, now: datetime) -> None:
    """A change that ends every token issued to the account before it."""
    account.token_generation += 1
    account.version += 1
    account.updated_at = now


# --- Admins, through the API ------------------------------------------------------------------


def _managed(session: Session, principal: Principal, action: str, account_id: str | None = None) -> None:
    audit.note(session, principal, action, target_type="account", target_id=account_id)
    require(principal, Permission.accounts_manage)


def _account(session: Session, account_id: str) -> Account:
    account: Account | None = accounts.user_by_id(session, account_id) or accounts.client_by_id(session, account_id)
    if account is None:
        raise NotFound(f"There is no account {account_id}.")
    return account


def create_account(session: Session, *, principal: Principal, data: UserCreate | ClientCreate, clock: Clock) -> AccountCreated:
    _managed(session, principal, "account:create")
    if isinstance(data, UserCreate):
        user = create_user(
            session, username=data.username, password=data.password, role=data.role, region=data.region, now=clock.now()
        )
        audit.note(session, principal, "account:create", target_type="account", target_id=user.id)
        return AccountCreated.model_validate(AccountOut.of(user).model_dump())
    client, secret = create_client(session, client_id=data.client_id, role=data.role, region=data.region, now=clock.now())
    audit.note(session, principal, "account:create", target_type="account", target_id=client.client_id)
    return AccountCreated.model_validate(AccountOut.of(client).model_dump() | {"client_secret": secret})


class AccountPosition(CursorPosition):
    """The next page holds the accounts after this one: users by username, then clients by id."""

    kind: AccountKind
    after: str


def list_accounts(
    session: Session,
    *,
    principal: Principal,
    kind: AccountKind | None,
    filters: AccountFilters,
    limit: int,
    cursor: str | None,
) -> AccountPage:
    _managed(session, principal, "account:list")
    position = decode_cursor(cursor, AccountPosition) if cursor is not None else None
    found: list[Account] = []
    if kind in (None, AccountKind.user) and (position is None or position.kind is AccountKind.user):
        found += repository.users_page(session, filters, after=position.after if position else None, limit=limit + 1)
    if kind in (None, AccountKind.client) and len(found) <= limit:
        after = position.after if position is not None and position.kind is AccountKind.client else None
        found += repository.clients_page(session, filters, after=after, limit=limit + 1 - len(found))
    next_cursor = None
    if len(found) > limit:
        last = AccountOut.of(found[limit - 1])
        next_cursor = encode_cursor(AccountPosition(kind=last.kind, after=last.username or last.client_id or ""))
    return AccountPage(items=[AccountOut.of(account) for account in found[:limit]], next_cursor=next_cursor)


def get_account(session: Session, *, principal: Principal, account_id: str) -> AccountOut:
    _managed(session, principal, "account:read", account_id)
    return AccountOut.of(_account(session, account_id))


def _action_of(patch: AccountPatch) -> str:
    if patch.active is False:
        return "account:deactivate"
    if patch.active is True:
        return "account:reactivate"
    return "account:update"


def update_account(
    session: Session, *, principal: Principal, account_id: str, patch: AccountPatch, if_match: str | None, clock: Clock
) -> AccountOut:
    """Deactivate, reactivate, or give a new role or region (JSON merge patch, If-Match)."""
    _managed(session, principal, _action_of(patch), account_id)
    changes = patch.model_dump(exclude_unset=True)
    if not changes:
        raise InvalidInput(
            "The patch changes nothing.",
            errors=[_problem("empty-patch", "send at least one of active, role and region", None)],
        )
    account = _account(session, account_id)
    check_if_match(if_match, account.version, what="account")
    role, region = changes.get("role", account.role), changes.get("region", account.region)
    if "role" in changes or "region" in changes:
        check_role_and_region(session, role, region)
    active = changes.get("active", account.active)
    if (role, region, active) == (account.role, account.region, account.active):
        return AccountOut.of(account)  # nothing changes, so no token ends
    _keep_an_admin(session, account, role=role, active=active)
    account.role, account.region, account.active = role, region, active
    _changed(account, clock.now())
    with lost_race_is_412("account"):
        session.flush()
    return AccountOut.of(account)


def _keep_an_admin(session: Session, account: Account, *, role: str, active: bool) -> None:
    """Nobody could manage accounts again, except from a shell on the server: refused."""
    stops_being_admin = account.role == Role.admin and account.active and (role != Role.admin or not active)
    if stops_being_admin and repository.active_admins(session) <= 1:
        raise InvalidTransition("This is the last active admin account: make another admin first.")


def reset_password(session: Session, *, principal: Principal, account_id: str, password: str, clock: Clock) -> AccountOut:
    _managed(session, principal, "account:password-reset", account_id)
    account = _account(session, account_id)
    if not isinstance(account, User):
        raise InvalidTransition("An API client has a secret, not a password: POST /accounts/{account_id}/secret.")
    check_password_strength(password)
    account.password_hash = hash_secret(password)
    _changed(account, clock.now())
    with lost_race_is_412("account"):
        session.flush()
    return AccountOut.of(account)


def rotate_client_secret(session: Session, *, principal: Principal, account_id: str, clock: Clock) -> ClientSecret:
    _managed(session, principal, "account:secret-rotate", account_id)
    account = _account(session, account_id)
    if not isinstance(account, ApiClient):
        raise InvalidTransition("A user has a password, not a secret: POST /accounts/{account_id}/password-reset.")
    secret = _new_secret()
    account.secret_hash = hash_secret(secret)
    _changed(account, clock.now())
    with lost_race_is_412("account"):
        session.flush()
    return ClientSecret(client_id=account.client_id, client_secret=secret)


def clear_sign_in_throttle(session: Session, *, principal: Principal, account_id: str, address: str | None) -> None:
    """Let an account sign in again at once: forget the sign-in counts of its name from every
    address, and of `address` itself (every name from it) when one is given (ADR 0036)."""
    _managed(session, principal, "account:sign-in-throttle-clear", account_id)
    account = _account(session, account_id)
    name = account.username if isinstance(account, User) else account.client_id
    throttle.clear(session, name=name, address=bounds.client_address(address))


# --- Everyone, their own password --------------------------------------------------------------


def change_own_password(
    session: Session,
    *,
    principal: Principal,
    change: PasswordChange,
    client_host: str | None,
    sessions: Callable[[], Session],
    limits: LoginLimits,
    clock: Clock,
) -> None:
    """The current password proves it is the user (a stolen token alone cannot take the account);
    checked under the sign-in throttle, counted in the same windows as sign-ins. `session` is the
    request's reading session; the new hash is written in a transaction of its own, after the
    throttle's, so that on SQLite neither waits for the other's write lock."""
    account = principal.account
    audit.note(session, principal, "account:password-change", target_type="account", target_id=account.id if account else None)
    if account is None or account.kind is not AccountKind.user:
        raise InvalidTransition("An API client has a secret, not a password: an admin rotates it.")
    check_password_strength(change.new_password, field="new_password")
    admitted = throttle.admit(
        sessions, claimed=principal.subject, address=bounds.client_address(client_host), limits=limits, now=clock.now()
    )
    user = accounts.user_by_id(session, account.id)
    if user is None or not verify_secret(change.current_password, user.password_hash):
        raise InvalidInput(
            "The current password is wrong.",
            errors=[_problem("wrong-password", "the password you sign in with now", "current_password")],
        )
    throttle.refund(sessions, admitted)
    with write_transaction(sessions) as writing:
        own = accounts.user_by_id(writing, account.id)
        assert own is not None  # read just now; accounts are never deleted
        own.password_hash = hash_secret(change.new_password)
        _changed(own, clock.now())
