"""The exchange of credentials for tokens, and the check that a token is still good."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from sqlmodel import Session

from app import audit
from app.audit import bounds
from app.auth import oauth, repository, throttle
from app.auth.models import ApiClient, User
from app.auth.oauth import InvalidClient, InvalidGrant
from app.auth.passwords import verify_secret
from app.auth.principals import AccountKey, AccountKind, Principal, Role
from app.auth.schemas import TokenOut, TokenRequest
from app.auth.throttle import LoginLimits
from app.auth.tokens import TokenService
from app.errors import InvalidToken


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
    return user_principal(user)


def authenticate_client(session: Session, *, client_id: str, client_secret: str) -> Principal:
    client = repository.client_by_id(session, client_id)
    valid = verify_secret(client_secret, client.secret_hash if client else None)
    if client is None or not valid or not client.active:
        raise InvalidClient("The client id or secret is wrong.")
    return client_principal(client)


CLIENT_SUBJECT = "client:"  # a client's subject is its client id after this; a username has no ':'


def user_principal(user: User) -> Principal:
    account = AccountKey(kind=AccountKind.user, id=user.id, generation=user.token_generation)
    return Principal(subject=user.username, role=Role(user.role), region=user.region, account=account)


def client_principal(client: ApiClient) -> Principal:
    account = AccountKey(kind=AccountKind.client, id=client.client_id, generation=client.token_generation)
    return Principal(subject=f"{CLIENT_SUBJECT}{client.client_id}", role=Role(client.role), region=client.region, account=account)


def check_still_valid(session: Session, principal: Principal) -> None:
    """A verified token is good only while its account is active at the token generation it was
    issued at: a change to the account since (deactivation, a new role, region, password or
    secret) has ended it (ADR 0034). Checked on every request, in the request's session."""
    account = principal.account
    state = repository.token_state(session, account) if account is not None else None
    if state is None or not state.active or account is None or state.generation != account.generation:
        raise InvalidToken("The token has been revoked: its account was changed or deactivated since. Sign in again.")


def still_holds(session: Session, principal: Principal) -> bool:
    """Whether the account the principal's subject names is still active with that role and region:
    for what acts for an account without a token (a saved search's feed, ADR 0034)."""
    if principal.subject.startswith(CLIENT_SUBJECT):
        account: User | ApiClient | None = repository.client_by_id(session, principal.subject.removeprefix(CLIENT_SUBJECT))
    else:
        account = repository.user_by_username(session, principal.subject)
    return account is not None and account.active and (account.role, account.region) == (principal.role, principal.region)
