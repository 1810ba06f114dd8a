"""Every row the registry keeps, read back to prove that a refused request changed nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import SQLModel


def every_row_but_the_audit(connection: Connection) -> dict[str, list[Any]]:
    """Each table's rows in primary-key order, but the audit trail's (where a refused attempt is
    rightly recorded), read in the test's transaction, which the app's requests share. What the API
    answers is made of these rows (ETags are their versions) and the test's fixed clock: equal rows
    read back equal, and a change the API does not show is caught too."""
    return {
        table.name: connection.execute(select(table).order_by(*table.primary_key.columns)).all()
        for table in SQLModel.metadata.sorted_tables
        if table.name != "audit_event"
    }
