"""Argon2 password and client-secret hashing."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("a password nobody has")


def hash_secret(secret: str) -> str:
    return _hasher().hash(secret)


def verify_secret(secret: str, secret_hash: str | None) -> bool:
    """Check a secret; with no account (hash None) spend the same time, so unknown names don't show."""
    if secret_hash is None:
        _hasher().verify(secret, _dummy_hash())
        return False
    try:
        return _hasher().verify(secret, secret_hash)
    except UnknownHashError:  # a hash no hasher made (an account that may not sign in): no match
        return False
