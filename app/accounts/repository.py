"""Queries for managing accounts (the sign-in and per-request reads are app/auth/repository.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth.models import ApiClient, User


@dataclass(frozen=True)
class AccountFilters:
    role: str | None = None
    region: str | None = None
    active: bool | None = None


def users_page(session: Session, filters: AccountFilters, *, after: str | None, limit: int) -> Sequence[User]:
    """Users by username, after `after`."""
    statement = select(User).order_by(col(User.username)).limit(limit)
    if after is not None:
        statement = statement.where(col(User.username) > after)
    if filters.role is not None:
        statement = statement.where(User.role == filters.role)
    if filters.region is not None:
        statement = statement.where(User.region == filters.region)
    if filters.active is not None:
        statement = statement.where(User.active == filters.active)
    return session.exec(statement).all()


def clients_page(session: Session, filters: AccountFilters, *, after: str | None, limit: int) -> Sequence[ApiClient]:
    """Clients by client id, after `after`."""
    statement = select(ApiClient).order_by(col(ApiClient.client_id)).limit(limit)
    if after is not None:
        statement = statement.where(col(ApiClient.client_id) > after)
    if filters.role is not None:
        statement = statement.where(ApiClient.role == filters.role)
    if filters.region is not None:
        statement = statement.where(ApiClient.region == filters.region)
    if filters.active is not None:
        statement = statement.where(ApiClient.active == filters.active)
    return session.exec(statement).all()


def active_admins(session: Session) -> int:
    """Active admin accounts of either kind."""
    users = session.exec(select(func.count()).select_from(User).where(User.role == "admin", User.active == True)).one()  # noqa: E712
    clients = session.exec(
        select(func.count()).select_from(ApiClient).where(ApiClient.role == "admin", ApiClient.active == True)  # noqa: E712
    ).one()
    return int(users) + int(clients)
