"""Every error is an RFC 9457 problem; nothing internal leaks; the database being away is a quick 503."""

from __future__ import annotations

import logging
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from app.config import Settings
from app.errors import Conflict, status_of
from app.main import create_app
from tests import factories
from tests.conftest import TEST_SECRET
from tests.flows import API


def test_an_unexpected_failure_is_a_plain_500_problem(app, client, caplog):
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals: SELECT * FROM review")

    with caplog.at_level(logging.ERROR):
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/internal-error") and body["request_id"] == response.headers["x-request-id"]
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert "RuntimeError" in caplog.text  # the operator still learns what happened


@pytest.mark.database_independent
def test_an_unreachable_database_is_a_quick_503(tmp_path):
    settings = Settings(
        database_url="postgresql+psycopg://postgres@127.0.0.1:1/registry", jwt_secret=TEST_SECRET, database_timeout_seconds=1
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        started = time.monotonic()
        response = client.get(f"{API}/reviews")
        elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert response.headers["retry-after"]
        assert response.headers["content-type"] == "application/problem+json"
        assert "127.0.0.1" not in response.text and "psycopg" not in response.text
        assert elapsed < 5
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200  # alive, just not ready


@pytest.mark.database_independent
def test_wrong_method_is_a_405_problem_that_says_what_is_allowed(client):
    response = client.delete(f"{API}/regions")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert "GET" in response.headers["allow"]


@pytest.mark.database_independent
def test_request_ids_are_echoed_or_made(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces; and more"}).headers["x-request-id"]
    assert made != "bad id with spaces" and len(made) == 32


def test_logs_carry_the_request_but_never_review_text_or_tokens(client, token_for, caplog):
    board = token_for("board", "gwent")
    secret_words = "Grandmother's address is 12 Example Street"
    with caplog.at_level(logging.INFO, logger="app.access"):
        response = client.post(f"{API}/reviews", json=factories.review(summary=secret_words), headers=board)
    assert response.status_code == 201
    assert '"path": "/api/v1/reviews"' in caplog.text and '"status": 201' in caplog.text
    assert secret_words not in caplog.text
    assert board["Authorization"].split()[1] not in caplog.text


def test_an_unexpected_failure_still_carries_the_security_headers(app, client):
    @app.get("/api/v1/boom-headers")
    def boom() -> None:
        raise RuntimeError("x")

    response = client.get("/api/v1/boom-headers")
    assert response.status_code == 500
    assert response.headers["x-content-type-options"] == "nosniff" and response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda: DataError("SELECT", {}, Exception("too long")), 422),
        (lambda: IntegrityError("INSERT", {}, Exception("duplicate")), 409),
        (lambda: OperationalError("SELECT", {}, Exception("gone")), 503),
        (lambda: InterfaceError("SELECT", {}, Exception("closed")), 503),
        (lambda: PoolTimeoutError("no connection"), 503),
        (lambda: Conflict("taken"), 409),
        (lambda: RuntimeError("boom"), 500),
    ],
)
def test_one_mapping_gives_the_status_answered_and_the_status_audited(app, client, make, status):
    # status_of is what the problem handlers answer and what the audit trail records for a refused
    # request (app/sessions.py): the two can no longer disagree.
    @app.get("/api/v1/raises")
    def raises() -> None:
        raise make()

    assert status_of(make()) == status
    assert client.get("/api/v1/raises").status_code == status
