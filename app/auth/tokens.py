"""JWT issue and verification: the only module that imports python-jose."""

from __future__ import annotations

import time
import uuid
from typing import Any

from jose import JWTError, jwt

from app.auth.principals import ACCOUNT_ROLES, AccountKey, AccountKind, Principal, Role
from app.config import Settings
from app.errors import InvalidToken

# Longer than any token we issue; refusing early keeps hostile megabyte tokens away from the parser.
MAX_TOKEN_BYTES = 4096

_REQUIRED = ("exp", "iat", "iss", "aud", "sub")
# Beyond those, each token names its account and the account's token generation ("acct": "user:<id>"
# or "client:<client_id>", "gen": 3), compared with the database on every request (ADR 0034).
MAX_GENERATION = 2**31 - 1
CLOCK_SKEW_SECONDS = 30


class TokenService:
    def __init__(self, settings: Settings) -> None:
        self._algorithm = settings.jwt_algorithm
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self.ttl_seconds = settings.jwt_ttl_seconds
        if self._algorithm == "RS256":
            assert settings.jwt_private_key_file and settings.jwt_public_key_file
            self._signing_key: str = settings.jwt_private_key_file.read_text()
            self._verifying_key: str = settings.jwt_public_key_file.read_text()
        else:
            assert settings.jwt_secret
            self._signing_key = self._verifying_key = settings.jwt_secret

    def issue(self, principal: Principal) -> str:
        """A token for an account's principal; it names the account and its token generation."""
        if principal.account is None:
            raise ValueError("tokens are issued to accounts only")
        now = int(time.time())
        claims: dict[str, Any] = {
            "acct": f"{principal.account.kind.value}:{principal.account.id}",
            "gen": principal.account.generation,
            "sub": principal.subject,
            "role": principal.role.value,
            "region": principal.region,
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "nbf": now,
            "exp": now + self.ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        token: str = jwt.encode(claims, self._signing_key, algorithm=self._algorithm)
        return token

    def verify(self, token: str) -> Principal:
        if len(token) > MAX_TOKEN_BYTES:
            raise InvalidToken("The bearer token is too large.")
        try:
            claims = jwt.decode(
                token,
                self._verifying_key,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                options={f"require_{claim}": True for claim in _REQUIRED},
            )
        except (JWTError, ValueError, TypeError, KeyError):
            raise InvalidToken() from None
        issued_at = claims.get("iat")
        if not isinstance(issued_at, int | float) or issued_at > time.time() + CLOCK_SKEW_SECONDS:
            raise InvalidToken()  # python-jose accepts a token "issued" in the future; we do not
        return _principal_from(claims)


def _principal_from(claims: dict[str, Any]) -> Principal:
    subject, role, region = claims.get("sub"), claims.get("role"), claims.get("region")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken()
    if role not in {r.value for r in ACCOUNT_ROLES}:
        raise InvalidToken()
    if region is not None and not isinstance(region, str):
        raise InvalidToken()
    if role == Role.board and not region:
        raise InvalidToken()
    return Principal(subject=subject, role=Role(role), region=region, account=_account_from(claims))


def _account_from(claims: dict[str, Any]) -> AccountKey:
    account, generation = claims.get("acct"), claims.get("gen")
    if not isinstance(account, str) or not isinstance(generation, int) or isinstance(generation, bool):
        raise InvalidToken()  # a token from before generations (or not ours): sign in again
    kind, _, account_id = account.partition(":")
    if kind not in {k.value for k in AccountKind} or not account_id or not 0 <= generation <= MAX_GENERATION:
        raise InvalidToken()
    return AccountKey(kind=AccountKind(kind), id=account_id, generation=generation)
