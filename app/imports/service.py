"""Loading a checked archive into the registry, in batches, resumably.

Each review is recorded in the state its file gives (draft, submitted or published) in one step,
under the same rules the API applies on the way there: the vocabularies, an action plan whose
actions answer the review's recommendations, every submission rule, and the permissions of the
importing principal (the CLI's `import:<name>`, admin-like; through the API, the account that
uploaded the archive, ADR 0035). One step rather than create -> plan -> upload
-> submit -> publish: the same rows, without re-writing each review (and re-indexing its text)
four times; its history has one revision, `import`, per review and plan (ADR 0016).

A batch is one transaction: an interruption loses at most the batch in hand, and a review already
in the registry (same region and reference) is skipped, so running the import again finishes the
job and changes nothing once it is done. The PDFs of a batch are read (checked, and the report's
text extracted, each in its own limited process) in parallel before its transaction begins.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, SQLModel

from app import audit
from app.action_plans import service as action_plans
from app.action_plans.models import ActionPlan
from app.audit.service import AuditNote
from app.auth.policies import Permission, require
from app.auth.principals import Principal, Role
from app.db import begin_writing
from app.documents import service as documents
from app.documents.enums import DocumentKind
from app.documents.extract import PdfContents
from app.errors import DomainError
from app.imports.reader import Entry, Key, Problem, ReviewFile, parse
from app.registry import Registry
from app.reviews import repository as reviews_repository
from app.reviews import service as reviews
from app.reviews.enums import ReviewStatus
from app.reviews.models import Review
from app.search import outbox
from app.vocab.service import KnownCodes, all_codes, check_codes

IMPORT_ACTION = "review:import"
# What an imported review's clock reads on its publication day (any hour would do; noon is in
# every time zone's same day).
PUBLICATION_HOUR = time(12, 0, tzinfo=UTC)


def import_principal(name: str) -> Principal:
    """The system principal an import acts as: it may do what an admin may, for any region."""
    return Principal(subject=f"import:{name}", role=Role.admin)


class ImportStopped(Exception):
    """A review the check passed was refused while loading (the registry changed meanwhile, or the
    database failed). The batch in hand was rolled back; the batches before it stay."""

    def __init__(self, problem: Problem, imported: int) -> None:
        super().__init__(str(problem))
        self.problem = problem
        self.imported = imported


@dataclass
class Loaded:
    imported_ids: list[str] = field(default_factory=list)  # in the order of the files
    present: int = 0  # found already in the registry while loading (another run got there first)

    @property
    def imported(self) -> int:
        return len(self.imported_ids)


@dataclass
class Importer:
    registry: Registry
    principal: Principal
    batch_size: int = 100

    def load(
        self,
        files: list[ReviewFile],
        *,
        on_review: Callable[[], None] = lambda: None,
        on_batch: Callable[[int, int], None] = lambda done, total: None,
    ) -> Loaded:
        """Import the files in order, committing every `batch_size` reviews."""
        result = Loaded()
        run = f"import-{uuid.uuid4().hex[:12]}"
        sessions = self.registry.sessions
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as readers:
            for start in range(0, len(files), self.batch_size):
                done = result.imported
                entries = [self._entry(source, done) for source in files[start : start + self.batch_size]]
                contents = dict(zip(_pdfs(entries), readers.map(self._read, _pdfs(entries)), strict=True))
                try:
                    imported = self._batch(sessions, entries, contents, run=run, done=done, one_by_one=False)
                except _RefusedAtCommit:
                    # Which review the database refused is only known review by review: find it.
                    imported = self._batch(sessions, entries, contents, run=run, done=done, one_by_one=True)
                result.imported_ids.extend(imported)
                result.present += len(entries) - len(imported)
                for _ in entries:
                    on_review()
                on_batch(result.imported + result.present, len(files))
        return result

    def _entry(self, source: ReviewFile, done: int) -> Entry:
        entry, problems = parse(source)
        if entry is None:  # the file changed since it was checked
            raise ImportStopped(problems[0], done)
        return entry

    def _read(self, path: Path) -> PdfContents | Problem:
        try:
            with path.open("rb") as handle:
                head = handle.read(1024)
            return documents.checked_pdf(
                head,
                path,
                max_pages=self.registry.pdf_limits.max_pages,
                timeout_seconds=self.registry.pdf_limits.extract_seconds,
                allow_active_content=self.registry.pdf_limits.allow_active_content,
            )
        except DomainError as exc:
            return Problem(path.name, "file", exc.detail)
        except OSError as exc:
            return Problem(path.name, "file", f"cannot be read: {exc}")

    def _batch(
        self,
        sessions: Callable[[], Session],
        entries: list[Entry],
        contents: dict[Path, PdfContents | Problem],
        *,
        run: str,
        done: int,
        one_by_one: bool,
    ) -> list[str]:
        """One transaction: the batch's reviews not yet in the registry. Returns the ids it added."""
        imported: list[str] = []
        with sessions() as session:
            begin_writing(session)
            known = all_codes(session)
            present = _present(session, [entry.key for entry in entries])
            tiers: list[list[SQLModel]] = [[], [], []]
            for entry in entries:
                if entry.key in present:
                    continue
                try:
                    review, dependents, actions = self._record(session, entry, contents, known, run=run)
                    tiers[0].append(review)
                    tiers[1].extend(dependents)
                    tiers[2].extend(actions)
                    if one_by_one:
                        _insert(session, tiers)
                except DomainError as exc:
                    raise ImportStopped(_problem(entry.source.name, exc), done) from exc
                except _Unreadable as exc:
                    raise ImportStopped(exc.problem, done) from None
                except SQLAlchemyError as exc:
                    raise ImportStopped(_refused(entry.source.name, exc), done) from exc
                imported.append(review.id)
            try:
                _insert(session, tiers)
                session.commit()
            except SQLAlchemyError as exc:
                if one_by_one:
                    raise ImportStopped(_refused(entries[-1].source.name, exc), done) from exc
                raise _RefusedAtCommit from exc
        return imported

    def _record(
        self, session: Session, entry: Entry, contents: dict[Path, PdfContents | Problem], known: KnownCodes, *, run: str
    ) -> tuple[Review, list[SQLModel], list[SQLModel]]:
        """The review's rows, in the order they must be inserted (each tier refers to the one before);
        its revisions, outbox entry and audit row are in the session already."""
        principal, data, region = self.principal, entry.review, entry.review.region
        require(principal, Permission.review_create, region=region)
        reviews.check_vocabularies(session, data, region=region, known=known)
        # A review published long ago is recorded as of its publication day, so that `public_until`
        # follows from the real date and its timestamps stay in order. The audit trail keeps the
        # day it was actually imported.
        at = datetime.combine(entry.published_on, PUBLICATION_HOUR) if entry.published_on else self.registry.clock.now()
        review = reviews.new_review(data, subject=principal.subject, now=at)
        dependents: list[SQLModel] = []
        for kind, path in sorted(entry.source.documents.items()):
            read = contents[path]
            if isinstance(read, Problem):
                raise _Unreadable(read)
            dependents.append(
                documents.archived(
                    review_id=review.id,
                    kind=kind,
                    path=path,
                    contents=read,
                    store=self.registry.documents,
                    subject=principal.subject,
                    now=at,
                )
            )
            if kind is DocumentKind.report:
                review.full_text = read.text
        plan, actions = None, []
        if entry.plan is not None:
            require(principal, Permission.action_plan_write, region=region)
            action_plans.check_answers(review, entry.plan)
            check_codes(session, multiple=action_plans.agency_codes(entry.plan), known=known)
            plan = ActionPlan(review_id=review.id, created_at=at, updated_at=at, updated_by=principal.subject)
            actions = action_plans.new_actions(review.id, entry.plan, subject=principal.subject, now=at)
        if entry.status in (ReviewStatus.submitted, ReviewStatus.published):
            require(principal, Permission.review_submit, region=region)
            addressed = {a.recommendation_ref for a in entry.plan.actions} if entry.plan is not None else None
            reviews.mark_submitted(review, addressed, at=at)
        if entry.status is ReviewStatus.published:
            require(principal, Permission.review_publish, region=region)
            # Without a publication date in the file, it is published today (its window opens now).
            reviews.open_public_window(
                review, published_on=at.date(), public_window_days=self.registry.settings.public_window_days
            )

        reviews.remember(session, review, change="import", previous=None)
        if plan is not None:
            dependents.append(plan)
            action_plans.remember_plan(session, plan, actions, change="import", previous=None)
        outbox.enqueue(session, review_id=review.id, now=at)
        audit.write(
            session,
            AuditNote(principal, IMPORT_ACTION, target_type="review", target_id=review.id),
            status=201,
            at=self.registry.clock.now(),
            request_id=run,
            client_address=None,
        )
        return review, dependents, list(actions)


def _insert(session: Session, tiers: list[list[SQLModel]]) -> None:
    """Insert tier by tier, each in one statement a table: bulk inserts, without the unit of work's
    bookkeeping of each object (the rows are new, tied by foreign keys alone, and nothing in this
    transaction reads them as objects again). A review's tags, its one relationship, which a bulk
    insert does not follow, go in after the reviews."""
    for tier in tiers:
        session.bulk_save_objects(tier, preserve_order=False)
        tags = [tag for row in tier if isinstance(row, Review) for tag in row.tags]
        if tags:
            session.bulk_save_objects(tags)
        tier.clear()


class _RefusedAtCommit(Exception):
    """The database refused the batch as a whole (a constraint checked at commit)."""


class _Unreadable(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _pdfs(entries: list[Entry]) -> list[Path]:
    return [path for entry in entries for _, path in sorted(entry.source.documents.items())]


def _present(session: Session, keys: list[Key]) -> set[Key]:
    return reviews_repository.region_references(session, among=keys)


def _problem(name: str, exc: DomainError) -> Problem:
    items = exc.errors or []
    field_name = items[0].field if items and items[0].field else "review"
    details = "; ".join(i.detail for i in items)
    return Problem(name, field_name, exc.detail + (f" ({details})" if details else ""))


def _refused(name: str, exc: SQLAlchemyError) -> Problem:
    reason = str(getattr(exc, "orig", None) or type(exc).__name__).splitlines()[0]
    return Problem(name, "review", f"the database refused it: {reason}")
