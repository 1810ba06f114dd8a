"""Test fixtures: a real database (SQLite by default, PostgreSQL when REGISTRY_TEST_DATABASE_URL says so),
migrated once by alembic; each test runs inside a transaction that is rolled back at its end."""

from __future__ import annotations

import os
import tempfile
import uuid
from contextlib import contextmanager
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from app.auth.principals import Principal, Role
from app.clock import FixedClock
from app.config import Settings
from app.db import build_engine
from app.main import create_app
from app.migrations import upgrade

TEST_SECRET = "test-secret-" + "x" * 40


def _database_url(tmp_root: Path) -> str:
    return os.environ.get("REGISTRY_TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'registry-test.db'}"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="registry-test-") as tmp:
        url = _database_url(Path(tmp))
        if url.startswith("postgresql"):
            with fresh_postgres_database(url) as fresh:
                upgrade(fresh)
                yield fresh
        else:
            upgrade(url)
            yield url


@contextmanager
def fresh_postgres_database(url: str) -> Iterator[str]:
    """A new, empty database beside the one named in `url`, dropped afterwards: runs never share state."""
    base = make_url(url)
    name = f"{base.database}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = build_engine(Settings(database_url=database_url, jwt_secret=TEST_SECRET))
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """One connection per test, inside a transaction that is rolled back whatever the test did."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Each commit of the app's session dependency only releases a savepoint of the test's transaction.
    return sessionmaker(
        bind=connection, class_=Session, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, jwt_secret=TEST_SECRET)


@pytest.fixture
def app(settings: Settings, engine: Engine, session_factory: sessionmaker[Session], clock: FixedClock) -> Any:
    app = create_app(settings, clock=clock, engine=engine)
    app.state.sessionmaker = session_factory
    return app


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def token_for(app: Any) -> Callable[..., dict[str, str]]:
    """Authorization headers carrying a real signed JWT for the role (and region) asked for."""

    def make(role: str, region: str | None = None, subject: str | None = None) -> dict[str, str]:
        principal = Principal(subject=subject or f"{role}-{region or 'all'}", role=Role(role), region=region)
        return {"Authorization": f"Bearer {app.state.tokens.issue(principal)}"}

    return make


@pytest.fixture
def isolated_engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated database of the suite's kind, with real commits, for tests of concurrent sessions."""
    if database_url.startswith("postgresql"):
        with fresh_postgres_database(database_url) as url:
            upgrade(url)
            engine = build_engine(Settings(database_url=url, jwt_secret=TEST_SECRET))
            yield engine
            engine.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'isolated.db'}"
        upgrade(url)
        engine = build_engine(Settings(database_url=url, jwt_secret=TEST_SECRET))
        yield engine
        engine.dispose()
