"""Recording and reading history. Services call `record` in the same transaction as the change.

A revision records what a change did, not the whole entity again: its first revision (create,
import) holds the entity's whole state, every later one only the new values of `changed_fields`.
So history grows with the size of each change, never with the size of what came before (ADR 0018).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.history import repository
from app.history.models import Revision
from app.history.schemas import CorrectionOut, CorrectionPage, RevisionOut, RevisionPage
from app.pagination import CursorPosition, RowId, decode_cursor, encode_cursor

# Fields every change moves; `changed_fields` names what the change was about.
_BOOKKEEPING = frozenset({"version", "updated_at", "updated_by"})


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
    reason: str | None = None,
) -> None:
    """`snapshot` is the entity's state after the change, `previous` its state before (None when
    it is new); only the fields that differ are stored, with their new values. `reason`: why, for a
    correction after submission (ADR 0033)."""
    changed = sorted(k for k in snapshot if k not in _BOOKKEEPING and (previous is None or previous.get(k) != snapshot.get(k)))
    repository.add(
        session,
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
            reason=reason,
        ),
    )


class RevisionPosition(CursorPosition):
    """The next page holds the revisions after this id (oldest first)."""

    after: RowId


def page_of_review(
    session: Session, review_id: str, *, limit: int, cursor: str | None, entities: Sequence[str] | None = None
) -> RevisionPage:
    """The review's revisions (of these entities only, when given), oldest first, `limit` at a time."""
    after = decode_cursor(cursor, RevisionPosition).after if cursor is not None else None
    rows = repository.of_review(session, review_id, after_id=after, limit=limit + 1, entities=entities)
    next_cursor = encode_cursor(RevisionPosition(after=_stored_id(rows[limit - 1]))) if len(rows) > limit else None
    return RevisionPage(items=[RevisionOut.model_validate(r.model_dump()) for r in rows[:limit]], next_cursor=next_cursor)


def page_of_corrections(
    session: Session, review_id: str, *, limit: int, cursor: str | None, with_authors: bool
) -> CorrectionPage:
    """The review's corrections (its revisions made with a reason), oldest first; their authors only
    `with_authors` (for those who may read the revisions)."""
    after = decode_cursor(cursor, RevisionPosition).after if cursor is not None else None
    rows = repository.of_review(session, review_id, after_id=after, limit=limit + 1, corrections_only=True)
    next_cursor = encode_cursor(RevisionPosition(after=_stored_id(rows[limit - 1]))) if len(rows) > limit else None
    items = [
        CorrectionOut(
            corrected_at=row.changed_at,
            reason=row.reason or "",
            entity=row.entity,
            entity_id=row.entity_id,
            changed_fields=row.changed_fields,
            corrected_by=row.changed_by if with_authors else None,
        )
        for row in rows[:limit]
    ]
    return CorrectionPage(items=items, next_cursor=next_cursor)


def last_correction(session: Session, review_id: str) -> datetime | None:
    return repository.last_correction(session, review_id)


def state_at(session: Session, review_id: str, *, entity: str, entity_id: str, version: int) -> dict[str, Any] | None:
    """The entity as it was at this version (its revisions folded up to it), or None when no
    revision has that version."""
    state: dict[str, Any] = {}
    for revision in repository.of_entity(session, review_id, entity=entity, entity_id=entity_id):
        if revision.version > version:
            break
        state |= revision.snapshot
        if revision.version == version:
            return state
    return None


def is_redacted(session: Session, review_id: str, *, entity: str, entity_id: str, version: int) -> bool:
    """Whether the file this version serves held redacted text (ADR 0038), no longer kept: the mark of
    the last revision at or before it (a version a revision did not make, such as a report's text
    extracted, serves the same file). Never folded into later versions, as `state_at` folds the rest."""
    made = [r for r in repository.of_entity(session, review_id, entity=entity, entity_id=entity_id) if r.version <= version]
    return bool(made) and made[-1].snapshot.get("redacted") is True


def _stored_id(revision: Revision) -> int:
    assert revision.id is not None, "a revision read from the database has its id"
    return revision.id
