"""Review rules: creating drafts, editing them, and moving them through their lifecycle."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from app import audit
from app.action_plans import service as action_plans
from app.auth.policies import Permission, allows, require
from app.auth.principals import Principal
from app.clock import Clock
from app.documents.enums import DocumentKind
from app.errors import Conflict, InvalidInput, InvalidTransition, ProblemItem, validation_items
from app.etags import check_if_match, lost_race_is_412
from app.history import service as history
from app.history.schemas import CorrectionPage, RevisionPage
from app.pagination import CursorPosition, Instant, TextId, decode_cursor, encode_cursor
from app.reviews import repository
from app.reviews.access import readable_review, writable_review
from app.reviews.enums import ReviewStatus
from app.reviews.exceptions import SubmissionRejected
from app.reviews.models import TAG_FIELDS, Review, ReviewTag
from app.reviews.repository import Milestones, Position, ReviewFilters
from app.reviews.rules import context_warnings, publication_problems, submission_problems
from app.reviews.schemas import ContextWarning, ReviewContent, ReviewCreate, ReviewOut, content_of
from app.search import outbox
from app.vocab.service import KnownCodes, check_codes


def check_vocabularies(
    session: Session, content: ReviewContent, *, region: str | None = None, known: KnownCodes | None = None
) -> None:
    check_codes(
        session,
        region=region,
        single={"age_band": ("age_band", content.age_band)},
        multiple={field: (vocabulary, getattr(content, field)) for field, vocabulary in TAG_FIELDS.items()},
        known=known,
    )


def _apply(review: Review, content: ReviewContent) -> None:
    data = content.model_dump(mode="json", exclude=set(TAG_FIELDS))
    data["completed_on"] = content.completed_on
    for name, value in data.items():
        setattr(review, name, value)
    wanted = {(TAG_FIELDS[field], code) for field in TAG_FIELDS for code in getattr(content, field)}
    review.tags = [tag for tag in review.tags if (tag.vocabulary, tag.code) in wanted]
    present = {(tag.vocabulary, tag.code) for tag in review.tags}
    review.tags.extend(ReviewTag(review_id=review.id, vocabulary=v, code=c) for v, c in sorted(wanted - present))


def check_reference_free(session: Session, *, region: str, reference: str, other_than: str | None = None) -> None:
    """409 when the region already has a review with this reference: a withdrawn one's too, since a
    withdrawn review is kept whole and can be reinstated (its reference stays reserved)."""
    holder = repository.reference_holder_status(session, region=region, reference=reference, other_than=other_than)
    if holder is None:
        return
    if holder == ReviewStatus.withdrawn:
        raise Conflict(
            f"The {region} board already has a review with reference '{reference}': it is withdrawn, and a withdrawn "
            "review keeps its reference (it can be reinstated). Choose another reference."
        )
    raise Conflict(f"The {region} board already has a review with reference '{reference}'.")


def create_review(session: Session, *, principal: Principal, data: ReviewCreate, clock: Clock) -> Review:
    audit.note(session, principal, Permission.review_create.value, target_type="region", target_id=data.region)
    require(principal, Permission.review_create, region=data.region)
    check_vocabularies(session, data, region=data.region)
    check_reference_free(session, region=data.region, reference=data.reference)
    now = clock.now()
    review = new_review(data, subject=principal.subject, now=now)
    repository.add(session, review)
    outbox.enqueue(session, review_id=review.id, now=now)
    remember(session, review, change="create", previous=None)
    audit.note(session, principal, Permission.review_create.value, target_type="review", target_id=review.id)
    return review


def new_review(data: ReviewCreate, *, subject: str, now: datetime) -> Review:
    """A draft made from checked content (not yet in the session)."""
    review = Review(
        region=data.region,
        created_at=now,
        updated_at=now,
        created_by=subject,
        updated_by=subject,
        reference=data.reference,
        kind=data.kind,
        trigger_outcome=data.trigger_outcome,
        title=data.title,
    )
    _apply(review, data)
    return review


def learning_context(session: Session, reviews: list[Review]) -> dict[str, list[ContextWarning]]:
    """Each review's learning-context warnings as it is now: computed on read, so a timeline uploaded
    after submission clears `no-timeline` (ADR 0028)."""
    timelines = repository.with_document(session, [review.id for review in reviews], DocumentKind.timeline)
    return {review.id: context_warnings(review, has_timeline=review.id in timelines) for review in reviews}


def warnings_of(session: Session, review: Review) -> list[ContextWarning]:
    return learning_context(session, [review])[review.id]


def get_review(session: Session, *, principal: Principal, review_id: str, clock: Clock) -> Review:
    return readable_review(session, principal=principal, review_id=review_id, today=clock.today())


class ListPosition(CursorPosition):
    """The last review of a page: when it was created, and its id (the tie-break)."""

    c: Instant
    i: TextId


def list_reviews(
    session: Session,
    *,
    principal: Principal,
    filters: ReviewFilters,
    limit: int,
    cursor: str | None,
    clock: Clock,
) -> tuple[list[Review], str | None]:
    after = None
    if cursor is not None:
        position = decode_cursor(cursor, ListPosition)
        after = Position(created_at=position.c, id=position.i)
    rows = repository.list_visible(
        session, principal=principal, today=clock.today(), filters=filters, limit=limit + 1, after=after
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(ListPosition(c=last.created_at, i=last.id))
    return rows, next_cursor


def _merge_patch(review: Review, patch: dict[str, Any], *, at: tuple[str, ...] = ("body",)) -> ReviewContent:
    """RFC 7396: a member sent as null goes back to its default (required ones then fail validation).
    `at`: where the patch is in the request, for the errors' locations."""
    merged = content_of(review)
    for name, value in patch.items():
        field = ReviewContent.model_fields[name]
        if value is None and not field.is_required():
            value = field.get_default(call_default_factory=True)
        merged[name] = value
    try:
        return ReviewContent.model_validate(merged)
    except ValidationError as exc:
        raise InvalidInput(
            "The review would not be valid after this change.",
            errors=validation_items({**error, "loc": (*at, *error["loc"])} for error in exc.errors()),
        ) from None


def update_review(
    session: Session,
    *,
    principal: Principal,
    review_id: str,
    patch: dict[str, Any],
    if_match: str | None,
    clock: Clock,
) -> Review:
    review = writable_review(
        session, principal=principal, review_id=review_id, permission=Permission.review_edit, today=clock.today()
    )
    check_if_match(if_match, review.version, what="review")
    if review.status != ReviewStatus.draft:
        raise InvalidTransition(
            f"Only a draft can be edited; this review is {review.status}. Its action plan's progress can still be updated."
        )
    previous = _snapshot(review)
    content = _merge_patch(review, patch)
    check_vocabularies(session, content)
    if content.reference != review.reference:
        check_reference_free(session, region=review.region, reference=content.reference, other_than=review.id)
    _apply(review, content)
    _touch(session, review, principal.subject, clock, change="update", previous=previous)
    _flush(session)
    return review


_CORRECTABLE = {ReviewStatus.submitted, ReviewStatus.published}


def correct_review(
    session: Session,
    *,
    principal: Principal,
    review_id: str,
    reason: str,
    changes: dict[str, Any],
    if_match: str | None,
    clock: Clock,
) -> Review:
    """Correct a submitted or published review: a merge patch of its content (an admin may also move
    it to another region), recorded as a revision with its reason. The corrected review must still
    keep every submission rule (ADR 0033)."""
    review = writable_review(
        session, principal=principal, review_id=review_id, permission=Permission.review_correct, today=clock.today()
    )
    check_if_match(if_match, review.version, what="review")
    if review.status not in _CORRECTABLE:
        raise InvalidTransition(
            f"Only a submitted or published review is corrected; this review is {review.status}."
            + (" Edit a draft with PATCH /reviews/{id}." if review.status == ReviewStatus.draft else "")
        )
    region = changes.pop("region", review.region)
    if region is None:
        raise InvalidInput(
            "A review always belongs to a region.",
            errors=[_correction_item("missing", "region cannot be cleared; name the region to move it to.", "region")],
        )
    if region != review.region:
        require(principal, Permission.review_move)
    content = _merge_patch(review, changes, at=("body", "changes"))
    try:
        check_vocabularies(session, content, region=region if region != review.region else None)
    except InvalidInput as exc:  # the codes are in `changes` of this request's body
        raise InvalidInput(exc.detail, errors=[_within_changes(item) for item in exc.errors or []]) from None
    if (region, content.reference) != (review.region, review.reference):
        check_reference_free(session, region=region, reference=content.reference, other_than=review.id)
    previous = _snapshot(review)
    review.region = region
    _apply(review, content)
    if _snapshot(review) == previous:
        raise InvalidInput(
            "The correction changes nothing: the review already says this.",
            errors=[_correction_item("correction-changes-nothing", "Send in `changes` only what is corrected.", None)],
        )
    addressed = action_plans.addressed_recommendations(session, review_id=review.id)
    orphaned = sorted((addressed or set()) - {recommendation.ref for recommendation in content.recommendations})
    if orphaned:  # an action must keep answering one of the review's recommendations
        raise InvalidInput(
            "The correction removes recommendations that actions of the plan answer.",
            errors=[
                _correction_item(
                    "unknown-recommendation",
                    f"Actions answer recommendation {ref}; a correction keeps it (its text may change).",
                    "recommendations",
                )
                for ref in orphaned
            ],
        )
    problems = submission_problems(review, addressed)
    if problems:
        raise SubmissionRejected(
            f"The corrected review would break {len(problems)} submission rule(s); see errors. Nothing was changed.",
            errors=problems,
        )
    _touch(session, review, principal.subject, clock, change="correct", previous=previous, reason=reason)
    _flush(session)
    return review


def _correction_item(code: str, detail: str, field: str | None) -> ProblemItem:
    return ProblemItem(
        code=code,
        detail=detail,
        location="body",
        field=f"changes.{field}" if field else "changes",
        pointer=f"#/changes/{field}" if field else "#/changes",
    )


def _within_changes(item: ProblemItem) -> ProblemItem:
    return item.model_copy(
        update={
            "field": f"changes.{item.field}" if item.field else "changes",
            "pointer": "#/changes/" + item.pointer.removeprefix("#/") if item.pointer else None,
        }
    )


def corrections(
    session: Session, *, principal: Principal, review_id: str, limit: int, cursor: str | None, clock: Clock
) -> CorrectionPage:
    """Whoever may read the review sees its corrections and their reasons; who made each, only those
    who may read its revisions."""
    review = readable_review(session, principal=principal, review_id=review_id, today=clock.today())
    with_authors = allows(principal, Permission.revisions_read, region=review.region)
    return history.page_of_corrections(session, review.id, limit=limit, cursor=cursor, with_authors=with_authors)


def corrected_at(session: Session, review: Review) -> datetime | None:
    return history.last_correction(session, review.id)


def _transition(
    session: Session,
    *,
    principal: Principal,
    review_id: str,
    permission: Permission,
    if_match: str | None,
    clock: Clock,
    change: str,
    allowed_from: AbstractSet[str],
    apply: Callable[[Review], None],
) -> Review:
    """One lifecycle step: access, the optional If-Match, the status it starts from, the change, its record."""
    review = writable_review(session, principal=principal, review_id=review_id, permission=permission, today=clock.today())
    if if_match is not None:
        check_if_match(if_match, review.version, what="review")
    if review.status not in allowed_from:
        raise InvalidTransition(
            f"This review is {review.status}; to {change} it, it must be {' or '.join(sorted(allowed_from))}."
        )
    previous = _snapshot(review)
    apply(review)
    _touch(session, review, principal.subject, clock, change=change, previous=previous)
    _flush(session)
    return review


def submit_review(session: Session, *, principal: Principal, review_id: str, if_match: str | None, clock: Clock) -> Review:
    """Draft -> submitted, only when every submission rule holds (all broken ones reported at once)."""

    def submit(review: Review) -> None:
        mark_submitted(review, action_plans.addressed_recommendations(session, review_id=review.id), at=clock.now())

    return _transition(
        session,
        principal=principal,
        review_id=review_id,
        permission=Permission.review_submit,
        if_match=if_match,
        clock=clock,
        change="submit",
        allowed_from={ReviewStatus.draft},
        apply=submit,
    )


def publish_review(
    session: Session,
    *,
    principal: Principal,
    review_id: str,
    if_match: str | None,
    public_window_days: int,
    clock: Clock,
) -> Review:
    """Submitted -> published, opening the public window."""

    def publish(review: Review) -> None:
        problems = publication_problems(has_report=bool(repository.with_document(session, [review.id], DocumentKind.report)))
        if problems:
            raise SubmissionRejected("The review cannot be published yet; see errors.", errors=problems)
        open_public_window(review, published_on=clock.today(), public_window_days=public_window_days)

    return _transition(
        session,
        principal=principal,
        review_id=review_id,
        permission=Permission.review_publish,
        if_match=if_match,
        clock=clock,
        change="publish",
        allowed_from={ReviewStatus.submitted},
        apply=publish,
    )


def mark_submitted(review: Review, addressed_refs: set[str] | None, *, at: datetime) -> None:
    """Submitted, if every submission rule holds; otherwise refused with every broken rule at once."""
    problems = submission_problems(review, addressed_refs)
    if problems:
        raise SubmissionRejected(f"The review breaks {len(problems)} submission rule(s); see errors.", errors=problems)
    review.status = ReviewStatus.submitted
    review.submitted_at = at


def open_public_window(review: Review, *, published_on: date, public_window_days: int) -> None:
    review.status = ReviewStatus.published
    review.published_on = published_on
    review.public_until = published_on + timedelta(days=public_window_days)


def _snapshot(review: Review) -> dict[str, Any]:
    return ReviewOut.from_model(review, with_full_text=True).model_dump(mode="json", exclude={"warnings", "corrected_at"})


def snapshot_of(review: Review) -> dict[str, Any]:
    """The review's state as its revisions keep it (for a change made by a higher domain: redaction)."""
    return _snapshot(review)


def remember(
    session: Session, review: Review, *, change: str, previous: dict[str, Any] | None, reason: str | None = None
) -> None:
    history.record(
        session,
        review_id=review.id,
        entity="review",
        entity_id=review.id,
        version=review.version,
        change=change,
        snapshot=_snapshot(review),
        previous=previous,
        at=review.updated_at,
        by=review.updated_by,
        reason=reason,
    )


def _touch(
    session: Session,
    review: Review,
    subject: str,
    clock: Clock,
    *,
    change: str,
    previous: dict[str, Any],
    reason: str | None = None,
) -> None:
    """Every change: a new version, who and when, its place in the history, and a note for search."""
    review.version += 1
    review.updated_at = clock.now()
    review.updated_by = subject
    outbox.enqueue(session, review_id=review.id, now=review.updated_at)
    remember(session, review, change=change, previous=previous, reason=reason)


def _flush(session: Session) -> None:
    with lost_race_is_412("review"):
        session.flush()


def record_extracted_text(session: Session, *, review_id: str, text: str, source: str, clock: Clock) -> None:
    """The report's extracted text becomes the review's full text (a new version, searchable)."""
    review = repository.get(session, review_id)
    if review is None:
        return
    previous = _snapshot(review)
    review.full_text = text
    _touch(session, review, source, clock, change="report-text", previous=previous)
    _flush(session)


def withdraw_review(
    session: Session, *, principal: Principal, review_id: str, reason: str, if_match: str | None, clock: Clock
) -> Review:
    """Hide a review from all but the inspectorate and admins; kept whole, and reinstatable."""

    def withdraw(review: Review) -> None:
        review.withdrawn_from, review.status = review.status, ReviewStatus.withdrawn
        review.withdrawn_at, review.withdrawn_reason = clock.now(), reason

    live = {ReviewStatus.draft, ReviewStatus.submitted, ReviewStatus.published}
    return _transition(
        session,
        principal=principal,
        review_id=review_id,
        permission=Permission.review_withdraw,
        if_match=if_match,
        clock=clock,
        change="withdraw",
        allowed_from=live,
        apply=withdraw,
    )


def reinstate_review(session: Session, *, principal: Principal, review_id: str, if_match: str | None, clock: Clock) -> Review:
    """Return a withdrawn review to the status it was withdrawn from."""

    def reinstate(review: Review) -> None:
        review.status = review.withdrawn_from or ReviewStatus.draft
        review.withdrawn_from = review.withdrawn_at = review.withdrawn_reason = None

    return _transition(
        session,
        principal=principal,
        review_id=review_id,
        permission=Permission.review_reinstate,
        if_match=if_match,
        clock=clock,
        change="reinstate",
        allowed_from={ReviewStatus.withdrawn},
        apply=reinstate,
    )


def revisions(
    session: Session, *, principal: Principal, review_id: str, limit: int, cursor: str | None, clock: Clock
) -> RevisionPage:
    """Earlier states include drafts: only the review's own board, the inspectorate and admins see them."""
    review = readable_review(
        session, principal=principal, review_id=review_id, today=clock.today(), audit_as=Permission.revisions_read.value
    )  # never a public read, whatever the review's window: earlier states include drafts
    require(principal, Permission.revisions_read, region=review.region)
    # The review, its plan, its actions and its documents: codings are the coders' own work, kept apart (ADR 0026).
    return history.page_of_review(
        session, review_id, limit=limit, cursor=cursor, entities=("review", "action_plan", "action", "document")
    )


def readable_since(review: Milestones) -> datetime:
    """When the review became what its readers see now: published on its publication date, submitted
    when it was submitted, withdrawn when it was withdrawn, a draft when it was created (ADR 0029)."""
    if review.status == ReviewStatus.published and review.published_on is not None:
        return datetime.combine(review.published_on, time(), tzinfo=UTC)
    if review.status == ReviewStatus.withdrawn and review.withdrawn_at is not None:
        return review.withdrawn_at
    if review.status in (ReviewStatus.submitted, ReviewStatus.published) and review.submitted_at is not None:
        return review.submitted_at
    return review.created_at


def newest_readable(
    session: Session, *, principal: Principal, today: date, among: list[str] | None, limit: int
) -> list[tuple[Review, datetime]]:
    """The `limit` reviews (of `among`, or of all) the principal may read today, newest first by when
    they became readable, each with that moment. The database decides what is readable, not an index."""
    dated = sorted(
        (
            (readable_since(m), m.id)
            for m in repository.milestones_visible(session, principal=principal, today=today, among=among)
        ),
        reverse=True,
    )[:limit]
    by_id = {review.id: review for review in repository.get_many(session, [review_id for _, review_id in dated])}
    return [(by_id[review_id], since) for since, review_id in dated if review_id in by_id]
