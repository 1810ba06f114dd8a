"""`registry backup DIR` and `registry restore DIR`: the database and the documents folder, with a
manifest to check them by (ADR 0037).

The database is copied by its own tools: SQLite's online backup API (a consistent copy while the
server runs, WAL or not), PostgreSQL's `pg_dump --format=custom` (from one snapshot, which the
manifest's counts are read in too). The documents are copied after the database: files are never
changed or deleted, so every row of the copy has its file (a file uploaded meanwhile may come along
without its row). The manifest records when, the schema's revision, each table's rows and the
SHA-256 of every file of the backup.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.documents.storage import DocumentDamaged, DocumentStore, sha256_of
from app.migrations import current_revision
from app.models import metadata

MANIFEST = "manifest.json"
SQLITE_FILE = "registry.sqlite3"
POSTGRES_FILE = "registry.pgdump"
DOCUMENTS = "documents"
FORMAT = 1


class OperationFailed(Exception):
    """A backup or restore that cannot go on, with the reason for the operator."""


@dataclass
class Manifest:
    created_at: str
    database: str  # sqlite or postgresql
    database_file: str
    database_sha256: str
    alembic_revision: str | None
    counts: dict[str, int]
    documents: dict[str, str]  # path under documents/ -> SHA-256
    format: int = FORMAT

    def write(self, folder: Path) -> None:
        (folder / MANIFEST).write_text(json.dumps(self.__dict__, indent=2, sort_keys=True) + "\n")

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        try:
            data: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
            manifest = cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise OperationFailed(f"{folder / MANIFEST} is not a registry backup's manifest ({type(exc).__name__})") from None
        if manifest.format != FORMAT:
            raise OperationFailed(f"the backup is of format {manifest.format}; this registry reads format {FORMAT}")
        return manifest


def backup(engine: Engine, store: DocumentStore, target: Path, *, now: datetime) -> Manifest:
    """Into a new or empty folder. The backup is written beside it and renamed into place once
    whole, so a folder of that name is always a complete backup with its manifest."""
    if target.exists() and any(target.iterdir()):
        raise OperationFailed(f"{target} is not empty: back up into a new folder")
    partial = target.with_name(f".{target.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)  # what an earlier, interrupted backup left
    partial.mkdir(parents=True)
    try:
        manifest = _back_up(engine, store, partial, now=now)
        os.replace(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _back_up(engine: Engine, store: DocumentStore, target: Path, *, now: datetime) -> Manifest:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        database_file = SQLITE_FILE
        revision, counts = _sqlite_backup(_sqlite_path(url), target / database_file)
    else:
        database_file = POSTGRES_FILE
        revision, counts = _postgres_backup(engine, target / database_file)
    documents = _copy_documents(store, target / DOCUMENTS)
    manifest = Manifest(
        created_at=now.isoformat(),
        database=url.get_backend_name(),
        database_file=database_file,
        database_sha256=sha256_of(target / database_file),
        alembic_revision=revision,
        counts=counts,
        documents=documents,
    )
    manifest.write(target)
    return manifest


def restore(engine: Engine, store: DocumentStore, source: Path) -> Manifest:
    """Into an empty database and an empty document store only: a restore never mixes with, or
    overwrites, a record (drop and create the database first). The backup is checked against its
    manifest before anything is written, and the restored rows after."""
    manifest = Manifest.read(source)
    kind = engine.url.get_backend_name()
    if manifest.database != kind:
        raise OperationFailed(f"the backup is of a {manifest.database} database; this registry's is {kind}")
    _check_backup(source, manifest)
    with engine.connect() as connection:
        if tables := inspect(connection).get_table_names():
            raise OperationFailed(f"the database is not empty (it has {len(tables)} tables): restore into a new, empty one")
    if not store.is_empty():
        raise OperationFailed("the document store is not empty: restore into an empty one")

    if kind == "sqlite":
        copy, database = source / manifest.database_file, _sqlite_path(engine.url)
        with closing(sqlite3.connect(copy)) as backup_copy, closing(sqlite3.connect(database)) as restored:
            backup_copy.backup(restored)
    else:
        _run_postgres_tool(
            engine,
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            str(source / manifest.database_file),
        )
    for relative in manifest.documents:
        with (source / DOCUMENTS / relative).open("rb") as content:
            store.keep(store.receive(content))

    with engine.connect() as connection:
        revision, counts = current_revision(connection), _counts(connection)
    if revision != manifest.alembic_revision or counts != manifest.counts:
        differ = sorted(t for t in manifest.counts if counts.get(t) != manifest.counts[t])
        raise OperationFailed(f"the restored database differs from the manifest (revision {revision}; tables {differ})")
    return manifest


def _check_backup(source: Path, manifest: Manifest) -> None:
    expected = {manifest.database_file: manifest.database_sha256} | {
        f"{DOCUMENTS}/{relative}": sha for relative, sha in manifest.documents.items()
    }
    for relative, sha in expected.items():
        path = source / relative
        if not path.is_file():
            raise OperationFailed(f"the backup is incomplete: {path} is missing")
        if sha256_of(path) != sha:
            raise OperationFailed(f"the backup is damaged: {path} does not hold what the manifest says")


def _copy_documents(store: DocumentStore, target: Path) -> dict[str, str]:
    """Every stored document, checked as it is read: a backup of damaged bytes would restore them,
    so one stops the backup (earlier backups hold the file; `registry verify` names it)."""
    copied: dict[str, str] = {}
    for where, sha256 in store.inventory():
        if sha256 is None:
            continue  # a stray file, not a document (`registry verify` names it)
        try:
            stored = store.fetch(sha256)
        except (FileNotFoundError, DocumentDamaged) as exc:
            raise OperationFailed(f"{where} is damaged ({exc}): restore it from an earlier backup, then back up again") from None
        relative = f"{sha256[:2]}/{sha256}"
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(stored, destination)
        copied[relative] = sha256_of(destination)
    return copied


def _counts(connection: Connection) -> dict[str, int]:
    return {
        table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
        for table in metadata.sorted_tables
    }


# --- SQLite -------------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise OperationFailed("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _sqlite_backup(database: Path, copy: Path) -> tuple[str | None, dict[str, int]]:
    with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # the backup is one file, no -wal beside it
    engine = create_engine(f"sqlite:///{copy}", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return current_revision(connection), _counts(connection)
    finally:
        engine.dispose()


# --- PostgreSQL ---------------------------------------------------------------------------------


def _postgres_backup(engine: Engine, dump: Path) -> tuple[str | None, dict[str, int]]:
    """pg_dump from a snapshot this connection exports, the counts read in the same snapshot."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection, connection.begin():
        connection.execute(text("SET TRANSACTION READ ONLY"))
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        _run_postgres_tool(
            engine, "pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", connection=connection
        )
        return current_revision(connection), _counts(connection)


def _run_postgres_tool(engine: Engine, tool: str, *args: str, connection: Connection | None = None) -> None:
    """Run pg_dump or pg_restore of the server's major version against the engine's database."""
    found = shutil.which(tool)
    if found is None:
        raise OperationFailed(f"{tool} is not on PATH: install the PostgreSQL client tools of the server's version")
    if connection is None:
        with engine.connect() as own:
            server = _server_major(own)
    else:
        server = _server_major(connection)
    answer = subprocess.run([found, "--version"], capture_output=True, text=True, check=False).stdout
    version = re.search(r"\)\s+(\d+)", answer)
    if version is None or int(version.group(1)) != server:
        raise OperationFailed(
            f"{found} is {answer.strip() or 'of no known version'}, the server is PostgreSQL {server}: "
            "put the client tools of the server's major version first on PATH"
        )
    url = make_url(engine.url)
    env = os.environ | ({"PGPASSWORD": url.password} if url.password else {})
    database = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    result = subprocess.run([found, *args, f"--dbname={database}"], capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise OperationFailed(f"{tool} failed: {last}")


def _server_major(connection: Connection) -> int:
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000
