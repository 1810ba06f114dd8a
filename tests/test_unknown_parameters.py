"""Every operation refuses a query parameter it does not declare: a typo or a filter that does not
exist is a 422 naming each unknown parameter, never silently ignored (and nothing changes)."""

from __future__ import annotations

import pytest

from tests import flows
from tests.flows import API


def _unknown(response):
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "/problems/validation-error"
    return sorted((item["code"], item["location"], item["field"]) for item in problem["errors"])


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/reviews", "practitioner"),
        ("/search?q=chronology", "practitioner"),
        ("/trends?group_by=region", "practitioner"),
        ("/actions/overdue", "inspectorate"),
        ("/audit", "inspectorate"),
        ("/regions", None),
        ("/vocabularies", None),
        ("/auth/me", "practitioner"),
    ],
)
def test_reads_refuse_each_unknown_parameter(client, token_for, path, role):
    headers = token_for(role) if role else {}
    separator = "&" if "?" in path else "?"
    response = client.get(f"{API}{path}{separator}regoin=gwent&colour=blue", headers=headers)
    assert _unknown(response) == [("unknown-parameter", "query", "colour"), ("unknown-parameter", "query", "regoin")]


def test_declared_parameters_and_those_of_shared_filters_are_accepted(client, token_for):
    response = client.get(f"{API}/reviews", params={"region": "gwent", "year_from": 2020, "limit": 5}, headers=token_for("admin"))
    assert response.status_code == 200, response.text
    response = client.get(f"{API}/trends", params={"group_by": ["region", "year"], "kind": "cpr"}, headers=token_for("admin"))
    assert response.status_code == 200, response.text


def test_a_refused_write_changes_nothing(client, token_for):
    board = token_for("board", "gwent")
    review = flows.create(client, board)
    response = client.post(f"{API}/reviews/{review['id']}/submit?force=true", headers=board)
    assert _unknown(response) == [("unknown-parameter", "query", "force")]
    again = client.get(f"{API}/reviews/{review['id']}", headers=board).json()
    assert again["status"] == "draft" and again["version"] == review["version"]


def test_operations_outside_the_api_refuse_them_too(client):
    assert _unknown(client.get("/healthz?verbose=1")) == [("unknown-parameter", "query", "verbose")]
    assert _unknown(client.get("/problems/not-found?x=1")) == [("unknown-parameter", "query", "x")]


def test_the_docs_pages_and_the_openapi_document_still_answer_with_any_query(client):
    for path in ("/docs?x=1", "/redoc?x=1", f"{API}/openapi.json?v=2", "/static/swagger-ui/swagger-ui.css?v=1"):
        assert client.get(path).status_code == 200, path
