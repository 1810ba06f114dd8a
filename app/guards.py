"""Request checks that apply before any route's own parsing."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from fastapi import Request

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
