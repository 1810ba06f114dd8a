"""Bulk import of a board's archive: `registry import DIR` (read and check a folder, then load it)."""
