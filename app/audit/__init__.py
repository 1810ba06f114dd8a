"""The audit trail."""

from app.audit.service import forget, identify, note, note_each, pending, recent_failures, status_of, write

__all__ = ["forget", "identify", "note", "note_each", "pending", "recent_failures", "status_of", "write"]
