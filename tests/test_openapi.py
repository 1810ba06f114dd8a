"""The committed OpenAPI document is the app's own, and describes every operation fully."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.cli import openapi_text

COMMITTED = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(openapi_text())


def _operations(document: dict):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_committed_document_is_current(document):
    assert COMMITTED.exists(), "run `make openapi` and commit openapi/openapi.json"
    assert json.loads(COMMITTED.read_text()) == document, "openapi/openapi.json is stale: run `make openapi`"


def test_served_document_is_the_committed_one(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == json.loads(COMMITTED.read_text())


def test_every_operation_has_an_identifier_safe_id_and_tags(document):
    """Ids become function names in generated clients: `create_review`, not `reviewscreate`."""
    ids = []
    for name, operation in _operations(document):
        assert re.fullmatch(r"[a-z]+(_[a-z]+)+", operation.get("operationId", "")), name
        assert operation.get("tags"), name
        ids.append(operation["operationId"])
    assert len(ids) == len(set(ids))


def test_every_error_response_is_a_problem_document(document):
    """Every error is a Problem; the token endpoint's 400 and 401 are TokenError, a Problem that
    also carries RFC 6749's `error`."""
    schemas = document["components"]["schemas"]
    problem = schemas["Problem"]
    token_error = schemas["TokenError"]
    assert {**problem["properties"], "error": token_error["properties"]["error"]} == token_error["properties"]
    assert set(token_error["required"]) == set(problem["required"]) | {"error"}
    for name, operation in _operations(document):
        statuses = set(operation["responses"])
        assert "500" in statuses, name
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert list(response["content"]) == ["application/problem+json"], (name, status)
                expected = "TokenError" if operation["operationId"] == "issue_token" and status in ("400", "401") else "Problem"
                assert response["content"]["application/problem+json"]["schema"] == {
                    "$ref": f"#/components/schemas/{expected}"
                }


def test_writes_to_existing_resources_declare_their_preconditions(document):
    for name, operation in _operations(document):
        if name.startswith(("PATCH", "PUT")):
            assert {"412", "428"} <= set(operation["responses"]), name
