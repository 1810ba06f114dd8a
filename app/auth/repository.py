"""Every query on user accounts and API clients."""

from __future__ import annotations

from sqlmodel import Session, select

from app.auth.models import ApiClient, User


def user_by_username(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def client_by_id(session: Session, client_id: str) -> ApiClient | None:
    return session.get(ApiClient, client_id)


def add(session: Session, account: User | ApiClient) -> None:
    session.add(account)
    session.flush()
