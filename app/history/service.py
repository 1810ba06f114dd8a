"""Recording and reading history. Services call `record` in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from app.history.models import Revision


# Fields every change moves; `changed_fields` names what the change was about.
_BOOKKEEPING = frozenset({"version", "updated_at", "updated_by"})


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
            snapshot=snapshot,
            changed_at=at,
            changed_by=by,
        )
    )


def of_review(session: Session, review_id: str) -> list[RevisionOut]:
    rows = session.exec(select(Revision).where(Revision.review_id == review_id).order_by(col(Revision.id)))
    return [RevisionOut.model_validate(row.model_dump()) for row in rows]
