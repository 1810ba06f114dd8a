"""Every query on user accounts and API clients."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from app.auth.models import ApiClient, User
from app.auth.principals import AccountKey, AccountKind

_USERS: Table = User.__table__  # type: ignore[attr-defined]
_CLIENTS: Table = ApiClient.__table__  # type: ignore[attr-defined]


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
    table = _USERS if account.kind is AccountKind.user else _CLIENTS
    key = table.c.id if account.kind is AccountKind.user else table.c.client_id
    # Core, on the session's connection: the ORM's per-statement bookkeeping would cost more than the read.
    row = session.connection().execute(sa_select(table.c.active, table.c.token_generation).where(key == account.id)).first()
    return None if row is None else TokenState(active=row[0], generation=row[1])
