"""Errors only the reviews domain raises."""

from app.errors import DomainError


class SubmissionRejected(DomainError):
    status, slug, title = 422, "submission-rejected", "The review cannot be submitted yet"
