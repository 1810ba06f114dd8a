"""Loading a checked archive through the registry's own services, in batches, resumably.

Each review goes create -> action plan -> documents (the report's text read at once) -> submit ->
publish, as a board's system would send it, acting as an admin-like system principal
(`import:<name>`) so that every rule of those services applies. A batch of reviews is one
transaction: an interruption loses at most the batch in hand, and a review already in the
registry (same region and reference) is skipped, so running the import again finishes the job
and changes nothing once it is done.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from app import audit
from app.action_plans import service as action_plans
from app.audit.service import AuditNote
from app.auth.principals import Principal, Role
from app.clock import Clock, FixedClock
from app.db import WRITE_OPTION
from app.documents import service as documents
from app.documents.models import DocumentKind
from app.documents.service import PdfLimits
from app.documents.storage import DocumentStore
from app.errors import DomainError
from app.imports.reader import Entry, Problem, ReviewFile, parse
from app.reviews import repository as review_rows
from app.reviews import service as reviews
from app.reviews.models import ReviewStatus

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
    imported: int = 0
    present: int = 0  # found already in the registry while loading (another run got there first)


@dataclass
class Importer:
    engine: Engine
    store: DocumentStore
    limits: PdfLimits
    public_window_days: int
    principal: Principal
    batch_size: int = 100
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

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
        with self.engine.connect() as connection:
            connection.execution_options(**{WRITE_OPTION: True})
            # The batch's session and the report extraction's sessions share one connection and one
            # transaction; each session works in a savepoint of it, so the extraction's own commit
            # (it is written for a session of its own) only releases a savepoint of the batch.
            sessions = sessionmaker(
                bind=connection, class_=Session, expire_on_commit=False, autoflush=False,
                join_transaction_mode="create_savepoint",
            )
            for start in range(0, len(files), self.batch_size):
                batch = files[start : start + self.batch_size]
                imported = present = 0
                with connection.begin():
                    with sessions() as session:
                        for source in batch:
                            if self._import_one(session, sessions, source, run=run, done=result.imported + imported):
                                imported += 1
                            else:
                                present += 1
                            on_review()
                        session.commit()
                result.imported += imported
                result.present += present
                on_batch(result.imported + result.present, len(files))
        return result

    def _import_one(self, session: Session, sessions: sessionmaker[Session], source: ReviewFile, *, run: str, done: int) -> bool:
        entry, problems = parse(source)
        if entry is None:  # the file changed since it was checked
            raise ImportStopped(problems[0], done)
        if review_rows.reference_taken(session, region=entry.review.region, reference=entry.review.reference):
            return False
        try:
            self._through_the_services(session, sessions, entry, run=run)
        except DomainError as exc:
            items = exc.errors or []
            field = items[0].field if items and items[0].field else "review"
            details = "; ".join(i.detail for i in items)
            raise ImportStopped(Problem(source.name, field, exc.detail + (f" ({details})" if details else "")), done) from exc
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or type(exc).__name__).splitlines()[0]
            raise ImportStopped(Problem(source.name, "review", f"the database refused it: {reason}"), done) from exc
        return True

    def _through_the_services(self, session: Session, sessions: sessionmaker[Session], entry: Entry, *, run: str) -> None:
        # A review published long ago is recorded as of that day, from its creation to its
        # publication, so that `public_until` follows from the real publication date and its
        # timestamps stay in order. The audit trail keeps the day it was actually imported.
        clock: Clock = (
            FixedClock(datetime.combine(entry.published_on, PUBLICATION_HOUR)) if entry.published_on else Clock()
        )
        principal = self.principal
        review = reviews.create_review(session, principal=principal, data=entry.review, clock=clock)
        review_id = review.id
        if entry.plan is not None:
            action_plans.put_plan(session, principal=principal, review_id=review_id, data=entry.plan, if_match=None, clock=clock)
        for kind, path in sorted(entry.source.documents.items()):
            with path.open("rb") as content:
                document, _ = documents.upload(
                    session, principal=principal, review_id=review_id, kind=kind, filename=path.name, content=content,
                    if_match=None, store=self.store, limits=self.limits, clock=clock,
                )
            if kind is DocumentKind.report:
                # At once, not in the background: the review is submitted with its report's text.
                documents.extract_report_text(
                    sessions, review_id=review_id, sha256=document.sha256, store=self.store, limits=self.limits, clock=clock
                )
                session.expire_all()  # the extraction moved the review's and the document's versions on
        if entry.status in (ReviewStatus.submitted, ReviewStatus.published):
            reviews.submit_review(session, principal=principal, review_id=review_id, if_match=None, clock=clock)
        if entry.status is ReviewStatus.published:
            reviews.publish_review(
                session, principal=principal, review_id=review_id, if_match=None,
                public_window_days=self.public_window_days, clock=clock,
            )
        audit.forget(session)
        audit.write(
            session,
            AuditNote(principal, IMPORT_ACTION, target_type="review", target_id=review_id),
            status=201, at=self.now(), request_id=run, client_address=None,
        )
