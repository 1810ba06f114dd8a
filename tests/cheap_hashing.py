"""Cheap password hashing for the suite: in the test process (tests/conftest.py) and in the `registry`
processes the tests start (tests/subprocess_site/sitecustomize.py).

The app hashes with pwdlib's recommended Argon2 (64 MiB, 3 passes, 4 lanes): about half a second a
hash or a check on two busy cores, and the suite makes hundreds. In tests, and only there, the same
functions hash with the least Argon2 allows, so a password check costs a millisecond. No setting or
environment variable of the app does this; tests/test_hardening.py proves that the app's own hasher
is still pwdlib's recommended one."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.auth import passwords

PRODUCTION_HASHER = passwords._hasher
CHEAP_HASHER = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))


def install() -> None:
    """Hash cheaply in this whole process (a `registry` command or server a test started)."""
    passwords._hasher = lambda: CHEAP_HASHER  # type: ignore[assignment]  # the lru_cache'd function replaced
    passwords._dummy_hash.cache_clear()
