"""POST /auth/token and GET /auth/me."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, Response
from pydantic import AfterValidator

from app import audit
from app.audit import bounds
from app.auth import service, throttle
from app.auth.principals import Principal, Role
from app.auth.dependencies import AuthenticatedDep
from app.auth.schemas import MeOut, TokenOut
from app.clock import ClockDep
from app.db import ReadingSessionDep
from app.errors import InvalidInput, ProblemItem, problem_responses

router = APIRouter(prefix="/auth", tags=["auth"])

def _no_nul(value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


FormField = Annotated[str | None, Form(max_length=1024), AfterValidator(_no_nul)]


@router.post(
    "/token",
    operation_id="issue_token",
    summary="Exchange a password or client credentials for a bearer token",
    responses=problem_responses(401, 429),
)
def issue_token(
    request: Request,
    response: Response,
    session: ReadingSessionDep,
    clock: ClockDep,
    grant_type: Annotated[Literal["password", "client_credentials"], Form()],
    username: FormField = None,
    password: FormField = None,
    client_id: FormField = None,
    client_secret: FormField = None,
) -> TokenOut:
    claimed = ((username if grant_type == "password" else client_id) or "unknown")[:200]
    audit.note(session, Principal(subject=claimed, role=Role.anonymous), f"token:{grant_type}")
    if grant_type == "password":
        _require_fields(username=username, password=password)
        authenticate = partial(service.authenticate_user, session, username=username or "", password=password or "")
    else:
        _require_fields(client_id=client_id, client_secret=client_secret)
        authenticate = partial(
            service.authenticate_client, session, client_id=client_id or "", client_secret=client_secret or ""
        )
    # Counted, or refused with a 429, before any secret is checked (app/auth/throttle.py).
    sessions = request.app.state.sessionmaker
    admitted = throttle.admit(
        sessions,
        claimed=claimed,
        # Counted as the audit trail records it: canonical, and short enough for its key.
        address=bounds.client_address(request.client.host if request.client else None),
        limits=request.app.state.login_limits,
        now=clock.now(),
    )
    principal = authenticate()
    throttle.refund(sessions, admitted)
    audit.identify(session, principal)
    tokens = request.app.state.tokens
    response.headers["Cache-Control"] = "no-store"
    return TokenOut(access_token=tokens.issue(principal), expires_in=tokens.ttl_seconds)


def _require_fields(**fields: str | None) -> None:
    missing = [name for name, value in fields.items() if not value]
    if missing:
        raise InvalidInput(
            "The grant needs more fields.",
            errors=[
                ProblemItem(code="missing", detail=f"{name} is required for this grant", location="body", field=name)
                for name in missing
            ],
        )


@router.get("/me", operation_id="get_me", summary="Who the bearer token says you are", responses=problem_responses(401))
def me(principal: AuthenticatedDep) -> MeOut:
    return MeOut(subject=principal.subject, role=principal.role, region=principal.region)
