"""Action plans: they must answer the recommendations, and their progress is tracked after submission."""

from __future__ import annotations

import pytest

from tests import factories, flows
from tests.flows import API


@pytest.fixture
def board(token_for):
    return token_for("board", "gwent")


def test_a_plan_is_created_then_replaced_with_if_match(client, board):
    review = flows.create(client, board)
    url = f"{API}/reviews/{review['id']}/action-plan"
    created = client.put(url, json=factories.action_plan("R1", "R2"), headers=board)
    assert created.status_code == 201 and created.headers["etag"] == '"1"'
    assert client.put(url, json=factories.action_plan("R1"), headers=board).status_code == 428
    replaced = client.put(url, json=factories.action_plan("R1"), headers={**board, "If-Match": '"1"'})
    assert replaced.status_code == 200 and replaced.headers["etag"] == '"2"'
    read = client.get(url, headers=board)
    assert [a["recommendation_ref"] for a in read.json()["actions"]] == ["R1"]
    assert read.headers["etag"] == '"2"'


def test_a_review_without_a_plan_says_so(client, board):
    review = flows.create(client, board)
    response = client.get(f"{API}/reviews/{review['id']}/action-plan", headers=board)
    assert response.status_code == 404
    assert "no action plan" in response.json()["detail"]


def test_overdue_is_derived_from_the_target_date_and_status(client, board, clock):
    review = flows.review_in(client, board, "submitted")
    url = f"{API}/reviews/{review['id']}/action-plan"
    plan = client.get(url, headers=board).json()
    assert [a["overdue"] for a in plan["actions"]] == [False, False]  # due 2027-03-31, now 2026-06-01

    clock.advance(days=400)  # 2027-07-06
    plan = client.get(url, headers=board).json()
    assert [a["overdue"] for a in plan["actions"]] == [True, True]

    first = plan["actions"][0]
    done = client.patch(
        f"{url}/actions/{first['id']}",
        json={
            "status": "completed",
            "progress_note": {"note": "Shared chronology in use in all three areas.", "evidence": "Audit report 2027/14"},
        },
        headers={**board, "If-Match": f'"{first["version"]}"'},
    )
    assert done.status_code == 200, done.text
    assert done.json()["overdue"] is False
    assert [a["overdue"] for a in client.get(url, headers=board).json()["actions"]] == [False, True]


def test_progress_notes_are_kept_as_a_dated_list(client, board, clock):
    review = flows.review_in(client, board, "published")
    url = f"{API}/reviews/{review['id']}/action-plan"
    action = client.get(url, headers=board).json()["actions"][0]
    action_url = f"{url}/actions/{action['id']}"

    first = client.patch(
        action_url,
        json={"status": "in_progress", "progress_note": {"note": "Training booked."}},
        headers={**board, "If-Match": '"1"'},
    )
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    clock.advance(days=30)
    second = client.patch(
        action_url, json={"progress_note": {"note": "Half the teams trained."}}, headers={**board, "If-Match": '"2"'}
    )
    notes = second.json()["progress_notes"]
    assert [(n["note"], n["status"], n["recorded_by"]) for n in notes] == [
        ("Training booked.", "in_progress", "board-gwent"),
        ("Half the teams trained.", "in_progress", "board-gwent"),
    ]
    assert notes[0]["recorded_at"] < notes[1]["recorded_at"]


def test_each_action_carries_the_etag_that_patches_it(client, board):
    review = flows.review_in(client, board, "submitted")
    url = f"{API}/reviews/{review['id']}/action-plan"
    action = client.get(url, headers=board).json()["actions"][0]
    assert action["etag"] == f'"{action["version"]}"'
    changed = client.patch(
        f"{url}/actions/{action['id']}", json={"status": "in_progress"}, headers={**board, "If-Match": action["etag"]}
    )
    assert changed.status_code == 200 and changed.json()["etag"] == changed.headers["etag"] != action["etag"]


def test_two_people_can_update_different_actions_but_not_the_same_one_blindly(client, board):
    review = flows.review_in(client, board, "submitted")
    url = f"{API}/reviews/{review['id']}/action-plan"
    one, two = client.get(url, headers=board).json()["actions"]
    assert (
        client.patch(
            f"{url}/actions/{one['id']}", json={"status": "in_progress"}, headers={**board, "If-Match": '"1"'}
        ).status_code
        == 200
    )
    assert (
        client.patch(
            f"{url}/actions/{two['id']}", json={"status": "in_progress"}, headers={**board, "If-Match": '"1"'}
        ).status_code
        == 200
    )
    stale = client.patch(f"{url}/actions/{one['id']}", json={"status": "completed"}, headers={**board, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert client.get(url, headers=board).json()["actions"][0]["status"] == "in_progress"


def test_the_plan_of_a_submitted_review_is_not_replaced(client, board):
    review = flows.review_in(client, board, "submitted")
    response = client.put(
        f"{API}/reviews/{review['id']}/action-plan", json=factories.action_plan("R1", "R2"), headers={**board, "If-Match": '"1"'}
    )
    assert response.status_code == 409
    assert len(client.get(f"{API}/reviews/{review['id']}/action-plan", headers=board).json()["actions"]) == 2


def test_actions_must_answer_the_reviews_recommendations(client, board):
    review = flows.create(client, board)
    response = client.put(f"{API}/reviews/{review['id']}/action-plan", json=factories.action_plan("R1", "R9"), headers=board)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["actions.1.recommendation_ref"]
    assert client.get(f"{API}/reviews/{review['id']}/action-plan", headers=board).status_code == 404


def test_an_unknown_lead_agency_is_named(client, board):
    review = flows.create(client, board)
    response = client.put(
        f"{API}/reviews/{review['id']}/action-plan", json=factories.action_plan("R1", lead_agency="ministry"), headers=board
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["actions.0.lead_agency"]


def test_an_action_of_another_review_is_not_found(client, board):
    first = flows.review_in(client, board, "submitted")
    second = flows.review_in(client, board, "submitted", reference="GWSB 9/2023")
    action = client.get(f"{API}/reviews/{first['id']}/action-plan", headers=board).json()["actions"][0]
    response = client.patch(
        f"{API}/reviews/{second['id']}/action-plan/actions/{action['id']}",
        json={"status": "completed"},
        headers={**board, "If-Match": '"1"'},
    )
    assert response.status_code == 404
