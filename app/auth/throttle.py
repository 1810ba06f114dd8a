"""Slowing password guessing: each pair of account name and client address, and each address,
may have its password checked a limited number of times per window; further attempts answer 429
until the window ends. An attacker's address is slowed; the account's owner, signing in from
another address, is not (ADR 0036). An admin may clear an account's counters (`clear`).

An attempt is counted BEFORE its password is checked, by an atomic upsert in a short transaction
of its own (ADR 0017), so parallel guesses cannot all read the same count. An attempt over either
limit is refused and counts nothing; a successful sign-in is given back (it does not count). The
counters live in the database, so they hold across workers, replicas and restarts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.auth.models import SignInAttempts
from app.db import write_transaction
from app.errors import DomainError

_TABLE = SignInAttempts.__table__  # type: ignore[attr-defined]
_PAIR, _ADDRESS = "pair:", "address:"


class TooManyAttempts(DomainError):
    status, slug, title = 429, "too-many-attempts", "Too many attempts"


@dataclass(frozen=True)
class LoginLimits:
    per_pair: int = 5  # one account name from one address
    per_address: int = 20  # every account name from one address
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class _Counter:
    key: str
    limit: int
    whose: str


@dataclass(frozen=True)
class Admitted:
    """An attempt that was counted: give it back with `refund` if the credentials were right."""

    keys: tuple[str, ...]


def admit(sessions: Callable[[], Session], *, claimed: str, address: str | None, limits: LoginLimits, now: datetime) -> Admitted:
    """Count one attempt for the account name and the address, or raise TooManyAttempts (429)
    and count nothing. Commits before returning, so the password is checked outside the lock."""
    # Always the pair first, then the address: concurrent transactions lock rows in one order.
    counters = [_Counter(pair_key(claimed, address), limits.per_pair, "this account from your address")]
    if address:
        counters.append(_Counter(f"{_ADDRESS}{address}", limits.per_address, "your address"))
    with write_transaction(sessions) as session:
        for counter in counters:
            attempts, window_started = _count(session, counter.key, now=now, since=now - limits.window)
            if attempts > counter.limit:
                wait = math.ceil((window_started + limits.window - now).total_seconds())
                raise TooManyAttempts(
                    f"Too many sign-in attempts for {counter.whose}. Try again in {wait} seconds.",
                    headers={"Retry-After": str(max(wait, 1))},
                )
    return Admitted(tuple(counter.key for counter in counters))


def pair_key(claimed: str, address: str | None) -> str:
    """An account name and an address. Account names hold no `|` (ACCOUNT_NAME), so the pairs of
    one account are the keys starting `pair:NAME|`."""
    return f"{_PAIR}{claimed}|{address or ''}"


def clear(session: Session, *, name: str, address: str | None) -> None:
    """Forget the counts of every pair of this account name, and the address's own count if one is
    given, in the caller's transaction."""
    forgotten = _TABLE.c.key.startswith(f"{_PAIR}{name}|", autoescape=True)
    if address is not None:
        forgotten = or_(forgotten, _TABLE.c.key == f"{_ADDRESS}{address}")
    session.execute(delete(_TABLE).where(forgotten))


def refund(sessions: Callable[[], Session], admitted: Admitted) -> None:
    """A successful sign-in does not count against its account or address."""
    with write_transaction(sessions) as session:
        for key in admitted.keys:  # one statement per key, in admit's order
            session.execute(
                update(_TABLE).where(_TABLE.c.key == key, _TABLE.c.attempts > 0).values(attempts=_TABLE.c.attempts - 1)
            )


def _count(session: Session, key: str, *, now: datetime, since: datetime) -> tuple[int, datetime]:
    """Add one attempt to `key`'s window, starting a new window if it is over; the count and its start."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    started_now = literal(now, type_=_TABLE.c.window_started.type)
    over = _TABLE.c.window_started <= literal(since, type_=_TABLE.c.window_started.type)
    statement = (
        insert(_TABLE)
        .values(key=key, window_started=now, attempts=1)
        .on_conflict_do_update(
            index_elements=[_TABLE.c.key],
            set_={
                "attempts": case((over, 1), else_=_TABLE.c.attempts + 1),
                "window_started": case((over, started_now), else_=_TABLE.c.window_started),
            },
        )
        .returning(_TABLE.c.attempts, _TABLE.c.window_started)
    )
    attempts, window_started = session.execute(statement).one()
    return int(attempts), window_started
