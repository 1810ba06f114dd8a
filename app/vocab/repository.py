"""Every query on regions and vocabulary terms."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from app.vocab.models import Region, VocabularyTerm


def list_regions(session: Session) -> list[Region]:
    return list(session.exec(select(Region).order_by(col(Region.code))))


def get_region(session: Session, code: str) -> Region | None:
    return session.get(Region, code)


def add(session: Session, row: Region | VocabularyTerm) -> None:
    session.add(row)
    session.flush()


def list_terms(session: Session) -> list[VocabularyTerm]:
    return list(session.exec(select(VocabularyTerm).order_by(col(VocabularyTerm.vocabulary), col(VocabularyTerm.code))))


def get_term(session: Session, vocabulary: str, code: str) -> VocabularyTerm | None:
    return session.get(VocabularyTerm, (vocabulary, code))


def known_codes(session: Session, vocabulary: str, codes: Iterable[str]) -> set[str]:
    wanted = set(codes)
    if not wanted:
        return set()
    query = select(VocabularyTerm.code).where(VocabularyTerm.vocabulary == vocabulary, col(VocabularyTerm.code).in_(wanted))
    return set(session.exec(query))
