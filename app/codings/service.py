"""Coding rules: a coder quotes a passage of a review they may read, exactly as it stands, and codes
it with a learning theme from their perspective. Each coder sees and changes only their own work;
the agreement between coders is computed over everyone's (ADR 0026)."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from typing import Any

from sqlmodel import Session

from app import audit
from app.auth.policies import Permission, allows, require
from app.auth.principals import Principal
from app.clock import Clock
from app.codings import agreement, repository
from app.codings.models import Coding
from app.codings.schemas import Agreement, CodingCreate, CodingList, CodingOut, CodingPatch, Location, ThemeAgreement
from app.documents import service as documents
from app.documents.enums import DocumentKind
from app.errors import Forbidden, InvalidInput, InvalidTransition, NotFound, ProblemItem
from app.etags import check_if_match, lost_race_is_412
from app.history import service as history
from app.reviews.access import readable_review
from app.reviews.enums import ReviewStatus
from app.reviews.models import RECOMMENDATION_TEXTS, Review
from app.search import outbox
from app.vocab import service as vocab
from app.vocab.enums import Vocabulary

ALL_CODERS = "all"
# A coding quotes text that no longer moves: a draft is still being written, a withdrawn review is hidden.
_CODABLE = {ReviewStatus.submitted, ReviewStatus.published}


def _problem(code: str, detail: str, *, field: str = "location") -> InvalidInput:
    return InvalidInput(
        detail,
        errors=[ProblemItem(code=code, detail=detail, location="body", field=field, pointer="#/" + field.replace(".", "/"))],
    )


def text_at(session: Session, review: Review, location: Location) -> str:
    """The text the location points into, as it is now; 422 when there is none."""
    if location.document_kind is not None:
        if location.document_kind is not DocumentKind.report:
            raise _problem(
                "no-text",
                f"The registry keeps the text of a review's report only, not of its {location.document_kind.value}.",
                field="location.document_kind",
            )
        if not documents.report_text_extracted(session, review_id=review.id):
            raise _problem("no-text", "The review has no report whose text has been extracted.", field="location.document_kind")
        text = review.full_text
    else:
        name = location.field or ""
        text = review.field_text(name)
        field, _, ref = name.partition("/")
        if field in RECOMMENDATION_TEXTS and ref not in {r.get("ref") for r in review.recommendations}:
            raise _problem("unknown-recommendation", f"The review has no recommendation '{ref}'.", field="location.field")
    if not text:
        raise _problem("no-text", "There is no text there to quote.", field="location")
    return text


def check_quote(session: Session, review: Review, *, quote: str, location: Location) -> None:
    """The quote is exactly the text at start:end of the location's current text."""
    text = text_at(session, review, location)
    if location.end > len(text):
        raise _problem(
            "offsets-out-of-range",
            f"The text there is {len(text)} characters long; end ({location.end}) is past it.",
            field="location.end",
        )
    if text[location.start : location.end] != quote:
        raise _problem(
            "quote-mismatch",
            f"The quote is not the text at {location.start}:{location.end} of the review as it is now; "
            "read the review again and send the passage exactly, with its offsets.",
            field="quote",
        )


def _codable(session: Session, *, principal: Principal, review_id: str, action: str, clock: Clock) -> Review:
    review = readable_review(session, principal=principal, review_id=review_id, today=clock.today(), audit_as=action)
    require(principal, Permission.codings_write)
    if review.status not in _CODABLE:
        raise InvalidTransition(f"Only submitted or published reviews are coded; this review is {review.status}.")
    return review


def _check_codes(session: Session, *, theme: str, perspective: str) -> None:
    vocab.check_codes(
        session,
        single={"theme": (Vocabulary.learning_theme.value, theme), "perspective": (Vocabulary.perspective.value, perspective)},
    )


def _snapshot(coding: Coding) -> dict[str, Any]:
    return CodingOut.from_model(coding).model_dump(mode="json", exclude={"id", "review_id", "created_at", "updated_at"})


def _remember(session: Session, coding: Coding, *, change: str, previous: dict[str, Any] | None, clock: Clock) -> None:
    snapshot = _snapshot(coding) | ({"deleted": True} if change == "delete" else {})
    history.record(
        session,
        review_id=coding.review_id,
        entity="coding",
        entity_id=coding.id,
        version=coding.version,
        change=change,
        snapshot=snapshot,
        previous=previous,
        at=clock.now(),
        by=coding.coder,
    )
    outbox.enqueue(session, review_id=coding.review_id, now=clock.now())  # the review's coded themes changed


def create_coding(session: Session, *, principal: Principal, review_id: str, data: CodingCreate, clock: Clock) -> Coding:
    review = _codable(session, principal=principal, review_id=review_id, action="coding:create", clock=clock)
    _check_codes(session, theme=data.theme, perspective=data.perspective)
    check_quote(session, review, quote=data.quote, location=data.location)
    now = clock.now()
    coding = Coding(
        review_id=review.id,
        coder=principal.subject,
        theme=data.theme,
        perspective=data.perspective,
        quote=data.quote,
        location_field=data.location.field,
        location_document_kind=data.location.document_kind.value if data.location.document_kind else None,
        start_offset=data.location.start,
        end_offset=data.location.end,
        note=data.note,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, coding)
    audit.note(session, principal, "coding:create", target_type="coding", target_id=coding.id)
    _remember(session, coding, change="create", previous=None, clock=clock)
    return coding


def list_codings(session: Session, *, principal: Principal, review_id: str, coder: str | None, clock: Clock) -> CodingList:
    """One's own codings of the review; everyone's (`coder=all`) for those who may read all codings."""
    readable_review(session, principal=principal, review_id=review_id, today=clock.today(), audit_as="codings:list")
    require(principal, Permission.codings_write)
    if coder is None or coder == principal.subject:
        return CodingList(
            coder=principal.subject,
            items=[CodingOut.from_model(c) for c in repository.of_review(session, review_id, coder=principal.subject)],
        )
    if coder != ALL_CODERS:
        raise InvalidInput(
            "coder is `all` or your own subject.",
            errors=[
                ProblemItem(
                    code="invalid-coder",
                    detail="Use coder=all, or leave it out for your own codings.",
                    location="query",
                    field="coder",
                )
            ],
        )
    if not allows(principal, Permission.codings_read_all):
        raise Forbidden(
            f"A {principal.role} account sees only its own codings, so coders code independently; "
            "GET /codings/agreement compares them."
        )
    return CodingList(
        coder=ALL_CODERS, items=[CodingOut.from_model(c) for c in repository.of_review(session, review_id, coder=None)]
    )


def _own_coding(session: Session, *, principal: Principal, coding_id: str, action: str, clock: Clock) -> tuple[Coding, Review]:
    """The caller's own coding: 404 when it does not exist or its review may not be read, 401/403
    without the permission, 403 when it is another coder's."""
    audit.note(session, principal, action, target_type="coding", target_id=coding_id)
    coding = repository.get(session, coding_id)
    if coding is None:
        raise NotFound(f"There is no coding {coding_id} that you may see.")
    try:
        review = readable_review(session, principal=principal, review_id=coding.review_id, today=clock.today(), audit_as=action)
    except NotFound:
        audit.note(session, principal, action, target_type="coding", target_id=coding_id)
        raise NotFound(f"There is no coding {coding_id} that you may see.") from None  # not even its review's id
    audit.note(session, principal, action, target_type="coding", target_id=coding_id)
    require(principal, Permission.codings_write)
    if coding.coder != principal.subject:
        raise Forbidden("Only its coder changes a coding.")
    return coding, review


def update_coding(
    session: Session, *, principal: Principal, coding_id: str, patch: CodingPatch, if_match: str | None, clock: Clock
) -> Coding:
    coding, review = _own_coding(session, principal=principal, coding_id=coding_id, action="coding:update", clock=clock)
    check_if_match(if_match, coding.version, what="coding")
    if review.status not in _CODABLE:
        raise InvalidTransition(f"Only codings of submitted or published reviews are changed; this review is {review.status}.")
    sent = patch.model_fields_set
    for required in ("theme", "perspective", "quote", "location"):
        if required in sent and getattr(patch, required) is None:
            raise InvalidInput(
                f"{required} cannot be cleared.",
                errors=[
                    ProblemItem(
                        code="required",
                        detail=f"{required} cannot be null.",
                        location="body",
                        field=required,
                        pointer=f"#/{required}",
                    )
                ],
            )
    previous = _snapshot(coding)
    theme = patch.theme if patch.theme is not None else coding.theme
    perspective = patch.perspective if patch.perspective is not None else coding.perspective
    _check_codes(session, theme=theme, perspective=perspective)
    location = patch.location or Location(
        field=coding.location_field,
        document_kind=DocumentKind(coding.location_document_kind) if coding.location_document_kind else None,
        start=coding.start_offset,
        end=coding.end_offset,
    )
    quote = patch.quote if patch.quote is not None else coding.quote
    if "quote" in sent or "location" in sent:
        check_quote(session, review, quote=quote, location=location)
    coding.theme, coding.perspective, coding.quote = theme, perspective, quote
    coding.location_field = location.field
    coding.location_document_kind = location.document_kind.value if location.document_kind else None
    coding.start_offset, coding.end_offset = location.start, location.end
    if "note" in sent:
        coding.note = patch.note
    coding.version += 1
    coding.updated_at = clock.now()
    with lost_race_is_412("coding"):
        session.flush()
    _remember(session, coding, change="update", previous=previous, clock=clock)
    return coding


def delete_coding(session: Session, *, principal: Principal, coding_id: str, if_match: str | None, clock: Clock) -> None:
    coding, _ = _own_coding(session, principal=principal, coding_id=coding_id, action="coding:delete", clock=clock)
    check_if_match(if_match, coding.version, what="coding")
    previous = _snapshot(coding)
    _remember(session, coding, change="delete", previous=previous, clock=clock)
    with lost_race_is_412("coding"):
        repository.remove(session, coding)


# --- agreement -------------------------------------------------------------------------------


def theme_agreement(theme: str, coded: Sequence[tuple[str, str, str]], *, family: Collection[str] = ()) -> ThemeAgreement:
    """Whether each coder carries `theme` on each review coded by two or more coders (any theme).
    `coded` holds (review, coder, theme) once each. A coder carries the theme who coded the review
    with it or with any theme of its `family` (the themes under it, ADR 0032)."""
    carried = {theme, *family}
    raters: dict[str, set[str]] = {}
    carriers: dict[str, set[str]] = {}
    for review_id, coder, coded_theme in coded:
        raters.setdefault(review_id, set()).add(coder)
        if coded_theme in carried:
            carriers.setdefault(review_id, set()).add(coder)
    counted = sorted(r for r, coders in raters.items() if len(coders) >= 2)
    coders = sorted({c for r in counted for c in raters[r]})
    if not counted:
        return ThemeAgreement(
            theme=theme, reviews=0, coders=0, statistic=None, value=None, reason="No review has been coded by two or more coders."
        )

    def carries(review_id: str, coder: str) -> Hashable | None:
        if coder not in raters[review_id]:
            return None
        return coder in carriers.get(review_id, set())

    value: float | None
    if len(coders) == 2:
        first, second = coders
        statistic = "cohen_kappa"
        value = agreement.cohen_kappa([(carries(r, first), carries(r, second)) for r in counted])
    elif all(len(raters[r]) == len(coders) for r in counted):
        statistic = "fleiss_kappa"
        value = agreement.fleiss_kappa(
            [[len(carriers.get(r, set())), len(coders) - len(carriers.get(r, set()))] for r in counted]
        )
    else:
        statistic = "krippendorff_alpha"
        value = agreement.krippendorff_alpha([[carries(r, c) for c in coders] for r in counted])
    reason = None
    if value is None:
        said = "present" if any(carriers.get(r) for r in counted) else "absent"
        reason = (
            f"Every coder said '{said}' on every review counted, so chance alone would agree completely "
            f"and {statistic} is undefined (0/0)."
        )
    return ThemeAgreement(
        theme=theme,
        reviews=len(counted),
        coders=len(coders),
        statistic=statistic,
        value=None if value is None else round(value, 6),
        reason=reason,
    )


def agreement_of(
    session: Session, *, principal: Principal, theme: str | None, perspective: str | None, clock: Clock
) -> Agreement:
    """Per learning theme (or the one asked), how far coders agree on whether each review carries it,
    over the reviews the caller may read."""
    audit.note(session, principal, Permission.codings_agreement.value)
    require(principal, Permission.codings_agreement)
    single: dict[str, tuple[str, str | None]] = {
        "theme": (Vocabulary.learning_theme.value, theme),
        "perspective": (Vocabulary.perspective.value, perspective),
    }
    problems = []
    try:
        vocab.check_codes(session, single=single)
    except InvalidInput as exc:
        problems = [item.model_copy(update={"location": "query", "pointer": None}) for item in exc.errors or []]
    if problems:
        raise InvalidInput(f"{len(problems)} code(s) are not in the registry's vocabularies.", errors=problems)
    coded = repository.coded(session, principal=principal, today=clock.today(), perspective=perspective)
    themes = [theme] if theme is not None else vocab.codes_of(session, Vocabulary.learning_theme)
    families = vocab.families(session, Vocabulary.learning_theme)
    return Agreement(perspective=perspective, themes=[theme_agreement(t, coded, family=families.get(t, [t])) for t in themes])
