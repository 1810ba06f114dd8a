"""The audit trail."""

from app.audit.service import identify, note, only_if_refused, recent_failures, status_of, to_record, write

__all__ = ["identify", "note", "only_if_refused", "recent_failures", "status_of", "to_record", "write"]
