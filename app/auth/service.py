"""Accounts and the exchange of credentials for tokens."""

from __future__ import annotations

import secrets

from sqlmodel import Session

from app.auth import repository
from app.auth.models import ApiClient, User
from app.auth.oauth import InvalidClient, InvalidGrant
from app.auth.passwords import hash_secret, verify_secret
from app.auth.principals import ACCOUNT_ROLES, Principal, Role
from app.errors import Conflict, InvalidInput, ProblemItem
from app.vocab.service import check_codes

MIN_PASSWORD_LENGTH = 12


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
