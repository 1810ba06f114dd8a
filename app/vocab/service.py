"""Regions and vocabularies: reading them, extending them, and checking codes against them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from app import audit
from app.action_plans.enums import ActionStatus
from app.auth.policies import Permission, require
from app.auth.principals import Principal
from app.errors import Conflict, InvalidInput, ProblemItem
from app.reviews.enums import RecommendationLevel, ReviewKind, ReviewType, SusrCriterion, TriggerOutcome
from app.vocab import repository
from app.vocab.enums import Vocabulary
from app.vocab.models import Region, VocabularyTerm
from app.vocab.schemas import RegionCreate, RegionOut, Term, TermCreate, Vocabularies

_FIXED_LABELS: dict[str, str] = {
    "cpr": "Child Practice Review",
    "susr": "Single Unified Safeguarding Review",
    "concise": "Concise review",
    "extended": "Extended review",
    "apr": "Adult Practice Review",
    "dhr": "Domestic Homicide Review",
    "mhhr": "Mental Health Homicide Review",
    "owhr": "Offensive Weapons Homicide Review",
    "died": "The child died",
    "life_threatening_injury": "Potentially life-threatening injury",
    "serious_permanent_impairment": "Serious and permanent impairment of health or development",
    "agency": "Agency",
    "regional_board": "Regional board",
    "national": "National",
    "not_started": "Not started",
    "in_progress": "In progress",
    "completed": "Completed",
}


def _fixed(values: type[StrEnum]) -> list[Term]:
    return [Term(code=v.value, label=_FIXED_LABELS.get(v.value, v.value)) for v in values]


def list_regions(session: Session) -> list[RegionOut]:
    return [RegionOut(code=r.code, name=r.name) for r in repository.list_regions(session)]


def create_region(session: Session, *, principal: Principal, data: RegionCreate) -> RegionOut:
    audit.note(session, principal, "regions:create", target_type="region", target_id=data.code)
    require(principal, Permission.vocabularies_manage)
    if repository.get_region(session, data.code):
        raise Conflict(f"Region '{data.code}' already exists.")
    repository.add(session, Region(code=data.code, name=data.name))
    return RegionOut(code=data.code, name=data.name)


def vocabularies(session: Session) -> Vocabularies:
    by_vocabulary: dict[str, list[Term]] = {v.value: [] for v in Vocabulary}
    for term in repository.list_terms(session):
        by_vocabulary.setdefault(term.vocabulary, []).append(
            Term(code=term.code, label=term.label, description=term.description, parent=term.parent)
        )
    return Vocabularies(
        **by_vocabulary,
        kind=_fixed(ReviewKind),
        review_type=_fixed(ReviewType),
        susr_criterion=_fixed(SusrCriterion),
        trigger_outcome=_fixed(TriggerOutcome),
        recommendation_level=_fixed(RecommendationLevel),
        action_status=_fixed(ActionStatus),
    )


def add_term(session: Session, *, principal: Principal, vocabulary: Vocabulary, data: TermCreate) -> Term:
    audit.note(session, principal, "vocabularies:add-term", target_type=vocabulary.value, target_id=data.code)
    require(principal, Permission.vocabularies_manage)
    if repository.get_term(session, vocabulary.value, data.code):
        raise Conflict(f"The {vocabulary.value} vocabulary already has '{data.code}'.")
    if data.parent is not None and repository.get_term(session, vocabulary.value, data.parent) is None:
        raise InvalidInput(
            f"The {vocabulary.value} vocabulary has no '{data.parent}' to put the term under.",
            errors=[_unknown("parent", vocabulary.value, data.parent)],
        )
    term = VocabularyTerm(
        vocabulary=vocabulary.value, code=data.code, label=data.label, description=data.description, parent=data.parent
    )
    repository.add(session, term)
    return Term(code=term.code, label=term.label, description=term.description, parent=term.parent)


def codes_of(session: Session, vocabulary: Vocabulary) -> list[str]:
    """The vocabulary's codes, in code order."""
    return [term.code for term in repository.list_terms(session) if term.vocabulary == vocabulary.value]


def families(session: Session, vocabulary: Vocabulary) -> dict[str, list[str]]:
    """Each term with every term under it (itself first): a theme stands for its sub-themes too."""
    return repository.families(session, vocabulary.value)


@dataclass(frozen=True)
class KnownCodes:
    regions: frozenset[str]
    codes: Mapping[str, frozenset[str]]


def all_codes(session: Session) -> KnownCodes:
    """Every region and vocabulary code, read once (a bulk import checks thousands of reviews)."""
    by_vocabulary: dict[str, set[str]] = {}
    for term in repository.list_terms(session):
        by_vocabulary.setdefault(term.vocabulary, set()).add(term.code)
    return KnownCodes(
        regions=frozenset(region.code for region in repository.list_regions(session)),
        codes={vocabulary: frozenset(codes) for vocabulary, codes in by_vocabulary.items()},
    )


def check_codes(
    session: Session,
    *,
    region: str | None = None,
    single: Mapping[str, tuple[str, str | None]] | None = None,
    multiple: Mapping[str, tuple[str, Sequence[str]]] | None = None,
    known: KnownCodes | None = None,
) -> None:
    """Refuse (422, every unknown code at once) codes missing from their vocabulary.
    `single` maps field -> (vocabulary, code); `multiple` maps field -> (vocabulary, codes), where
    the field may hold `{}` for the index (`actions.{}.lead_agency`). `known` (from `all_codes`)
    saves a bulk caller a query per check."""

    def known_of(vocabulary: str, codes: Sequence[str]) -> set[str]:
        if known is None:
            return repository.known_codes(session, vocabulary, codes)
        return set(codes) & known.codes.get(vocabulary, frozenset())

    problems: list[ProblemItem] = []
    if region is not None and not (
        region in known.regions if known is not None else repository.get_region(session, region) is not None
    ):
        problems.append(_unknown("region", "region", region))
    for field, (vocabulary, code) in (single or {}).items():
        if code is not None and not known_of(vocabulary, [code]):
            problems.append(_unknown(field, vocabulary, code))
    for field, (vocabulary, codes) in (multiple or {}).items():
        known_codes = known_of(vocabulary, codes)
        problems.extend(
            _unknown(field.format(index) if "{}" in field else f"{field}.{index}", vocabulary, code)
            for index, code in enumerate(codes)
            if code not in known_codes
        )
    if problems:
        raise InvalidInput(f"{len(problems)} code(s) are not in the registry's vocabularies.", errors=problems)


def _unknown(field: str, vocabulary: str, code: str) -> ProblemItem:
    return ProblemItem(
        code="unknown-code",
        detail=f"'{code}' is not a known {vocabulary}; GET /api/v1/vocabularies lists them.",
        location="body",
        field=field,
        pointer="#/" + field.replace(".", "/"),
    )
