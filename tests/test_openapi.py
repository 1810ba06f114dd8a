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


@pytest.mark.database_independent
def test_committed_document_is_current(document):
    assert COMMITTED.exists(), "run `make openapi` and commit openapi/openapi.json"
    assert json.loads(COMMITTED.read_text()) == document, "openapi/openapi.json is stale: run `make openapi`"


@pytest.mark.database_independent
def test_served_document_is_the_committed_one(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == json.loads(COMMITTED.read_text())


@pytest.mark.database_independent
def test_every_operation_has_an_identifier_safe_id_and_tags(document):
    """Ids become function names in generated clients: `create_review`, not `reviewscreate`."""
    ids = []
    for name, operation in _operations(document):
        assert re.fullmatch(r"[a-z]+(_[a-z]+)+", operation.get("operationId", "")), name
        assert operation.get("tags"), name
        ids.append(operation["operationId"])
    assert len(ids) == len(set(ids))


@pytest.mark.database_independent
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
                assert response["content"]["application/problem+json"]["schema"] == {"$ref": f"#/components/schemas/{expected}"}


@pytest.mark.database_independent
def test_writes_to_existing_resources_declare_their_preconditions(document):
    for name, operation in _operations(document):
        if name.startswith(("PATCH", "PUT")):
            assert {"412", "428"} <= set(operation["responses"]), name


@pytest.mark.database_independent
def test_every_operation_declares_its_security_and_anonymous_ones_allow_no_token(document):
    optional = {"list_reviews", "get_review", "get_action_plan", "list_documents", "download_document", "list_corrections"}
    public = {
        "issue_token",
        "list_regions",
        "list_vocabularies",
        "get_liveness",
        "get_readiness",
        "get_metrics",
        "get_problem_type",
        "get_published_feed",
        "get_saved_search_feed",  # its token is in the query: a capability, not a bearer token
    }
    for name, operation in _operations(document):
        security = operation["security"]  # declared on every operation (Redocly: security-defined)
        if operation["operationId"] in public:
            assert security == [], name
        elif operation["operationId"] in optional:
            assert security == [{"OAuth2": []}, {}], name
        else:
            assert security == [{"OAuth2": []}], name
    flows = document["components"]["securitySchemes"]["OAuth2"]["flows"]
    assert set(flows) == {"password", "clientCredentials"}


@pytest.mark.database_independent
def test_files_are_binary_both_ways(document):
    upload = document["components"]["schemas"]["DocumentUpload"]["properties"]["file"]
    assert upload["type"] == "string" and upload["format"] == "binary"
    download = document["paths"]["/api/v1/reviews/{review_id}/documents/{kind}"]["get"]["responses"]["200"]
    assert download["content"]["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    assert "ETag" in download["headers"]
    assert not any(name.startswith("Body_") for name in document["components"]["schemas"])


@pytest.mark.database_independent
def test_if_match_is_a_string_and_required_where_every_request_needs_it(document):
    for name, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "If-Match":
                assert parameter["schema"]["type"] == "string", name
                assert parameter["required"] is (name.startswith("PATCH") or name.endswith(("/corrections", "/redactions"))), name


@pytest.mark.database_independent
def test_headers_that_answers_carry_are_declared(document):
    for name, operation in _operations(document):
        responses = operation["responses"]
        for status, header in (("401", "WWW-Authenticate"), ("429", "Retry-After"), ("503", "Retry-After")):
            if status in responses:
                assert header in responses[status]["headers"], (name, status)
        if "requestBody" in operation:
            assert "413" in responses, name
    created = document["paths"]["/api/v1/reviews"]["post"]["responses"]["201"]["headers"]
    assert {"ETag", "Location"} <= set(created)


@pytest.mark.database_independent
def test_trend_keys_and_action_etags_are_typed(document):
    schemas = document["components"]["schemas"]
    assert schemas["TrendBucket"]["properties"]["key"] == {"$ref": "#/components/schemas/TrendKey"}
    assert {"region", "year", "theme", "agency"} <= set(schemas["TrendKey"]["properties"])
    assert "etag" in schemas["ActionOut"]["properties"] and "etag" in schemas["ActionOut"]["required"]


@pytest.mark.database_independent
def test_every_operation_says_who_may_call_it(document):
    for name, operation in _operations(document):
        assert "**Who may call it:**" in operation["description"], name
    assert {tag["name"] for tag in document["tags"]} >= {t for _, o in _operations(document) for t in o["tags"]}


def test_the_documents_examples_are_what_the_registry_takes_and_answers(client, token_for):
    from app.openapi_examples import ACTION_PLAN, REVIEW, SUBMISSION_REJECTED

    board = token_for("board", "gwent")
    created = client.post("/api/v1/reviews", json=REVIEW, headers=board)
    assert created.status_code == 201, created.text
    review = created.json()
    planned = client.put(f"/api/v1/reviews/{review['id']}/action-plan", json=ACTION_PLAN, headers=board)
    assert planned.status_code == 201, planned.text

    lacking = client.post(
        "/api/v1/reviews", json=REVIEW | {"reference": "GWSB 3/2023", "reviewers": [{"name": "A. Reviewer"}]}, headers=board
    )
    refused = client.post(f"/api/v1/reviews/{lacking.json()['id']}/submit", headers=board)
    assert refused.status_code == 422
    problem = refused.json()
    assert (problem["type"], problem["title"], problem["detail"]) == (
        SUBMISSION_REJECTED["type"],
        SUBMISSION_REJECTED["title"],
        SUBMISSION_REJECTED["detail"],
    )
    assert [(e["code"], e["detail"]) for e in problem["errors"]] == [
        (e["code"], e["detail"]) for e in SUBMISSION_REJECTED["errors"]
    ]


def test_the_learning_examples_are_what_the_registry_takes_and_answers(client, token_for, document):
    """The request examples of POST codings and POST saved-searches are accepted as they stand; the
    answers of similar recommendations, recommendations and trends (with a measure) are valid answers."""
    from app.codings.schemas import Agreement
    from app.openapi_examples import (
        AGREEMENT,
        CODING,
        RECOMMENDATION_RESULTS,
        REVIEW,
        SAVED_SEARCH,
        SIMILAR_RECOMMENDATIONS,
        TRENDS,
        TRENDS_MEASURED,
    )
    from app.recommendations.schemas import RecommendationResults, SimilarRecommendations
    from app.search.schemas import Trends
    from tests import flows

    review = flows.review_in(client, token_for("board", "gwent"), "published", **REVIEW)
    researcher = token_for("researcher")
    coded = client.post(f"/api/v1/reviews/{review['id']}/codings", json=CODING, headers=researcher)
    assert coded.status_code == 201, coded.text
    saved = client.post("/api/v1/saved-searches", json=SAVED_SEARCH, headers=researcher)
    assert saved.status_code == 201, saved.text

    for model, example in (
        (SimilarRecommendations, SIMILAR_RECOMMENDATIONS),
        (RecommendationResults, RECOMMENDATION_RESULTS),
        (Trends, TRENDS),
        (Trends, TRENDS_MEASURED),
        (Agreement, AGREEMENT),
    ):
        assert model.model_validate(example).model_dump(mode="json", exclude_unset=True) == example
    trends = document["paths"]["/api/v1/trends"]["get"]["responses"]["200"]["content"]["application/json"]
    assert {name: e["value"]["measure"] for name, e in trends["examples"].items()} == {
        "reviews": "reviews",
        "measured": "actions_on_time_share",
    }
    for operation_id, path, method in (
        ("create_coding", "/api/v1/reviews/{review_id}/codings", "post"),
        ("create_saved_search", "/api/v1/saved-searches", "post"),
    ):
        body = document["paths"][path][method]["requestBody"]["content"]["application/json"]
        assert body["example"] in (CODING, SAVED_SEARCH), operation_id
