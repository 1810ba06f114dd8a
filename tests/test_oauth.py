"""The token endpoint as OAuth 2.0 clients expect it (RFC 6749): HTTP Basic client authentication
beside form fields, and errors that carry the standard `error` member beside the problem fields."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote_plus

import pytest
from sqlalchemy import text

from app.accounts import service
from app.auth.throttle import LoginLimits
from tests.flows import API

TOKEN_URL = f"{API}/auth/token"
PASSWORD = "a long enough passphrase"
# An id with a character that RFC 6749 2.3.1's form-urlencoding must carry through Basic (`@`, as
# %40); a client id holds no space, `/`, `:` or `+` (ACCOUNT_NAME in app/accounts/schemas.py).
CLIENT_ID = "gwent.case-system@1"


def basic(client_id: str, client_secret: str, *, encode: bool = True) -> dict[str, str]:
    """RFC 6749 2.3.1: each part form-urlencoded, then joined by ':' and base64-encoded."""
    if encode:
        client_id, client_secret = quote_plus(client_id), quote_plus(client_secret)
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()}


def raw_basic(credentials: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(credentials).decode()}


@pytest.fixture
def secret(session) -> str:
    _, client_secret = service.create_client(session, client_id=CLIENT_ID, role="board", region="gwent")
    service.create_user(session, username="gwent-officer", password=PASSWORD, role="board", region="gwent")
    session.commit()
    return client_secret


def _counters(connection) -> list[Any]:
    return connection.execute(text("SELECT key, attempts FROM sign_in_attempts ORDER BY key")).all()


def _assert_token_error(response, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["error"] == error
    assert body["status"] == status and body["type"].startswith("/problems/") and body["title"] and body["detail"]
    assert "access_token" not in response.text
    return body


def _me(client, response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    return client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {token}"}).json()


def test_client_credentials_sent_with_http_basic_give_the_clients_token(client, secret):
    response = client.post(TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic(CLIENT_ID, secret))
    assert response.headers["cache-control"] == "no-store"
    assert _me(client, response) == {"subject": f"client:{CLIENT_ID}", "role": "board", "region": "gwent"}


def test_basic_may_repeat_its_client_id_in_the_form(client, secret):
    response = client.post(
        TOKEN_URL, data={"grant_type": "client_credentials", "client_id": CLIENT_ID}, headers=basic(CLIENT_ID, secret)
    )
    assert _me(client, response)["subject"] == f"client:{CLIENT_ID}"


def test_form_fields_still_give_the_clients_token(client, secret):
    response = client.post(TOKEN_URL, data={"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": secret})
    assert _me(client, response)["subject"] == f"client:{CLIENT_ID}"


@pytest.mark.parametrize(
    "form",
    [
        {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": "SECRET"},
        {"grant_type": "client_credentials", "client_secret": "SECRET"},
        {"grant_type": "client_credentials", "client_id": "another-client"},
        {"grant_type": "password", "username": "gwent-officer", "password": PASSWORD},
    ],
    ids=["both-at-once", "secret-in-both", "another-client-id-in-the-form", "basic-with-the-password-grant"],
)
def test_credentials_from_two_places_are_refused_and_count_nothing(client, connection, secret, form):
    """RFC 6749 2.3: one authentication method per request. Refused before any secret is checked."""
    before = _counters(connection)
    filled = {name: (secret if value == "SECRET" else value) for name, value in form.items()}
    response = client.post(TOKEN_URL, data=filled, headers=basic(CLIENT_ID, secret))
    _assert_token_error(response, 400, "invalid_request")
    assert _counters(connection) == before


@pytest.mark.parametrize(
    "authorization",
    [
        {"Authorization": "Basic"},
        {"Authorization": "Basic !!!not-base64!!!"},
        {"Authorization": "basic " + "A" * 5000},
        raw_basic(b"no-colon-at-all"),
        raw_basic(b":a-secret-without-an-id"),
        raw_basic(b"an-id-without-a-secret:"),
        raw_basic(b"\xff\xfe:not-utf-8"),
        raw_basic(b"an-id:%FF%FE"),  # percent-decodes to bytes that are not UTF-8
        raw_basic(b"an-id%00:with-a-nul"),
        raw_basic(b"an-id\x00:with-a-raw-nul"),
    ],
    ids=["empty", "not-base64", "huge", "no-colon", "no-id", "no-secret", "not-utf8", "bad-escape", "encoded-nul", "raw-nul"],
)
def test_a_malformed_basic_header_is_a_401_problem_that_names_basic(client, connection, secret, authorization):
    before = _counters(connection)
    response = client.post(TOKEN_URL, data={"grant_type": "client_credentials"}, headers=authorization)
    body = _assert_token_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"] == 'Basic realm="safeguarding-registry"'
    assert "base64" in body["detail"]
    assert _counters(connection) == before


def test_wrong_basic_credentials_are_invalid_client_and_count_towards_the_limit(app, client, secret):
    """A wrong secret over Basic answers 401 invalid_client with a Basic challenge, and is counted
    before it is checked: past the limit even the right secret waits (429)."""
    app.state.registry.login_limits = LoginLimits(per_pair=2, per_address=100)
    wrong = [
        client.post(TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic(CLIENT_ID, "wrong")) for _ in range(2)
    ]
    for response in wrong:
        _assert_token_error(response, 401, "invalid_client")
        assert response.headers["www-authenticate"].startswith("Basic ")
    throttled = client.post(TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic(CLIENT_ID, secret))
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    assert "access_token" not in throttled.text


def test_an_unknown_client_and_a_wrong_secret_get_the_same_answer(client, secret):
    unknown = client.post(TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic("nobody", secret))
    wrong = client.post(TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic(CLIENT_ID, "wrong"))
    assert (
        _assert_token_error(unknown, 401, "invalid_client")["detail"]
        == _assert_token_error(wrong, 401, "invalid_client")["detail"]
    )


def test_a_bearer_header_on_the_token_request_is_not_client_authentication(client, secret, token_for):
    """Only Basic authenticates a client here; a leftover bearer token neither helps nor hurts."""
    headers = token_for("admin")
    granted = client.post(
        TOKEN_URL, data={"grant_type": "password", "username": "gwent-officer", "password": PASSWORD}, headers=headers
    )
    assert _me(client, granted)["subject"] == "gwent-officer"
    refused = client.post(TOKEN_URL, data={"grant_type": "client_credentials"}, headers=headers)
    _assert_token_error(refused, 400, "invalid_request")


def test_the_openapi_document_names_the_token_form_and_its_errors(client):
    document = client.get(f"{API}/openapi.json").json()
    schemas = document["components"]["schemas"]
    operation = document["paths"][f"{API}/auth/token"]["post"]
    form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form == {"$ref": "#/components/schemas/TokenRequest"}
    assert not [name for name in schemas if name.startswith("Body_") and "token" in name]
    assert schemas["TokenRequest"]["required"] == ["grant_type"]
    assert set(schemas["TokenRequest"]["properties"]["grant_type"]["enum"]) == {"password", "client_credentials"}
    for status in ("400", "401"):
        content = operation["responses"][status]["content"]
        assert content == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/TokenError"}}}
    error = schemas["TokenError"]["properties"]["error"]
    assert set(error["enum"]) == {"invalid_request", "invalid_client", "invalid_grant", "unsupported_grant_type"}
    assert {"type", "title", "status", "detail", "error"} <= set(schemas["TokenError"]["required"])
