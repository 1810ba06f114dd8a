"""Steps of a review's life over HTTP, for tests that need a review in a given state."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests import factories, pdfs

API = "/api/v1"


def create(client: TestClient, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = client.post(f"{API}/reviews", json=factories.review(**changes), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def put_plan(client: TestClient, headers: dict[str, str], review: dict[str, Any], **kw: Any) -> dict[str, Any]:
    refs = [r["ref"] for r in review["recommendations"]]
    response = client.put(f"{API}/reviews/{review['id']}/action-plan", json=factories.action_plan(*refs, **kw), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def submit(client: TestClient, headers: dict[str, str], review: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{API}/reviews/{review['id']}/submit", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def upload_report(client: TestClient, headers: dict[str, str], review: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    """The review's report, a real PDF of its full text (or of `text`; "" for a page without text): its
    text, read back after the answer, becomes the review's full text as before."""
    if text is None:
        stored = client.get(f"{API}/reviews/{review['id']}", params={"include": "full_text"}, headers=headers).json()
        text = stored.get("full_text") or f"{review['title']}: the report of the review."
    content = pdfs.report(text)
    response = client.put(
        f"{API}/reviews/{review['id']}/documents/report",
        files={"file": ("report.pdf", content, "application/pdf")},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def publish(client: TestClient, headers: dict[str, str], review: dict[str, Any]) -> dict[str, Any]:
    """Published with its report (publication requires it), uploaded first."""
    upload_report(client, headers, review)
    response = client.post(f"{API}/reviews/{review['id']}/publish", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def review_in(client: TestClient, headers: dict[str, str], status: str, **changes: Any) -> dict[str, Any]:
    """A review taken through its lifecycle as far as `status` (draft, submitted or published)."""
    review = create(client, headers, **changes)
    if status == "draft":
        return review
    put_plan(client, headers, review)
    review = submit(client, headers, review)
    if status == "submitted":
        return review
    return publish(client, headers, review)
