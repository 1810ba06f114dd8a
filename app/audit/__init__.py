"""The audit trail."""

from app.audit.service import forget, identify, note, pending, status_of, write

__all__ = ["forget", "identify", "note", "pending", "status_of", "write"]
