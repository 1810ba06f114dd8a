"""Forged and broken JWTs against a deployment that signs with RS256: every one is a 401 with a
Bearer challenge, including the classic HS256-signed-with-the-public-key confusion (PEM and DER)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlmodel import Session

from app.auth.models import User
from app.auth.principals import Principal, Role
from app.config import Settings
from app.main import create_app
from app.migrations import upgrade
from tests.conftest import issued_token

ME = "/api/v1/auth/me"

# An app of its own on an in-memory SQLite database, asked only who a token says you are.
pytestmark = pytest.mark.database_independent
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
PUBLIC_DER = KEY.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


# The account every hand-made token below names (made in rs256_client's database), so each forged
# token is refused for its own defect, not for naming no account.
X_ID = "5a0f3c2e-0000-4000-8000-0000000000a5"


def _claims(**changes):
    now = int(time.time())
    claims = {
        "acct": f"user:{X_ID}",
        "gen": 0,
        "sub": "x",
        "role": "admin",
        "region": None,
        "iss": "safeguarding-registry",
        "aud": "safeguarding-registry-api",
        "iat": now,
        "exp": now + 300,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not ...}


def _hs256(secret: bytes, claims: dict) -> str:
    signing_input = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + b"." + _b64(json.dumps(claims).encode())
    return (signing_input + b"." + _b64(hmac.new(secret, signing_input, hashlib.sha256).digest())).decode()


def _rs256(key, claims: dict, header: dict | None = None) -> str:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signing_input = _b64(json.dumps(header or {"alg": "RS256", "typ": "JWT"}).encode()) + b"." + _b64(json.dumps(claims).encode())
    return (signing_input + b"." + _b64(key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256()))).decode()


@pytest.fixture(scope="module")
def rs256_client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    (folder / "private.pem").write_bytes(
        KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (folder / "public.pem").write_bytes(PUBLIC_PEM)
    # A migrated database: a token is good only for an account the registry has (ADR 0034).
    database_url = f"sqlite:///{folder / 'rs256.db'}"
    upgrade(database_url)
    engine = create_engine(database_url)
    with Session(engine) as session:
        session.add(User(id=X_ID, username="x", password_hash="!", role="admin"))
        session.commit()
    engine.dispose()
    settings = Settings(
        database_url=database_url,
        jwt_algorithm="RS256",
        jwt_private_key_file=folder / "private.pem",
        jwt_public_key_file=folder / "public.pem",
        documents_dir=folder / "documents",
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.issue = lambda: issued_token(app.state.registry, Principal("inspector", Role.inspectorate))
        yield client


FORGED = {
    "HS256 signed with the public key (PEM)": lambda: _hs256(PUBLIC_PEM, _claims()),
    "HS256 signed with the public key (DER)": lambda: _hs256(PUBLIC_DER, _claims()),
    "alg none": lambda: (_b64(b'{"alg":"none","typ":"JWT"}') + b"." + _b64(json.dumps(_claims()).encode()) + b".").decode(),
    "signed by another key": lambda: _rs256(OTHER_KEY, _claims()),
    "expired": lambda: _rs256(KEY, _claims(exp=int(time.time()) - 5, iat=int(time.time()) - 600)),
    "not yet valid": lambda: _rs256(KEY, _claims(nbf=int(time.time()) + 3600)),
    "issued in the future": lambda: _rs256(KEY, _claims(iat=int(time.time()) + 3600, exp=int(time.time()) + 7200)),
    "wrong issuer": lambda: _rs256(KEY, _claims(iss="elsewhere")),
    "wrong audience": lambda: _rs256(KEY, _claims(aud="another-api")),
    "no subject": lambda: _rs256(KEY, _claims(sub=...)),
    "no expiry": lambda: _rs256(KEY, _claims(exp=...)),
    "unknown role": lambda: _rs256(KEY, _claims(role="root")),
    "board without region": lambda: _rs256(KEY, _claims(role="board")),
    "tampered payload": lambda: _tampered(),
    "100 KB token": lambda: _rs256(KEY, _claims(padding="x" * 100_000)),
    "not a JWT": lambda: "eyJ.eyJ.sig",
}


def _tampered() -> str:
    header, _, signature = _rs256(KEY, _claims(role="practitioner")).split(".")
    return f"{header}.{_b64(json.dumps(_claims(role='admin')).encode()).decode()}.{signature}"


@pytest.mark.parametrize("name", list(FORGED))
def test_forged_and_broken_tokens_are_refused(rs256_client, name):
    response = rs256_client.get(ME, headers={"Authorization": f"Bearer {FORGED[name]()}"})
    assert response.status_code == 401, name
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"


def test_a_token_made_with_the_private_key_is_accepted(rs256_client):
    response = rs256_client.get(ME, headers={"Authorization": f"Bearer {_rs256(KEY, _claims())}"})
    assert response.json() == {"subject": "x", "role": "admin", "region": None}


def test_the_servers_own_rs256_token_is_accepted(rs256_client):
    response = rs256_client.get(ME, headers={"Authorization": f"Bearer {rs256_client.issue()}"})
    assert response.json() == {"subject": "inspector", "role": "inspectorate", "region": None}
