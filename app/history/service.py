"""Recording and reading history. Services call `record` in the same transaction as the change.

A revision records what a change did, not the whole entity again: its first revision (create,
import) holds the entity's whole state, every later one only the new values of `changed_fields`.
So history grows with the size of each change, never with the size of what came before (ADR 0018).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.history.models import Revision
from app.pagination import CursorPosition, RowId, decode_cursor, encode_cursor

# Fields every change moves; `changed_fields` names what the change was about.
_BOOKKEEPING = frozenset({"version", "updated_at", "updated_by"})


class RevisionOut(BaseModel):
    entity: str
    entity_id: str
    version: int
    change: str
    changed_fields: list[str] = Field(description="What the change was about (not version or updated_at).")
    changed_at: datetime
    changed_by: str
    snapshot: dict[str, Any] = Field(
        description="The entity's whole state in its first revision; in every later one, the new values of "
        "changed_fields only (an action's progress revision: the entry it added, as progress_note)."
    )


class RevisionPage(BaseModel):
    items: list[RevisionOut] = Field(description="Oldest first.")
    next_cursor: str | None = None


def record(
    session: Session,
    *,
    review_id: str,
    entity: str,
    entity_id: str,
    version: int,
    change: str,
    snapshot: dict[str, Any],
    previous: dict[str, Any] | None,
    at: datetime,
    by: str,
) -> None:
    """`snapshot` is the entity's state after the change, `previous` its state before (None when
    it is new); only the fields that differ are stored, with their new values."""
    changed = sorted(k for k in snapshot if k not in _BOOKKEEPING and (previous is None or previous.get(k) != snapshot.get(k)))
    session.add(
        Revision(
            review_id=review_id,
            entity=entity,
            entity_id=entity_id,
            version=version,
            change=change,
            changed_fields=changed,
            snapshot=snapshot if previous is None else {k: snapshot[k] for k in changed},
            changed_at=at,
            changed_by=by,
        )
    )


class RevisionPosition(CursorPosition):
    """The next page holds the revisions after this id (oldest first)."""

    after: RowId


def page_of_review(session: Session, review_id: str, *, limit: int, cursor: str | None) -> RevisionPage:
    """The review's revisions, oldest first, `limit` at a time."""
    query = select(Revision).where(Revision.review_id == review_id)
    if cursor is not None:
        query = query.where(col(Revision.id) > decode_cursor(cursor, RevisionPosition).after)
    rows = list(session.exec(query.order_by(col(Revision.id)).limit(limit + 1)))
    next_cursor = encode_cursor(RevisionPosition(after=_stored_id(rows[limit - 1]))) if len(rows) > limit else None
    return RevisionPage(items=[RevisionOut.model_validate(r.model_dump()) for r in rows[:limit]], next_cursor=next_cursor)


def _stored_id(revision: Revision) -> int:
    assert revision.id is not None, "a revision read from the database has its id"
    return revision.id
