"""The token endpoint in RFC 6749's terms: its `error` codes (section 5.2), client authentication
with HTTP Basic (section 2.3.1) as well as form fields, and refusals of requests it cannot read."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal
from urllib.parse import unquote_plus

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import DomainError, Problem, ProblemItem, validation_items

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
# The credentials form fields allow (1,024 characters each), base64-encoded, with room to spare.
MAX_BASIC_HEADER = 4096
CLIENT_CHALLENGE = 'Basic realm="safeguarding-registry"'

OAuthErrorCode = Literal["invalid_request", "invalid_client", "invalid_grant", "unsupported_grant_type"]


class TokenError(Problem):
    """A refusal from the token endpoint: an RFC 9457 problem that also carries RFC 6749's `error`."""

    error: OAuthErrorCode = Field(
        description="The RFC 6749 (section 5.2) error code, for OAuth 2.0 client libraries.",
        examples=["invalid_client"],
    )


class OAuthError(DomainError):
    error: ClassVar[OAuthErrorCode]

    def extensions(self) -> dict[str, Any]:
        return {"error": self.error}


class InvalidTokenRequest(OAuthError):
    status, slug, title, error = 400, "invalid-token-request", "Invalid token request", "invalid_request"


class UnsupportedGrantType(OAuthError):
    status, slug, title, error = 400, "unsupported-grant-type", "Unsupported grant type", "unsupported_grant_type"


class InvalidGrant(OAuthError):
    status, slug, title, error = 400, "invalid-grant", "Invalid username or password", "invalid_grant"


class InvalidClient(OAuthError):
    status, slug, title, error = 401, "invalid-client", "Client authentication failed", "invalid_client"

    def __init__(self, detail: str) -> None:
        # RFC 6749 5.2: a 401 names the scheme the client can authenticate with.
        super().__init__(detail, headers={"WWW-Authenticate": CLIENT_CHALLENGE})


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str


def basic_credentials(authorization: str | None) -> ClientCredentials | None:
    """The client id and secret of an `Authorization: Basic` header; None for any other scheme
    (a bearer token is not client authentication). A Basic header that cannot be read is a 401."""
    scheme, _, encoded = (authorization or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    unreadable = InvalidClient("The Basic credentials must be base64 of client_id:client_secret, each form-urlencoded.")
    if len(encoded) > MAX_BASIC_HEADER:
        raise unreadable
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        raw_id, colon, raw_secret = decoded.partition(":")
        # RFC 6749 2.3.1: each part is form-urlencoded before it is joined and encoded.
        client_id, client_secret = (unquote_plus(part, errors="strict") for part in (raw_id, raw_secret))
    except (binascii.Error, UnicodeDecodeError):
        raise unreadable from None
    if not colon or not client_id or not client_secret or "\x00" in client_id + client_secret:
        raise unreadable
    return ClientCredentials(client_id, client_secret)


def client_credentials(basic: ClientCredentials | None, client_id: str | None, client_secret: str | None) -> ClientCredentials:
    """The client's credentials from exactly one place: the Basic header or the form (RFC 6749 2.3)."""
    if basic is None:
        missing = [name for name, value in (("client_id", client_id), ("client_secret", client_secret)) if not value]
        if missing:
            raise missing_fields(missing)
        return ClientCredentials(client_id or "", client_secret or "")
    if client_secret:
        raise InvalidTokenRequest("Send the client secret once: in the Basic header or in the form, not both.")
    if client_id and client_id != basic.client_id:
        raise InvalidTokenRequest("The form's client_id is not the client the Basic header authenticates.")
    return basic


def missing_fields(names: Sequence[str]) -> InvalidTokenRequest:
    return InvalidTokenRequest(
        "The grant needs more fields.",
        errors=[
            ProblemItem(code="missing", detail=f"{name} is required for this grant", location="body", field=name)
            for name in names
        ],
    )


def require_form(request: Request) -> None:
    """RFC 6749 3.2: the token request is a form. A JSON body is told so rather than read as empty."""
    has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if has_body and media_type != FORM_MEDIA_TYPE:
        raise InvalidTokenRequest(
            f"The token request must be form-encoded (Content-Type: {FORM_MEDIA_TYPE}), "
            f"not {media_type or 'a body without a Content-Type'}; send grant_type and the credentials as form fields."
        )


def refusal_of(errors: Sequence[Any]) -> OAuthError:
    """A form that failed validation, in RFC 6749's terms: a bad grant_type, or a bad request."""
    if any(tuple(error.get("loc", ()))[-1:] == ("grant_type",) for error in errors):
        return UnsupportedGrantType("grant_type must be password or client_credentials.")
    items = validation_items(errors)
    return InvalidTokenRequest(f"The token request has {len(items)} invalid field(s); see errors.", errors=items)


class TokenRoute(APIRoute):
    """The token operation's own refusals: a body that is not a form, and a form that does not
    validate, answer RFC 6749's 400s instead of the registry's usual 415 and 422."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_token_request(request: Request) -> Response:
            require_form(request)
            try:
                return await handle(request)
            except RequestValidationError as exc:
                raise refusal_of(exc.errors()) from None
            except StarletteHTTPException as exc:
                if exc.status_code != 400:
                    raise
                raise InvalidTokenRequest("The form could not be read.") from None

        return handle_token_request
