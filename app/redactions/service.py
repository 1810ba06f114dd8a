"""Redaction: the one change that removes what was written, from the review, its plan, its codings
and every revision of them (ADR 0038). What was removed is never kept: the answer, the audit row and
the redaction's own revision say where and how often, never what."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session

from app.auth.policies import Permission
from app.auth.principals import Principal
from app.clock import Clock
from app.codings.models import Coding
from app.documents import repository as documents
from app.documents.enums import TextStatus
from app.documents.models import ReviewDocument
from app.errors import InvalidInput, ProblemItem
from app.etags import check_if_match, lost_race_is_412
from app.history import repository as history
from app.history import service as revisions
from app.redactions import repository
from app.redactions.schemas import RedactionOut, RewrittenPlace
from app.redactions.scrub import MARKER, offsets_after, pattern_of, scrub
from app.reviews import service as reviews
from app.reviews.access import writable_review
from app.reviews.models import Review
from app.search import outbox

# What people wrote, per table; every other column is the registry's own (codes, dates, ids).
_REVIEW_FIELDS = (
    "title",
    "title_cy",
    "summary",
    "summary_cy",
    "recommendations",  # each one's `text` and `text_cy`
    "reviewers",
    "full_text",
    "withdrawn_reason",
)
_ACTION_FIELDS = ("description", "progress_notes")
_CODING_FIELDS = ("quote", "note")
_REVISION_FIELDS = ("snapshot", "reason")


def _scrub_fields(row: Any, names: tuple[str, ...], pattern: re.Pattern[str]) -> tuple[list[str], int]:
    """Rewrite the row's fields in place; the fields that changed and how many matches they held."""
    changed, total = [], 0
    for name in names:
        value, n = scrub(getattr(row, name), pattern)
        if n:
            setattr(row, name, value)
            changed.append(name)
            total += n
    return changed, total


def _coded_text(review: Review, coding: Coding) -> str | None:
    """The text a coding points into (the report's is the review's full text), or None."""
    if coding.location_document_kind is not None:
        return review.full_text
    return review.field_text(coding.location_field or "")


def _keep_in_place(coding: Coding, before: str, after: str | None, pattern: re.Pattern[str]) -> None:
    """A coding's offsets as they are once its text is redacted, and its quote the text there now,
    so that the quote is still exactly the text at its place (the rule every coding keeps)."""
    moved = offsets_after(before, pattern)
    coding.start_offset, coding.end_offset = moved(coding.start_offset, False), moved(coding.end_offset, True)
    coding.quote = (after or "")[coding.start_offset : coding.end_offset]


def redact(
    session: Session, *, principal: Principal, review_id: str, text: str, reason: str, if_match: str | None, clock: Clock
) -> tuple[RedactionOut, list[str]]:
    """Replace `text` with MARKER everywhere the review keeps it, in any status (the law requires
    removal whatever the review's state). 422 `text-not-found` when it is nowhere: nothing changes.
    Answers what was rewritten, and the SHA-256 of the files to remove once the change is committed:
    every version of a document whose extracted text held it (marked redacted, answered 410)."""
    review = writable_review(
        session, principal=principal, review_id=review_id, permission=Permission.review_redact, today=clock.today()
    )
    check_if_match(if_match, review.version, what="review")
    pattern = pattern_of(text)
    places: list[RewrittenPlace] = []
    previous = reviews.snapshot_of(review)

    codings = repository.codings_of(session, review.id)
    coded_before = {coding.id: _coded_text(review, coding) for coding in codings}
    fields, n = _scrub_fields(review, _REVIEW_FIELDS, pattern)
    if n:
        places.append(RewrittenPlace(entity="review", entity_id=review.id, fields=fields, occurrences=n))
    report_text_held = "full_text" in fields
    for action in repository.actions_of(session, review.id):
        fields, n = _scrub_fields(action, _ACTION_FIELDS, pattern)
        if n:
            action.version += 1  # its ETag changes with its text
            places.append(RewrittenPlace(entity="action", entity_id=action.id, fields=fields, occurrences=n))
    for coding in codings:
        fields, n = _scrub_fields(coding, _CODING_FIELDS, pattern)
        before = coded_before[coding.id]
        if before and pattern.search(before):
            _keep_in_place(coding, before, _coded_text(review, coding), pattern)
            fields = [*dict.fromkeys([*fields, "quote", "location"])]
        if fields:
            coding.version += 1
            report_text_held = report_text_held or coding.location_document_kind is not None
            places.append(RewrittenPlace(entity="coding", entity_id=coding.id, fields=fields, occurrences=n))
    held_by = [
        document
        for document in documents.of_review(session, review.id)
        if report_text_held and document.text_status == TextStatus.extracted.value
    ]
    revisions_rewritten = 0
    with history.allow_rewrite(session):
        for revision in repository.revisions_of(session, review.id):
            fields, n = _scrub_fields(revision, _REVISION_FIELDS, pattern)
            if n:
                revisions_rewritten += 1
                places.append(RewrittenPlace(entity="revision", entity_id=str(revision.id), fields=fields, occurrences=n))
            if revision.entity == "document" and revision.entity_id in {d.kind for d in held_by}:
                revision.snapshot = revision.snapshot | {"redacted": True}  # this version's file is no longer served
    if not places:
        raise InvalidInput(
            "The text is nowhere in this review, its plan, its codings or its history; nothing was changed.",
            errors=[
                ProblemItem(
                    code="text-not-found",
                    detail="Nothing matched the text (in any letter case, as whole words).",
                    location="body",
                    field="text",
                    pointer="#/text",
                )
            ],
        )

    # The redaction is itself a change of the review: a new version, a revision with its reason
    # (and the redacted fields' new values), a note for search, and the audit of who and why.
    review.version += 1
    review.updated_at = clock.now()
    review.updated_by = principal.subject
    outbox.enqueue(session, review_id=review.id, now=review.updated_at)
    where = [place.model_dump() for place in places]
    revisions.record(
        session,
        review_id=review.id,
        entity="review",
        entity_id=review.id,
        version=review.version,
        change="redact",
        snapshot=reviews.snapshot_of(review) | {"redacted": where},
        previous=previous,
        at=review.updated_at,
        by=review.updated_by,
        reason=reason,
    )
    with lost_race_is_412("review"):
        repository.purge_full_text_index(session)

    return RedactionOut(
        review_id=review.id,
        version=review.version,
        marker=MARKER,
        occurrences=sum(place.occurrences for place in places),
        revisions_rewritten=revisions_rewritten,
        places=places,
        documents_to_replace=[document.kind for document in held_by],
    ), _files_to_remove(session, review.id, held_by)


def _files_to_remove(session: Session, review_id: str, held_by: list[ReviewDocument]) -> list[str]:
    """The files of every version of the documents that held the text, but for those another
    document or version (of any review) still names without being redacted: the same bytes uploaded
    twice stay as long as someone may read them."""
    redacted = {(review_id, document.kind) for document in held_by}
    files = {document.sha256 for document in held_by}
    still_named: set[str] = set()
    for revision in repository.document_revisions(session):
        sha256 = revision.snapshot.get("sha256")
        if (revision.review_id, revision.entity_id) in redacted:
            files |= {sha256} if isinstance(sha256, str) else set()
        elif isinstance(sha256, str) and revision.snapshot.get("redacted") is not True:
            still_named.add(sha256)
    still_named |= {sha256 for sha256, key in repository.current_files(session) if key not in redacted}
    return sorted(files - still_named)
