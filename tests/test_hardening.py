"""Hardening: sign-in throttling (in process, and in bursts over real HTTP), trusted proxies, equal timing for unknown users, CORS, security headers, metrics."""

from __future__ import annotations

from collections import Counter

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.accounts import service
from app.auth import passwords, repository
from app.config import Settings
from app.db import build_sessionmaker
from app.main import create_app
from app.registry import Registry
from tests.cheap_hashing import CHEAP_HASHER, PRODUCTION_HASHER
from tests.conftest import TEST_SECRET, all_at_once, running_server, subprocess_env
from tests.flows import API

PASSWORD = "a long enough passphrase"


@pytest.fixture
def officer(session):
    service.create_user(session, username="officer", password=PASSWORD, role="board", region="gwent")
    session.commit()


def _sign_in(client, username, password, base=""):
    return client.post(f"{base}{API}/auth/token", data={"grant_type": "password", "username": username, "password": password})


def test_repeated_failures_for_one_account_from_one_address_are_slowed_with_retry_after(client, officer, clock):
    for _ in range(5):
        assert _sign_in(client, "officer", "wrong guess here").status_code == 400
    blocked = _sign_in(client, "officer", PASSWORD)  # even the right password waits, from this address
    assert blocked.status_code == 429
    assert blocked.headers["content-type"] == "application/problem+json"
    assert 0 < int(blocked.headers["retry-after"]) <= 15 * 60
    clock.advance(minutes=16)
    assert _sign_in(client, "officer", PASSWORD).status_code == 200


def test_many_failures_from_one_address_are_slowed_across_accounts(client, clock):
    for n in range(20):
        assert _sign_in(client, f"guess-{n}", "whatever it is").status_code == 400
    assert _sign_in(client, "someone-else", "whatever it is").status_code == 429


def test_unknown_users_cost_the_same_password_check_as_known_ones(client, officer, monkeypatch):
    # Timings on two busy cores prove nothing; what makes them equal is that an unknown name still
    # costs one Argon2 verification (against a dummy hash of the same parameters), like a known one.
    hasher = passwords._hasher()
    checked: list[str] = []
    real_verify = hasher.verify

    def counted(secret: str, secret_hash: str) -> bool:
        checked.append(secret_hash)
        return real_verify(secret, secret_hash)

    monkeypatch.setattr(hasher, "verify", counted)
    assert _sign_in(client, "officer", "not the password").status_code == 400
    assert _sign_in(client, "ghost", "not the password").status_code == 400
    known, unknown = checked
    # Same algorithm and cost: the encoded parameters ($argon2id$v=19$m=...,t=...,p=...$) are equal.
    assert unknown == passwords._dummy_hash() and known.split("$")[:4] == unknown.split("$")[:4]


@pytest.mark.database_independent
def test_outside_the_tests_passwords_are_hashed_at_production_cost():
    # The suite hashes cheaply (tests/cheap_hashing.py); the app's own hasher is pwdlib's recommended Argon2id.
    assert passwords._hasher() is CHEAP_HASHER
    hashed = PRODUCTION_HASHER().hash("a long enough passphrase")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_security_headers_on_every_answer(client):
    for path in ("/healthz", f"{API}/regions", f"{API}/reviews/none"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
    api = client.get(f"{API}/regions").headers
    assert api["cache-control"] == "no-store" and "default-src 'none'" in api["content-security-policy"]


def test_cors_allows_only_the_configured_origins(database_url, engine, tmp_path):
    settings = Settings(
        database_url=database_url, jwt_secret=TEST_SECRET, cors_origins="https://dashboard.example.wales", documents_dir=tmp_path
    )
    with TestClient(create_app(registry=Registry.from_settings(settings, engine=engine))) as client:
        allowed = client.options(
            f"{API}/regions",
            headers={"Origin": "https://dashboard.example.wales", "Access-Control-Request-Method": "GET"},
        )
        assert allowed.headers["access-control-allow-origin"] == "https://dashboard.example.wales"
        other = client.get(f"{API}/regions", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_an_app_that_stops_closes_only_the_engine_it_built(database_url, engine, tmp_path):
    """An app's shutdown disposed the engine it was lent, stranding the lender's pooled connection
    in a pool nothing used: on PostgreSQL the suite ran out of connections that way."""
    settings = Settings(database_url=database_url, jwt_secret=TEST_SECRET, documents_dir=tmp_path)
    with engine.connect():
        pass  # one connection now waits in the pool
    pool = engine.pool
    with TestClient(create_app(registry=Registry.from_settings(settings, engine=engine))) as client:
        assert client.get(f"{API}/regions").status_code == 200
    assert engine.pool is pool and pool.checkedin() >= 1  # not disposed: the connection is still there
    own = Registry.from_settings(settings)
    own_pool = own.engine.pool
    own.close()
    assert own.engine.pool is not own_pool  # disposed: its connections are closed


def test_no_cors_at_all_by_default(client):
    response = client.get(f"{API}/regions", headers={"Origin": "https://dashboard.example.wales"})
    assert "access-control-allow-origin" not in response.headers


def test_metrics_count_requests_by_operation_not_by_id(client, token_for):
    from app.metrics import REGISTRY

    labels = {"method": "GET", "operation": "get_review", "status": "404"}
    before = REGISTRY.get_sample_value("registry_http_requests_total", labels) or 0
    client.get(f"{API}/reviews/abc", headers=token_for("inspectorate"))
    client.get(f"{API}/reviews/def", headers=token_for("inspectorate"))
    assert REGISTRY.get_sample_value("registry_http_requests_total", labels) == before + 2
    text = client.get("/metrics").text
    assert "/reviews/abc" not in text and 'operation="get_review"' in text
    assert "registry_search_outbox_pending" in text and "registry_http_request_duration_seconds_bucket" in text


# --- Over real HTTP: a `registry serve` process on a database with real commits -----------------

# The probe's burst: 32 wrong passwords at once. Counted only after each request ended, 26 were
# checked on SQLite and all 32 on PostgreSQL, against a limit of 5.
BURST = 32


@pytest.fixture
def serve(isolated_engine, tmp_path):
    """Start `registry serve`, two workers as deployed, on the isolated database with extra settings;
    a user "officer" exists."""
    with build_sessionmaker(isolated_engine)() as session:
        service.create_user(session, username="officer", password=PASSWORD, role="board", region="gwent")
        session.commit()
    env = subprocess_env(
        database_url=isolated_engine.url.render_as_string(hide_password=False), documents_dir=str(tmp_path / "documents")
    )

    def start(**settings: str):  # type: ignore[no-untyped-def]
        return running_server({**env, **{f"REGISTRY_{name.upper()}": value for name, value in settings.items()}}, workers=2)

    return start


def _all_at_once(base: str, requests: list[dict[str, str]]) -> Counter[int]:
    """POST every token request at the same moment, each from its own thread; count the statuses."""
    return Counter(
        all_at_once(
            [
                lambda http, form=form: http.post(f"{base}{API}/auth/token", data={"grant_type": "password", **form}).status_code
                for form in requests
            ]
        )
    )


def test_a_burst_of_guesses_at_one_account_gets_only_its_limit_checked(serve):
    with serve(login_failures_per_pair="5", login_failures_per_address="1000") as (base, _log):
        statuses = _all_at_once(base, [{"username": "officer", "password": f"wrong guess {n}"} for n in range(BURST)])
        # Each 400 (invalid_grant) is a password that was checked; every other attempt was refused before its check.
        assert statuses == {400: 5, 429: BURST - 5}
        assert _sign_in(httpx, "officer", PASSWORD, base=base).status_code == 429


def test_a_burst_of_guesses_from_one_address_gets_only_its_limit_checked(serve):
    with serve(login_failures_per_pair="1000", login_failures_per_address="5") as (base, _log):
        statuses = _all_at_once(base, [{"username": f"guess-{n}", "password": "wrong guess"} for n in range(BURST)])
        assert statuses == {400: 5, 429: BURST - 5}


def test_a_successful_sign_in_does_not_count_against_the_limit(serve):
    with serve(login_failures_per_pair="2") as (base, _log):
        for _ in range(3):
            assert _sign_in(httpx, "officer", PASSWORD, base=base).status_code == 200
        assert [_sign_in(httpx, "officer", "wrong guess", base=base).status_code for _ in range(3)] == [400, 400, 429]


def _guess_from(base: str, forwarded_for: str, username: str) -> int:
    return httpx.post(
        f"{base}{API}/auth/token",
        data={"grant_type": "password", "username": username, "password": "wrong guess"},
        headers={"X-Forwarded-For": forwarded_for},
        timeout=60,
    ).status_code


def _recorded_addresses(engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(text("SELECT DISTINCT client_address FROM audit_event")).scalars())


def test_a_forged_x_forwarded_for_does_not_escape_the_address_limit(serve, isolated_engine):
    with serve(login_failures_per_address="3") as (base, _log):
        statuses = [_guess_from(base, f"203.0.113.{n}", f"guess-{n}") for n in range(4)]
    assert statuses == [400, 400, 400, 429]
    assert _recorded_addresses(isolated_engine) == {"127.0.0.1"}


def test_a_trusted_proxy_names_the_client_address(serve, isolated_engine):
    with serve(login_failures_per_address="3", trusted_proxies="127.0.0.1") as (base, _log):
        rotating = [_guess_from(base, f"203.0.113.{n}", f"guess-{n}") for n in range(4)]
        one_client = [_guess_from(base, "198.51.100.7", f"other-{n}") for n in range(4)]
    assert rotating == [400, 400, 400, 400]  # four clients behind the proxy, one guess each
    assert one_client == [400, 400, 400, 429]
    assert _recorded_addresses(isolated_engine) == {"203.0.113.0", "203.0.113.1", "203.0.113.2", "203.0.113.3", "198.51.100.7"}


def _sign_in_from(base: str, forwarded_for: str, username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{base}{API}/auth/token",
        data={"grant_type": "password", "username": username, "password": password},
        headers={"X-Forwarded-For": forwarded_for},
        timeout=60,
    )


def test_an_attackers_address_is_slowed_while_the_owner_signs_in_from_elsewhere(serve, isolated_engine):
    with build_sessionmaker(isolated_engine)() as session:
        service.create_user(session, username="registry-admin", password=PASSWORD, role="admin", region=None)
        session.commit()
        officer_id = repository.user_by_username(session, "officer").id  # type: ignore[union-attr]
    attacker, owner, admin = "203.0.113.66", "198.51.100.7", "198.51.100.8"
    with serve(login_failures_per_pair="5", trusted_proxies="127.0.0.1") as (base, _log):
        guesses = [_sign_in_from(base, attacker, "officer", f"wrong guess {n}").status_code for n in range(5)]
        assert guesses == [400] * 5
        refused = _sign_in_from(base, attacker, "officer", PASSWORD)  # counted before it is checked: refused
        assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 15 * 60
        assert "access_token" not in refused.text

        signed_in = _sign_in_from(base, owner, "officer", PASSWORD)  # the owner, from another address
        assert signed_in.status_code == 200 and signed_in.json()["access_token"]
        assert _sign_in_from(base, attacker, "officer", "wrong guess 6").status_code == 429  # still slowed

        token = _sign_in_from(base, admin, "registry-admin", PASSWORD).json()["access_token"]
        cleared = httpx.delete(
            f"{base}{API}/accounts/{officer_id}/sign-in-throttle",
            headers={"Authorization": f"Bearer {token}", "X-Forwarded-For": admin},
            timeout=60,
        )
        assert cleared.status_code == 204, cleared.text
        assert _sign_in_from(base, attacker, "officer", PASSWORD).status_code == 200  # forgotten: checked again
    with isolated_engine.connect() as connection:
        rows = connection.execute(
            text("SELECT subject, target_id, status FROM audit_event WHERE action = 'account:sign-in-throttle-clear'")
        ).all()
    assert [tuple(row) for row in rows] == [("registry-admin", officer_id, 204)]
