"""Every query on review documents."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.documents.models import ReviewDocument


def get(session: Session, review_id: str, kind: str) -> ReviewDocument | None:
    return session.get(ReviewDocument, (review_id, kind))


def of_review(session: Session, review_id: str) -> list[ReviewDocument]:
    return list(session.exec(select(ReviewDocument).where(ReviewDocument.review_id == review_id).order_by(col(ReviewDocument.kind))))


def add(session: Session, document: ReviewDocument) -> None:
    session.add(document)
    session.flush()
