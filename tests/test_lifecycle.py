"""A review's whole life over HTTP, and what each kind of caller gets at each step."""

from __future__ import annotations

from tests import factories, flows
from tests.flows import API


def test_board_takes_a_review_from_draft_to_published(client, token_for, clock):
    board = token_for("board", "gwent")
    review = flows.create(client, board)
    assert review["status"] == "draft" and review["version"] == 1

    rejected = client.post(f"{API}/reviews/{review['id']}/submit", headers=board)
    assert rejected.status_code == 422
    assert rejected.headers["content-type"] == "application/problem+json"
    assert rejected.json()["type"].endswith("/submission-rejected")
    assert [e["code"] for e in rejected.json()["errors"]] == ["action-plan-required"]

    plan = flows.put_plan(client, board, review)
    assert {a["recommendation_ref"] for a in plan["actions"]} == {"R1", "R2"}

    submitted = flows.submit(client, board, review)
    assert submitted["status"] == "submitted" and submitted["submitted_at"]

    published = flows.publish(client, board, review)
    assert published["status"] == "published"
    assert published["published_on"] == "2026-06-01"
    assert published["public_until"] == "2026-08-24"  # 84 days later


def test_every_broken_submission_rule_is_reported_at_once(client, token_for):
    board = token_for("board", "gwent")
    review = flows.create(
        client,
        board,
        review_type="concise",  # but the child was on the CP register: should be extended
        reviewers=[],
    )
    client.put(
        f"{API}/reviews/{review['id']}/action-plan",
        json=factories.action_plan("R1"),
        headers=board,
    )
    response = client.post(f"{API}/reviews/{review['id']}/submit", headers=board)
    assert response.status_code == 422
    errors = {(e["code"], e.get("field")) for e in response.json()["errors"]}
    assert errors == {
        ("recommendation-not-addressed", "recommendations.1"),
        ("review-type-mismatch", "review_type"),
        ("reviewer-count", "reviewers"),
    }
    assert client.get(f"{API}/reviews/{review['id']}", headers=board).json()["status"] == "draft"


def test_extended_review_needs_two_reviewers(client, token_for):
    board = token_for("board", "gwent")
    review = flows.create(client, board, reviewers=[{"name": "Only One"}])
    flows.put_plan(client, board, review)
    response = client.post(f"{API}/reviews/{review['id']}/submit", headers=board)
    assert [e["code"] for e in response.json()["errors"]] == ["reviewer-count"]


def test_concise_review_of_a_child_not_known_to_services_is_accepted(client, token_for):
    board = token_for("board", "gwent")
    review = flows.review_in(
        client, board, "submitted", review_type="concise", on_cp_register_6m=False, reviewers=[{"name": "Solo"}]
    )
    assert review["status"] == "submitted"


def test_a_susr_goes_through_the_same_lifecycle(client, token_for):
    board = token_for("board", "gwent")
    response = client.post(f"{API}/reviews", json=factories.susr(), headers=board)
    assert response.status_code == 201, response.text
    review = response.json()
    assert review["kind"] == "susr" and review["susr_criteria"] == ["cpr", "dhr"] and review["review_type"] is None
    flows.put_plan(client, board, review)
    assert flows.submit(client, board, review)["status"] == "submitted"


def test_anonymous_callers_see_a_published_review_only_inside_its_public_window(client, token_for, clock):
    board = token_for("board", "gwent")
    review = flows.review_in(client, board, "published")
    url = f"{API}/reviews/{review['id']}"

    assert client.get(url).status_code == 200
    assert client.get(f"{url}/action-plan").status_code == 200
    assert [r["id"] for r in client.get(f"{API}/reviews").json()["items"]] == [review["id"]]

    clock.advance(days=84)  # the last public day
    assert client.get(url).status_code == 200
    clock.advance(days=1)
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/action-plan").status_code == 404
    assert client.get(f"{API}/reviews").json()["items"] == []

    # Registered readers keep it for ever.
    for role in ("practitioner", "inspectorate"):
        assert client.get(url, headers=token_for(role)).status_code == 200


def test_drafts_are_seen_only_by_their_board_and_admins(client, token_for):
    board = token_for("board", "gwent")
    review = flows.create(client, board)
    url = f"{API}/reviews/{review['id']}"
    assert client.get(url, headers=board).status_code == 200
    assert client.get(url, headers=token_for("admin")).status_code == 200
    for headers in (token_for("board", "north-wales"), token_for("inspectorate"), token_for("practitioner"), {}):
        response = client.get(url, headers=headers)
        assert response.status_code == 404, headers
        assert response.headers["content-type"] == "application/problem+json"


def test_submitted_reviews_are_read_by_the_inspectorate_but_not_practitioners(client, token_for):
    board = token_for("board", "gwent")
    review = flows.review_in(client, board, "submitted")
    url = f"{API}/reviews/{review['id']}"
    assert client.get(url, headers=token_for("inspectorate")).status_code == 200
    assert client.get(url, headers=token_for("practitioner")).status_code == 404
    assert client.get(url, headers=token_for("board", "north-wales")).status_code == 404
    assert client.get(url).status_code == 404


def test_published_reviews_are_read_by_every_board(client, token_for):
    review = flows.review_in(client, token_for("board", "gwent"), "published")
    assert client.get(f"{API}/reviews/{review['id']}", headers=token_for("board", "north-wales")).status_code == 200


def test_publishing_twice_or_submitting_a_published_review_is_a_conflict(client, token_for):
    board = token_for("board", "gwent")
    review = flows.review_in(client, board, "published")
    for step in ("publish", "submit"):
        response = client.post(f"{API}/reviews/{review['id']}/{step}", headers=board)
        assert response.status_code == 409
        assert response.json()["type"].endswith("/invalid-transition")


def test_a_draft_cannot_be_published_without_submission(client, token_for):
    board = token_for("board", "gwent")
    review = flows.create(client, board)
    assert client.post(f"{API}/reviews/{review['id']}/publish", headers=board).status_code == 409
