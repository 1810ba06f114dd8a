"""Accounts as the API takes and shows them: never a password, a hash or a stored secret."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict

from app.auth.models import ApiClient, User
from app.auth.principals import ACCOUNT_ROLES, AccountKind, Role
from app.schemas import NO_NUL, Code, StrictInput, in_document, no_default_in_document

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # Argon2 takes any length; a megabyte "password" only costs us time

# A username or client id: it becomes a token's subject, so no `:` (a user named `client:x` would
# read, in the audit trail, as the client x) and nothing a log or a URL would have to escape.
ACCOUNT_NAME = r"^[A-Za-z0-9][A-Za-z0-9._@-]*$"
MAX_NAME_LENGTH = 150
AccountName = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH, pattern=ACCOUNT_NAME)]
RoleName = Annotated[
    str, Field(max_length=32, description="The account's role."), in_document(enum=tuple(role.value for role in ACCOUNT_ROLES))
]
RegionCode = Annotated[Code, Field(description="A board's region (GET /regions); no other role has one.")]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# Compared exactly as typed: never stripped, any characters but NUL. The length rule is checked
# by the service (app/accounts/service.py), the one place the CLI and the API share.
Password = Annotated[str, Field(max_length=MAX_PASSWORD_LENGTH), AfterValidator(_no_nul), in_document(pattern=NO_NUL)]
# A password being set: the service counts its characters (`too-short`), the document says so.
NewPassword = Annotated[Password, in_document(minLength=MIN_PASSWORD_LENGTH)]


class _AsTyped(StrictInput):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class UserCreate(_AsTyped):
    """A person's account: signs in with the password grant."""

    username: AccountName
    password: NewPassword = Field(description=f"At least {MIN_PASSWORD_LENGTH} characters.")
    role: RoleName
    region: RegionCode | None = None


class ClientCreate(_AsTyped):
    """A system's account: signs in with the client-credentials grant, with the secret answered once."""

    client_id: AccountName
    role: RoleName
    region: RegionCode | None = None


class AccountPatch(StrictInput):
    """JSON merge patch: send only what changes. `active: false` deactivates the account, `true`
    reactivates it; `region: null` clears it. Every change ends the account's existing tokens."""

    # `active` and `role` may be left out but never cleared (their default None, never validated,
    # stands for "left out"), and an empty patch changes nothing: the document says both.
    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    active: Annotated[bool, Strict()] = Field(default=None, json_schema_extra=no_default_in_document)  # type: ignore[assignment]
    role: RoleName = Field(default=None, json_schema_extra=no_default_in_document)  # type: ignore[assignment]
    region: RegionCode | None = None


class PasswordReset(_AsTyped):
    password: NewPassword = Field(description=f"The user's new password: at least {MIN_PASSWORD_LENGTH} characters.")


class PasswordChange(_AsTyped):
    current_password: Password
    new_password: NewPassword = Field(description=f"At least {MIN_PASSWORD_LENGTH} characters.")


class AccountOut(BaseModel):
    kind: AccountKind
    id: str = Field(description="The account's id in /accounts/{account_id}: a user's generated id, a client's client_id.")
    username: str | None = Field(description="A user's username; null for a client.")
    client_id: str | None = Field(description="A client's id; null for a user.")
    role: Role
    region: str | None
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, account: User | ApiClient) -> AccountOut:
        common = {
            "role": account.role,
            "region": account.region,
            "active": account.active,
            "version": account.version,
            "created_at": account.created_at,
            "updated_at": account.updated_at,
        }
        if isinstance(account, User):
            return cls(kind=AccountKind.user, id=account.id, username=account.username, client_id=None, **common)
        return cls(kind=AccountKind.client, id=account.client_id, username=None, client_id=account.client_id, **common)


class AccountCreated(AccountOut):
    client_secret: str | None = Field(
        default=None, description="A new client's secret, shown this once: the registry keeps only its hash. Null for a user."
    )


class ClientSecret(BaseModel):
    client_id: str
    client_secret: str = Field(description="The client's new secret, shown this once: the registry keeps only its hash.")


class AccountPage(BaseModel):
    items: list[AccountOut] = Field(description="Users first, then clients, each by name.")
    next_cursor: str | None = None
