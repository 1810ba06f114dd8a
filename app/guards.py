"""Request checks that apply before any route's own parsing."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from fastapi import Request
from fastapi.dependencies.models import Dependant

from app.errors import DomainError, InvalidInput, ProblemItem


class UnsupportedMediaType(DomainError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


async def reject_nul_in_url(request: Request) -> None:
    """A NUL byte in a path or query is never meaningful, and PostgreSQL cannot compare it."""
    for location, raw in (("path", request.scope.get("raw_path") or b""), ("query", request.scope.get("query_string", b""))):
        if b"\x00" in unquote_to_bytes(raw):
            raise InvalidInput(
                f"The {location} contains a NUL character.",
                errors=[ProblemItem(code="nul-character", detail="remove the NUL (%00) character", location=location)],
            )


async def require_json_body(request: Request) -> None:
    """Bodies of JSON operations must say they are JSON (application/json or any +json type)."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if has_body and media_type and not (media_type == "application/json" or media_type.endswith("+json")):
        raise UnsupportedMediaType(f"This operation takes JSON, not {media_type}; send Content-Type: application/json.")


def declared_query_parameters(dependant: Dependant) -> frozenset[str]:
    """The query parameters a route declares: its own and those of every dependency (the filters)."""
    names = {field.alias for field in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= declared_query_parameters(dependency)
    return frozenset(names)


async def reject_unknown_query_parameters(request: Request) -> None:
    """A query parameter the operation does not declare is refused, one problem item each: a typo
    (`regoin=gwent`) or a filter that does not exist would otherwise be silently ignored."""
    if not request.query_params:
        return
    dependant: Dependant | None = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    declared = declared_query_parameters(dependant)  # a walk over a handful of dependencies: not worth a cache
    unknown = sorted({name for name in request.query_params if name not in declared})
    if unknown:
        raise InvalidInput(
            f"The operation takes no query parameter {', '.join(repr(name[:64]) for name in unknown[:10])}.",
            errors=[
                ProblemItem(
                    code="unknown-parameter",
                    detail="This operation does not take this parameter"
                    + (f"; it takes {', '.join(sorted(declared))}." if declared else "; it takes none."),
                    location="query",
                    field=name[:200],
                )
                for name in unknown[:50]
            ],
        )
