"""Token and identity bodies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from app.auth.principals import Role


def _no_nul(value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


FormField = Annotated[str | None, Field(default=None, max_length=1024), AfterValidator(_no_nul)]


class TokenRequest(BaseModel):
    """The token request (RFC 6749), form-encoded. People use the password grant; systems use
    client_credentials, with their id and secret in these fields or in an HTTP Basic header."""

    grant_type: Literal["password", "client_credentials"]
    username: FormField = Field(default=None, description="password grant: the account's username")
    password: FormField = Field(default=None, description="password grant: the account's password")
    client_id: FormField = Field(
        default=None, description="client_credentials grant, unless sent with HTTP Basic: the client's id"
    )
    client_secret: FormField = Field(
        default=None, description="client_credentials grant, unless sent with HTTP Basic: the client's secret"
    )


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class MeOut(BaseModel):
    subject: str
    role: Role
    region: str | None
