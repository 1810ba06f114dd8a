"""Tokens: issued for real credentials only, verified strictly, and the settings that guard them."""

from __future__ import annotations

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt
from pydantic import ValidationError

from app.accounts import service
from app.auth.models import User
from app.auth.principals import AccountKey, AccountKind, Principal, Role
from app.auth.tokens import TokenService
from app.config import Settings
from tests.conftest import TEST_SECRET

TOKEN_URL = "/api/v1/auth/token"
PASSWORD = "a long enough passphrase"


@pytest.fixture
def gwent_user(session):
    service.create_user(session, username="gwent-officer", password=PASSWORD, role="board", region="gwent")
    session.commit()


# The account the hand-made tokens below are issued to: a token must name an account the registry
# has, at its token generation (ADR 0034), or it is refused whatever else it says.
SOMEONE_ID = "5a0f3c2e-0000-4000-8000-00000000a11c"


@pytest.fixture
def someone(session):
    session.add(User(id=SOMEONE_ID, username="someone", password_hash="!", role="inspectorate"))
    session.commit()


def _claims(**changes):
    now = int(time.time())
    claims = {
        "acct": f"user:{SOMEONE_ID}",
        "gen": 0,
        "sub": "someone",
        "role": "inspectorate",
        "region": None,
        "iss": "safeguarding-registry",
        "aud": "safeguarding-registry-api",
        "iat": now,
        "exp": now + 300,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not ...}


def test_password_grant_gives_a_token_that_says_who_you_are(client, gwent_user):
    response = client.post(TOKEN_URL, data={"grant_type": "password", "username": "gwent-officer", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 900
    assert response.headers["cache-control"] == "no-store"
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"subject": "gwent-officer", "role": "board", "region": "gwent"}


def test_client_credentials_grant(client, session):
    _, secret = service.create_client(session, client_id="gwent-case-system", role="board", region="gwent")
    session.commit()
    response = client.post(
        TOKEN_URL, data={"grant_type": "client_credentials", "client_id": "gwent-case-system", "client_secret": secret}
    )
    assert response.status_code == 200
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"})
    assert me.json() == {"subject": "client:gwent-case-system", "role": "board", "region": "gwent"}


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"grant_type": "password", "username": "gwent-officer", "password": "wrong password!!"}, 400, "invalid_grant"),
        ({"grant_type": "password", "username": "nobody-at-all", "password": PASSWORD}, 400, "invalid_grant"),
        ({"grant_type": "client_credentials", "client_id": "unknown", "client_secret": "x" * 20}, 401, "invalid_client"),
    ],
)
def test_wrong_credentials_are_refused_alike(client, gwent_user, form, status, error):
    """RFC 6749 5.2: a wrong password is invalid_grant (400), a wrong client invalid_client (401)."""
    response = client.post(TOKEN_URL, data=form)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["error"] == error and body["type"].endswith("/" + error.replace("_", "-"))
    assert "access_token" not in response.text


def test_a_grant_without_its_fields_names_them(client):
    response = client.post(TOKEN_URL, data={"grant_type": "password"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert {e["field"] for e in response.json()["errors"]} == {"username", "password"}


def test_me_needs_a_token(client):
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def _forged_tokens():
    yield "expired", jwt.encode(_claims(exp=int(time.time()) - 10, iat=int(time.time()) - 1000), TEST_SECRET)
    yield "wrong issuer", jwt.encode(_claims(iss="someone-else"), TEST_SECRET)
    yield "wrong audience", jwt.encode(_claims(aud="another-api"), TEST_SECRET)
    yield "no subject", jwt.encode(_claims(sub=...), TEST_SECRET)
    yield "no expiry", jwt.encode(_claims(exp=...), TEST_SECRET)
    yield "unknown role", jwt.encode(_claims(role="superuser"), TEST_SECRET)
    yield "board without region", jwt.encode(_claims(role="board", region=None), TEST_SECRET)
    yield "other secret", jwt.encode(_claims(), "another-secret-" + "y" * 40)
    yield "HS512", jwt.encode(_claims(), TEST_SECRET, algorithm="HS512")
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(json.dumps(_claims(role="admin")).encode()).rstrip(b"=").decode()
    yield "alg none", f"{header}.{payload}."
    good = jwt.encode(_claims(), TEST_SECRET)
    h, _, s = good.split(".")
    yield "tampered payload", f"{h}.{payload}.{s}"
    yield "huge", jwt.encode(_claims(padding="x" * 100_000), TEST_SECRET)
    yield "garbage", "not-a-token"
    yield "no account", jwt.encode(_claims(acct=...), TEST_SECRET)
    yield "no generation", jwt.encode(_claims(gen=...), TEST_SECRET)
    yield "generation as text", jwt.encode(_claims(gen="0"), TEST_SECRET)
    yield "generation as true", jwt.encode(_claims(gen=False), TEST_SECRET)
    yield "account of no kind", jwt.encode(_claims(acct=SOMEONE_ID), TEST_SECRET)
    yield "unknown account", jwt.encode(_claims(acct="user:" + "0" * 36), TEST_SECRET)
    yield "another generation", jwt.encode(_claims(gen=1), TEST_SECRET)
    yield "as a client", jwt.encode(_claims(acct=f"client:{SOMEONE_ID}"), TEST_SECRET)


@pytest.mark.parametrize(("name", "token"), list(_forged_tokens()), ids=[n for n, _ in _forged_tokens()])
def test_forged_or_broken_tokens_are_refused(client, someone, name, token):
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, name
    assert response.headers["www-authenticate"].startswith("Bearer")
    # A bad token is never read as "anonymous" either: public reads refuse it too.
    assert client.get("/api/v1/reviews", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_token_made_with_the_right_secret_is_accepted(client, someone):
    token = jwt.encode(_claims(), TEST_SECRET)
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).json()["role"] == "inspectorate"


@pytest.mark.database_independent
def test_rs256_signs_with_the_private_key_and_refuses_hs256_made_with_the_public_key(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = tmp_path / "private.pem"
    public = tmp_path / "public.pem"
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    public.write_bytes(public_pem)
    tokens = TokenService(
        Settings(jwt_algorithm="RS256", jwt_private_key_file=private, jwt_public_key_file=public, database_url="sqlite://")
    )
    account = AccountKey(kind=AccountKind.user, id="9b2e4c1a", generation=3)
    principal = Principal(subject="inspector", role=Role.inspectorate, account=account)
    assert tokens.verify(tokens.issue(principal)) == principal

    import hmac
    from hashlib import sha256

    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
    payload = base64.urlsafe_b64encode(json.dumps(_claims(role="admin")).encode()).rstrip(b"=")
    signature = base64.urlsafe_b64encode(hmac.new(public_pem, header + b"." + payload, sha256).digest()).rstrip(b"=")
    forged = b".".join([header, payload, signature]).decode()
    with pytest.raises(Exception) as refused:
        tokens.verify(forged)
    assert type(refused.value).__name__ == "InvalidToken"


@pytest.mark.database_independent
@pytest.mark.parametrize("secret", [None, "", "secret", "changeme", "short-but-not-default"])
def test_production_refuses_a_missing_short_or_default_secret(secret):
    with pytest.raises(ValidationError, match="REGISTRY_JWT_SECRET"):
        Settings(env="production", jwt_secret=secret, database_url="sqlite://")


@pytest.mark.database_independent
def test_production_accepts_a_long_random_secret():
    assert Settings(env="production", jwt_secret="k" * 48, database_url="sqlite://").jwt_secret == "k" * 48


@pytest.mark.database_independent
def test_development_makes_a_fresh_secret_per_run():
    assert Settings(database_url="sqlite://").jwt_secret != Settings(database_url="sqlite://").jwt_secret


def test_accounts_need_a_known_role_and_a_board_its_region(session):
    from app.errors import InvalidInput

    with pytest.raises(InvalidInput):
        service.create_user(session, username="x", password=PASSWORD, role="superuser", region=None)
    with pytest.raises(InvalidInput):
        service.create_user(session, username="x", password=PASSWORD, role="board", region=None)
    with pytest.raises(InvalidInput):
        service.create_user(session, username="x", password=PASSWORD, role="board", region="atlantis")
    with pytest.raises(InvalidInput):
        service.create_user(session, username="x", password="short", role="practitioner", region=None)
