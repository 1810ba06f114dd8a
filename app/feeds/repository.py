"""Every query on saved searches."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from app.feeds.models import SavedSearch


def of_owner(session: Session, subject: str) -> list[SavedSearch]:
    query = select(SavedSearch).where(SavedSearch.owner_subject == subject)
    return list(session.exec(query.order_by(col(SavedSearch.created_at).desc(), col(SavedSearch.id))))


def count_of_owner(session: Session, subject: str) -> int:
    return session.exec(select(func.count()).select_from(SavedSearch).where(SavedSearch.owner_subject == subject)).one()


def get(session: Session, saved_search_id: str) -> SavedSearch | None:
    return session.get(SavedSearch, saved_search_id)


def add(session: Session, saved: SavedSearch) -> None:
    session.add(saved)
    session.flush()


def delete(session: Session, saved: SavedSearch) -> None:
    session.delete(saved)
    session.flush()
