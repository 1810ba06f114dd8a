"""Plain ASGI middleware: a request id on every request and one structured log line per response."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import API_HEADERS, SECURITY_HEADERS
from app.metrics import observe_request

access_log = logging.getLogger("app.access")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


class RequestIdMiddleware:
    """Takes a sane incoming X-Request-ID or makes one, keeps it in scope state, echoes it, logs the outcome."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status_code = 500

        api = scope["path"].startswith("/api/")

        async def send_with_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = [(b"x-request-id", request_id.encode()), *SECURITY_HEADERS, *(API_HEADERS if api else ())]
                message["headers"] = headers + [(name, value) for name, value in extra if name not in present]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # Who, what and how it ended: never bodies, query strings, headers or tokens.
            state = scope.get("state", {})
            elapsed = time.perf_counter() - started
            access_log.info(
                json.dumps(
                    {
                        "event": "request",
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status_code,
                        "subject": state.get("subject"),
                        "role": state.get("role"),
                        "duration_ms": round(elapsed * 1000, 2),
                    }
                )
            )
            observe_request(scope, status_code, elapsed)


class BodyLimitMiddleware:
    """Refuses bodies over the limit with 413 before they are read into memory or onto disk:
    at once when Content-Length says so, or as soon as a streamed body passes the limit."""

    def __init__(self, app: ASGIApp, *, json_limit: int, upload_limit: int, archive_limit: int, archive_path: str) -> None:
        self.app = app
        self.json_limit = json_limit
        self.upload_limit = upload_limit
        self.archive_limit = archive_limit  # an archive of reviews and their PDFs, uploaded to `archive_path`
        self.archive_path = archive_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        uploading = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self.json_limit
        if uploading:
            limit = self.archive_limit if scope["path"] == self.archive_path else self.upload_limit
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(scope, send, limit)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, f"The body is larger than {limit >> 20} MB.")
            return message

        await self.app(scope, counting_receive, send)


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    request_id = scope.get("state", {}).get("request_id", "")
    body = json.dumps(
        {
            "type": "/problems/payload-too-large",
            "title": "Payload too large",
            "status": 413,
            "detail": f"The body is larger than {limit >> 20} MB.",
            "instance": scope["path"],
            "request_id": request_id,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
