"""Who is calling: the subject, role and region a verified token carries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    board = "board"
    inspectorate = "inspectorate"
    practitioner = "practitioner"
    researcher = "researcher"  # a registered research user: reads what a practitioner reads, and codes
    admin = "admin"
    anonymous = "anonymous"


# Roles an account can hold; anonymous is what a caller without a token is.
ACCOUNT_ROLES = tuple(role for role in Role if role is not Role.anonymous)


class AccountKind(StrEnum):
    user = "user"  # a person: username and password
    client = "client"  # a system: client id and secret


@dataclass(frozen=True)
class AccountKey:
    """Which account a token was issued to, and the account's token generation then: the token is
    good only while the account is active at that generation (ADR 0034)."""

    kind: AccountKind
    id: str
    generation: int


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    region: str | None = None
    account: AccountKey | None = None  # None for anonymous and for the registry's own work (imports)

    @property
    def is_anonymous(self) -> bool:
        return self.role is Role.anonymous


ANONYMOUS = Principal(subject="anonymous", role=Role.anonymous)
