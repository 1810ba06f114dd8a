"""History grows with each change, not with what came before; its readers get it a page at a time."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from sqlalchemy import text

from app.action_plans.schemas import MAX_PROGRESS_NOTES
from tests import flows
from tests.flows import API


@pytest.fixture
def board(token_for):
    return token_for("board", "gwent", subject="gwent-officer")


def _first_action(client, board) -> tuple[dict[str, Any], str]:
    review = flows.review_in(client, board, "submitted")
    url = f"{API}/reviews/{review['id']}"
    action = client.get(f"{url}/action-plan", headers=board).json()["actions"][0]
    return review, f"{url}/action-plan/actions/{action['id']}"


def _history_bytes(session, review_id: str) -> int:
    """What the review's history takes in the database: the JSON of every revision's values."""
    rows = session.execute(text("SELECT snapshot, changed_fields FROM revision WHERE review_id = :id"), {"id": review_id}).all()
    return sum(len(v if isinstance(v, str) else json.dumps(v)) for row in rows for v in row)


def test_history_grows_by_each_note_not_by_every_earlier_note(client, board, session):
    review, action_url = _first_action(client, board)
    sizes = [_history_bytes(session, review["id"])]
    sent = []
    for n in range(40):  # the probe's attack: 40 PATCHes of about 12 KB each
        note = {"note": f"Update {n:02}:" + " Agencies met and agreed the chronology." * 240, "evidence": "Minutes" * 280}
        response = client.patch(action_url, json={"progress_note": note}, headers={**board, "If-Match": f'"{n + 1}"'})
        assert response.status_code == 200, response.text
        sent.append(note)
        sizes.append(_history_bytes(session, review["id"]))

    note_bytes = len(json.dumps(sent[0]))
    growth = [after - before for before, after in itertools.pairwise(sizes)]
    # Each PATCH adds its own note and a few hundred bytes of who, when and status: the 40th no more
    # than the first (a full copy of the action would add every earlier note again, 40 times 12 KB).
    assert all(note_bytes <= grew <= note_bytes + 1_000 for grew in growth), growth
    assert sizes[-1] - sizes[0] <= 40 * (note_bytes + 1_000)

    page = client.get(f"{API}/reviews/{review['id']}/revisions", params={"limit": 100}, headers=board).json()
    progress = [r for r in page["items"] if r["change"] == "progress"]
    # Each revision still says what its change did: the note it added, by whom, and the status left.
    assert [
        {"note": r["snapshot"]["progress_note"]["note"], "evidence": r["snapshot"]["progress_note"]["evidence"]} for r in progress
    ] == sent
    assert all(r["changed_fields"] == ["progress_note"] and r["changed_by"] == "gwent-officer" for r in progress)
    assert all(r["snapshot"]["progress_note"]["status"] == "not_started" for r in progress)
    assert len(client.get(action_url.rsplit("/actions/", 1)[0], headers=board).json()["actions"][0]["progress_notes"]) == 40


def test_a_status_change_shows_its_new_value_and_its_entry(client, board):
    review, action_url = _first_action(client, board)
    patch = {"status": "in_progress", "progress_note": {"note": "Training booked."}}
    assert client.patch(action_url, json=patch, headers={**board, "If-Match": '"1"'}).status_code == 200

    last = client.get(f"{API}/reviews/{review['id']}/revisions", params={"limit": 100}, headers=board).json()["items"][-1]
    assert (last["entity"], last["change"], last["version"]) == ("action", "progress", 2)
    assert last["changed_fields"] == ["progress_note", "status"]
    assert last["snapshot"]["status"] == "in_progress"
    assert last["snapshot"]["progress_note"]["note"] == "Training booked."
    assert "description" not in last["snapshot"]  # unchanged, so not repeated


def test_an_action_keeps_at_most_the_documented_number_of_notes(client, board, session):
    review, action_url = _first_action(client, board)
    action_id = action_url.rsplit("/", 1)[1]
    # The action has all but one of its entries already (written directly: 199 PATCHes add nothing to this test).
    earlier = [
        {
            "recorded_at": "2026-06-01T09:00:00+00:00",
            "recorded_by": "gwent-officer",
            "note": f"Update {n}",
            "evidence": None,
            "status": "in_progress",
        }
        for n in range(MAX_PROGRESS_NOTES - 1)
    ]
    session.execute(
        text("UPDATE action SET progress_notes = :notes, status = 'in_progress' WHERE id = :id"),
        {"notes": json.dumps(earlier), "id": action_id},
    )
    session.commit()

    last = client.patch(action_url, json={"progress_note": {"note": "The last one."}}, headers={**board, "If-Match": '"1"'})
    assert last.status_code == 200, last.text
    assert len(last.json()["progress_notes"]) == MAX_PROGRESS_NOTES

    before = client.get(f"{API}/reviews/{review['id']}/action-plan", headers=board).json()
    revisions_before = client.get(f"{API}/reviews/{review['id']}/revisions", params={"limit": 100}, headers=board).json()
    for patch in ({"progress_note": {"note": "One too many."}}, {"status": "completed"}):
        refused = client.patch(action_url, json=patch, headers={**board, "If-Match": '"2"'})
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        problem = refused.json()
        assert [(e["code"], e["field"]) for e in problem["errors"]] == [("too-many-progress-notes", "progress_note")]
        assert str(MAX_PROGRESS_NOTES) in problem["detail"]
    assert client.get(f"{API}/reviews/{review['id']}/action-plan", headers=board).json() == before
    assert client.get(f"{API}/reviews/{review['id']}/revisions", params={"limit": 100}, headers=board).json() == revisions_before


def test_revisions_page_with_a_cursor_and_a_limit(client, board):
    review, action_url = _first_action(client, board)  # create, plan, submit: 3 revisions
    for n in range(4):
        patch = {"progress_note": {"note": f"Update {n}."}}
        assert client.patch(action_url, json=patch, headers={**board, "If-Match": f'"{n + 1}"'}).status_code == 200
    url = f"{API}/reviews/{review['id']}/revisions"
    everything = client.get(url, params={"limit": 100}, headers=board).json()
    assert len(everything["items"]) == 7 and everything["next_cursor"] is None

    pages, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get(url, params=params, headers=board).json()
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [r for p in pages for r in p] == everything["items"]  # oldest first, each once
    assert len(client.get(url, headers=board).json()["items"]) == 7  # 20 by default


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": "eyJiZWZvcmUiOjJ9"},  # an audit cursor: {"before": 2}
        {"cursor": "eyJhZnRlciI6InRocmVlIn0"},  # {"after": "three"}
        {"cursor": "eyJhZnRlciI6dHJ1ZX0"},  # {"after": true}
        {"cursor": "eyJhZnRlciI6MTAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMH0"},  # {"after": 10**30}: no row id is that big
        {"limit": 0},
        {"limit": 101},
    ],
)
def test_a_bad_cursor_or_limit_is_a_422_problem(client, board, params):
    review = flows.create(client, board)
    response = client.get(f"{API}/reviews/{review['id']}/revisions", params=params, headers=board)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [next(iter(params))]
