"""Queries on import jobs."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from app.imports.enums import JobStatus
from app.imports.models import ImportJob


def get(session: Session, job_id: str) -> ImportJob | None:
    return session.get(ImportJob, job_id)


def page(
    session: Session, *, region: str | None, every_region: bool, limit: int, after: tuple[datetime, str] | None
) -> list[ImportJob]:
    """Newest first; a region's jobs, or every job (`every_region`, for admins)."""
    query = select(ImportJob)
    if not every_region:
        query = query.where(ImportJob.region == region)
    if after is not None:
        created_at, job_id = after
        query = query.where(
            (col(ImportJob.created_at) < created_at) | ((col(ImportJob.created_at) == created_at) & (col(ImportJob.id) < job_id))
        )
    query = query.order_by(col(ImportJob.created_at).desc(), col(ImportJob.id).desc()).limit(limit)
    return list(session.exec(query))


def stale(session: Session, *, beat_before: datetime) -> list[ImportJob]:
    """Unfinished jobs whose runner has not moved them on since `beat_before`: their process stopped."""
    query = select(ImportJob).where(
        col(ImportJob.status).in_([JobStatus.queued, JobStatus.running]), col(ImportJob.heartbeat_at) < beat_before
    )
    return list(session.exec(query))
