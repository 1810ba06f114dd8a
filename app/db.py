"""Engine, the session dependency (the only place that commits) and shared column types."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, Request
from sqlalchemy import DateTime, Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine

from app.config import Settings

# Stable constraint names, so migrations can alter and drop them on SQLite and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are always aware UTC in Python, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# A connection for each of the server's request threads (anyio runs at most 40 at once), so that
# no request waits for one, and no connection is opened and closed again for each busy moment.
POOL = {"pool_size": 20, "max_overflow": 20}


def build_engine(settings: Settings) -> Engine:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": settings.database_timeout_seconds},
            hide_parameters=True,
            **(POOL if url.database not in (None, "", ":memory:") else {}),
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        **POOL,
        hide_parameters=True,  # bound values are review text: keep them out of logs and errors
        pool_timeout=settings.database_timeout_seconds,
        connect_args={"connect_timeout": max(1, int(settings.database_timeout_seconds))},
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin: reads then share the
    # writes' transaction, and SAVEPOINT works.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A write takes SQLite's single write lock up front (IMMEDIATE): concurrent writers then queue
    # (busy timeout) instead of failing when a stale read tries to become a write.
    writes = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


SEARCH_OUTBOX = "search_outbox"  # session.info: whether changes queue search outbox rows


def build_sessionmaker(engine: Engine, *, search_outbox: bool = True) -> sessionmaker[Session]:
    """`search_outbox=False` when the search backend indexes in the writing transaction itself."""
    return sessionmaker(bind=engine, class_=Session, expire_on_commit=False, autoflush=False, info={SEARCH_OUTBOX: search_outbox})


WRITE_OPTION = "registry_writes"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def begin_writing(session: Session) -> None:
    """Declare, before the first query, that this session's transaction will write."""
    session.connection(execution_options={WRITE_OPTION: True})


def get_session(request: Request, background: BackgroundTasks) -> Iterator[Session]:
    """One session per request: committed once if the handler succeeds, rolled back otherwise.
    After a commit that queued search work, the outbox is drained once the response is sent."""
    yield from _request_session(request, background, writes=request.method not in _SAFE_METHODS)


def get_reading_session(request: Request, background: BackgroundTasks) -> Iterator[Session]:
    """For a POST that only reads (the token request): its transaction takes no write lock, so on
    SQLite a slow password check does not hold the single writer up; its audit row is written
    apart, like a read's."""
    yield from _request_session(request, background, writes=False)


def _request_session(request: Request, background: BackgroundTasks, *, writes: bool) -> Iterator[Session]:
    from app import audit  # here, not at the top: the audit models need this module first

    sessions = request.app.state.sessionmaker
    recorder = request.app.state.audit_recorder
    now = request.app.state.clock.now
    request_id = request.scope.get("state", {}).get("request_id")
    client_address = request.client.host if request.client else None
    session = sessions()
    try:
        if writes:
            begin_writing(session)
        yield session
        entry = audit.to_record(session, refused=False)
        if entry and writes:
            audit.write(session, entry, status=200, at=now(), request_id=request_id, client_address=client_address)
        session.commit()
        if entry and not writes:
            # A read's record is a write of its own (on SQLite a read transaction cannot become a
            # write once another writer has committed), committed with other requests' records.
            recorder.record(entry, status=200, at=now(), request_id=request_id, client_address=client_address)
        if session.info.get("search_outbox_written"):
            background.add_task(request.app.state.drain_search_outbox)
    except BaseException as exc:
        session.rollback()
        if entry := audit.to_record(session, refused=True):
            # The request's changes are gone; the attempt is still recorded, in a transaction of its own.
            recorder.record(entry, status=audit.status_of(exc), at=now(), request_id=request_id, client_address=client_address)
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReadingSessionDep = Annotated[Session, Depends(get_reading_session, scope="function")]
