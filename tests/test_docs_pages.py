"""/docs and /redoc work on a closed network: everything they load comes from the registry itself,
and their Content-Security-Policy lets the browser load nothing from anywhere else."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from app.api import API_PREFIX
from app.docs_pages import STATIC_DIR

PAGES = ["/docs", "/redoc"]
EXPECTED_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".json": "application/json"}

# Static pages and files: no database behind them.
pytestmark = pytest.mark.database_independent


def referenced(html: str) -> set[str]:
    """Every address the page makes the browser load: src, href, ReDoc's spec-url and the document
    Swagger UI's start-up script names."""
    attributes = re.findall(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']""", html)
    in_scripts = re.findall(r"""url:\s*["']([^"']+)["']""", html)
    return set(attributes + in_scripts)


@pytest.mark.parametrize("page", PAGES)
def test_the_page_names_no_other_host(client, page):
    response = client.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    addresses = referenced(html)
    assert f"{API_PREFIX}/openapi.json" in addresses and any(a.endswith(".js") for a in addresses)
    assert all(a.startswith("/") and not a.startswith("//") for a in addresses), addresses
    # Nothing else in the page names a host either (the CDN, Google Fonts, a favicon elsewhere).
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), html


@pytest.mark.parametrize("page", PAGES)
def test_every_asset_the_page_loads_is_served_by_the_app_with_its_type(client, page):
    for address in referenced(client.get(page).text):
        response = client.get(address)
        assert response.status_code == 200, address
        suffix = re.search(r"\.[a-z]+$", address)
        assert suffix, address
        assert response.headers["content-type"].startswith(EXPECTED_TYPES[suffix.group()]), (
            address,
            response.headers["content-type"],
        )
        assert response.headers["x-content-type-options"] == "nosniff"
        if suffix.group() == ".css":
            # A stylesheet may load fonts and images: only inline data ones.
            assert not re.search(r"url\((?!['\"]?data:)", response.text), address


@pytest.mark.parametrize("page", PAGES)
def test_the_page_has_a_policy_that_allows_only_this_origin(client, page):
    response = client.get(page)
    directives = [directive.split() for directive in response.headers["content-security-policy"].split(";")]
    policy = {name: sources for name, *sources in directives}
    assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"] and policy["img-src"] == ["'self'", "data:"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    # Scripts: this origin, and the page's own inline scripts by their hashes, nothing else.
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    hashes = {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in inline}
    assert policy["script-src"][0] == "'self'" and set(policy["script-src"][1:]) == hashes
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["worker-src"] == (["blob:"] if page == "/redoc" else ["'none'"])
    assert response.headers["x-frame-options"] == "DENY"


def test_the_swagger_ui_page_starts_from_the_registrys_document_with_no_validator(client):
    html = client.get("/docs").text
    assert f"url: '{API_PREFIX}/openapi.json'" in html
    assert '"validatorUrl": null' in html


def test_the_assets_ship_with_their_licences():
    assert "Apache License" in (STATIC_DIR / "swagger-ui" / "LICENSE").read_text()
    assert "MIT License" in (STATIC_DIR / "redoc" / "LICENSE").read_text()
