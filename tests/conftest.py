"""Test fixtures: a real database (SQLite by default, PostgreSQL when REGISTRY_TEST_DATABASE_URL says so),
migrated once by alembic; each test runs inside a transaction that is rolled back at its end."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool
from sqlmodel import Session, select

from app.auth import passwords
from app.auth.models import User
from app.auth.principals import AccountKey, AccountKind, Principal, Role
from app.clock import FixedClock
from app.config import Settings
from app.db import build_engine, write_transaction
from app.main import create_app
from app.migrations import upgrade
from app.registry import Registry
from tests.cheap_hashing import CHEAP_HASHER

TEST_SECRET = "test-secret-" + "x" * 40
REGISTRY = str(Path(sys.executable).with_name("registry"))
ROOT = Path(__file__).resolve().parent.parent


# --- Cheap password hashing (tests/cheap_hashing.py says why) ------------------------------------
@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", lambda: CHEAP_HASHER)
        passwords._dummy_hash.cache_clear()  # the dummy is hashed, like the rest, by the cheap hasher
        yield
    passwords._dummy_hash.cache_clear()


# Files whose tests each take seconds (real servers, subprocesses, the fuzzer): run first, so that
# parallel workers do not end the run waiting on one of them.
SLOW_FIRST = ("test_bench.py", "test_cli.py", "test_fuzz.py", "test_hardening.py", "test_import.py", "test_backup.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow files first. `make test` runs the suite on SQLite, then on PostgreSQL: a test marked
    database_independent (pure rules, documents, the CLI on its own SQLite file...) runs in the first
    pass only."""
    items.sort(key=lambda item: item.path.name not in SLOW_FIRST)  # stable: the rest keep their order
    if not os.environ.get("REGISTRY_TEST_DATABASE_URL", "").startswith("postgresql"):
        return
    once = pytest.mark.skip(reason="database_independent: it ran in the SQLite pass; nothing in it differs on PostgreSQL")
    for item in items:
        if item.get_closest_marker("database_independent"):
            item.add_marker(once)


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
def connection(request: pytest.FixtureRequest, engine: Engine) -> Iterator[Connection]:
    """One connection per test, inside a transaction that is rolled back whatever the test did; for a
    test marked `seeded`, a savepoint of its module's seed (`Seeded`)."""
    seed = _seed_of(request)
    if seed is not None:
        with seed.savepoint() as connection:
            yield connection
        return
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()


@pytest.fixture
def session_factory(registry: Registry) -> sessionmaker[Session]:
    return registry.sessions


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> FixedClock:
    seed = _seed_of(request)
    return FixedClock(START if seed is None else seed.now)


def _test_settings(database_url: str, documents_dir: Path) -> Settings:
    # No start-up recovery thread: the app fixture's sessions share the test's one connection.
    return Settings(
        database_url=database_url, jwt_secret=TEST_SECRET, documents_dir=documents_dir, recover_extractions_on_startup=False
    )


@pytest.fixture
def settings(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Settings:
    seed = _seed_of(request)
    return _test_settings(database_url, tmp_path / "documents") if seed is None else seed.settings


@pytest.fixture
def registry(settings: Settings, engine: Engine, connection: Connection, clock: FixedClock) -> Registry:
    """Wired as production wires it (`Registry.from_settings`), its sessions on the test's connection:
    each commit only releases a savepoint of the test's transaction."""
    return Registry.from_settings(settings, clock=clock, engine=engine, bind=connection)


class SharedApp:
    """One app for the whole session. FastAPI builds an app's routes on its first request, about a
    third of a second: per test, that was most of the suite's time. Each test lends it its own
    registry (its settings, clock, sessions and documents folder) and gets it back as it was: its
    state, routes (a test may add one), dependency overrides and OpenAPI document. A test whose
    settings differ in more than the documents folder gets an app of its own."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.app = create_app(registry=Registry.from_settings(settings, engine=engine))

    def serves(self, settings: Settings) -> bool:
        return settings.model_copy(update={"documents_dir": self.settings.documents_dir}) == self.settings

    @contextmanager
    def lent(self, registry: Registry) -> Iterator[FastAPI]:
        app = self.app
        state = dict(app.state._state)
        routes = list(app.router.routes)
        overrides = dict(app.dependency_overrides)
        schema = app.openapi_schema
        app.state.registry = registry
        try:
            yield app
        finally:
            registry.audit.close()
            app.state._state.clear()
            app.state._state.update(state)
            if app.router.routes != routes:
                app.router.routes[:] = routes
                app.router._mark_routes_changed()
            app.dependency_overrides.clear()
            app.dependency_overrides.update(overrides)
            app.openapi_schema = schema


@pytest.fixture(scope="session")
def shared_app(database_url: str, engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> SharedApp:
    folder = tmp_path_factory.mktemp("shared-app")
    return SharedApp(_test_settings(database_url, folder / "documents"), engine)


@pytest.fixture
def app(shared_app: SharedApp, settings: Settings, registry: Registry) -> Iterator[FastAPI]:
    if not shared_app.serves(settings):
        yield create_app(registry=registry)
        return
    with shared_app.lent(registry) as app:
        yield app


@pytest.fixture
def app_over(settings: Settings, engine: Engine, connection: Connection, clock: FixedClock) -> Callable[..., FastAPI]:
    """An app over this test's own search backend or settings, otherwise wired as `app` is."""

    def build(*, search: Any = None, settings: Settings = settings) -> FastAPI:
        return create_app(registry=Registry.from_settings(settings, clock=clock, engine=engine, bind=connection, search=search))

    return build


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


# The password of the accounts token_for makes (POST /auth/password needs the current one).
ACCOUNT_PASSWORD = "the test accounts' passphrase"


def issued_token(registry: Registry, principal: Principal, *, account: str | None = None) -> str:
    """A real token for the principal, issued to a user account of its subject (made the first time,
    with ACCOUNT_PASSWORD): the registry refuses tokens of accounts it does not have
    (ADR 0034). A second role under the same subject reuses the account, which only its token
    generation ties to its tokens. `account`: another account name, for claims no account could
    hold (a subject or region too long for its column), made without a region."""
    username = account or principal.subject
    with write_transaction(registry.sessions) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            region = None if account else principal.region
            password_hash = passwords.hash_secret(ACCOUNT_PASSWORD)
            user = User(username=username, password_hash=password_hash, role=principal.role.value, region=region)
            session.add(user)
            session.flush()
        account = AccountKey(kind=AccountKind.user, id=user.id, generation=user.token_generation)
    return registry.tokens.issue(replace(principal, account=account))


def tokens_of(app: FastAPI) -> Callable[..., dict[str, str]]:
    """Authorization headers carrying a real signed JWT for the role (and region) asked for."""

    def make(role: str, region: str | None = None, subject: str | None = None) -> dict[str, str]:
        principal = Principal(subject=subject or f"{role}-{region or 'all'}", role=Role(role), region=region)
        return {"Authorization": f"Bearer {issued_token(app.state.registry, principal)}"}

    return make


@pytest.fixture
def token_for(app: FastAPI) -> Callable[..., dict[str, str]]:
    return tokens_of(app)


# --- State made once for a module's tests ----------------------------------------------------
type Seed[T] = Callable[[TestClient, Callable[..., dict[str, str]], FixedClock], T]


@dataclass(frozen=True)
class Seeded[T]:
    """What a module's seed made through the API, in a transaction held open for the module's
    tests: a test marked `@pytest.mark.seeded("fixture")` runs in a savepoint of it (its
    `connection`), at the seed's last moment (`clock`) and over its documents folder (`settings`),
    and its savepoint is rolled back at its end. So every such test starts from exactly the state
    the seed left, which was made once instead of once per test."""

    connection: Connection
    settings: Settings
    now: datetime
    made: T

    @contextmanager
    def savepoint(self) -> Iterator[Connection]:
        savepoint = self.connection.begin_nested()
        try:
            yield self.connection
        finally:
            savepoint.rollback()


@contextmanager
def seeded[T](engine: Engine, shared_app: SharedApp, database_url: str, folder: Path, seed: Seed[T]) -> Iterator[Seeded[T]]:
    """`seed(client, token_for, clock)` run once, for a module-scoped fixture to yield."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            settings = _test_settings(database_url, folder / "documents")
            clock = FixedClock(START)
            registry = Registry.from_settings(settings, clock=clock, engine=engine, bind=connection)
            with shared_app.lent(registry) as app, TestClient(app, raise_server_exceptions=False) as client:
                made = seed(client, tokens_of(app), clock)
            yield Seeded(connection, settings, clock.now(), made)
        finally:
            transaction.rollback()


def seed_fixture(name: str, seed: Seed[Any]) -> Any:
    """A module-scoped fixture called `name`, for a module to assign to that name: `seed` run once
    (`seeded`), and what it made."""

    @pytest.fixture(scope="module", name=name)
    def made_once(
        engine: Engine, shared_app: SharedApp, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[Seeded[Any]]:
        with seeded(engine, shared_app, database_url, tmp_path_factory.mktemp(name), seed) as made:
            yield made

    return made_once


def _seed_of(request: pytest.FixtureRequest) -> Seeded[Any] | None:
    marker = request.node.get_closest_marker("seeded")
    return None if marker is None else request.getfixturevalue(marker.args[0])


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


def subprocess_env(**registry_settings: str) -> dict[str, str]:
    """The environment of a `registry` process a test starts: none of this process's REGISTRY_
    settings, the given ones (`database_url="..."` becomes REGISTRY_DATABASE_URL), and the suite's
    cheap password hashing (tests/subprocess_site)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    # Small pools: two test workers' servers and commands, each of two processes, stay well within a
    # local PostgreSQL's 100 connections.
    env["REGISTRY_DATABASE_POOL_SIZE"], env["REGISTRY_DATABASE_MAX_OVERFLOW"] = "4", "4"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "tests" / "subprocess_site"), str(ROOT)])
    env.update({f"REGISTRY_{name.upper()}": value for name, value in registry_settings.items()})
    return env


# --- A real server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(env: dict[str, str], workers: int = 1) -> Iterator[tuple[str, Path]]:
    """`registry serve` on a free port, ready; stopped afterwards. Yields its address and its log file."""
    port = free_port()
    log = Path(env["REGISTRY_DOCUMENTS_DIR"]).parent / f"server-{port}.log"
    server = subprocess.Popen(
        [REGISTRY, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.2)
        yield base, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def all_at_once[T](sends: list[Callable[[httpx.Client], T]], *, timeout: float = 120) -> list[T]:
    """Call each `send(http)` at the same moment, each from its own thread on a connection of its
    own (released together by a barrier); their answers, in order."""
    ready = threading.Barrier(len(sends))

    def one(send: Callable[[httpx.Client], T]) -> T:
        with httpx.Client(timeout=timeout) as http:
            ready.wait()
            return send(http)

    with ThreadPoolExecutor(len(sends)) as pool:
        return list(pool.map(one, sends))


def requests_total(metrics: str, operation: str, status: str) -> float:
    """The requests a server's `/metrics` text counts for one operation and status."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "registry_http_requests_total"
        and sample.labels.get("operation") == operation
        and sample.labels.get("status") == status
    )


# --- S3-compatible object storage ------------------------------------------------------------
# moto in server mode (`moto_server`, from the dev extra) is the stand-in for a bucket store: a real
# HTTP server speaking the S3 API, in memory. It checks what the registry sends as a bucket does
# (checksums included); it cannot show a real service's latency or consistency.

S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "moto-stand-in",
    "AWS_SECRET_ACCESS_KEY": "moto-stand-in",
    "AWS_DEFAULT_REGION": "eu-west-2",
}


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/moto-api/", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "moto_server did not start"
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def bucket_settings(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Settings of a bucket store on a fresh bucket of the stand-in, with its credentials in the
    environment, where boto3 reads them."""
    import boto3

    for name, value in S3_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket = f"test-{uuid.uuid4().hex[:20]}"
    boto3.client("s3", endpoint_url=moto_url).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": S3_CREDENTIALS["AWS_DEFAULT_REGION"]}
    )
    return {"documents_store": "s3", "s3_bucket": bucket, "s3_endpoint_url": moto_url}


# --- OpenSearch -------------------------------------------------------------------------------
# osmem-server (an in-memory OpenSearch-compatible stand-in, a binary shipped in its wheel) runs
# the OpenSearch tests in CI. Highlighting and refresh timing differ from a real cluster; scores are
# fixed weights (ADR 0022), the same on every backend. The same tests run against a real OpenSearch when REGISTRY_TEST_OPENSEARCH_URL is
# set (see deploy/README.md), and are skipped with that reason otherwise.


class OsmemProcess:
    """osmem-server on a fixed port, so a test can stop it and start it again at the same address."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        import osmem_server

        self.process = subprocess.Popen(
            [osmem_server.resolve_binary(), "--addr", f"127.0.0.1:{self.port}", "--no-ja", "--parent-pid", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        json.loads(self.process.stdout.readline())  # one line when ready

    def stop(self) -> None:
        if self.process is not None:
            assert self.process.stdin is not None
            self.process.stdin.close()  # osmem exits when its stdin closes
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def osmem() -> Iterator[OsmemProcess]:
    server = OsmemProcess(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["osmem", "real-opensearch"])
def opensearch_url(request: pytest.FixtureRequest) -> str:
    if request.param == "real-opensearch":
        url = os.environ.get("REGISTRY_TEST_OPENSEARCH_URL")
        if not url:
            pytest.skip("REGISTRY_TEST_OPENSEARCH_URL is not set: no real OpenSearch to run the contract suite against")
        return url
    return request.getfixturevalue("osmem").url


@pytest.fixture
def opensearch_backend(opensearch_url: str) -> Iterator[Any]:
    """A backend with an index prefix of its own, removed afterwards."""
    from opensearchpy import OpenSearch

    from app.search.opensearch import OpenSearchBackend

    prefix = f"test-{uuid.uuid4().hex[:12]}"
    client = OpenSearch(hosts=[opensearch_url], timeout=10)
    backend = OpenSearchBackend(client, prefix=prefix, refresh=True)
    yield backend
    client.indices.delete(index=f"{prefix}-*", ignore=[404])
    client.indices.delete_index_template(name=prefix, ignore=[404])
