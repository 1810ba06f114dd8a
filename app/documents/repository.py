"""Every query on review documents."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from app.documents.enums import DocumentKind, TextStatus
from app.documents.models import ReviewDocument


def get(session: Session, review_id: str, kind: str, *, for_update: bool = False) -> ReviewDocument | None:
    return session.get(ReviewDocument, (review_id, kind), with_for_update=for_update)


def _pending_reports() -> ColumnElement[bool]:
    return (col(ReviewDocument.kind) == DocumentKind.report.value) & (col(ReviewDocument.text_status) == TextStatus.pending.value)


def pending_reports(session: Session) -> list[ReviewDocument]:
    """Reports whose text is still to be extracted, oldest upload first."""
    return list(session.exec(select(ReviewDocument).where(_pending_reports()).order_by(col(ReviewDocument.uploaded_at))))


def count_pending_reports(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(ReviewDocument).where(_pending_reports())).one())


def of_review(session: Session, review_id: str) -> list[ReviewDocument]:
    return list(
        session.exec(select(ReviewDocument).where(ReviewDocument.review_id == review_id).order_by(col(ReviewDocument.kind)))
    )


def add(session: Session, document: ReviewDocument) -> None:
    session.add(document)
    session.flush()
