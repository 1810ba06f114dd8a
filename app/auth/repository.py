"""Every query on user accounts and API clients."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.auth.models import ApiClient, User
from app.auth.principals import AccountKey, AccountKind


def user_by_username(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def user_by_id(session: Session, user_id: str) -> User | None:
    return session.get(User, user_id)


def client_by_id(session: Session, client_id: str) -> ApiClient | None:
    return session.get(ApiClient, client_id)


def add(session: Session, account: User | ApiClient) -> None:
    session.add(account)
    session.flush()


@dataclass(frozen=True)
class TokenState:
    active: bool
    generation: int


def token_state(session: Session, account: AccountKey) -> TokenState | None:
    """What a token of this account is checked against, on every request: one read by primary key
    of two columns (ADR 0034)."""
    if account.kind is AccountKind.user:
        statement = select(User.active, User.token_generation).where(User.id == account.id)
    else:
        statement = select(ApiClient.active, ApiClient.token_generation).where(col(ApiClient.client_id) == account.id)
    row = session.exec(statement).first()
    return None if row is None else TokenState(active=row[0], generation=row[1])
