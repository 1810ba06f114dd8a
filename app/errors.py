"""The DomainError hierarchy and the handlers that turn every error into RFC 9457 problem+json."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from app.language import Language, negotiate, spoken_in
from app.problem_types import WELSH, WELSH_ERRORS

logger = logging.getLogger("app.errors")

# The headers every answer carries (see app.middleware), repeated on the one answer sent outside it.
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
]
# API answers are data about children: never cached by intermediaries, never rendered as a page.
API_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "/problems/"


class ProblemItem(BaseModel):
    """One broken field or rule."""

    code: str = Field(description="Machine-readable reason, e.g. `recommendation-not-addressed`.")
    detail: str
    location: str | None = Field(default=None, description="`body`, `query`, `path` or `header`.")
    field: str | None = Field(default=None, description="The field, e.g. `themes.0` or `limit`.")
    pointer: str | None = Field(default=None, description="JSON Pointer into the request body.")
    detail_en: str | None = Field(
        default=None, description="With `Accept-Language: cy`, the English `detail` where `detail` is given in Welsh."
    )


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[ProblemItem] | None = None
    detail_en: str | None = Field(
        default=None,
        description="With `Accept-Language: cy`, the English `detail`, which names the particulars (the Welsh "
        "`detail` says what happened); `Content-Language` says which language `title` and `detail` are in.",
    )


class DomainError(Exception):
    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[ProblemItem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}

    def extensions(self) -> dict[str, Any]:
        """Members the problem carries beside the RFC 9457 ones (the token endpoint's `error`)."""
        return {}


class AuthenticationRequired(DomainError):
    status, slug, title = 401, "authentication-required", "Authentication required"

    def __init__(self, detail: str = "This needs a bearer token from POST /api/v1/auth/token.", **kw: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"}, **kw)


class InvalidToken(AuthenticationRequired):
    slug, title = "invalid-token", "Invalid token"

    def __init__(self, detail: str = "The bearer token is invalid or has expired.") -> None:
        super().__init__(detail)
        self.headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class Forbidden(DomainError):
    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(DomainError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, slug, title = 409, "conflict", "Conflict"


class InvalidTransition(Conflict):
    slug, title = "invalid-transition", "Not allowed in the current status"


class Gone(DomainError):
    status, slug, title = 410, "gone", "Gone"


class PreconditionFailed(DomainError):
    status, slug, title = 412, "precondition-failed", "Precondition failed"


class PreconditionRequired(DomainError):
    status, slug, title = 428, "precondition-required", "Precondition required"


class InvalidInput(DomainError):
    status, slug, title = 422, "validation-error", "Invalid request"


class ServiceUnavailable(DomainError):
    status, slug, title = 503, "service-unavailable", "Service unavailable"


_DESCRIPTIONS = {
    400: "Bad request",
    401: "No valid bearer token (the `WWW-Authenticate` header says why)",
    403: "The caller's role or region does not allow this",
    404: "Not found, or not visible to the caller",
    409: "Conflicts with the current state (a duplicate reference, a status that does not allow it)",
    410: "Redacted: the file held text removed from the record, and is no longer kept",
    412: "`If-Match` names a version that is no longer current",
    413: "The request body is too large",
    415: "Unsupported media type",
    422: "The request is invalid, or breaks a business rule (see `type` and `errors`)",
    500: "Unexpected error; quote `request_id` when you report it",
    428: "`If-Match` is required",
    429: "Too many attempts (see `Retry-After`)",
    503: "A dependency (the database) is not answering (see `Retry-After`)",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI `responses` for the problem statuses an operation can answer besides those every
    operation can (401 with a token, 422, 500, 503: `app.openapi` adds them)."""
    return {
        status: {"model": Problem, "description": _DESCRIPTIONS[status], "content": {PROBLEM_MEDIA_TYPE: {}}}
        for status in sorted(statuses)
    }


def problem_schema_response(status: int | str) -> dict[str, object]:
    description = _DESCRIPTIONS.get(int(status), "Unexpected error; quote request_id when you report it")
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def problem_response(
    request: Request,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[ProblemItem] | None = None,
    headers: Mapping[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    language = negotiate(request.headers.get("accept-language"))
    welsh = WELSH.get(slug) if language is Language.cy else None
    problem = Problem(
        type=PROBLEM_BASE + slug,
        title=welsh.title if welsh else title,
        status=status,
        detail=welsh.detail if welsh else detail,
        instance=request.url.path,
        request_id=request.scope.get("state", {}).get("request_id"),
        errors=[_in_welsh(item) for item in errors] if welsh and errors else errors,
        detail_en=detail if welsh else None,
    )
    return JSONResponse(
        {**problem.model_dump(exclude_none=True), **(extensions or {})},
        status_code=status,
        headers={**(headers or {}), **spoken_in(Language.cy if welsh else Language.en)},
        media_type=PROBLEM_MEDIA_TYPE,
    )


def _in_welsh(item: ProblemItem) -> ProblemItem:
    welsh = WELSH_ERRORS.get(item.code)
    return item.model_copy(update={"detail": welsh, "detail_en": item.detail}) if welsh else item


def validation_items(errors: Iterable[Any]) -> list[ProblemItem]:
    """Pydantic errors as problem items; each `loc` starts with where it is (body, query, ...)."""
    items = []
    for error in errors:
        location, *path = error.get("loc", ()) or ("body",)
        if error.get("type") == "json_invalid":
            path = []
        field = ".".join(str(part) for part in path) or None
        items.append(
            ProblemItem(
                code=str(error.get("type", "invalid")),
                # The message only: never echo the input, which may be review text.
                detail=str(error.get("msg", "Invalid value")),
                location=str(location),
                field=field,
                pointer=("#/" + "/".join(str(p) for p in path)).rstrip("/") if location == "body" else None,
            )
        )
    return items


_STATUS_PROBLEMS = {
    400: ("bad-request", "Bad request"),
    401: ("authentication-required", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}
# Any other status the framework raises (none is known; /problems/http-error explains it).
_OTHER_STATUS_PROBLEM = ("http-error", "HTTP error")


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    paths = app.openapi()["paths"]
    if path in paths:  # a literal path (/codings/agreement) is its own resource, not a template's instance
        return sorted(method.upper() for method in paths[path])
    methods: set[str] = set()
    for template, operations in paths.items():
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path):
            methods.update(method.upper() for method in operations)
    return sorted(methods)


# The database's refusals that are not the registry's fault, nor always the client's: a value the
# validation let through (422), a race a service did not expect to lose (409), a database away (503).
_DATABASE_STATUSES: tuple[tuple[type[Exception], int], ...] = (
    (DataError, 422),
    (IntegrityError, 409),
    (PoolTimeoutError, 503),
    (OperationalError, 503),
    (InterfaceError, 503),
)


def status_of(exc: BaseException) -> int:
    """The HTTP status a request that raised `exc` answers: what the handlers below send, and what
    the audit trail records for the refused request."""
    if isinstance(exc, DomainError):
        return exc.status
    if isinstance(exc, RequestValidationError):
        return 422
    if isinstance(exc, StarletteHTTPException):
        return 422 if exc.status_code == 400 else exc.status_code  # an undecodable body: see _http
    for kind, status in _DATABASE_STATUSES:
        if isinstance(exc, kind):
            return status
    return 500


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(
            request,
            status=status_of(exc),
            slug=exc.slug,
            title=exc.title,
            detail=exc.detail,
            errors=exc.errors,
            headers=exc.headers,
            extensions=exc.extensions(),
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        items = validation_items(exc.errors())
        return problem_response(
            request,
            status=status_of(exc),
            slug=InvalidInput.slug,
            title=InvalidInput.title,
            detail=f"The request has {len(items)} invalid field(s); see errors.",
            errors=items,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # The framework's answer to a body it cannot decode at all (bad UTF-8, absurd nesting, a
            # broken multipart form): for clients that is one more malformed body, so the same 422.
            return problem_response(
                request,
                status=status_of(exc),
                slug=InvalidInput.slug,
                title=InvalidInput.title,
                detail="The body could not be read.",
                errors=[ProblemItem(code="body_unreadable", detail="The body is not valid JSON or form data", location="body")],
            )
        slug, title = _STATUS_PROBLEMS.get(exc.status_code, _OTHER_STATUS_PROBLEM)
        detail = exc.detail if isinstance(exc.detail, str) else title
        headers = exc.headers
        if exc.status_code == 405:
            # Every method the path has, from the OpenAPI document (the router only knows its first match).
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request.app, request.url.path))}
        if exc.status_code == 404:
            detail = "There is nothing at this address."
        return problem_response(request, status=status_of(exc), slug=slug, title=title, detail=detail, headers=headers)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # Validation should have caught it; the database's refusal is still the client's bad value.
        logger.warning("data error: %s", type(exc.orig).__name__)
        return problem_response(
            request,
            status=status_of(exc),
            slug=InvalidInput.slug,
            title=InvalidInput.title,
            detail="A value could not be stored as sent.",
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # Services catch the conflicts they expect; this is the safety net for a race they lost.
        logger.warning("integrity error: %s", type(exc.orig).__name__)
        return problem_response(
            request,
            status=status_of(exc),
            slug=Conflict.slug,
            title=Conflict.title,
            detail="The change conflicts with a record that already exists.",
        )

    @app.exception_handler(PoolTimeoutError)
    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _database(request: Request, exc: Exception) -> JSONResponse:
        # The statement and its parameters stay out of the log: they may hold review text.
        logger.error("database unavailable: %s", type(exc).__name__)
        return problem_response(
            request,
            status=status_of(exc),
            slug=ServiceUnavailable.slug,
            title=ServiceUnavailable.title,
            detail="The database is not answering. Try again shortly.",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.error("unhandled %s", type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__))
        return problem_response(
            request,
            status=status_of(exc),
            slug="internal-error",
            title="Internal error",
            detail="Something went wrong on our side. Quote the request id when you report it.",
            # This answer comes from outside every middleware, so it carries its own headers.
            headers={
                "X-Request-ID": request.scope.get("state", {}).get("request_id", ""),
                **{name.decode(): value.decode() for name, value in SECURITY_HEADERS + API_HEADERS},
            },
        )
