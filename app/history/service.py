"""Recording and reading history. Services call `record` in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from app.history.models import Revision


# Fields every change moves; `changed_fields` names what the change was about.
_BOOKKEEPING = frozenset({"version", "updated_at", "updated_by"})
# Large fields kept only in the revisions that change them (a report's text is tens of kilobytes
# and rarely changes): a revision without one had the value of the revision before it.
_KEPT_WHEN_CHANGED = frozenset({"full_text"})


class RevisionOut(BaseModel):
    entity: str
    entity_id: str
    version: int
    change: str
    changed_fields: list[str]
    changed_at: datetime
    changed_by: str
    snapshot: dict[str, Any]


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
    changed = sorted(
        k for k in snapshot if k not in _BOOKKEEPING and (previous is None or previous.get(k) != snapshot.get(k))
    )
    session.add(
        Revision(
            review_id=review_id,
            entity=entity,
            entity_id=entity_id,
            version=version,
            change=change,
            changed_fields=changed,
            snapshot={k: v for k, v in snapshot.items() if k not in _KEPT_WHEN_CHANGED or k in changed},
            changed_at=at,
            changed_by=by,
        )
    )


def of_review(session: Session, review_id: str) -> list[RevisionOut]:
    rows = session.exec(select(Revision).where(Revision.review_id == review_id).order_by(col(Revision.id)))
    revisions, last_seen = [], {}
    for row in rows:
        revision = RevisionOut.model_validate(row.model_dump())
        kept = last_seen.setdefault((row.entity, row.entity_id), {})
        for name in _KEPT_WHEN_CHANGED:
            if name in revision.snapshot:
                kept[name] = revision.snapshot[name]
            elif name in kept:
                revision.snapshot[name] = kept[name]
        revisions.append(revision)
    return revisions
