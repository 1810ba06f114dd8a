"""Hardening: sign-in throttling, equal timing for unknown users, CORS, security headers, metrics."""

from __future__ import annotations

import statistics
import time

import pytest
from fastapi.testclient import TestClient

from app.auth import service
from app.config import Settings
from app.main import create_app
from tests.conftest import TEST_SECRET
from tests.flows import API

PASSWORD = "a long enough passphrase"


@pytest.fixture
def officer(session):
    service.create_user(session, username="officer", password=PASSWORD, role="board", region="gwent")
    session.commit()


def _sign_in(client, username, password):
    return client.post(f"{API}/auth/token", data={"grant_type": "password", "username": username, "password": password})


def test_repeated_failures_for_one_account_are_slowed_with_retry_after(client, officer, clock):
    for _ in range(5):
        assert _sign_in(client, "officer", "wrong guess here").status_code == 401
    blocked = _sign_in(client, "officer", PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    assert blocked.headers["content-type"] == "application/problem+json"
    assert 0 < int(blocked.headers["retry-after"]) <= 15 * 60
    clock.advance(minutes=16)
    assert _sign_in(client, "officer", PASSWORD).status_code == 200


def test_many_failures_from_one_address_are_slowed_across_accounts(client, clock):
    for n in range(20):
        assert _sign_in(client, f"guess-{n}", "whatever it is").status_code == 401
    assert _sign_in(client, "someone-else", "whatever it is").status_code == 429


def test_unknown_users_take_as_long_as_known_ones(client, officer):
    def timed(username: str) -> float:
        started = time.perf_counter()
        _sign_in(client, username, "not the password")
        return time.perf_counter() - started

    known = statistics.median(timed("officer") for _ in range(4))
    unknown = statistics.median(timed(f"ghost-{n}") for n in range(4))
    assert 0.5 < unknown / known < 2.0, (known, unknown)


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
    with TestClient(create_app(settings, engine=engine)) as client:
        allowed = client.options(
            f"{API}/regions",
            headers={"Origin": "https://dashboard.example.wales", "Access-Control-Request-Method": "GET"},
        )
        assert allowed.headers["access-control-allow-origin"] == "https://dashboard.example.wales"
        other = client.get(f"{API}/regions", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


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
