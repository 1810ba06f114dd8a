"""Engines and sessionmakers, and the one way to run a write transaction outside a request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, create_engine

from app.config import Settings


def build_engine(settings: Settings) -> Engine:
    url = make_url(settings.database_url)
    # Kept open, so that no connection is opened and closed again for each busy moment.
    pool = {"pool_size": settings.database_pool_size, "max_overflow": settings.database_max_overflow}
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": settings.database_timeout_seconds},
            hide_parameters=True,
            **(pool if url.database not in (None, "", ":memory:") else {}),
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        **pool,
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


def build_sessionmaker(bind: Engine | Connection, *, search_outbox: bool = True) -> sessionmaker[Session]:
    """`bind`: the engine, or a connection already in a transaction (a test's, rolled back at its
    end), whose sessions' commits then only release savepoints. `search_outbox=False` when the
    search backend indexes in the writing transaction itself."""
    return sessionmaker(
        bind=bind,
        class_=Session,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
        info={SEARCH_OUTBOX: search_outbox},
    )


WRITE_OPTION = "registry_writes"


def begin_writing(session: Session) -> None:
    """Declare, before the first query, that this session's transaction will write."""
    session.connection(execution_options={WRITE_OPTION: True})


@contextmanager
def write_transaction(sessions: Callable[[], Session]) -> Iterator[Session]:
    """One write transaction outside a request (the CLI, background work, the audit recorder, the
    sign-in counters): the write lock first, committed when the block ends, rolled back if it raises.
    A request's own transaction is `app.sessions.get_session`."""
    with sessions() as session:
        begin_writing(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
