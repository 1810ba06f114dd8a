"""/dashboard: the inspectorate's page, a reference client of the public API (issue 15, ADR 0046).

The page and its assets are files of this package (app/static/dashboard, and Chart.js in
app/static/chartjs, refreshed by scripts/refresh-docs-assets): nothing is fetched from another
host, and nothing needs Node.js to run. It signs in with the token endpoint and then calls only
/api/v1, as any third-party dashboard would. Its policy allows scripts, styles and requests from
this origin only; the page writes no inline script or style."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from app.docs_pages import STATIC_DIR

PAGE = STATIC_DIR / "dashboard" / "index.html"
_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)


def install_dashboard(app: FastAPI) -> None:
    html = PAGE.read_text(encoding="utf-8")

    async def dashboard(_request: Request) -> HTMLResponse:
        # no-store: the page is the same for everyone, but what it shows after sign-in is not.
        return HTMLResponse(html, headers={"Content-Security-Policy": _POLICY, "Cache-Control": "no-store"})

    app.add_route("/dashboard", dashboard, include_in_schema=False)
