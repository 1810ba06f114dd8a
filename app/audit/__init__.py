"""The audit trail."""

from app.audit.service import identify, note, note_each, only_if_refused, to_record, write

__all__ = ["identify", "note", "note_each", "only_if_refused", "to_record", "write"]
