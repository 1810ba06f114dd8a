"""Queries for managing accounts (the sign-in and per-request reads are app/auth/repository.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.auth.models import ApiClient, User


@dataclass(frozen=True)
class AccountFilters:
    role: str | None = None
    region: str | None = None
    active: bool | None = None


def users_page(session: Session, filters: AccountFilters, *, after: str | None, limit: int) -> Sequence[User]:
    """Users by username, after `after`."""
    return _page(session, User, User.username, filters, after=after, limit=limit)


def clients_page(session: Session, filters: AccountFilters, *, after: str | None, limit: int) -> Sequence[ApiClient]:
    """Clients by client id, after `after`."""
    return _page(session, ApiClient, ApiClient.client_id, filters, after=after, limit=limit)


def _page[Account: (User, ApiClient)](
    session: Session, model: type[Account], key: str, filters: AccountFilters, *, after: str | None, limit: int
) -> Sequence[Account]:
    """Accounts of one kind in the order of `key`, after `after`, filtered as asked."""
    statement = select(model).order_by(col(key)).limit(limit)
    if after is not None:
        statement = statement.where(col(key) > after)
    for name in ("role", "region", "active"):
        if (wanted := getattr(filters, name)) is not None:
            statement = statement.where(col(getattr(model, name)) == wanted)
    return session.exec(statement).all()


def active_admins(session: Session) -> int:
    """Active admin accounts of either kind, locked until the transaction ends: of two admins taking
    each other's role at once, the second waits, then counts without the first's (PostgreSQL reads
    a locked row again once it is released; SQLite lets one writer in at a time anyway)."""
    users = session.exec(select(User.id).where(User.role == "admin", User.active == True).with_for_update()).all()  # noqa: E712
    clients = session.exec(
        select(ApiClient.client_id).where(ApiClient.role == "admin", ApiClient.active == True).with_for_update()  # noqa: E712
    ).all()
    return len(users) + len(clients)
