"""The caller, from the Authorization header: a verified principal, or anonymous when there is none.

A signed token is not enough: its account must still be active at the token generation it was
issued at, read in the request's own session (ADR 0034)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from app.auth import service
from app.auth.principals import ANONYMOUS, Principal
from app.errors import AuthenticationRequired, InvalidToken
from app.registry import Registry, RegistryDep
from app.sessions import SessionDep

TOKEN_URL = "/api/v1/auth/token"
SCHEME = "OAuth2"

_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, scheme_name=SCHEME, auto_error=False)

# For operations that answer anonymous callers too (a published review inside its public window):
# an empty requirement beside the OAuth2 one FastAPI declares makes the token optional, so generated
# clients may call them without one.
TOKEN_OPTIONAL: dict[str, object] = {"security": [{}]}

BearerToken = Annotated[str | None, Depends(_bearer)]


def _principal(request: Request, registry: Registry, session: Session, token: str | None) -> Principal:
    if token is None:
        if request.headers.get("authorization"):
            # A header we cannot use (Basic, an empty Bearer) is refused, never read as anonymous.
            raise InvalidToken("Only `Authorization: Bearer <token>` is accepted.")
        return ANONYMOUS
    principal = registry.tokens.verify(token)
    service.check_still_valid(session, principal)
    request.scope.setdefault("state", {}).update(subject=principal.subject, role=principal.role.value)  # for the log
    return principal


def get_principal(request: Request, registry: RegistryDep, session: SessionDep, token: BearerToken) -> Principal:
    return _principal(request, registry, session, token)


def get_principal_checked_apart(request: Request, registry: RegistryDep, token: BearerToken) -> Principal:
    """For an operation that checks a password under the sign-in throttle, whose counters commit in
    transactions of their own (app/auth/throttle.py): the token is checked in a short session of
    its own too, so the request's transaction starts only after the attempt is counted and a refusal
    that rolls it back cannot take the count with it."""
    with registry.sessions() as session:
        return _principal(request, registry, session, token)


async def get_authenticated(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if principal.is_anonymous:
        raise AuthenticationRequired()
    return principal


async def get_authenticated_apart(principal: Annotated[Principal, Depends(get_principal_checked_apart)]) -> Principal:
    if principal.is_anonymous:
        raise AuthenticationRequired()
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]
AuthenticatedDep = Annotated[Principal, Depends(get_authenticated)]
AuthenticatedApartDep = Annotated[Principal, Depends(get_authenticated_apart)]
