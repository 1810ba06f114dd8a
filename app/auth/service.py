"""Accounts and the exchange of credentials for tokens."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from functools import partial

from sqlmodel import Session

from app import audit
from app.audit import bounds
from app.auth import oauth, repository, throttle
from app.auth.models import ApiClient, User
from app.auth.oauth import InvalidClient, InvalidGrant
from app.auth.passwords import hash_secret, verify_secret
from app.auth.principals import ACCOUNT_ROLES, Principal, Role
from app.auth.schemas import TokenOut, TokenRequest
from app.auth.throttle import LoginLimits
from app.auth.tokens import TokenService
from app.errors import Conflict, InvalidInput, ProblemItem
from app.vocab.service import check_codes

MIN_PASSWORD_LENGTH = 12


def issue_token(
    session: Session,
    form: TokenRequest,
    *,
    authorization: str | None,
    client_host: str | None,
    sessions: Callable[[], Session],
    limits: LoginLimits,
    tokens: TokenService,
    now: datetime,
) -> TokenOut:
    """RFC 6749's token request: which grant, who claims it, counted by the sign-in throttle before
    any secret is checked, audited under the name claimed and then under the principal proven."""
    basic = oauth.basic_credentials(authorization)
    named = form.username if form.grant_type == "password" else (basic.client_id if basic else form.client_id)
    claimed = (named or "unknown")[:200]
    audit.note(session, Principal(subject=claimed, role=Role.anonymous), f"token:{form.grant_type}")
    authenticate: Callable[[], Principal]
    if form.grant_type == "password":
        if basic:
            raise oauth.InvalidTokenRequest(
                "HTTP Basic authenticates API clients (grant_type=client_credentials); "
                "the password grant sends username and password as form fields."
            )
        missing = [name for name in ("username", "password") if not getattr(form, name)]
        if missing:
            raise oauth.missing_fields(missing)
        authenticate = partial(authenticate_user, session, username=form.username or "", password=form.password or "")
    else:
        client = oauth.client_credentials(basic, form.client_id, form.client_secret)
        authenticate = partial(authenticate_client, session, client_id=client.client_id, client_secret=client.client_secret)
    # Counted, or refused with a 429, before any secret is checked (app/auth/throttle.py); counted as
    # the audit trail records the address: canonical, and short enough for its key.
    admitted = throttle.admit(sessions, claimed=claimed, address=bounds.client_address(client_host), limits=limits, now=now)
    principal = authenticate()
    throttle.refund(sessions, admitted)
    audit.identify(session, principal)
    return TokenOut(access_token=tokens.issue(principal), expires_in=tokens.ttl_seconds)


def authenticate_user(session: Session, *, username: str, password: str) -> Principal:
    user = repository.user_by_username(session, username)
    valid = verify_secret(password, user.password_hash if user else None)
    if user is None or not valid or not user.active:
        raise InvalidGrant("The username or password is wrong.")
    return Principal(subject=user.username, role=Role(user.role), region=user.region)


def authenticate_client(session: Session, *, client_id: str, client_secret: str) -> Principal:
    client = repository.client_by_id(session, client_id)
    valid = verify_secret(client_secret, client.secret_hash if client else None)
    if client is None or not valid or not client.active:
        raise InvalidClient("The client id or secret is wrong.")
    return Principal(subject=f"client:{client.client_id}", role=Role(client.role), region=client.region)


def _check_role_and_region(session: Session, role: str, region: str | None) -> Role:
    problems = []
    if role not in {r.value for r in ACCOUNT_ROLES}:
        problems.append(ProblemItem(code="unknown-role", detail=f"role must be one of {', '.join(ACCOUNT_ROLES)}", field="role"))
    elif role == Role.board and not region:
        problems.append(ProblemItem(code="region-required", detail="a board account needs its region", field="region"))
    if problems:
        raise InvalidInput("The account is not valid.", errors=problems)
    check_codes(session, region=region)
    return Role(role)


def create_user(session: Session, *, username: str, password: str, role: str, region: str | None) -> User:
    checked = _check_role_and_region(session, role, region)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "The password is too short.",
            errors=[ProblemItem(code="too-short", detail=f"at least {MIN_PASSWORD_LENGTH} characters", field="password")],
        )
    if repository.user_by_username(session, username):
        raise Conflict(f"There is already a user '{username}'.")
    user = User(username=username, password_hash=hash_secret(password), role=checked, region=region)
    repository.add(session, user)
    return user


def create_client(session: Session, *, client_id: str, role: str, region: str | None) -> tuple[ApiClient, str]:
    """A new API client and its secret, which is shown once and kept only as a hash."""
    checked = _check_role_and_region(session, role, region)
    if repository.client_by_id(session, client_id):
        raise Conflict(f"There is already a client '{client_id}'.")
    secret = secrets.token_urlsafe(32)
    client = ApiClient(client_id=client_id, secret_hash=hash_secret(secret), role=checked, region=region)
    repository.add(session, client)
    return client, secret
