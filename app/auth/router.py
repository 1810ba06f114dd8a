"""POST /auth/token and GET /auth/me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from app.auth import oauth, service
from app.auth.dependencies import AuthenticatedDep
from app.auth.schemas import MeOut, TokenOut, TokenRequest
from app.errors import PROBLEM_MEDIA_TYPE, problem_responses
from app.registry import ClockDep, RegistryDep
from app.sessions import ReadingSessionDep

router = APIRouter(prefix="/auth", tags=["auth"])
# The token operation answers its refusals in RFC 6749's terms (app/auth/oauth.py).
token_router = APIRouter(route_class=oauth.TokenRoute)


def _token_error(description: str) -> dict[str, object]:
    return {
        "model": oauth.TokenError,
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/TokenError"}}},
    }


@token_router.post(
    "/token",
    operation_id="issue_token",
    summary="Exchange a password or client credentials for a bearer token",
    responses={
        400: _token_error(
            "The request is not a valid token request: `error` is `invalid_request`, `unsupported_grant_type`"
            " or, for a wrong username or password, `invalid_grant`"
        ),
        401: _token_error("`invalid_client`: the client id or secret is wrong (`WWW-Authenticate: Basic`)"),
        **problem_responses(429),
    },
)
def issue_token(
    request: Request,
    response: Response,
    registry: RegistryDep,
    session: ReadingSessionDep,
    clock: ClockDep,
    form: Annotated[TokenRequest, Form()],
) -> TokenOut:
    response.headers["Cache-Control"] = "no-store"
    return service.issue_token(
        session,
        form,
        authorization=request.headers.get("authorization"),
        client_host=request.client.host if request.client else None,
        sessions=registry.sessions,
        limits=registry.login_limits,
        tokens=registry.tokens,
        now=clock.now(),
    )


router.include_router(token_router)


@router.get("/me", operation_id="get_me", summary="Who the bearer token says you are", responses=problem_responses(401))
def me(principal: AuthenticatedDep) -> MeOut:
    return MeOut(subject=principal.subject, role=principal.role, region=principal.region)
