"""Every problem `type` the registry can send resolves to a page, and docs/integrating.md lists every
type and every `errors[].code`. Both lists are read from the code, so neither can fall behind it."""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import app
from app import errors
from app.documents.service import _REASONS
from app.errors import DomainError
from app.problem_types import PROBLEM_TYPES, ProblemType
from tests.flows import API

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "app").rglob("*.py"))
INTEGRATING = (ROOT / "docs" / "integrating.md").read_text()
DOCUMENT = json.loads((ROOT / "openapi" / "openapi.json").read_text())


def _after(text: str, heading: str) -> str:
    """What follows `heading`, up to the next second-level heading."""
    assert heading in text, f"docs/integrating.md has no {heading.strip()!r}"
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


# The integrators' guide's list of every problem type, and within it the list of every code.
PROBLEMS_DOC = _after(INTEGRATING, "\n## Problems and error codes\n")
CODES_DOC = _after(PROBLEMS_DOC, "\n### Every `errors[].code`\n")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# `errors[].code` values the code computes rather than writes out, and where their values come from.
COMPUTED_CODES = {
    "str(error.get('type', 'invalid'))",  # validation_items: Pydantic's error types (the docs say so)
    "f'pdf-{exc.reason}'",  # checked_pdf: one per reason in app/documents/service.py's _REASONS
    "code",  # the submission rules' _problem(code, ...): its callers' first arguments are collected
    # an import job's problem_item: a submission rule's code (collected above) or invalid-file
    "found.group(1) if found else 'invalid-file'",
}


def _subclasses(cls: type[DomainError]) -> Iterator[type[DomainError]]:
    yield cls
    for subclass in cls.__subclasses__():
        yield from _subclasses(subclass)


def _trees() -> Iterator[ast.AST]:
    for path in SOURCES:
        yield ast.parse(path.read_text(), filename=str(path))


def _sent_problem_types() -> set[str]:
    """Every slug the code can put in a problem's `type`: each DomainError's, the statuses the
    framework raises, and every literal `slug=` or "/problems/..." in the code."""
    for module in pkgutil.walk_packages(app.__path__, "app."):
        importlib.import_module(module.name)  # so that every DomainError subclass is defined
    slugs = {cls.slug for cls in _subclasses(DomainError)}
    slugs |= {slug for slug, _title in errors._STATUS_PROBLEMS.values()} | {errors._OTHER_STATUS_PROBLEM[0]}
    for tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "slug" and isinstance(node.value, ast.Constant):
                slugs.add(node.value.value)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("/problems/"):
                slugs.add(node.value.removeprefix("/problems/"))
    return slugs - {""}  # PROBLEM_BASE itself


def _item_codes() -> set[str]:
    """Every `errors[].code` the code can send: each literal `code=` of a ProblemItem, the first
    argument of the submission rules' `_problem`, and the computed ones of COMPUTED_CODES."""
    codes: set[str] = set()
    computed: set[str] = set()
    for tree in _trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if node.func.id == "ProblemItem":
                for keyword in node.keywords:
                    if keyword.arg == "code":
                        value = keyword.value
                        if isinstance(value, ast.Constant):
                            codes.add(value.value)
                        else:
                            computed.add(ast.unparse(value))
            elif node.func.id == "_problem" and node.args and isinstance(node.args[0], ast.Constant):
                codes.add(node.args[0].value)
    assert computed == COMPUTED_CODES, "a new computed errors[].code: list its values in docs/integrating.md and here"
    return codes | {f"pdf-{reason}" for reason in _REASONS}


SENT = sorted(_sent_problem_types())


@pytest.mark.database_independent
def test_the_catalogue_holds_exactly_the_problem_types_the_code_sends():
    assert set(PROBLEM_TYPES) == set(SENT)


@pytest.mark.database_independent
@pytest.mark.parametrize("slug", SENT)
def test_every_problem_type_resolves_to_a_page(client, slug):
    response = client.get(f"/problems/{slug}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    page = response.json()
    assert page["type"] == f"/problems/{slug}"
    assert page["title"] and page["meaning"] and page["what_to_do"] and 400 <= page["status"] < 600
    assert response.headers["vary"] == "Accept"


def test_the_type_of_a_real_problem_resolves(client, token_for):
    problem = client.get(f"{API}/reviews/no-such-review", headers=token_for("admin")).json()
    page = client.get(problem["type"])  # a relative reference, resolved against the API's host
    assert page.status_code == 200 and page.json()["type"] == problem["type"]


@pytest.mark.database_independent
@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (None, False),
        ("*/*", False),
        ("application/json", False),
        ("application/problem+json, application/json", False),
        ("text/html;q=0.5, application/json", False),
        ("text/html;q=nonsense", False),
        (BROWSER_ACCEPT, True),
        ("text/html", True),
        ("text/*", True),
    ],
)
def test_a_page_is_html_only_for_clients_that_prefer_it(client, accept, html):
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/problems/precondition-failed", headers=headers)
    assert response.status_code == 200
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type == ("text/html" if html else "application/json")


@pytest.mark.database_independent
def test_the_html_page_loads_nothing_from_elsewhere(client):
    response = client.get("/problems/precondition-required", headers={"Accept": BROWSER_ACCEPT})
    page = response.text
    assert "<h1>Precondition required</h1>" in page and "If-Match: &quot;3&quot;" in page
    assert not re.search(r"<(script|link|img|style|iframe)\b|\b(src|href)=", page)
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.database_independent
def test_the_html_page_escapes_every_text(client, monkeypatch):
    hostile = ProblemType("hostile", "<script>alert(1)</script>", 400, '<img src=x onerror="alert(2)">', "</p><a href=x>")
    monkeypatch.setitem(PROBLEM_TYPES, "hostile", hostile)
    page = client.get("/problems/hostile", headers={"Accept": "text/html"}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x" in page and "&lt;/p&gt;&lt;a href=x&gt;" in page
    assert not re.search(r"<(script|img|a)\b", page)


@pytest.mark.database_independent
@pytest.mark.parametrize("name", ["no-such-problem", "<script>alert(1)</script>", "x" * 2000])
def test_an_unknown_problem_type_is_a_404_problem_that_echoes_nothing(client, name):
    for accept in ("application/json", BROWSER_ACCEPT):
        response = client.get(f"/problems/{name}", headers={"Accept": accept})
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "/problems/not-found"
        assert name not in response.json()["detail"]


@pytest.mark.database_independent
@pytest.mark.parametrize("slug", SENT)
def test_the_docs_list_every_problem_type(slug):
    assert f"`/problems/{slug}`" in PROBLEMS_DOC


@pytest.mark.database_independent
@pytest.mark.parametrize("code", sorted(_item_codes()))
def test_the_docs_list_every_errors_code(code):
    assert f"`{code}`" in CODES_DOC


# Every code an operation may answer to a request its schema admits (app/openapi.py, ADR 0031).
BEYOND_SCHEMA_CODES = sorted(
    {code for path in DOCUMENT["paths"].values() for operation in path.values() for code in operation.get("x-beyond-schema", [])}
)


@pytest.mark.database_independent
@pytest.mark.parametrize("code", BEYOND_SCHEMA_CODES)
def test_the_docs_explain_every_code_checked_beyond_the_schema(code):
    assert f"`{code}`" in CODES_DOC
