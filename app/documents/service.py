"""Document rules: PDFs only, checked by content; readable under the review's own rules; the
report's text extracted, off the request path, into the review's full text."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from app.auth.policies import Permission, require
from app.auth.principals import Principal
from app.clock import Clock
from app.config import Settings
from app.db import write_transaction
from app.documents import repository
from app.documents.enums import DocumentKind, TextStatus
from app.documents.extract import PdfContents, UnreadablePdf, read_pdf
from app.documents.models import ReviewDocument
from app.documents.storage import DocumentDamaged, DocumentStore
from app.errors import DomainError, Gone, InvalidInput, InvalidTransition, NotFound, PreconditionFailed, ProblemItem
from app.etags import check_if_match, lost_race_is_412
from app.history import service as history
from app.reviews import service as reviews
from app.reviews.access import DOCUMENT_DOWNLOAD, DOCUMENT_UPLOAD, readable_review, writable_review
from app.reviews.enums import ReviewStatus

logger = logging.getLogger("app.documents")

# A withdrawn review is kept as it was withdrawn; the others' documents are added to (and corrected).
_UPLOADABLE = {ReviewStatus.draft, ReviewStatus.submitted, ReviewStatus.published}
_REASONS = {
    "damaged": "The PDF is damaged and cannot be read.",
    "encrypted": "The PDF is encrypted; upload it without a password.",
    "too-slow": "The PDF took too long to read; it may be malformed.",
    "too-costly": "The PDF needs too much memory to read; it may be malformed.",
    "active-content": "The PDF carries active content ({found}), which PDF readers run or open; "
    "upload it without scripts, actions or attached files (printing it to a new PDF removes them).",
}


class DocumentDamagedProblem(DomainError):
    status, slug, title = 500, "document-damaged", "The document's file is damaged"


class NotAPdf(DomainError):
    status, slug, title = 415, "unsupported-media-type", "Only PDF documents are accepted"


@dataclass(frozen=True)
class PdfLimits:
    check_seconds: float
    extract_seconds: float
    max_pages: int
    allow_active_content: bool = False

    @classmethod
    def of(cls, settings: Settings) -> PdfLimits:
        return cls(
            check_seconds=settings.pdf_check_seconds,
            extract_seconds=settings.pdf_extract_seconds,
            max_pages=settings.pdf_max_pages,
            allow_active_content=settings.pdf_allow_active_content,
        )


def refusal(exc: UnreadablePdf) -> str:
    """Why a PDF is refused, in words for the person who sent it."""
    return _REASONS[exc.reason].format(found=", ".join(exc.found))


def checked_pdf(head: bytes, path: Path, *, max_pages: int, timeout_seconds: float, allow_active_content: bool) -> PdfContents:
    """The PDF's pages and text (of up to `max_pages` pages), or a clear refusal of a file that is not
    one, cannot be read within the limits, or carries active content that is not allowed."""
    if not head.lstrip(b"\r\n\t \xef\xbb\xbf").startswith(b"%PDF-"):
        raise NotAPdf("The file is not a PDF (its content does not start with %PDF-).")
    try:
        return read_pdf(
            path, max_pages=max_pages, timeout_seconds=timeout_seconds, refuse_active_content=not allow_active_content
        )
    except UnreadablePdf as exc:
        raise InvalidInput(
            refusal(exc),
            errors=[ProblemItem(code=f"pdf-{exc.reason}", detail=refusal(exc), location="body", field="file")],
        ) from None


def archived(
    *,
    review_id: str,
    kind: DocumentKind,
    path: Path,
    contents: PdfContents,
    store: DocumentStore,
    subject: str,
    now: datetime,
) -> ReviewDocument:
    """A document from a board's archive, already read (`checked_pdf`), stored; its row is for the
    importer to insert with the review it belongs to (which takes a report's text)."""
    with path.open("rb") as content:
        received = store.receive(content)
    store.keep(received)
    return ReviewDocument(
        review_id=review_id,
        kind=kind.value,
        version=1,
        filename=_safe_filename(path.name),
        size=received.size,
        sha256=received.sha256,
        pages=contents.pages,
        text_status=(TextStatus.extracted if kind is DocumentKind.report else TextStatus.not_needed).value,
        uploaded_at=now,
        uploaded_by=subject,
    )


def upload(
    session: Session,
    *,
    principal: Principal,
    review_id: str,
    kind: DocumentKind,
    filename: str,
    content: BinaryIO,
    if_match: str | None,
    reason: str | None,
    store: DocumentStore,
    limits: PdfLimits,
    clock: Clock,
) -> tuple[ReviewDocument, bool]:
    """Store a review's document of this kind (replacing the last one). Returns it and whether it is new.

    A draft's documents come and go freely. A submitted or published review gains a kind it lacks
    (a complete record), but replacing one of its documents is a correction: it needs a reason. The
    superseded file is kept, and its revision says which it was (ADR 0033)."""
    review = writable_review(
        session,
        principal=principal,
        review_id=review_id,
        permission=Permission.review_edit,
        today=clock.today(),
        audit_as=DOCUMENT_UPLOAD,
        document_kind=kind.value,
    )
    existing = repository.get(session, review_id, kind.value)
    if existing is not None:
        check_if_match(if_match, existing.version, what="document")
    elif if_match is not None and if_match.strip() != "*":
        raise PreconditionFailed("The review has no document of this kind yet; send the first upload without If-Match.")
    if review.status not in _UPLOADABLE:
        raise InvalidTransition(f"Documents of a {review.status} review are not added or replaced.")
    correcting = existing is not None and review.status != ReviewStatus.draft
    if correcting:
        require(principal, Permission.review_correct, region=review.region)
        if reason is None:
            raise InvalidInput(
                f"This review is {review.status}: replacing its {kind.value} is a correction, and needs a reason.",
                errors=[
                    ProblemItem(
                        code="reason-required",
                        detail="Send the form field `reason`: why the document is replaced (every reader sees it).",
                        location="body",
                        field="reason",
                    )
                ],
            )

    received = store.receive(content)
    try:
        pages = checked_pdf(
            received.head,
            received.path,
            max_pages=0,
            timeout_seconds=limits.check_seconds,
            allow_active_content=limits.allow_active_content,
        ).pages
        store.keep(received)  # named by its checksum: the file it replaces stays where it was
    except BaseException:
        store.discard(received)
        raise

    status = TextStatus.pending if kind is DocumentKind.report else TextStatus.not_needed
    fields: dict[str, Any] = {
        "filename": _safe_filename(filename),
        "size": received.size,
        "sha256": received.sha256,
        "pages": pages,
        "text_status": status.value,
        "uploaded_at": clock.now(),
        "uploaded_by": principal.subject,
    }
    previous = _snapshot(existing) if existing is not None else None
    if existing is None:
        document = ReviewDocument(review_id=review_id, kind=kind.value, version=1, **fields)
    else:
        document = existing
        for name, value in fields.items():
            setattr(document, name, value)
        document.version += 1
    with lost_race_is_412("document"):
        repository.add(session, document)
    history.record(
        session,
        review_id=review_id,
        entity="document",
        entity_id=kind.value,
        version=document.version,
        change="upload" if existing is None else ("correct" if correcting else "replace"),
        snapshot=_snapshot(document),
        previous=previous,
        at=document.uploaded_at,
        by=principal.subject,
        reason=reason,
    )
    return document, existing is None


def _snapshot(document: ReviewDocument) -> dict[str, Any]:
    """A document as its revisions record it: which file it is (its text status follows on its own)."""
    return document.model_dump(mode="json", include={"filename", "size", "sha256", "pages", "uploaded_at", "uploaded_by"})


def report_text_extracted(session: Session, *, review_id: str) -> bool:
    """Whether the review's full text is its report's extracted text (what a coding of the report quotes)."""
    report = repository.get(session, review_id, DocumentKind.report.value)
    return report is not None and report.text_status == TextStatus.extracted.value


def list_documents(session: Session, *, principal: Principal, review_id: str, clock: Clock) -> list[ReviewDocument]:
    readable_review(session, principal=principal, review_id=review_id, today=clock.today())
    return repository.of_review(session, review_id)


def download(
    session: Session, *, principal: Principal, review_id: str, kind: DocumentKind, store: DocumentStore, clock: Clock
) -> tuple[ReviewDocument, Path, str]:
    """The document, where its bytes are, and a file name to offer (the review's reference and the kind)."""
    review = readable_review(
        session,
        principal=principal,
        review_id=review_id,
        today=clock.today(),
        audit_as=DOCUMENT_DOWNLOAD,
        document_kind=kind.value,
    )
    document = repository.get(session, review_id, kind.value)
    if document is None:
        raise NotFound(f"Review {review_id} has no {kind.value} document.")
    _refuse_redacted(session, review_id, kind, document.version)
    name = _safe_filename(f"{review.reference.replace('/', '_')}-{kind.value}.pdf")
    return document, _fetched(store, document.sha256), name


def _fetched(store: DocumentStore, sha256: str) -> Path:
    """The document's bytes, checked against their checksum; a problem if they cannot be served."""
    try:
        return store.fetch(sha256)
    except (FileNotFoundError, DocumentDamaged) as exc:
        logger.error("document %s cannot be served: %s", sha256, type(exc).__name__)
        raise DocumentDamagedProblem(
            "The registry holds this document's record, but its stored file is missing or holds other bytes, so it is "
            "not served. Its operators can restore it from a backup (`registry verify` names it)."
        ) from None


def _refuse_redacted(session: Session, review_id: str, kind: DocumentKind, version: int) -> None:
    if history.is_redacted(session, review_id, entity="document", entity_id=kind.value, version=version):
        raise Gone(
            f"Version {version} of the review's {kind.value} held text that was redacted from the review; its file is "
            "no longer kept. A redacted upload replaces it."
        )


@dataclass(frozen=True)
class EarlierVersion:
    version: int
    sha256: str
    path: Path
    filename: str


def download_version(
    session: Session,
    *,
    principal: Principal,
    review_id: str,
    kind: DocumentKind,
    version: int,
    store: DocumentStore,
    clock: Clock,
) -> EarlierVersion:
    """A document as it was at one of its versions (a superseded file too), for those who may read
    the review's revisions: its revisions name the file, which is never deleted."""
    review = readable_review(
        session, principal=principal, review_id=review_id, today=clock.today(), audit_as=Permission.revisions_read.value
    )
    require(principal, Permission.revisions_read, region=review.region)
    state = history.state_at(session, review_id, entity="document", entity_id=kind.value, version=version)
    current = repository.get(session, review_id, kind.value)
    if state is None and current is not None and current.version == version:
        state = {"sha256": current.sha256}  # the same file as its last revision (its text was extracted since)
    if state is None or not isinstance(state.get("sha256"), str):
        raise NotFound(f"Review {review_id} has no version {version} of its {kind.value} document.")
    _refuse_redacted(session, review_id, kind, version)
    sha256 = state["sha256"]
    name = _safe_filename(f"{review.reference.replace('/', '_')}-{kind.value}-v{version}.pdf")
    return EarlierVersion(version=version, sha256=sha256, path=_fetched(store, sha256), filename=name)


# A write that meets another writer: on SQLite BEGIN IMMEDIATE has already waited the busy timeout
# for the lock; on PostgreSQL a concurrent edit of the review makes its version check fail. Both are
# passing: the write is tried again from a fresh read, a few times, before the report stays pending.
WRITE_ATTEMPTS = 3


def extract_report_text(
    sessions: sessionmaker[Session], *, review_id: str, sha256: str, store: DocumentStore, limits: PdfLimits, clock: Clock
) -> None:
    """After the upload's response (or to recover a pending one): read the report's text into the
    review (bounded in pages and time)."""
    try:
        text = read_pdf(store.fetch(sha256), max_pages=limits.max_pages, timeout_seconds=limits.extract_seconds).text
        status = TextStatus.extracted
    except UnreadablePdf as exc:
        logger.warning("report text extraction failed: %s", exc.reason)
        text, status = None, TextStatus.failed
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            _record_extraction(sessions, review_id=review_id, sha256=sha256, text=text, status=status, clock=clock)
            return
        except (OperationalError, PreconditionFailed) as exc:
            if attempt == WRITE_ATTEMPTS:
                raise
            logger.warning("report text: write attempt %d met another writer (%s); trying again", attempt, type(exc).__name__)


def _record_extraction(
    sessions: sessionmaker[Session], *, review_id: str, sha256: str, text: str | None, status: TextStatus, clock: Clock
) -> None:
    with write_transaction(sessions) as session:  # SQLite: the write lock before the first read
        document = repository.get(session, review_id, DocumentKind.report.value, for_update=True)
        if document is None or document.sha256 != sha256 or document.text_status != TextStatus.pending.value:
            return  # replaced meanwhile (the newer upload has its own extraction), or already recorded
        if text is not None:
            reviews.record_extracted_text(session, review_id=review_id, text=text, source="system:report-extraction", clock=clock)
        document.text_status = status.value
        document.version += 1


def _safe_filename(name: str) -> str:
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in Path(name or "document.pdf").name)
    return cleaned.strip()[:200] or "document.pdf"
