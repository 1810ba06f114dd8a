"""An import job: an archive uploaded through the API, its progress, its problems and its result.

Kept in a table, so that any replica answers a poll and the state outlives the process that ran it.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from app.columns import UTCDateTime, utcnow


class ImportJob(SQLModel, table=True):
    __tablename__ = "import_job"
    __table_args__ = (
        Index("ix_import_job_region", "region", "created_at"),
        Index("ix_import_job_status", "status", "heartbeat_at"),
    )

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    # Who uploaded it; a board's job imports for its region only, an admin's (region None) for any.
    owner_subject: str = Field(max_length=200)
    owner_role: str = Field(max_length=16)
    region: str | None = Field(default=None, max_length=64)
    status: str = Field(max_length=16)
    archive_format: str = Field(max_length=8)  # zip | ndjson
    archive_sha256: str = Field(max_length=64)
    archive_bytes: int
    done: int = 0
    total: int = 0  # files to check (reviews and PDFs), then reviews to load
    # ProblemItem dicts: everything wrong with the archive. Never review text, only where and why.
    problems: list[dict[str, Any]] = Field(default=[], sa_type=JSON)
    imported_ids: list[str] = Field(default=[], sa_type=JSON)
    already_present: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Moved on at each step of progress: a running job left behind by a stopped process goes stale.
    heartbeat_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
