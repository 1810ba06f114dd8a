"""Corrections after submission (issue 13, ADR 0033): a submitted or published review is corrected
with a reason, never silently changed; a replaced document stays downloadable; an action's slipping
target date shows; a withdrawn review keeps its reference; a review is published with its report."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests import factories, flows, pdfs
from tests.flows import API

REASON = "The panel's summary named the wrong agency; corrected from the signed report."
CORRECTED_SUMMARY = "Health visitors and the school nursing service did not share a chronology."


def _url(review: dict[str, Any], tail: str = "") -> str:
    return f"{API}/reviews/{review['id']}{tail}"


def _correct(client: TestClient, headers: dict[str, str], review: dict[str, Any], changes: dict[str, Any], **kw: Any) -> Any:
    version = kw.pop("version", review["version"])
    body = kw.pop("body", {"reason": REASON, "changes": changes})
    return client.post(_url(review, "/corrections"), json=body, headers={**headers, "If-Match": f'"{version}"'}, **kw)


def _current(client: TestClient, review: dict[str, Any], admin: dict[str, str]) -> dict[str, Any]:
    response = client.get(_url(review), headers=admin)
    assert response.status_code == 200, response.text
    return response.json()


def _corrections(client: TestClient, review: dict[str, Any], headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get(_url(review, "/corrections"), headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _search_ids(client: TestClient, q: str, headers: dict[str, str]) -> list[str]:
    response = client.get(f"{API}/search", params={"q": q}, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def board(token_for):
    return token_for("board", "gwent")


@pytest.fixture
def admin(token_for):
    return token_for("admin")


@pytest.fixture
def published(client, board):
    return flows.review_in(client, board, "published")


# --- correcting a review ---------------------------------------------------------------------------


def test_a_board_corrects_its_published_review_and_every_reader_sees_when_and_why(client, board, published, token_for, clock):
    before = _current(client, published, token_for("admin"))
    assert before["corrected_at"] is None
    clock.advance(days=3)

    response = _correct(client, board, before, {"summary": CORRECTED_SUMMARY})

    assert response.status_code == 200, response.text
    corrected = response.json()
    assert corrected["summary"] == CORRECTED_SUMMARY and corrected["status"] == "published"
    assert corrected["version"] == before["version"] + 1 and response.headers["ETag"] == f'"{corrected["version"]}"'
    assert corrected["corrected_at"] == clock.now().isoformat().replace("+00:00", "Z")
    assert corrected["published_on"] == before["published_on"]  # a correction does not reopen the window
    # Anyone who may read it sees the correction, without its author.
    public = _corrections(client, published, {})
    assert public == [
        {
            "corrected_at": corrected["corrected_at"],
            "reason": REASON,
            "entity": "review",
            "entity_id": published["id"],
            "changed_fields": ["summary"],
            "corrected_by": None,
        }
    ]
    assert client.get(_url(published), headers={}).json()["corrected_at"] == corrected["corrected_at"]
    # Those entitled to the history see who, and the revision carries the reason.
    assert [c["corrected_by"] for c in _corrections(client, published, token_for("inspectorate"))] == ["board-gwent"]
    revisions = client.get(_url(published, "/revisions"), headers=board).json()["items"]
    last = revisions[-1]
    assert (last["change"], last["reason"], last["changed_by"], last["snapshot"]) == (
        "correct",
        REASON,
        "board-gwent",
        {"summary": CORRECTED_SUMMARY},
    )
    assert all(r["reason"] is None for r in revisions[:-1])
    assert [e["action"] for e in client.get(f"{API}/audit", headers=token_for("admin")).json()["items"]].count(
        "review:correct"
    ) == 1


def test_the_corrected_text_is_what_search_finds(client, board, published, token_for):
    reader = token_for("practitioner")
    assert _search_ids(client, "nursing", reader) == []
    original_word = published["summary"].split()[0].lower()
    assert published["id"] in _search_ids(client, original_word, reader)

    response = _correct(client, board, published, {"summary": CORRECTED_SUMMARY, "title": "Child A (corrected)"})
    assert response.status_code == 200, response.text

    assert _search_ids(client, "nursing", reader) == [published["id"]]
    assert _search_ids(client, "corrected", reader) == [published["id"]]


def test_the_corrected_text_reaches_opensearch_through_the_outbox(app_over, token_for, opensearch_backend):
    client = TestClient(app_over(search=opensearch_backend))
    board = token_for("board", "gwent")
    review = flows.review_in(client, board, "published")
    reader = token_for("practitioner")
    assert _search_ids(client, "nursing", reader) == []

    assert _correct(client, board, review, {"summary": CORRECTED_SUMMARY}).status_code == 200

    assert _search_ids(client, "nursing", reader) == [review["id"]]
    assert client.get("/readyz").json()["search_outbox"]["pending"] == 0


def test_a_submitted_review_is_corrected_too_and_the_body_may_say_merge_patch(client, board):
    review = flows.review_in(client, board, "submitted")
    response = client.post(
        _url(review, "/corrections"),
        content=b'{"reason": "Wrong reference typed.", "changes": {"reference": "GWENT CPR 9/2025"}}',
        headers={**board, "If-Match": f'"{review["version"]}"', "Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.text
    assert (response.json()["reference"], response.json()["status"]) == ("GWENT CPR 9/2025", "submitted")


def test_null_in_the_merge_patch_clears_an_optional_field(client, board, published, admin):
    response = _correct(client, board, published, {"context_factors": None, "age_band": "1-5"})
    assert response.status_code == 200, response.text
    assert response.json()["context_factors"] == [] and response.json()["age_band"] == "1-5"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"changes": {"title": "Child A"}}, "reason"),
        ({"reason": "", "changes": {"title": "Child A"}}, "reason"),
        ({"reason": "ok\x00", "changes": {"title": "Child A"}}, "reason"),
        ({"reason": REASON}, "changes"),
        ({"reason": REASON, "changes": {"kind": "susr"}}, "changes"),
        ({"reason": REASON, "changes": {"status": "draft"}}, "changes"),
        ({"reason": REASON, "changes": {"wrong": 1}}, "changes.wrong"),
        ({"reason": REASON, "changes": {"title": None}}, "changes.title"),
        ({"reason": REASON, "changes": {"completed_on": "2999-01-01"}}, "changes.completed_on"),
        ({"reason": REASON, "changes": "title"}, "changes"),
        ({"reason": REASON, "changes": {"region": None}}, "changes.region"),
        ({"reason": REASON, "changes": {}}, "changes"),
        ({"reason": REASON, "changes": {"themes": ["no-such-theme"]}}, "changes.themes.0"),
    ],
)
def test_a_bad_correction_is_a_clear_422_and_changes_nothing(client, board, published, admin, body, field):
    before = _current(client, published, admin)
    response = _correct(client, board, published, {}, body=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("/validation-error") and response.headers["content-type"] == "application/problem+json"
    assert field in [item["field"] for item in problem["errors"]], problem
    assert _current(client, published, admin) == before
    assert _corrections(client, published, admin) == []


def test_kind_and_status_are_refused_with_what_to_do_instead(client, board, published):
    for changes, says in (({"kind": "susr"}, "withdraw it"), ({"status": "draft"}, "lifecycle")):
        problem = _correct(client, board, published, changes).json()
        assert says in problem["errors"][0]["detail"], problem


def test_a_correction_that_would_break_a_submission_rule_is_refused_in_that_shape(client, board, published, admin):
    before = _current(client, published, admin)
    response = _correct(client, board, published, {"reviewers": [], "summary": None})
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/submission-rejected")
    assert {(item["code"], item["field"]) for item in problem["errors"]} == {
        ("reviewer-count", "reviewers"),
        ("missing-field", "summary"),
    }
    assert _current(client, published, admin) == before


def test_a_correction_keeps_every_recommendation_an_action_answers(client, board, published, admin):
    before = _current(client, published, admin)
    kept = [r for r in before["recommendations"] if r["ref"] == "R1"]
    response = _correct(client, board, published, {"recommendations": kept})
    assert response.status_code == 422
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [("unknown-recommendation", "changes.recommendations")]
    assert _current(client, published, admin) == before
    reworded = [{**r, "text": r["text"] + " (reworded)"} for r in before["recommendations"]]
    assert _correct(client, board, published, {"recommendations": reworded}).status_code == 200


def test_a_correction_needs_a_current_if_match(client, board, published, admin):
    before = _current(client, published, admin)
    missing = client.post(_url(published, "/corrections"), json={"reason": REASON, "changes": {"title": "X"}}, headers=board)
    assert missing.status_code == 428
    stale = _correct(client, board, published, {"title": "Child A (corrected)"}, version=before["version"] - 1)
    assert stale.status_code == 412
    assert _current(client, published, admin) == before


def test_drafts_are_edited_and_withdrawn_reviews_are_not_corrected(client, board, admin):
    draft = flows.review_in(client, board, "draft")
    refused = _correct(client, board, draft, {"title": "Child A (corrected)"})
    assert refused.status_code == 409 and "PATCH" in refused.json()["detail"]
    withdrawn = flows.review_in(client, board, "published", reference="GWENT CPR 2/2025")
    withdrawn = client.post(_url(withdrawn, "/withdraw"), json={"reason": "Identifying detail."}, headers=admin).json()
    assert _correct(client, admin, withdrawn, {"title": "Child A (corrected)"}).status_code == 409


def test_only_an_admin_moves_a_review_to_another_region(client, board, published, admin, token_for):
    before = _current(client, published, admin)
    refused = _correct(client, board, published, {"region": "north-wales"})
    assert refused.status_code == 403
    assert _current(client, published, admin) == before
    assert _correct(client, admin, published, {"region": "no-such-region"}).status_code == 422

    moved = _correct(client, admin, published, {"region": "north-wales"})

    assert moved.status_code == 200, moved.text
    assert moved.json()["region"] == "north-wales"
    assert [c["changed_fields"] for c in _corrections(client, published, admin)] == [["region"]]
    # Now the North Wales board's to correct, no longer Gwent's.
    north = token_for("board", "north-wales")
    again = _correct(client, north, moved.json(), {"title": "Child A (North Wales)"})
    assert again.status_code == 200, again.text
    assert _correct(client, board, again.json(), {"title": "Child A (Gwent)"}).status_code == 403


def test_a_correction_keeps_references_unique_in_the_region(client, board, published, admin):
    other = flows.review_in(client, board, "submitted", reference="GWENT CPR 7/2025")
    before = _current(client, other, admin)
    response = _correct(client, board, other, {"reference": published["reference"]})
    assert response.status_code == 409 and published["reference"] in response.json()["detail"]
    assert _current(client, other, admin) == before


def test_a_withdrawn_reviews_reference_stays_reserved_and_the_409_says_so(client, board, admin):
    review = flows.review_in(client, board, "published")
    assert client.post(_url(review, "/withdraw"), json={"reason": "Identifying detail."}, headers=admin).status_code == 200

    again = client.post(f"{API}/reviews", json=factories.review(), headers=board)

    assert again.status_code == 409
    assert "withdrawn" in again.json()["detail"] and "keeps its reference" in again.json()["detail"]
    live = client.post(f"{API}/reviews", json=factories.review(reference="GWENT CPR 8/2025"), headers=board)
    assert live.status_code == 201
    clash = client.post(f"{API}/reviews", json=factories.review(reference="GWENT CPR 8/2025"), headers=board)
    assert clash.status_code == 409 and "withdrawn" not in clash.json()["detail"]


# --- documents -------------------------------------------------------------------------------------


def _put(client: TestClient, headers: dict[str, str], review: dict[str, Any], kind: str, content: bytes, **data: Any) -> Any:
    return client.put(
        _url(review, f"/documents/{kind}"),
        files={"file": (f"{kind}.pdf", content, "application/pdf")},
        data=data,
        headers=headers,
    )


def _documents(client: TestClient, review: dict[str, Any], headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {d["kind"]: d for d in client.get(_url(review, "/documents"), headers=headers).json()}


def test_replacing_a_published_reviews_report_is_a_correction_and_the_old_file_stays(client, board, published, token_for):
    first = _documents(client, published, board)["report"]
    etag = {"If-Match": f'"{first["version"]}"'}
    replacement = pdfs.report("Child A: the report as the panel signed it, with the names removed.")

    without = _put(client, {**board, **etag}, published, "report", replacement)
    assert without.status_code == 422 and without.json()["errors"][0]["code"] == "reason-required"
    assert _documents(client, published, board)["report"] == first

    response = _put(client, {**board, **etag}, published, "report", replacement, reason="The first upload was a draft.")

    assert response.status_code == 200, response.text
    assert response.json()["sha256"] == hashlib.sha256(replacement).hexdigest() != first["sha256"]
    current = client.get(_url(published, "/documents/report"), headers={})
    assert current.content == replacement
    assert (
        "removed" in client.get(_url(published), params={"include": "full_text"}, headers={}).json()["full_text"]
    )  # the new text, searchable
    # The correction is listed for every reader; the superseded file is there for those entitled to revisions.
    listed = _corrections(client, published, {})
    assert [(c["entity"], c["entity_id"], c["reason"]) for c in listed] == [
        ("document", "report", "The first upload was a draft.")
    ]
    revisions = [r for r in client.get(_url(published, "/revisions"), headers=board).json()["items"] if r["entity"] == "document"]
    assert [(r["change"], r["version"], r["snapshot"]["sha256"]) for r in revisions] == [
        ("upload", 1, first["sha256"]),
        ("correct", first["version"] + 1, response.json()["sha256"]),
    ]
    old_url = _url(published, "/documents/report/versions/1")
    for headers in (board, token_for("inspectorate"), token_for("admin")):
        old = client.get(old_url, headers=headers)
        assert old.status_code == 200, old.text
        assert hashlib.sha256(old.content).hexdigest() == first["sha256"] == old.headers["X-Content-SHA256"]
    assert client.get(old_url, headers={}).status_code == 401
    assert client.get(old_url, headers=token_for("practitioner")).status_code == 403
    assert client.get(old_url, headers=token_for("board", "north-wales")).status_code == 403
    assert client.get(_url(published, "/documents/report/versions/99"), headers=board).status_code == 404
    assert client.get(_url(published, "/documents/timeline/versions/1"), headers=board).status_code == 404


def test_a_missing_document_is_added_to_a_published_review_without_a_reason(client, board, published):
    response = _put(client, board, published, "timeline", pdfs.report("Timeline of agency contacts."))
    assert response.status_code == 201, response.text
    assert "timeline" in _documents(client, published, {})
    assert "no-timeline" not in [w["code"] for w in client.get(_url(published), headers=board).json()["warnings"]]
    assert _corrections(client, published, board) == []


def test_a_withdrawn_reviews_documents_are_not_changed(client, board, published, admin):
    client.post(_url(published, "/withdraw"), json={"reason": "Identifying detail."}, headers=admin)
    response = _put(client, admin, published, "timeline", pdfs.report("Timeline."))
    assert response.status_code == 409
    assert "timeline" not in _documents(client, published, admin)


# --- publication needs the report ------------------------------------------------------------------


def test_publishing_without_the_report_is_refused_like_a_submission_rule(client, board, admin):
    review = flows.review_in(client, board, "submitted")
    response = client.post(_url(review, "/publish"), headers=board)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/submission-rejected")
    assert [(e["code"], e["field"]) for e in problem["errors"]] == [("report-required", "documents.report")]
    assert _current(client, review, admin)["status"] == "submitted"

    flows.upload_report(client, board, review)
    assert client.post(_url(review, "/publish"), headers=board).json()["status"] == "published"


# --- actions ---------------------------------------------------------------------------------------


def _action(client: TestClient, review: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    action: dict[str, Any] = client.get(_url(review, "/action-plan"), headers=headers).json()["actions"][0]
    return action


def _patch_action(client: TestClient, headers: dict[str, str], review: dict[str, Any], action: dict[str, Any], body: Any) -> Any:
    return client.patch(
        _url(review, f"/action-plan/actions/{action['id']}"), json=body, headers={**headers, "If-Match": action["etag"]}
    )


def test_a_slipping_target_date_is_kept_with_its_reason(client, board, published, token_for):
    action = _action(client, published, board)
    reason = "The agency's restructure delayed the audit by six months."

    response = _patch_action(client, board, published, action, {"target_date": "2027-09-30", "reason": reason})

    assert response.status_code == 200, response.text
    revised = response.json()
    assert revised["target_date"] == "2027-09-30"
    entry = revised["progress_notes"][-1]
    assert (entry["revised"], entry["reason"]) == ({"target_date": action["target_date"]}, reason)
    assert _action(client, published, {})["progress_notes"][-1]["revised"] == {"target_date": "2027-03-31"}
    assert [(c["entity"], c["entity_id"], c["changed_fields"]) for c in _corrections(client, published, {})] == [
        ("action", action["id"], ["progress_note", "target_date"])
    ]
    last = client.get(_url(published, "/revisions"), headers=token_for("inspectorate")).json()["items"][-1]
    assert (last["entity"], last["change"], last["reason"]) == ("action", "revise", reason)


def test_a_revised_description_is_kept_with_the_old_one(client, board, published):
    action = _action(client, published, board)
    body = {"description": "Deliver a shared chronology template.", "reason": "The panel narrowed the action."}
    response = _patch_action(client, board, published, action, body)
    assert response.status_code == 200, response.text
    assert response.json()["description"] == body["description"]
    assert response.json()["progress_notes"][-1]["revised"] == {"description": action["description"]}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"target_date": "2027-09-30"}, "reason-required"),
        ({"description": "Something else."}, "reason-required"),
        ({"status": "in_progress", "reason": "Because."}, "nothing-revised"),
        ({"target_date": "2027-03-31", "reason": "Same date as before."}, "nothing-revised"),
    ],
)
def test_a_revision_needs_a_reason_and_a_reason_a_revision(client, board, published, body, code):
    action = _action(client, published, board)
    response = _patch_action(client, board, published, action, body)
    assert response.status_code == 422
    assert [e["code"] for e in response.json()["errors"]] == [code]
    assert _action(client, published, board) == action


@pytest.mark.parametrize("target_date", ["1800-01-01", "31/03/2027", 20270331, None])
def test_a_bad_revised_target_date_is_a_422(client, board, published, target_date):
    action = _action(client, published, board)
    body = {"target_date": target_date, "reason": "Plans slip."}
    response = _patch_action(client, board, published, action, body)
    assert response.status_code == 422
    assert _action(client, published, board) == action
