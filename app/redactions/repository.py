"""The rows of one review that hold what people wrote: its actions, codings and revisions."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, col, select

from app.action_plans.models import Action
from app.codings.models import Coding
from app.documents.models import ReviewDocument
from app.history.models import Revision


def actions_of(session: Session, review_id: str) -> list[Action]:
    return list(session.exec(select(Action).where(Action.review_id == review_id).order_by(col(Action.position))))


def codings_of(session: Session, review_id: str) -> list[Coding]:
    return list(session.exec(select(Coding).where(Coding.review_id == review_id).order_by(col(Coding.id))))


def revisions_of(session: Session, review_id: str) -> list[Revision]:
    return list(session.exec(select(Revision).where(Revision.review_id == review_id).order_by(col(Revision.id))))


def document_revisions(session: Session) -> list[Revision]:
    """Every document revision of every review: which files are still named (a file is shared by
    checksum, so by any review)."""
    return list(session.exec(select(Revision).where(Revision.entity == "document")))


def current_files(session: Session) -> list[tuple[str, tuple[str, str]]]:
    """Each document's current file, and whose it is: (sha256, (review_id, kind))."""
    rows = session.exec(select(ReviewDocument.sha256, ReviewDocument.review_id, ReviewDocument.kind))
    return [(sha256, (review_id, kind)) for sha256, review_id, kind in rows]


def purge_full_text_index(session: Session) -> None:
    """SQLite's FTS5 keeps a deleted row's terms in its older segments (marked deleted) until they
    are merged; `optimize` merges every segment into one, so the removed words leave the index's
    own tables too (the English and the Welsh index). PostgreSQL's tsvectors are generated columns,
    rewritten with the row."""
    session.flush()
    if session.get_bind().dialect.name == "sqlite":
        for index in ("review_fts", "review_fts_cy"):
            session.execute(text(f"INSERT INTO {index} ({index}) VALUES ('optimize')"))
