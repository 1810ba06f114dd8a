"""Import jobs: an archive uploaded through the API, checked and loaded after the 202 (ADR 0035).

The request unpacks the archive (refusing an unsafe or unreadable one with a 422 at once) and
records a `queued` job. After the answer, in the same process, `run` does what `registry import`
does, with the same reader and importer: every file checked first (`check_folder`), and any problem
fails the job with every problem listed and nothing imported; then the load, as the uploader and in
one transaction, so that an archive is imported whole or not at all. A review already in the
registry (same region and reference) is skipped, so the same archive uploaded again imports nothing
and says so. The job row carries its progress, problems and result, so any replica answers a poll.

A job whose process stopped is failed, not resumed: its load was one transaction, so nothing of it
remains, and uploading the archive again is safe. The runner moves `heartbeat_at` on as it goes;
`fail_stale` (at start-up and on each upload) fails the unfinished jobs it has not moved for
`STALE_AFTER`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from sqlmodel import Session

from app import audit
from app.auth.policies import Permission, Scope, require, scope_of
from app.auth.principals import Principal, Role
from app.db import write_transaction
from app.errors import NotFound, ProblemItem
from app.imports import archive, repository
from app.imports.enums import JobStatus
from app.imports.models import ImportJob
from app.imports.reader import Problem, check_folder, scan
from app.imports.service import Importer, ImportStopped
from app.pagination import CursorPosition, Instant, TextId, decode_cursor, encode_cursor
from app.registry import Registry

logger = logging.getLogger("app.imports")

# Longer than the longest load of an archive within the limits (a load is one transaction, in which
# the runner cannot move its heartbeat on).
STALE_AFTER = timedelta(minutes=10)
PROGRESS_EVERY_SECONDS = 1.0
ACTION_CREATE = "import:create"
ACTION_READ = "import:read"
_RULE_CODE = re.compile(r" \[([a-z0-9-]+)\]$")  # the reader's submission-rule problems end with their code


def job_region(principal: Principal) -> str | None:
    """A board imports for its own region only; an admin for any (None: not one region)."""
    return principal.region if scope_of(principal, Permission.reviews_import) is Scope.own_region else None


def create(
    session: Session,
    *,
    principal: Principal,
    upload: IO[bytes],
    filename: str | None,
    content_type: str | None,
    registry: Registry,
) -> tuple[ImportJob, Path]:
    """The archive unpacked into a folder of its own, and its job, queued (in the request's transaction)."""
    require(principal, Permission.reviews_import)
    settings = registry.settings
    form = archive.format_of(upload.read(len(archive.ZIP_MAGIC)), content_type=content_type, filename=filename)
    upload.seek(0)
    digest, size = _digest(upload)
    folder = Path(tempfile.mkdtemp(prefix="registry-import-"))
    try:
        archive.unpack(
            upload,
            form,
            folder,
            limits=archive.ArchiveLimits(max_files=settings.max_import_files, max_bytes=settings.max_import_unpacked_mb << 20),
        )
    except BaseException:
        archive.remove(folder)
        raise
    now = registry.clock.now()
    fail_stale(session, now=now)
    job = ImportJob(
        owner_subject=principal.subject,
        owner_role=principal.role,
        region=job_region(principal),
        status=JobStatus.queued,
        archive_format=form,
        archive_sha256=digest,
        archive_bytes=size,
        created_at=now,
        heartbeat_at=now,
    )
    session.add(job)
    audit.note(session, principal, ACTION_CREATE, target_type="import", target_id=job.id)
    return job, folder


def _digest(upload: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := upload.read(1 << 16):
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


def read(session: Session, *, principal: Principal, job_id: str) -> ImportJob:
    """The job, to its region's board and to admins; to anyone else it does not exist (404)."""
    require(principal, Permission.reviews_import)
    job = repository.get(session, job_id)
    if job is None or not _may_read(principal, job):
        raise NotFound("There is no import job with this id.")
    audit.note(session, principal, ACTION_READ, target_type="import", target_id=job.id)
    return job


def _may_read(principal: Principal, job: ImportJob) -> bool:
    return principal.role is Role.admin or (job.region is not None and job.region == job_region(principal))


class JobPosition(CursorPosition):
    """The next page holds the jobs created before this one (newest first)."""

    created_at: Instant
    id: TextId


def page(session: Session, *, principal: Principal, limit: int, cursor: str | None) -> tuple[list[ImportJob], str | None]:
    """A board's region's jobs, or every job for an admin, newest first."""
    require(principal, Permission.reviews_import)
    after = decode_cursor(cursor, JobPosition) if cursor is not None else None
    rows = repository.page(
        session,
        region=job_region(principal),
        every_region=principal.role is Role.admin,
        limit=limit + 1,
        after=(after.created_at, after.id) if after is not None else None,
    )
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(JobPosition(created_at=rows[-1].created_at, id=rows[-1].id))
    return rows, None


def fail_stale(session: Session, *, now: datetime) -> int:
    """Fail the jobs a stopped process left unfinished (nothing of their load remains)."""
    jobs = repository.stale(session, beat_before=now - STALE_AFTER)
    for job in jobs:
        _finish(job, JobStatus.failed, now=now, problems=[_interrupted()])
        logger.warning("import job %s failed: its process stopped before it finished", job.id)
    return len(jobs)


def fail_stale_jobs(registry: Registry) -> int:
    """At start-up, outside any request."""
    with write_transaction(registry.sessions) as session:
        return fail_stale(session, now=registry.clock.now())


def _interrupted() -> ProblemItem:
    return ProblemItem(
        code="import-interrupted",
        detail="The registry stopped before this import finished; nothing of it was imported. Upload the archive again.",
    )


def run(registry: Registry, *, job_id: str, folder: Path) -> None:
    """After the 202: check the archive, then load it; the job says how it went. Never raises (a
    background task must not take the worker down)."""
    try:
        _run(registry, job_id=job_id, folder=folder)
    except Exception as exc:  # noqa: BLE001 - recorded on the job; the reason's type only (never review text)
        logger.warning("import job %s failed: %s", job_id, type(exc).__name__)
        try:
            _update(
                registry,
                job_id,
                lambda job, now: _finish(
                    job,
                    JobStatus.failed,
                    now=now,
                    problems=[
                        ProblemItem(
                            code="import-failed",
                            detail="The import failed unexpectedly; nothing of it was imported. Try again later.",
                        )
                    ],
                ),
            )
        except Exception as again:  # noqa: BLE001 - the database itself is failing; the job goes stale
            logger.warning("import job %s could not be marked failed: %s", job_id, type(again).__name__)
    finally:
        archive.remove(folder)


def _run(registry: Registry, *, job_id: str, folder: Path) -> None:
    found = scan(folder)
    total = len(found.files) + sum(len(f.documents) for f in found.files)
    job = _update(registry, job_id, lambda job, now: _start(job, now=now, total=total))
    if job is None:
        return  # failed meanwhile (stale), or not a queued job
    principal = Principal(subject=job.owner_subject, role=Role(job.owner_role), region=job.region)
    progress = _Progress(registry, job_id)
    with registry.sessions() as session:
        checked = check_folder(
            session,
            found,
            region=job.region,
            limits=registry.pdf_limits,
            max_upload_bytes=registry.settings.max_upload_mb << 20,
            workers=2,
            on_checked=progress.step,
        )
    if checked.problems:
        problems = [problem_item(p) for p in checked.problems]
        _update(registry, job_id, lambda job, now: _finish(job, JobStatus.failed, now=now, problems=problems))
        return
    _update(registry, job_id, lambda job, now: _loading(job, now=now, done=total, reviews=len(checked.to_import)))
    # One batch: the whole archive in one transaction, so that a failure leaves nothing of it.
    importer = Importer(registry, principal, batch_size=max(1, len(checked.to_import)))
    try:
        loaded = importer.load(checked.to_import)
    except ImportStopped as stopped:
        item = problem_item(stopped.problem)
        _update(registry, job_id, lambda job, now: _finish(job, JobStatus.failed, now=now, problems=[item]))
        return
    registry.drain_search_outbox()

    def succeed(job: ImportJob, now: datetime) -> None:
        _finish(job, JobStatus.succeeded, now=now, problems=[])
        job.done = job.total
        job.imported_ids = loaded.imported_ids
        job.already_present = checked.present + loaded.present

    _update(registry, job_id, succeed)
    logger.info("import job %s: %d imported, %d already present", job_id, loaded.imported, checked.present + loaded.present)


def problem_item(problem: Problem) -> ProblemItem:
    """A reader's `file: field: message` as a ProblemItem: the file in `location`."""
    found = _RULE_CODE.search(problem.message)
    return ProblemItem(
        code=found.group(1) if found else "invalid-file",
        detail=problem.message[: found.start()] if found else problem.message,
        location=problem.file,
        field=problem.field,
    )


def _update(registry: Registry, job_id: str, change: Callable[[ImportJob, datetime], object]) -> ImportJob | None:
    """Change the job in a transaction of its own (what a poll from any replica then sees)."""
    with write_transaction(registry.sessions) as session:
        job = repository.get(session, job_id)
        if job is None:
            return None
        if change(job, registry.clock.now()) is False:
            return None
        session.add(job)
        return job


def _start(job: ImportJob, *, now: datetime, total: int) -> bool:
    if job.status != JobStatus.queued:
        return False
    job.status, job.started_at, job.heartbeat_at, job.total = JobStatus.running, now, now, total
    return True


def _loading(job: ImportJob, *, now: datetime, done: int, reviews: int) -> None:
    job.done, job.total, job.heartbeat_at = done, done + reviews, now


def _finish(job: ImportJob, status: JobStatus, *, now: datetime, problems: list[ProblemItem]) -> None:
    # The runner's verdict stands even over a stale sweep's: it knows what its transaction did.
    job.status, job.finished_at, job.heartbeat_at = status, now, now
    job.problems = [p.model_dump(exclude_none=True) for p in problems]


class _Progress:
    """Counts the check's steps, and writes them (with the heartbeat) at most once a second."""

    def __init__(self, registry: Registry, job_id: str) -> None:
        self.registry, self.job_id = registry, job_id
        self.done = 0
        self.written_at = time.monotonic()

    def step(self, n: int) -> None:
        self.done += n
        if time.monotonic() - self.written_at < PROGRESS_EVERY_SECONDS:
            return
        self.written_at = time.monotonic()
        done = self.done

        def moved(job: ImportJob, now: datetime) -> None:
            job.done, job.heartbeat_at = done, now

        _update(self.registry, self.job_id, moved)
