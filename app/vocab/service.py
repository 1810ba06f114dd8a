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
from app.clock import Clock
from app.errors import Conflict, InvalidInput, NotFound, ProblemItem
from app.etags import check_if_match, etag, lost_race_is_412
from app.language import Language
from app.reviews.enums import RecommendationLevel, ReviewKind, ReviewType, SusrCriterion, TriggerOutcome
from app.vocab import repository
from app.vocab.enums import AnyVocabulary, Vocabulary
from app.vocab.models import Region, TermLabel, VocabularyTerm
from app.vocab.schemas import RegionCreate, RegionNames, RegionOut, Term, TermCreate, TermLabels, Vocabularies

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


_FIXED: dict[AnyVocabulary, type[StrEnum]] = {
    AnyVocabulary.kind: ReviewKind,
    AnyVocabulary.review_type: ReviewType,
    AnyVocabulary.susr_criterion: SusrCriterion,
    AnyVocabulary.trigger_outcome: TriggerOutcome,
    AnyVocabulary.recommendation_level: RecommendationLevel,
    AnyVocabulary.action_status: ActionStatus,
}


def _term(code: str, english: str, row: VocabularyTerm | None, welsh: TermLabel | None, language: Language) -> Term:
    """A term as the API shows it; `row` is its vocabulary_term row (None for a fixed vocabulary's)."""
    cy = welsh.label if welsh is not None else None
    return Term(
        code=code,
        label=cy if language is Language.cy and cy is not None else english,
        labels=TermLabels(en=english, cy=cy),
        labels_awaiting_review=[Language.cy] if welsh is not None and welsh.reviewed_at is None else [],
        welsh_label_etag=etag(welsh.version if welsh is not None else 0),
        description=row.description if row else None,
        parent=row.parent if row else None,
    )


def _english_labels(session: Session) -> dict[tuple[str, str], tuple[str, VocabularyTerm | None]]:
    """Every term's English label, by (vocabulary, code), with its row if it is kept as data."""
    found: dict[tuple[str, str], tuple[str, VocabularyTerm | None]] = {
        (term.vocabulary, term.code): (term.label, term) for term in repository.list_terms(session)
    }
    for vocabulary, values in _FIXED.items():
        for value in values:
            found[(vocabulary.value, value.value)] = (_FIXED_LABELS.get(value.value, value.value), None)
    return found


def _region(region: Region, language: Language) -> RegionOut:
    name = region.name_cy if language is Language.cy and region.name_cy else region.name
    return RegionOut(code=region.code, name=name, names=RegionNames(en=region.name, cy=region.name_cy))


def list_regions(session: Session, language: Language = Language.en) -> list[RegionOut]:
    return [_region(r, language) for r in repository.list_regions(session)]


def create_region(session: Session, *, principal: Principal, data: RegionCreate) -> RegionOut:
    audit.note(session, principal, "regions:create", target_type="region", target_id=data.code)
    require(principal, Permission.vocabularies_manage)
    if repository.get_region(session, data.code):
        raise Conflict(f"Region '{data.code}' already exists.")
    region = Region(code=data.code, name=data.name, name_cy=data.name_cy)
    repository.add(session, region)
    return _region(region, Language.en)


def vocabularies(session: Session, language: Language = Language.en) -> Vocabularies:
    """Every vocabulary's terms, each with its English and Welsh labels and `label` in `language`."""
    welsh = repository.labels_in(session, Language.cy.value)
    by_vocabulary: dict[str, list[Term]] = {v.value: [] for v in AnyVocabulary}
    for (vocabulary, code), (english, row) in _english_labels(session).items():
        by_vocabulary.setdefault(vocabulary, []).append(_term(code, english, row, welsh.get((vocabulary, code)), language))
    return Vocabularies(**by_vocabulary)


def set_welsh_label(
    session: Session,
    *,
    principal: Principal,
    vocabulary: AnyVocabulary,
    code: str,
    label: str,
    if_match: str | None,
    clock: Clock,
) -> Term:
    """A translator's Welsh label for a term: it replaces the one they read (If-Match), and is reviewed."""
    audit.note(session, principal, "vocabularies:label", target_type=vocabulary.value, target_id=code)
    require(principal, Permission.vocabularies_manage)
    found = _english_labels(session).get((vocabulary.value, code))
    if found is None:
        raise NotFound(f"The {vocabulary.value} vocabulary has no '{code}'.")
    english, row = found
    welsh = repository.get_label(session, vocabulary.value, code, Language.cy.value)
    check_if_match(if_match, welsh.version if welsh is not None else 0, what="Welsh label")
    if welsh is None:
        welsh = TermLabel(vocabulary=vocabulary.value, code=code, language=Language.cy.value, label=label, version=0)
    welsh.label, welsh.reviewed_by, welsh.reviewed_at = label, principal.subject, clock.now()
    welsh.version += 1
    with lost_race_is_412("Welsh label"):
        repository.add(session, welsh)
    return _term(code, english, row, welsh, Language.cy)


def add_term(session: Session, *, principal: Principal, vocabulary: Vocabulary, data: TermCreate, clock: Clock) -> Term:
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
    welsh = None
    if data.label_cy is not None:  # given by the admin who adds the term, who answers for it
        welsh = TermLabel(
            vocabulary=vocabulary.value,
            code=data.code,
            language=Language.cy.value,
            label=data.label_cy,
            reviewed_by=principal.subject,
            reviewed_at=clock.now(),
        )
        repository.add(session, welsh)
    return _term(term.code, term.label, term, welsh, Language.en)


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
