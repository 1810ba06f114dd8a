"""Schema-driven fuzzing: schemathesis generates requests from the app's own OpenAPI document,
for every operation, as an anonymous caller and as each role. No answer may be a 5xx, and every
answer must match the document (status codes, content types, headers, bodies)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests import flows

ROLES = ["anonymous", "board", "inspectorate", "practitioner", "researcher", "admin"]
DOCUMENT = json.loads((Path(__file__).resolve().parent.parent / "openapi" / "openapi.json").read_text())

# A schema-valid request may still break a rule the document cannot express (an opaque cursor, an
# unknown vocabulary code, a submission rule): those 422s are right, so that one check is off.
EXCLUDED = [positive_data_acceptance]

# The committed document (kept equal to the app's by test_openapi.py); requests go to the test app.
schema = schemathesis.openapi.from_dict(DOCUMENT)


@pytest.fixture
def callers(token_for):
    return {role: {} if role == "anonymous" else token_for(role, "gwent" if role == "board" else None) for role in ROLES}


@pytest.fixture
def seeded(client, token_for):
    """Something for the fuzzer to find: a published review with its plan in gwent."""
    return flows.review_in(client, token_for("board", "gwent"), "published")


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


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, client, callers, seeded):
    for headers in callers.values():
        response = _send(client, case, headers)
        response.request.read()  # a multipart request is streamed; the checks read it back
        case.validate_response(response, excluded_checks=EXCLUDED)
