"""POST /auth/token and GET /auth/me."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from app import audit
from app.audit import bounds
from app.auth import oauth, service, throttle
from app.auth.dependencies import AuthenticatedDep
from app.auth.principals import Principal, Role
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
    basic = oauth.basic_credentials(request.headers.get("authorization"))
    named = form.username if form.grant_type == "password" else (basic.client_id if basic else form.client_id)
    claimed = (named or "unknown")[:200]
    audit.note(session, Principal(subject=claimed, role=Role.anonymous), f"token:{form.grant_type}")
    if form.grant_type == "password":
        if basic:
            raise oauth.InvalidTokenRequest(
                "HTTP Basic authenticates API clients (grant_type=client_credentials); "
                "the password grant sends username and password as form fields."
            )
        missing = [name for name in ("username", "password") if not getattr(form, name)]
        if missing:
            raise oauth.missing_fields(missing)
        authenticate = partial(service.authenticate_user, session, username=form.username or "", password=form.password or "")
    else:
        client = oauth.client_credentials(basic, form.client_id, form.client_secret)
        authenticate = partial(
            service.authenticate_client, session, client_id=client.client_id, client_secret=client.client_secret
        )
    # Counted, or refused with a 429, before any secret is checked (app/auth/throttle.py).
    sessions = registry.sessions
    admitted = throttle.admit(
        sessions,
        claimed=claimed,
        # Counted as the audit trail records it: canonical, and short enough for its key.
        address=bounds.client_address(request.client.host if request.client else None),
        limits=registry.login_limits,
        now=clock.now(),
    )
    principal = authenticate()
    throttle.refund(sessions, admitted)
    audit.identify(session, principal)
    tokens = registry.tokens
    response.headers["Cache-Control"] = "no-store"
    return TokenOut(access_token=tokens.issue(principal), expires_in=tokens.ttl_seconds)


router.include_router(token_router)


@router.get("/me", operation_id="get_me", summary="Who the bearer token says you are", responses=problem_responses(401))
def me(principal: AuthenticatedDep) -> MeOut:
    return MeOut(subject=principal.subject, role=principal.role, region=principal.region)
