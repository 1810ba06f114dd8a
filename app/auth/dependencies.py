"""The caller, from the Authorization header: a verified principal, or anonymous when there is none."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.auth.principals import ANONYMOUS, Principal
from app.errors import AuthenticationRequired, InvalidToken
from app.registry import RegistryDep

TOKEN_URL = "/api/v1/auth/token"
SCHEME = "OAuth2"

_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, scheme_name=SCHEME, auto_error=False)

# For operations that answer anonymous callers too (a published review inside its public window):
# an empty requirement beside the OAuth2 one FastAPI declares makes the token optional, so generated
# clients may call them without one.
TOKEN_OPTIONAL: dict[str, object] = {"security": [{}]}


# The dependencies that never block are `async`: each plain `def` costs a hop to the threadpool and
# back, which costs more than they do (docs/benchmarks.md).
async def get_principal(request: Request, registry: RegistryDep, token: Annotated[str | None, Depends(_bearer)]) -> Principal:
    if token is None:
        if request.headers.get("authorization"):
            # A header we cannot use (Basic, an empty Bearer) is refused, never read as anonymous.
            raise InvalidToken("Only `Authorization: Bearer <token>` is accepted.")
        return ANONYMOUS
    principal = registry.tokens.verify(token)
    request.scope.setdefault("state", {}).update(subject=principal.subject, role=principal.role.value)  # for the log
    return principal


async def get_authenticated(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if principal.is_anonymous:
        raise AuthenticationRequired()
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]
AuthenticatedDep = Annotated[Principal, Depends(get_authenticated)]
