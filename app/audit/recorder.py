"""Audit rows that stand alone (a read's, a refused attempt's), written by group commit.

A read outside the public window must be on record before its answer leaves, so each such read
costs a write transaction. One writer thread takes every row waiting and commits them together:
a request still waits until its own row is committed (nothing is answered unrecorded), but forty
concurrent reads cost one commit instead of forty, and on SQLite they no longer queue, one by one,
for its single write lock (ADR 0016).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from app.audit.service import AuditNote, write
from app.db import write_transaction

MAX_BATCH = 500


@dataclass
class _Row:
    note: AuditNote
    status: int
    at: datetime
    request_id: str | None
    client_address: str | None
    written: Future[None] = field(default_factory=Future)


class AuditRecorder:
    def __init__(self, sessions: Callable[[], Session]) -> None:
        self._sessions = sessions
        self._queue: queue.SimpleQueue[_Row | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def record(self, note: AuditNote, *, status: int, at: datetime, request_id: str | None, client_address: str | None) -> None:
        """Return once the row is committed; raise what the database raised if it could not be."""
        row = _Row(note, status, at, request_id, client_address)
        self._start()
        self._queue.put(row)
        row.written.result()

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None

    def _start(self) -> None:
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="audit-recorder", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            rows, stopping = [first], False
            while len(rows) < MAX_BATCH:
                try:
                    row = self._queue.get_nowait()
                except queue.Empty:
                    break
                if row is None:
                    stopping = True
                    break
                rows.append(row)
            self._commit(rows)
            if stopping:
                return

    def _commit(self, rows: list[_Row]) -> None:
        try:
            with write_transaction(self._sessions) as session:
                for row in rows:
                    write(
                        session,
                        row.note,
                        status=row.status,
                        at=row.at,
                        request_id=row.request_id,
                        client_address=row.client_address,
                    )
        except BaseException as exc:  # noqa: BLE001 -- every waiting request learns of it; the thread carries on
            for row in rows:
                row.written.set_exception(exc)
        else:
            for row in rows:
                row.written.set_result(None)
