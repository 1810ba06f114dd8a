"""The states of an import job (ADR 0035)."""

from enum import StrEnum


class JobStatus(StrEnum):
    queued = "queued"  # accepted; the check has not started
    running = "running"  # checking the archive, then loading it
    succeeded = "succeeded"  # every review is in the registry (imported now, or already present)
    failed = "failed"  # nothing was imported: see `problems`
