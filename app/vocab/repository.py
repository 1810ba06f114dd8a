"""Every query on regions and vocabulary terms."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlalchemy import CTE, and_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.vocab.models import Region, TermLabel, VocabularyTerm


def list_regions(session: Session) -> list[Region]:
    return list(session.exec(select(Region).order_by(col(Region.code))))


def get_region(session: Session, code: str) -> Region | None:
    return session.get(Region, code)


def add(session: Session, row: Region | VocabularyTerm | TermLabel) -> None:
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


@cache  # one construct per vocabulary: a statement may use it twice (a filter and a bucket), by one name
def lineage(vocabulary: str) -> CTE:
    """(code, ancestor) for every term of a hierarchical vocabulary and each of its broader terms,
    the term itself included: what rolls a sub-theme up to its themes, in SQL on every database.
    UNION (not UNION ALL) ends the recursion even if parents ever formed a loop."""
    term, parent = aliased(VocabularyTerm), aliased(VocabularyTerm)
    found = (
        sa_select(col(term.code).label("code"), col(term.code).label("ancestor"))
        .where(col(term.vocabulary) == vocabulary)
        .cte(f"{vocabulary}_lineage", recursive=True)
    )
    broader = sa_select(found.c.code, col(parent.parent)).join(
        parent, and_(col(parent.vocabulary) == vocabulary, col(parent.code) == found.c.ancestor)
    )
    return found.union(broader.where(col(parent.parent).is_not(None)))


def families(session: Session, vocabulary: str) -> dict[str, list[str]]:
    """Each term of the vocabulary with every term under it, itself first, the rest by code."""
    lines = lineage(vocabulary)
    found: dict[str, list[str]] = {}
    for code, ancestor in session.execute(sa_select(lines.c.code, lines.c.ancestor).order_by(lines.c.code)).all():
        found.setdefault(ancestor, [ancestor])
        if code != ancestor:
            found[ancestor].append(code)
    return found


def labels_in(session: Session, language: str) -> dict[tuple[str, str], TermLabel]:
    """Every term's label in the language, by (vocabulary, code)."""
    rows = session.exec(select(TermLabel).where(TermLabel.language == language))
    return {(row.vocabulary, row.code): row for row in rows}


def get_label(session: Session, vocabulary: str, code: str, language: str) -> TermLabel | None:
    return session.get(TermLabel, (vocabulary, code, language))
