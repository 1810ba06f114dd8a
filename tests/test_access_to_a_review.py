"""Who reaches one review: the access tables' rows about a review (tests/access.py), each asked of
a Gwent review in each state, made once for the module (tests/conftest.py Seeded)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from tests import factories, flows, pdfs
from tests.access import (
    CALLERS,
    CODINGS,
    READS,
    STATES,
    WRITES,
    assert_hidden_like_a_missing_review,
    assert_problem,
    headers_of,
    read_cases,
    revision_read_cases,
    state_cases,
    subject_of,
)
from tests.conftest import seed_fixture
from tests.flows import API
from tests.rows import every_row_but_the_audit

pytestmark = pytest.mark.seeded("reviews")  # every test here runs in a savepoint of `reviews`


@dataclass(frozen=True)
class AdminView:
    """Everything an admin sees of a review and its plan: equal before and after means nothing changed."""

    review: dict[str, Any]
    review_etag: str
    plan: dict[str, Any]
    plan_etag: str
    documents: list[dict[str, Any]]
    corrections: list[dict[str, Any]]


def admin_view(client: Any, token_for: Any, review_id: str) -> AdminView:
    admin = token_for("admin")
    review = client.get(f"{API}/reviews/{review_id}", headers=admin)
    plan = client.get(f"{API}/reviews/{review_id}/action-plan", headers=admin)
    documents = client.get(f"{API}/reviews/{review_id}/documents", headers=admin)
    corrections = client.get(f"{API}/reviews/{review_id}/corrections", headers=admin)
    assert all(r.status_code == 200 for r in (review, plan, documents, corrections)), (review.text, plan.text)
    return AdminView(
        review.json(),
        review.headers["ETag"],
        plan.json(),
        plan.headers["ETag"],
        documents.json(),
        corrections.json()["items"],
    )


# --- the reviews every test of one review is asked about, made once (tests/conftest.py Seeded) ---

FIRST_REPORT = "Child A: the report as first uploaded."
SIGNED_REPORT = "Child A: the report as signed."


@dataclass(frozen=True)
class ReviewInState:
    """A Gwent review in one of STATES, as an admin sees it, and the checksums of its report's two
    versions (the first, replaced by the signed one)."""

    view: AdminView
    first_report: str
    signed_report: str

    @property
    def review(self) -> dict[str, Any]:
        return self.view.review


def _gwent_review_in(client: Any, token_for: Any, state: str, n: int) -> tuple[str, str]:
    """A Gwent review with a report uploaded and then replaced, and an action plan, taken as far as
    `state` by its own board; its id and its first report's checksum."""
    board = token_for("board", "gwent")
    review = flows.create(client, board, reference=f"GWSB CPR {n}/2026")
    first = flows.upload_report(client, board, review, FIRST_REPORT)
    current = client.get(f"{API}/reviews/{review['id']}/documents", headers=board).json()[0]  # its text read since
    replaced = client.put(
        f"{API}/reviews/{review['id']}/documents/report",
        files={"file": ("report.pdf", pdfs.report(SIGNED_REPORT), "application/pdf")},
        headers={**board, "If-Match": f'"{current["version"]}"'},
    )
    assert replaced.status_code == 200, replaced.text
    flows.put_plan(client, board, review)
    if state != "draft":
        review = flows.submit(client, board, review)
    if state in ("published", "expired"):
        response = client.post(f"{API}/reviews/{review['id']}/publish", headers=board)
        assert response.status_code == 200, response.text
    return str(review["id"]), str(first["sha256"])


def _one_review_in_each_state(client: Any, token_for: Any, clock: Any) -> dict[str, ReviewInState]:
    """A review in each of STATES: the expired one is published first and the clock then moved on
    85 days, one past its public window; the others are made after that, so the tests run when
    each is in its state."""
    made = {"expired": _gwent_review_in(client, token_for, "expired", 1)}
    clock.advance(days=85)
    made |= {state: _gwent_review_in(client, token_for, state, n) for n, state in enumerate(STATES[:3], start=2)}
    in_state = {}
    for state, (review_id, first_report) in made.items():
        view = admin_view(client, token_for, review_id)
        report = next(d for d in view.documents if d["kind"] == "report")
        in_state[state] = ReviewInState(view, first_report=first_report, signed_report=report["sha256"])
    assert clock.today() > date.fromisoformat(in_state["expired"].review["public_until"])
    assert clock.today() <= date.fromisoformat(in_state["published"].review["public_until"])
    return in_state


reviews = seed_fixture("reviews", _one_review_in_each_state)


# --- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("endpoint", "state", "caller", "sees"), read_cases())
def test_read(client, token_for, reviews, endpoint, state, caller, sees):
    review = reviews.made[state].review
    headers = headers_of(token_for, caller)
    url = {
        "get": f"{API}/reviews/{review['id']}",
        "get_plan": f"{API}/reviews/{review['id']}/action-plan",
        "list": f"{API}/reviews",
        "corrections": f"{API}/reviews/{review['id']}/corrections",
    }[endpoint]
    response = client.get(url, headers=headers)

    if endpoint == "list":
        assert response.status_code == 200, response.text
        ids = [item["id"] for item in response.json()["items"]]
        assert len(ids) == len(set(ids))
        column = list(CALLERS).index(caller)  # the other seeded reviews are listed by their own rows
        assert set(ids) == {r.review["id"] for st, r in reviews.made.items() if READS[st][column]}
        if not sees:
            assert review["reference"] not in response.text
    elif sees:
        assert response.status_code == 200, response.text
        if endpoint == "get":
            assert response.json()["id"] == review["id"] and response.json()["title"] == review["title"]
            assert response.headers["ETag"] == f'"{review["version"]}"'
        elif endpoint == "corrections":
            assert response.json() == {"items": [], "next_cursor": None}
        else:
            assert {a["recommendation_ref"] for a in response.json()["actions"]} == {"R1", "R2"}
    else:
        assert_hidden_like_a_missing_review(client, response, "GET", url, review, headers=headers)


# --- writing to an existing review -----------------------------------------------------------------

NEW_TITLE = "Child A (amended after panel)"
REASON = "The title named the wrong child; corrected from the signed report."
SLIPPED = "2027-09-30"
TIMELINE = pdfs.report("Timeline of agency contacts with Child A.")
REVISED = "Revised: agree a shared chronology template across agencies and audit it quarterly."
REDACTED = "Chronologies"  # a word of the review's summary
PROGRESS = "Shared chronology template agreed by all agencies; first audit booked."


def write_request(endpoint: str, before: AdminView) -> tuple[str, str, dict[str, Any]]:
    """The method, URL and httpx arguments of a well-formed write, with the If-Match a careful client sends."""
    review_url = f"{API}/reviews/{before.review['id']}"
    review_match = {"If-Match": before.review_etag}
    if endpoint == "edit":
        return "PATCH", review_url, {"json": {"title": NEW_TITLE}, "headers": review_match}
    if endpoint == "replace_plan":
        plan = factories.action_plan("R1", "R2")
        for action in plan["actions"]:
            action["description"] = REVISED
        return "PUT", f"{review_url}/action-plan", {"json": plan, "headers": {"If-Match": before.plan_etag}}
    if endpoint == "record_progress":
        action = before.plan["actions"][0]
        return (
            "PATCH",
            f"{review_url}/action-plan/actions/{action['id']}",
            {
                "json": {"status": "in_progress", "progress_note": {"note": PROGRESS}},
                "headers": {"If-Match": f'"{action["version"]}"'},
            },
        )
    if endpoint in ("submit", "publish"):
        return "POST", f"{review_url}/{endpoint}", {"headers": review_match}
    if endpoint == "correct":
        body = {"reason": REASON, "changes": {"title": NEW_TITLE}}
        return "POST", f"{review_url}/corrections", {"json": body, "headers": review_match}
    if endpoint == "revise_action":
        action = before.plan["actions"][0]
        return (
            "PATCH",
            f"{review_url}/action-plan/actions/{action['id']}",
            {"json": {"target_date": SLIPPED, "reason": REASON}, "headers": {"If-Match": action["etag"]}},
        )
    if endpoint == "redact":
        body = {"text": REDACTED, "reason": REASON}
        return "POST", f"{review_url}/redactions", {"json": body, "headers": review_match}
    if endpoint == "add_document":
        files = {"file": ("timeline.pdf", TIMELINE, "application/pdf")}
        return "PUT", f"{review_url}/documents/timeline", {"files": files, "headers": {}}
    raise AssertionError(endpoint)


def assert_write_took_effect(endpoint: str, caller: str, response: Any, before: AdminView, after: AdminView) -> None:
    if endpoint == "edit":
        assert response.json()["title"] == NEW_TITLE
        assert after.review["title"] == NEW_TITLE
        assert after.review["version"] == before.review["version"] + 1
        assert after.plan == before.plan
    elif endpoint == "replace_plan":
        assert after.plan["version"] == before.plan["version"] + 1
        assert [a["description"] for a in after.plan["actions"]] == [REVISED, REVISED]
        assert after.review == before.review
    elif endpoint == "record_progress":
        action = after.plan["actions"][0]
        assert response.json()["status"] == "in_progress" and action["status"] == "in_progress"
        assert [(n["note"], n["recorded_by"]) for n in action["progress_notes"]] == [(PROGRESS, subject_of(caller))]
        assert after.plan["actions"][1] == before.plan["actions"][1]
        assert after.review == before.review
    elif endpoint == "submit":
        assert response.json()["status"] == after.review["status"] == "submitted"
        assert after.review["submitted_at"]
    elif endpoint == "publish":
        assert response.json()["status"] == after.review["status"] == "published"
        assert after.review["published_on"] and after.review["public_until"]
    elif endpoint == "correct":
        assert response.json()["title"] == after.review["title"] == NEW_TITLE
        assert after.review["version"] == before.review["version"] + 1 and after.review["corrected_at"]
        assert [(c["reason"], c["corrected_by"]) for c in after.corrections] == [(REASON, subject_of(caller))]
        assert after.plan == before.plan and after.documents == before.documents
    elif endpoint == "revise_action":
        action = after.plan["actions"][0]
        assert response.json()["target_date"] == action["target_date"] == SLIPPED
        assert action["progress_notes"][-1]["revised"] == {"target_date": before.plan["actions"][0]["target_date"]}
        assert [(c["entity"], c["reason"]) for c in after.corrections] == [("action", REASON)]
        assert after.plan["actions"][1] == before.plan["actions"][1]
        assert after.review == {**before.review, "corrected_at": after.review["corrected_at"]}
    elif endpoint == "redact":
        assert response.json()["version"] == after.review["version"] == before.review["version"] + 1
        assert REDACTED in before.review["summary"] and REDACTED not in after.review["summary"]
        assert "[redacted]" in after.review["summary"]
        assert after.plan == before.plan and after.documents == before.documents
    elif endpoint == "add_document":
        assert response.json()["kind"] == "timeline" and response.json()["uploaded_by"] == subject_of(caller)
        assert [d["kind"] for d in after.documents] == sorted([*(d["kind"] for d in before.documents), "timeline"])
        assert after.corrections == before.corrections == []
    else:
        raise AssertionError(endpoint)


@pytest.mark.parametrize(("endpoint", "state", "caller", "expected"), state_cases(WRITES))
def test_write(client, token_for, connection, reviews, endpoint, state, caller, expected):
    before = reviews.made[state].view
    method, url, kw = write_request(endpoint, before)
    kw["headers"] = {**kw["headers"], **headers_of(token_for, caller)}
    rows = every_row_but_the_audit(connection)  # the caller's account made

    response = client.request(method, url, **kw)

    if expected in (200, 201):
        assert response.status_code == expected, response.text
        after = admin_view(client, token_for, before.review["id"])
        assert_write_took_effect(endpoint, caller, response, before, after)
        return
    if expected == 404:
        assert_hidden_like_a_missing_review(client, response, method, url, before.review, **kw)
    else:
        assert_problem(response, expected)
    # Refused: not one row changed (the review, its plan, their versions, anything else), but the audit trail's.
    assert every_row_but_the_audit(connection) == rows


# --- what only those entitled to the revisions read ----------------------------------------------


@pytest.mark.parametrize(("state", "caller", "expected"), revision_read_cases())
def test_document_version(client, token_for, reviews, state, caller, expected):
    """The file a document had at one of its versions, a replaced one too (ADR 0033)."""
    in_state = reviews.made[state]
    review = in_state.review
    url = f"{API}/reviews/{review['id']}/documents/report/versions/1"
    headers = headers_of(token_for, caller)

    response = client.get(url, headers=headers)

    if expected == 200:
        assert response.status_code == 200, response.text
        assert response.headers["X-Content-SHA256"] == in_state.first_report != in_state.signed_report
        assert response.headers["content-type"] == "application/pdf"
    elif expected == 404:
        assert_hidden_like_a_missing_review(client, response, "GET", url, review, headers=headers)
    else:
        assert_problem(response, expected)


@pytest.mark.parametrize(("endpoint", "state", "caller", "expected"), state_cases(CODINGS))
def test_coding(client, token_for, reviews, endpoint, state, caller, expected):
    review = reviews.made[state].review
    url = f"{API}/reviews/{review['id']}/codings"
    headers = headers_of(token_for, caller)
    body = {
        "theme": "tunnel-vision",
        "perspective": "legal",
        "quote": review["title"],
        "location": {"field": "title", "start": 0, "end": len(review["title"])},
    }
    response = client.post(url, json=body, headers=headers) if endpoint == "code" else client.get(url, headers=headers)
    if expected in (200, 201):
        assert response.status_code == expected, response.text
        if endpoint == "code":
            assert response.json()["coder"] == subject_of(caller)
        else:
            assert response.json()["items"] == []
        return
    if expected == 404:
        assert_hidden_like_a_missing_review(
            client,
            response,
            response.request.method,
            url,
            review,
            headers=headers,
            **({"json": body} if endpoint == "code" else {}),
        )
    else:
        assert_problem(response, expected)
    everyone = client.get(f"{url}?coder=all", headers=token_for("admin"))
    assert everyone.json()["items"] == []  # a refused coding left nothing behind
