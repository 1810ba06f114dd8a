"""Schema-driven fuzzing: schemathesis generates requests from the app's own OpenAPI document,
for every operation, as an anonymous caller and as each role (a request the document refuses, until
validation refuses it past authentication). No answer may be a 5xx, every answer
must match the document (status codes, content types, headers, bodies), and a request the document
admits must be accepted, or refused only for a rule the operation declares beyond its schema
(`x-beyond-schema`, ADR 0031)."""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import schemathesis.pytest._test_builder as test_builder
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests import flows
from tests.conftest import seed_fixture

ROLES = ["anonymous", "board", "inspectorate", "practitioner", "researcher", "admin"]
DOCUMENT = json.loads((Path(__file__).resolve().parent.parent / "openapi" / "openapi.json").read_text())

# Schemathesis's own check knows nothing of x-beyond-schema: accepted_as_documented stands in for it.
EXCLUDED = [positive_data_acceptance]

# The committed document (kept equal to the app's by test_openapi.py); requests go to the test app.
schema = schemathesis.openapi.from_dict(DOCUMENT)


def _built_when_run(build: Callable[..., Callable[..., Any]]) -> Callable[..., Callable[..., Any]]:
    """Schemathesis builds each operation's test while pytest collects, its coverage cases included:
    38 s of collection, paid again by every xdist worker of every pass though each operation runs on
    one. This builds it when its test item runs instead, from the same arguments, so the cases are
    the same; the stand-in has the built test's signature (its fixtures) and, once built, its
    marks, which schemathesis's plugin reads off the item after the run. Relies on a private
    function of the version pinned in pyproject.toml."""

    def lazily(**arguments: Any) -> Callable[..., Any]:
        test_func = arguments["test_func"]
        built: list[Callable[..., Any]] = []

        def stand_in(*args: Any, **kwargs: Any) -> Any:
            if not built:
                built.append(build(**arguments))
                stand_in.__dict__.update(built[0].__dict__)
            return built[0](*args, **kwargs)

        fixtures = [p for name, p in inspect.signature(test_func).parameters.items() if name != "case"]
        stand_in.__signature__ = inspect.Signature(fixtures)
        stand_in.__name__ = test_func.__name__
        return stand_in

    return lazily


test_builder.build_operation_test = _built_when_run(test_builder.build_operation_test)


def undeclared_codes(problem: object, declared: set[str]) -> set[str]:
    """The `errors[].code`s of a 422 problem that its operation does not declare beyond its schema
    (all of them, "none given" included, when it is not a problem with errors)."""
    items = problem.get("errors") if isinstance(problem, dict) else None
    if not isinstance(items, list) or not items:
        return {"(no errors[] in the problem)"}
    return {str(item.get("code")) if isinstance(item, dict) else repr(item) for item in items} - declared


def accepted_as_documented(ctx, response, case):
    """Schemathesis's positive-data check (ST202), except that a schema-valid request may be refused
    422 for the rules its operation declares in `x-beyond-schema`, and for those alone."""
    if response.status_code == 422 and case.meta is not None and case.meta.generation.mode.is_positive:
        declared = set(case.operation.definition.raw.get("x-beyond-schema", []))
        if not undeclared_codes(response.json(), declared):
            return None
    return positive_data_acceptance(ctx, response, case)


def _callers_of(token_for: Any) -> dict[str, dict[str, str]]:
    return {role: {} if role == "anonymous" else token_for(role, "gwent" if role == "board" else None) for role in ROLES}


def _accounts_and_a_review(client: Any, token_for: Any, _clock: Any) -> None:
    """Every role's account, and something for the fuzzer to find: a published review with its plan in gwent."""
    _callers_of(token_for)
    flows.review_in(client, token_for("board", "gwent"), "published")


found = seed_fixture("found", _accounts_and_a_review)


pytestmark = pytest.mark.seeded("found")  # each operation's cases run in a savepoint of it


@pytest.fixture
def callers(token_for):
    return _callers_of(token_for)


def _as_bytes(value):
    return value if isinstance(value, bytes) else str(value).encode()


def _files(files):
    """requests-style multipart parts (any generated value) as the test client takes them."""
    items = files.items() if isinstance(files, dict) else files
    parts = []
    for name, value in items:
        if isinstance(value, tuple):
            filename, content, *rest = value
            parts.append((name, (filename, _as_bytes(content), *rest)))
        else:
            parts.append((name, ("upload", _as_bytes(value))))
    return parts


def _send(client, case, headers):
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    body = {}
    if kwargs.get("json") is not None:
        body["json"] = kwargs["json"]
    if kwargs.get("files") is not None:
        body["files"] = _files(kwargs["files"])
    if kwargs.get("data") is not None:
        body["content" if isinstance(kwargs["data"], bytes | str) else "data"] = kwargs["data"]
    return client.request(kwargs["method"], kwargs["url"], headers=kwargs.get("headers"), params=kwargs.get("params"), **body)


# The same requests on every run, so that CI's verdict is the code's and not the draw's; set
# REGISTRY_FUZZ_RANDOM=1 to draw new ones (and REGISTRY_FUZZ_EXAMPLES to draw more) while hunting.
RANDOM = os.environ.get("REGISTRY_FUZZ_RANDOM") == "1"
EXAMPLES = int(os.environ.get("REGISTRY_FUZZ_EXAMPLES", "10"))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=not RANDOM, database=None)
def test_every_operation_answers_as_documented(case, client, callers):
    refused_by_document = case.meta is not None and case.meta.generation.mode.is_negative
    unspecified_method = case.method.upper() != case.operation.method.upper()
    for role, headers in callers.items():
        response = _send(client, case, headers)
        response.request.read()  # a multipart request is streamed; the checks read it back
        case.validate_response(response, excluded_checks=EXCLUDED, additional_checks=[accepted_as_documented])
        if role == "anonymous":
            continue
        if refused_by_document and response.status_code == 422:
            # Validation refused it, past authentication and before any handler read who sent it:
            # the other roles meet the same validation. (Most cases are these: about 2,800 of
            # 4,450, six requests each before.) Any other answer, and the next role tries it too.
            break
        if unspecified_method and response.status_code == 405:
            # A method the path does not have: routing answered before anyone was authenticated
            # (313 cases, six requests each before). Any other answer, and the next role tries it.
            break


@pytest.mark.database_independent
def test_only_the_declared_codes_excuse_a_refusal():
    declared = {"unknown-code", "invalid-cursor"}
    assert undeclared_codes({"errors": [{"code": "unknown-code"}, {"code": "invalid-cursor"}]}, declared) == set()
    assert undeclared_codes({"errors": [{"code": "unknown-code"}, {"code": "string_too_short"}]}, declared) == {
        "string_too_short"
    }
    assert undeclared_codes({"errors": []}, declared) and undeclared_codes({"title": "Invalid"}, declared)
