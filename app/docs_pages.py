"""/docs (Swagger UI) and /redoc (ReDoc), served with their assets from this package (app/static,
refreshed by scripts/refresh-docs-assets), so they work on a closed network and load nothing from
another host. Each page has a Content-Security-Policy that allows only this origin (ADR 0024)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/static"

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def install_docs_pages(app: FastAPI, *, openapi_url: str) -> None:
    """Mounts the assets and adds the two pages (the app is made with docs_url and redoc_url None)."""
    title = f"{app.title} - API documentation"
    swagger = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=title,
        swagger_js_url=f"{STATIC_PATH}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{STATIC_PATH}/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{STATIC_PATH}/swagger-ui/favicon-32x32.png",
        # The validator badge would send the document's address to validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    )
    redoc = get_redoc_html(
        openapi_url=openapi_url,
        title=title,
        redoc_js_url=f"{STATIC_PATH}/redoc/redoc.standalone.js",
        redoc_favicon_url=f"{STATIC_PATH}/swagger-ui/favicon-32x32.png",
        with_google_fonts=False,
    )
    # As FastAPI adds its own docs pages: plain routes (GET and HEAD), outside the document.
    app.add_route("/docs", _page(swagger, worker_src="'none'"), include_in_schema=False)
    # ReDoc runs its search index in a worker it starts from a blob: URL made by its own script.
    app.add_route("/redoc", _page(redoc, worker_src="blob:"), include_in_schema=False)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="static")


def _page(page: HTMLResponse, *, worker_src: str) -> Callable[[Request], Awaitable[HTMLResponse]]:
    """An endpoint that answers the page with its policy: scripts from this origin, plus the page's own inline start-up
    script by its hash (FastAPI writes Swagger UI's configuration inline). Swagger UI and ReDoc
    set inline styles, so styles may be inline; images may be data: URIs (Swagger UI's icons)."""
    html = bytes(page.body).decode()
    hashes = " ".join(f"'sha256-{_sha256(script)}'" for script in _INLINE_SCRIPT.findall(html))
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src 'self' {hashes}".rstrip(),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            f"worker-src {worker_src}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )

    async def endpoint(_request: Request) -> HTMLResponse:
        return HTMLResponse(html, headers={"Content-Security-Policy": policy})

    return endpoint


def _sha256(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
