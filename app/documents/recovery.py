"""Reports whose text extraction never finished (the process stopped, or every write attempt met
another writer) stay `pending`; this runs their extraction again, one after another."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from app.documents import repository


def recover_pending(sessions: sessionmaker[Session], *, extract: Callable[..., None], stop: threading.Event | None = None) -> int:
    """Run `extract(review_id=..., sha256=...)` for each pending report, oldest first, until done or
    `stop` is set. Returns how many were run. Safe beside a live extraction of the same report:
    whichever records first wins, the other finds it no longer pending."""
    with sessions() as session:
        jobs = [(document.review_id, document.sha256) for document in repository.pending_reports(session)]
    run = 0
    for review_id, sha256 in jobs:
        if stop is not None and stop.is_set():
            break
        extract(review_id=review_id, sha256=sha256)
        run += 1
    return run
