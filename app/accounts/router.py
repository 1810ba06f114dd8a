"""/accounts: admins manage users and API clients; /auth/password: one's own password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, Response, status
from pydantic import IPvAnyAddress, WithJsonSchema

from app.accounts import service
from app.accounts.repository import AccountFilters
from app.accounts.schemas import (
    AccountCreated,
    AccountOut,
    AccountPage,
    AccountPatch,
    ClientCreate,
    ClientSecret,
    PasswordChange,
    PasswordReset,
    UserCreate,
)
from app.auth.dependencies import AuthenticatedApartDep, PrincipalDep
from app.auth.principals import AccountKind
from app.errors import problem_responses
from app.etags import etag, with_etag
from app.pagination import DEFAULT_LIMIT
from app.parameters import CodeFilter, Cursor, IfMatch, Limit
from app.registry import ClockDep, RegistryDep
from app.sessions import ReadingSessionDep, SessionDep

# Pydantic's own `format: ipvanyaddress` is one no JSON Schema tool knows.
IP_ADDRESS_SCHEMA = {"type": "string", "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}

router = APIRouter(prefix="/accounts", tags=["accounts"])
own_router = APIRouter(prefix="/auth", tags=["accounts"])

AccountId = Annotated[str, Path(min_length=1, max_length=150, description="A user's id, or a client's client_id")]
NO_STORE = "no-store"  # an answer that carries a secret is kept by no cache


def _answer(response: Response, account: AccountOut) -> AccountOut:
    response.headers["ETag"] = etag(account.version)
    return account


@router.post(
    "",
    operation_id="create_account",
    summary="Create a user (username and password) or an API client (its secret answered once)",
    status_code=status.HTTP_201_CREATED,
    responses={**with_etag(201, "The account; a client's secret, this once", location=True), **problem_responses(403, 409)},
)
def create_account(
    body: Annotated[UserCreate | ClientCreate, Body()],
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> AccountCreated:
    created = service.create_account(session, principal=principal, data=body, clock=clock)
    response.headers["Location"] = str(request.url_for("get_account", account_id=created.id).path)
    response.headers["ETag"] = etag(created.version)
    response.headers["Cache-Control"] = NO_STORE
    return created


@router.get("", operation_id="list_accounts", summary="Users, then API clients, by name", responses=problem_responses(403))
def list_accounts(
    session: SessionDep,
    principal: PrincipalDep,
    kind: AccountKind | None = None,
    role: Annotated[str | None, Query(max_length=32, description="Only accounts of this role")] = None,
    region: CodeFilter = None,
    active: Annotated[bool | None, Query(description="Only active (true) or deactivated (false) accounts")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> AccountPage:
    filters = AccountFilters(role=role, region=region, active=active)
    return service.list_accounts(session, principal=principal, kind=kind, filters=filters, limit=limit, cursor=cursor)


@router.get(
    "/{account_id}",
    name="get_account",
    operation_id="get_account",
    summary="One user or API client",
    responses={**with_etag(), **problem_responses(403, 404)},
)
def get_account(account_id: AccountId, response: Response, session: SessionDep, principal: PrincipalDep) -> AccountOut:
    return _answer(response, service.get_account(session, principal=principal, account_id=account_id))


@router.patch(
    "/{account_id}",
    operation_id="update_account",
    summary="Deactivate, reactivate, or change the role or region of an account (JSON merge patch; If-Match required)",
    responses={**with_etag(), **problem_responses(403, 404, 409, 412, 428)},
)
def update_account(
    account_id: AccountId,
    body: AccountPatch,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> AccountOut:
    account = service.update_account(
        session, principal=principal, account_id=account_id, patch=body, if_match=if_match, clock=clock
    )
    return _answer(response, account)


@router.post(
    "/{account_id}/password-reset",
    operation_id="reset_password",
    summary="Give a user a new password (ends the user's tokens)",
    responses={**with_etag(), **problem_responses(403, 404, 409)},
)
def reset_password(
    account_id: AccountId, body: PasswordReset, response: Response, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> AccountOut:
    account = service.reset_password(session, principal=principal, account_id=account_id, password=body.password, clock=clock)
    return _answer(response, account)


@router.post(
    "/{account_id}/secret",
    operation_id="rotate_client_secret",
    summary="Give an API client a new secret, answered this once (ends the client's tokens)",
    responses=problem_responses(403, 404, 409),
)
def rotate_client_secret(
    account_id: AccountId, response: Response, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> ClientSecret:
    response.headers["Cache-Control"] = NO_STORE
    return service.rotate_client_secret(session, principal=principal, account_id=account_id, clock=clock)


@router.delete(
    "/{account_id}/sign-in-throttle",
    operation_id="clear_sign_in_throttle",
    summary="Let an account sign in again at once: forget its failed sign-ins from every address",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403, 404),
)
def clear_sign_in_throttle(
    account_id: AccountId,
    session: SessionDep,
    principal: PrincipalDep,
    address: Annotated[
        Annotated[IPvAnyAddress, WithJsonSchema(IP_ADDRESS_SCHEMA)] | None,
        Query(description="Also forget this address's own count, of every name tried from it (e.g. a shared office address)"),
    ] = None,
) -> Response:
    service.clear_sign_in_throttle(
        session, principal=principal, account_id=account_id, address=str(address) if address is not None else None
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@own_router.post(
    "/password",
    operation_id="change_own_password",
    summary="Change your own password (the current one required; ends your tokens, this one too)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409, 429),
)
def change_own_password(
    body: PasswordChange,
    request: Request,
    registry: RegistryDep,
    session: ReadingSessionDep,
    principal: AuthenticatedApartDep,
    clock: ClockDep,
) -> Response:
    service.change_own_password(
        session,
        principal=principal,
        change=body,
        client_host=request.client.host if request.client else None,
        sessions=registry.sessions,
        limits=registry.login_limits,
        clock=clock,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
