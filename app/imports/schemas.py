"""Import jobs as the API answers them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.errors import ProblemItem
from app.imports.enums import JobStatus
from app.imports.models import ImportJob


class ImportResult(BaseModel):
    imported_ids: list[str] = Field(description="The reviews this job added, in the archive's order (its files' names).")
    already_present: int = Field(
        description="Reviews of the archive already in the registry (same region and reference), left as they are."
    )


class ImportJobOut(BaseModel):
    id: str
    status: JobStatus
    format: str = Field(description="`zip` or `ndjson`")
    region: str | None = Field(description="The region every review must be of (a board's own); null for an admin's job.")
    owner: str = Field(description="Who uploaded the archive")
    archive_sha256: str
    archive_bytes: int
    done: int = Field(description="Steps done: files checked (reviews and PDFs), then reviews loaded.")
    total: int = Field(description="Steps known so far; the reviews to load are added once the check is over.")
    problems: list[ProblemItem] = Field(
        description="Everything wrong with the archive, each with its file (`location`) and field. Any problem fails the "
        "job, and then nothing was imported."
    )
    result: ImportResult | None = Field(description="Once the job has succeeded.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def from_model(cls, job: ImportJob) -> ImportJobOut:
        succeeded = job.status == JobStatus.succeeded
        return cls(
            id=job.id,
            status=JobStatus(job.status),
            format=job.archive_format,
            region=job.region,
            owner=job.owner_subject,
            archive_sha256=job.archive_sha256,
            archive_bytes=job.archive_bytes,
            done=job.done,
            total=job.total,
            problems=[ProblemItem.model_validate(p) for p in job.problems],
            result=ImportResult(imported_ids=job.imported_ids, already_present=job.already_present) if succeeded else None,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )


class ImportJobPage(BaseModel):
    items: list[ImportJobOut]
    next_cursor: str | None
