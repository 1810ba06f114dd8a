"""Reading an archive folder and finding everything wrong with it before anything is imported.

A folder holds one JSON file per review (the body of `POST /reviews`, plus an optional
`action_plan`, `status` and `published_on`) and, beside it, its PDFs named
`<json stem>.<document kind>.pdf`. Every problem is reported at once, each with its file and field,
in the words the API would use; the checks are the API's own (the request schemas, the vocabulary
check, the submission rules), run on the file's data without writing anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session

from app.action_plans.schemas import ActionPlanIn
from app.documents.enums import DocumentKind
from app.documents.extract import UnreadablePdf, read_pdf
from app.documents.service import PdfLimits
from app.errors import InvalidInput, ProblemItem
from app.reviews import repository as reviews
from app.reviews.enums import ReviewStatus
from app.reviews.models import TAG_FIELDS, Review
from app.reviews.rules import submission_problems
from app.reviews.schemas import ReviewCreate
from app.schemas import PastDate
from app.vocab.service import KnownCodes, all_codes, check_codes

# The members a review file may carry beyond the API's review body.
EXTRA_MEMBERS = ("action_plan", "status", "published_on")
# The statuses an archive's review may arrive in; `published` unless the file says otherwise.
IMPORTABLE = (ReviewStatus.draft, ReviewStatus.submitted, ReviewStatus.published)
DEFAULT_STATUS = ReviewStatus.published
# A file's publication date: a date, in the registry's range, and not in the future (ADR 0019).
PUBLICATION_DATE: TypeAdapter[date] = TypeAdapter(PastDate)

_PDF_REASONS = {
    "damaged": "the PDF is damaged and cannot be read",
    "encrypted": "the PDF is encrypted; export it without a password",
    "too-slow": "the PDF took too long to read; it may be malformed",
    "too-costly": "the PDF needs too much memory to read; it may be malformed",
    "active-content": "the PDF carries active content ({found}); export it without scripts, actions or attached files",
}

Key = tuple[str, str]  # (region, reference): what makes a review the same review


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the folder: printed as `file: field: message`."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


@dataclass
class ReviewFile:
    """A review's JSON file and the documents found beside it."""

    path: Path
    documents: dict[DocumentKind, Path] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def has_report(self) -> bool:
        return DocumentKind.report in self.documents


@dataclass
class Entry:
    """A review file that reads correctly: what the services will be given."""

    source: ReviewFile
    review: ReviewCreate
    plan: ActionPlanIn | None
    status: ReviewStatus
    published_on: date | None

    @property
    def key(self) -> Key:
        return (self.review.region, self.review.reference)


@dataclass
class Folder:
    root: Path
    files: list[ReviewFile]
    problems: list[Problem]  # documents that belong to no review, or have a name that says no kind
    ignored: list[str]  # other files, left alone


def scan(root: Path) -> Folder:
    """The review files of a folder (sorted by name: the import order) with their documents."""
    files: dict[str, ReviewFile] = {}
    documents: list[Path] = []
    ignored: list[str] = []
    for path in sorted(root.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        suffix = path.suffix.lower()
        if suffix == ".json":
            files[path.stem] = ReviewFile(path)
        elif suffix == ".pdf":
            documents.append(path)
        else:
            ignored.append(path.name)
    problems = []
    kinds = ", ".join(k.value for k in DocumentKind)
    for path in documents:
        stem, _, kind = path.name[: -len(".pdf")].rpartition(".")
        if not stem:
            problems.append(Problem(path.name, "file", f"a document is named <review file stem>.<kind>.pdf, kind one of {kinds}"))
        elif kind not in DocumentKind._value2member_map_:
            problems.append(Problem(path.name, "file", f"'{kind}' is not a document kind; use one of {kinds}"))
        elif stem not in files:
            problems.append(Problem(path.name, "file", f"there is no review file {stem}.json for this document"))
        else:
            files[stem].documents[DocumentKind(kind)] = path
    if not files:
        problems.append(Problem(root.name or str(root), "folder", "there are no review files (*.json) in this folder"))
    return Folder(root=root, files=list(files.values()), problems=problems, ignored=ignored)


def _message(error: Any) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


def _validation_problems(file: str, exc: ValidationError, prefix: str = "", whole: str = "review") -> list[Problem]:
    return [
        Problem(
            file,
            prefix + ".".join(str(p) for p in error["loc"]) if error["loc"] else (prefix.rstrip(".") or whole),
            _message(error),
        )
        for error in exc.errors()
    ]


def _item_problem(file: str, item: ProblemItem) -> Problem:
    field_name = item.field
    detail = item.detail
    if item.code == "action-plan-required":
        field_name = "action_plan"
        detail = 'A review cannot be submitted without an action plan: add "action_plan", or import the review as a draft.'
    return Problem(file, field_name or "review", f"{detail} [{item.code}]")


def _unsaved_review(review: ReviewCreate) -> Review:
    """The review as the submission rules see it, built in memory only (never added to a session)."""
    return Review(**review.model_dump(exclude=set(TAG_FIELDS)))


def parse(source: ReviewFile) -> tuple[Entry | None, list[Problem]]:
    """Read one review file: everything that can be checked without the database."""
    name = source.name
    try:
        raw = json.loads(source.path.read_bytes())
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, "file", f"cannot be read: {exc}")]
    except json.JSONDecodeError as exc:
        return None, [Problem(name, "json", f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")]
    if not isinstance(raw, dict):
        return None, [Problem(name, "json", "a review file holds one JSON object")]

    problems: list[Problem] = []
    body = {k: v for k, v in raw.items() if k not in EXTRA_MEMBERS}
    review = plan = None
    try:
        review = ReviewCreate.model_validate(body)
    except ValidationError as exc:
        problems.extend(_validation_problems(name, exc))

    if raw.get("action_plan") is not None:
        try:
            plan = ActionPlanIn.model_validate(raw["action_plan"])
        except ValidationError as exc:
            problems.extend(_validation_problems(name, exc, prefix="action_plan.", whole="action_plan"))

    status = DEFAULT_STATUS
    if "status" in raw:
        if raw["status"] in {s.value for s in IMPORTABLE}:
            status = ReviewStatus(raw["status"])
        else:
            problems.append(Problem(name, "status", f"must be one of {', '.join(s.value for s in IMPORTABLE)}"))

    published_on = None
    if raw.get("published_on") is not None:
        try:
            published_on = PUBLICATION_DATE.validate_python(raw["published_on"])
        except ValidationError as exc:
            problems.extend(_validation_problems(name, exc, prefix="published_on."))
        else:
            if status is not ReviewStatus.published:
                problems.append(
                    Problem(name, "published_on", f"only a published review has a publication date; this one is {status}")
                )
            elif review is not None and review.completed_on and published_on < review.completed_on:
                problems.append(Problem(name, "published_on", f"is before the review was completed ({review.completed_on})"))

    if review is None:
        return None, problems

    if plan is not None:
        refs = {r.ref for r in review.recommendations}
        problems.extend(
            Problem(
                name, f"action_plan.actions.{i}.recommendation_ref", f"The review has no recommendation '{a.recommendation_ref}'."
            )
            for i, a in enumerate(plan.actions)
            if a.recommendation_ref not in refs
        )
    if status is not ReviewStatus.draft:
        addressed = {a.recommendation_ref for a in plan.actions} if plan is not None else None
        problems.extend(_item_problem(name, item) for item in submission_problems(_unsaved_review(review), addressed))
    if problems:
        return None, problems
    return Entry(source=source, review=review, plan=plan, status=status, published_on=published_on), []


def vocabulary_problems(session: Session, entry: Entry, known: KnownCodes) -> list[Problem]:
    """Codes the registry's vocabularies do not know (the same check, and words, as the API's)."""
    review = entry.review
    multiple = {field_name: (vocabulary, getattr(review, field_name)) for field_name, vocabulary in TAG_FIELDS.items()}
    if entry.plan is not None:
        multiple["action_plan.actions.{}.lead_agency"] = ("agency", [a.lead_agency for a in entry.plan.actions])
    try:
        check_codes(
            session, region=review.region, single={"age_band": ("age_band", review.age_band)}, multiple=multiple, known=known
        )
    except InvalidInput as exc:
        return [Problem(entry.source.name, item.field or "review", item.detail) for item in exc.errors or []]
    return []


def pdf_header_problem(path: Path, *, max_bytes: int) -> Problem | None:
    """The upload's own first check: a PDF by its content, not its name; and not too big."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        return Problem(path.name, "file", f"cannot be read: {exc}")
    if not head.lstrip(b"\r\n\t \xef\xbb\xbf").startswith(b"%PDF-"):
        return Problem(path.name, "file", "not a PDF (its content does not start with %PDF-)")
    if size > max_bytes:
        return Problem(path.name, "file", f"is {size / 2**20:.1f} MB; an upload may be at most {max_bytes >> 20} MB")
    return None


def pdf_content_problem(path: Path, *, limits: PdfLimits) -> Problem | None:
    """The upload's second check: the PDF opens, in the same bounded process the upload uses."""
    try:
        read_pdf(path, max_pages=0, timeout_seconds=limits.check_seconds, refuse_active_content=not limits.allow_active_content)
    except UnreadablePdf as exc:
        return Problem(path.name, "file", _PDF_REASONS.get(exc.reason, exc.reason).format(found=", ".join(exc.found)))
    return None


@dataclass
class CheckResult:
    """What a folder holds: its problems, and which reviews are new."""

    problems: list[Problem]
    to_import: list[ReviewFile]
    present: int
    # New published reviews that come without their report: allowed for an archive (ADR 0035).
    without_report: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.to_import) + self.present


def present_keys(session: Session) -> set[Key]:
    return reviews.region_references(session)


def check_folder(
    session: Session,
    folder: Folder,
    *,
    region: str | None,
    limits: PdfLimits,
    max_upload_bytes: int,
    workers: int = 4,
    on_checked: Callable[[int], None] = lambda n: None,
) -> CheckResult:
    """Every problem in the folder. A review already in the registry (same region and reference) is
    checked too, but its PDFs are not opened again: it will be skipped."""
    problems = list(folder.problems)
    present = present_keys(session)
    known = all_codes(session)
    seen: dict[Key, str] = {}
    to_import: list[ReviewFile] = []
    to_open: list[Path] = []
    without_report: list[str] = []
    already = 0
    for source in folder.files:
        entry, found = parse(source)
        if entry is not None:
            found = vocabulary_problems(session, entry, known)
            if region is not None and entry.review.region != region:
                found.append(
                    Problem(source.name, "region", f"'{entry.review.region}' is not {region}, the region this import is for")
                )
            if entry.key in seen:
                found.append(
                    Problem(
                        source.name,
                        "reference",
                        f"'{entry.review.reference}' of {entry.review.region} is also in {seen[entry.key]}",
                    )
                )
            else:
                seen[entry.key] = source.name
        new = entry is None or entry.key not in present
        opened_later = 0
        for path in source.documents.values():
            if (problem := pdf_header_problem(path, max_bytes=max_upload_bytes)) is not None:
                found.append(problem)
            elif new:
                to_open.append(path)
                opened_later += 1
        problems.extend(found)
        if entry is not None and not found:
            if new:
                to_import.append(source)
                if entry.status is ReviewStatus.published and not source.has_report:
                    without_report.append(source.name)
            else:
                already += 1
        on_checked(1 + len(source.documents) - opened_later)
    # Any problem at all stops the whole import, so `to_import` need not learn which PDFs failed.
    for problem in _open_all(to_open, limits=limits, workers=workers):
        if problem is not None:
            problems.append(problem)
        on_checked(1)
    return CheckResult(problems=problems, to_import=to_import, present=already, without_report=without_report)


def _open_all(paths: list[Path], *, limits: PdfLimits, workers: int) -> Iterator[Problem | None]:
    """Open the PDFs side by side (each check is a child process, so threads are enough), in order."""
    if not paths:
        return
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        yield from pool.map(lambda p: pdf_content_problem(p, limits=limits), paths)
