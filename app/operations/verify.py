"""`registry verify`: that nothing was lost. Every document row has its file, and the file its
checksum; every file in the documents folder is referenced by a row; every review has its history.
Each problem is one line, for a person to read."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from app.documents.models import ReviewDocument
from app.documents.storage import CHUNK, DocumentStore
from app.history.models import Revision
from app.reviews.models import Review

_SHA256 = re.compile(r"[0-9a-f]{64}")
# An upload being received (storage.py): not yet a document, never referenced.
_IN_FLIGHT = ".upload-"
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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as content:
        while chunk := content.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stored_files(root: Path) -> Iterator[Path]:
    """Every file of the documents folder but uploads still being received, in a stable order."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith(_IN_FLIGHT):
            yield path


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
    path = store.path_of(sha256)
    if not path.is_file():
        result.problems.append(f"missing: {where} has no file ({path} does not exist)")
    elif (actual := sha256_of(path)) != sha256:
        result.problems.append(f"corrupted: {where}: {path} holds content of SHA-256 {actual}, not {sha256}")


def _check_files(store: DocumentStore, referenced: set[str], result: Verification) -> None:
    for path in stored_files(store.root):
        result.files += 1
        name = path.name
        if not _SHA256.fullmatch(name) or path != store.path_of(name):
            result.problems.append(f"unreferenced: {path} is not where the registry stores a document (a stray file)")
        elif name not in referenced:
            result.problems.append(f"unreferenced: {path} is referenced by no document row")


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
