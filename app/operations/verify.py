"""`registry verify`: that nothing was lost. Every document row has its file, and the file its
checksum; every file in the document store is referenced by a row; every review has its history.
Each problem is one line, for a person to read."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.documents.models import ReviewDocument
from app.documents.storage import DocumentDamaged, DocumentStore
from app.history.models import Revision
from app.reviews.models import Review

CREATIONS = frozenset({"create", "import"})


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    documents: int = 0
    files: int = 0
    reviews: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session, store: DocumentStore) -> Verification:
    result = Verification()
    referenced = _check_documents(session, store, result)
    _check_files(store, referenced, result)
    _check_histories(session, result)
    return result


def _check_documents(session: Session, store: DocumentStore, result: Verification) -> set[str]:
    """Each document's file, current or replaced, exists and holds its checksum: the current ones
    named by their rows, the replaced ones by the revisions of their uploads (ADR 0033). Answers the
    checksums they refer to."""
    referenced: set[str] = set()
    uploads = select(Revision.review_id, Revision.entity_id, Revision.version, Revision.snapshot).where(
        Revision.entity == "document"
    )
    revisions = list(session.exec(uploads.order_by(col(Revision.id))))
    # A file that held redacted text is gone, on purpose (ADR 0038): a document is redacted when its
    # last revision (the upload of its current file) is.
    last_upload = {(r, kind): snapshot for r, kind, _version, snapshot in revisions}
    redacted = {key for key, snapshot in last_upload.items() if _is_redacted(snapshot)}
    rows = session.exec(select(ReviewDocument).order_by(col(ReviewDocument.review_id), col(ReviewDocument.kind)))
    for document in rows:
        result.documents += 1
        if (document.review_id, document.kind) in redacted:
            continue
        _check_file(store, document.sha256, f"review {document.review_id}, {document.kind} document", result, referenced)
    for review_id, kind, version, snapshot in revisions:
        sha256 = snapshot.get("sha256") if isinstance(snapshot, dict) else None
        if isinstance(sha256, str) and sha256 not in referenced and not _is_redacted(snapshot):
            _check_file(store, sha256, f"review {review_id}, {kind} document version {version}", result, referenced)
    return referenced


def _is_redacted(snapshot: object) -> bool:
    return isinstance(snapshot, dict) and snapshot.get("redacted") is True


def _check_file(store: DocumentStore, sha256: str, where: str, result: Verification, referenced: set[str]) -> None:
    referenced.add(sha256)
    try:
        store.fetch(sha256)
    except FileNotFoundError as exc:
        result.problems.append(f"missing: {where} has no file ({exc} does not exist)")
    except DocumentDamaged as exc:
        result.problems.append(f"corrupted: {where}: {exc}")


def _check_files(store: DocumentStore, referenced: set[str], result: Verification) -> None:
    for where, sha256 in store.inventory():
        result.files += 1
        if sha256 is None:
            result.problems.append(f"unreferenced: {where} is not where the registry stores a document (a stray file)")
        elif sha256 not in referenced:
            result.problems.append(f"unreferenced: {where} is referenced by no document row")


def _check_histories(session: Session, result: Verification) -> None:
    """Each review's own revisions begin with its creation (or import) and step one version at a
    time to the version it is at: every change left its revision."""
    versions: dict[str, list[tuple[int, str]]] = {}
    revisions = select(Revision.entity_id, Revision.version, Revision.change).where(Revision.entity == "review")
    for review_id, version, change in session.exec(revisions.order_by(col(Revision.id))):
        versions.setdefault(review_id, []).append((version, change))
    for review_id, current in session.exec(select(Review.id, Review.version).order_by(col(Review.id))):
        result.reviews += 1
        history = versions.get(review_id, [])
        if not history:
            result.problems.append(f"history: review {review_id} has no revisions")
            continue
        first_version, first_change = history[0]
        if first_change not in CREATIONS:
            result.problems.append(f"history: review {review_id} begins with a {first_change!r} revision, not its creation")
        steps = [version for version, _ in history]
        if steps != list(range(first_version, first_version + len(steps))):
            result.problems.append(f"history: review {review_id} has revisions of versions {steps}: some are missing")
        elif steps[-1] != current:
            result.problems.append(
                f"history: review {review_id} is at version {current} but its last revision is of version {steps[-1]}"
            )
