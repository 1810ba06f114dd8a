"""Slowing password guessing: too many refused token requests for one account, or from one
address, within a window answer 429 until the oldest of them leaves the window.

The count comes from the audit trail, so it holds across workers, replicas and restarts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from app import audit
from app.errors import DomainError


class TooManyAttempts(DomainError):
    status, slug, title = 429, "too-many-attempts", "Too many attempts"


@dataclass(frozen=True)
class LoginLimits:
    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


def check(session: Session, *, claimed: str, address: str | None, limits: LoginLimits, now: datetime) -> None:
    since = now - limits.window
    checks = [(audit.recent_failures(session, action_prefix="token:", since=since, subject=claimed), limits.per_account, "this account")]
    if address:
        checks.append(
            (audit.recent_failures(session, action_prefix="token:", since=since, client_address=address), limits.per_address, "your address")
        )
    for failures, limit, whose in checks:
        if len(failures) >= limit:
            wait = math.ceil((failures[-limit] + limits.window - now).total_seconds())
            raise TooManyAttempts(
                f"Too many failed sign-ins for {whose}. Try again in {wait} seconds.",
                headers={"Retry-After": str(max(wait, 1))},
            )
