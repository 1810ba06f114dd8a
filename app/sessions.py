"""The request's session: one transaction per request, committed once if the handler succeeds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request, Response
from sqlmodel import Session

from app import audit
from app.db import begin_writing
from app.errors import status_of
from app.registry import Registry, RegistryDep

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request, response: Response, background: BackgroundTasks, registry: RegistryDep) -> Iterator[Session]:
    """One session per request: committed once if the handler succeeds, rolled back otherwise.
    After a commit that queued search work, the outbox is drained once the response is sent."""
    yield from _request_session(request, response, background, registry, writes=request.method not in _SAFE_METHODS)


def get_reading_session(
    request: Request, response: Response, background: BackgroundTasks, registry: RegistryDep
) -> Iterator[Session]:
    """For a POST that only reads (the token request): its transaction takes no write lock, so on
    SQLite a slow password check does not hold the single writer up; its audit row is written
    apart, like a read's."""
    yield from _request_session(request, response, background, registry, writes=False)


def _success_status(request: Request, response: Response) -> int:
    """The status a handler that returned will answer: the one it set on the shared `response`
    (a 201 for what it created), else its route's declared one (a 204, a 202), else 200."""
    if response.status_code is not None:
        return response.status_code
    declared = getattr(request.scope.get("route"), "status_code", None)
    return declared if isinstance(declared, int) else 200


def _request_session(
    request: Request, response: Response, background: BackgroundTasks, registry: Registry, *, writes: bool
) -> Iterator[Session]:
    sessions, recorder, now = registry.sessions, registry.audit, registry.clock.now
    request_id = request.scope.get("state", {}).get("request_id")
    client_address = request.client.host if request.client else None
    session = sessions()
    try:
        if writes:
            begin_writing(session)
        yield session
        entry = audit.to_record(session, refused=False)
        status = _success_status(request, response)
        if entry and writes:
            audit.write(session, entry, status=status, at=now(), request_id=request_id, client_address=client_address)
        session.commit()
        if entry and not writes:
            # A read's record is a write of its own (on SQLite a read transaction cannot become a
            # write once another writer has committed), committed with other requests' records.
            recorder.record(entry, status=status, at=now(), request_id=request_id, client_address=client_address)
        if session.info.get("search_outbox_written"):
            background.add_task(registry.drain_search_outbox)
    except BaseException as exc:
        session.rollback()
        if entry := audit.to_record(session, refused=True):
            # The request's changes are gone; the attempt is still recorded, in a transaction of its own.
            recorder.record(entry, status=status_of(exc), at=now(), request_id=request_id, client_address=client_address)
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReadingSessionDep = Annotated[Session, Depends(get_reading_session, scope="function")]
