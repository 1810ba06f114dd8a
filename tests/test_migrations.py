"""Migrations are the only way the schema changes: they go up and down on SQLite and PostgreSQL,
and the models never drift from them."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from app.migrations import downgrade, head_revision, upgrade
from app.models import is_modelled, metadata
from tests.conftest import fresh_postgres_database


def _round_trip(url: str) -> None:
    upgrade(url)
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head_revision()
        regions = connection.execute(text("SELECT code FROM region ORDER BY code")).scalars().all()
        assert regions == ["cardiff-vale", "cwm-taf-morgannwg", "gwent", "mid-west-wales", "north-wales", "west-glamorgan"]
        themes = connection.execute(text("SELECT code FROM vocabulary_term WHERE vocabulary = 'theme'")).scalars().all()
        assert "voice-of-the-child" in themes
        diff = compare_metadata(
            MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": lambda name, _type, _parents: is_modelled(name)}
            ),
            metadata,
        )
        assert diff == [], f"models and migrations disagree: {diff}"
    downgrade(url, "base")
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    upgrade(url)
    engine.dispose()


def test_migrations_round_trip(tmp_path: Path, database_url: str):
    if database_url.startswith("postgresql"):
        with fresh_postgres_database(database_url) as url:
            _round_trip(url)
    else:
        _round_trip(f"sqlite:///{tmp_path / 'migrations.db'}")


def test_readiness_reports_the_schema_at_head(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["migrations"]) == ("ready", "ok", head_revision())
    assert body["search"] == "sql: ok" and body["search_outbox"]["pending"] == 0
    assert body["reports_pending_text"] == 0


def test_readiness_fails_clearly_on_an_unmigrated_database(tmp_path: Path, client, app):
    from app.db import build_sessionmaker

    empty = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    app.state.registry.sessions = build_sessionmaker(empty)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == (
        f"The database schema is empty (never migrated), not at {head_revision()}: run `registry migrate`."
    )
    empty.dispose()
