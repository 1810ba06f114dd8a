"""Who reaches what: every caller x review state x endpoint, written down as tables.

The rules (docs/api.md "Roles", docs/design.md "Authorization is data"):
- a review the caller may not read answers 404, exactly as a review that does not exist (never 403);
- a caller who may read it but whose role or region may not change it gets 403;
- an anonymous caller who would have to sign in gets 401 with `WWW-Authenticate: Bearer`;
- a caller who is let in, but asks for a step the review's state does not allow, gets 409;
- every error is application/problem+json, and a refused write leaves the review exactly as it was.

Every review here belongs to the Gwent board and already has an action plan. "expired" is a
published review 85 days on: one day past its 84-day public window.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import feedparser
import pytest

from tests import archives, factories, flows, pdfs
from tests.conftest import ACCOUNT_PASSWORD
from tests.flows import API

# The columns of every table below, in this order.
CALLERS: dict[str, tuple[str, str | None] | None] = {
    "anonymous": None,  # no Authorization header at all
    "own_board": ("board", "gwent"),  # the board of the review's region
    "other_board": ("board", "north-wales"),
    "inspectorate": ("inspectorate", None),
    "practitioner": ("practitioner", None),
    "researcher": ("researcher", None),
    "admin": ("admin", None),
}
STATES = ("draft", "submitted", "published", "expired")

Y, N = True, False

# Who may read a review: GET it, GET its action plan, and find it in GET /reviews.
READS: dict[str, tuple[bool, ...]] = {
    #             anonymous  own_board  other_board  inspectorate  practitioner  researcher  admin
    "draft":     (N,         Y,         N,           N,            N,            N,          Y),
    "submitted": (N,         Y,         N,           Y,            N,            N,          Y),
    "published": (Y,         Y,         Y,           Y,            Y,            Y,          Y),
    "expired":   (N,         Y,         Y,           Y,            Y,            Y,          Y),
}  # fmt: skip

# Writes to an existing review, each sent with a correct If-Match.
#   200 done | 401 sign in first | 403 may read, may not write | 404 may not even read
#   409 let in, but not in this state (only a draft is edited or submitted, only a submitted review published)
WRITES: list[tuple[str, str, tuple[int, ...]]] = [
    # endpoint          state          anonymous  own_board  other_board  inspectorate  practitioner  researcher  admin
    ("edit",            "draft",      (404,       200,       404,         404,          404,          404,        200)),
    ("edit",            "submitted",  (404,       409,       404,         403,          404,          404,        409)),
    ("edit",            "published",  (401,       409,       403,         403,          403,          403,        409)),
    ("edit",            "expired",    (404,       409,       403,         403,          403,          403,        409)),
    ("replace_plan",    "draft",      (404,       200,       404,         404,          404,          404,        200)),
    ("replace_plan",    "submitted",  (404,       409,       404,         403,          404,          404,        409)),
    ("replace_plan",    "published",  (401,       409,       403,         403,          403,          403,        409)),
    ("replace_plan",    "expired",    (404,       409,       403,         403,          403,          403,        409)),
    ("record_progress", "draft",      (404,       200,       404,         404,          404,          404,        200)),
    ("record_progress", "submitted",  (404,       200,       404,         403,          404,          404,        200)),
    ("record_progress", "published",  (401,       200,       403,         403,          403,          403,        200)),
    ("record_progress", "expired",    (404,       200,       403,         403,          403,          403,        200)),
    ("submit",          "draft",      (404,       200,       404,         404,          404,          404,        200)),
    ("submit",          "submitted",  (404,       409,       404,         403,          404,          404,        409)),
    ("submit",          "published",  (401,       409,       403,         403,          403,          403,        409)),
    ("submit",          "expired",    (404,       409,       403,         403,          403,          403,        409)),
    ("publish",         "draft",      (404,       409,       404,         404,          404,          404,        409)),
    ("publish",         "submitted",  (404,       200,       404,         403,          404,          404,        200)),
    ("publish",         "published",  (401,       409,       403,         403,          403,          403,        409)),
    ("publish",         "expired",    (404,       409,       403,         403,          403,          403,        409)),
    # Corrections (ADR 0033): only once submitted; a draft is edited instead.
    ("correct",         "draft",      (404,       409,       404,         404,          404,          404,        409)),
    ("correct",         "submitted",  (404,       200,       404,         403,          404,          404,        200)),
    ("correct",         "published",  (401,       200,       403,         403,          403,          403,        200)),
    ("correct",         "expired",    (404,       200,       403,         403,          403,          403,        200)),
    ("revise_action",   "draft",      (404,       200,       404,         404,          404,          404,        200)),
    ("revise_action",   "submitted",  (404,       200,       404,         403,          404,          404,        200)),
    ("revise_action",   "published",  (401,       200,       403,         403,          403,          403,        200)),
    ("revise_action",   "expired",    (404,       200,       403,         403,          403,          403,        200)),
    # A document kind the review lacks (201 when stored), in every state but withdrawn.
    ("add_document",    "draft",      (404,       201,       404,         404,          404,          404,        201)),
    ("add_document",    "submitted",  (404,       201,       404,         403,          404,          404,        201)),
    ("add_document",    "published",  (401,       201,       403,         403,          403,          403,        201)),
    ("add_document",    "expired",    (404,       201,       403,         403,          403,          403,        201)),
    # Redaction (ADR 0038): admins only, in every state (the law requires removal whatever the state).
    ("redact",          "draft",      (404,       403,       404,         404,          404,          404,        201)),
    ("redact",          "submitted",  (404,       403,       404,         403,          404,          404,        201)),
    ("redact",          "published",  (401,       403,       403,         403,          403,          403,        201)),
    ("redact",          "expired",    (404,       403,       403,         403,          403,          403,        201)),
]  # fmt: skip

# Reads of what only those entitled to a review's revisions see: a document's earlier version.
#   200 read | 401 sign in first | 403 may read the review, not its revisions | 404 may not even read it
REVISION_READS: dict[str, tuple[int, ...]] = {
    #             anonymous  own_board  other_board  inspectorate  practitioner  researcher  admin
    "draft":     (404,       200,       404,         404,          404,          404,        200),
    "submitted": (404,       200,       404,         200,          404,          404,        200),
    "published": (401,       200,       403,         200,          403,          403,        200),
    "expired":   (404,       200,       403,         200,          403,          403,        200),
}  # fmt: skip

# Calls that are not about an existing review.
OTHERS: list[tuple[str, tuple[int, ...]]] = [
    # endpoint                   anonymous  own_board  other_board  inspectorate  practitioner  researcher  admin
    ("create_in_gwent",         (401,       201,       403,         403,          403,          403,        201)),
    ("create_in_north_wales",   (401,       403,       201,         403,          403,          403,        201)),
    ("add_region",              (401,       403,       403,         403,          403,          403,        201)),
    ("add_vocabulary_term",     (401,       403,       403,         403,          403,          403,        201)),
    ("set_welsh_label",         (401,       403,       403,         403,          403,          403,        200)),
    ("who_am_i",                (401,       200,       200,         200,          200,          200,        200)),
    ("list_accounts",           (401,       403,       403,         403,          403,          403,        200)),
    ("create_account",          (401,       403,       403,         403,          403,          403,        201)),
    ("read_account",            (401,       403,       403,         403,          403,          403,        200)),
    ("deactivate_account",      (401,       403,       403,         403,          403,          403,        200)),
    ("reset_password",          (401,       403,       403,         403,          403,          403,        200)),
    ("rotate_client_secret",    (401,       403,       403,         403,          403,          403,        200)),
    ("clear_sign_in_throttle",  (401,       403,       403,         403,          403,          403,        204)),
    ("change_own_password",     (401,       204,       204,         204,          204,          204,        204)),
    # 202 accepts the upload; the job then imports it only for a caller who may import Gwent's reviews.
    ("import_gwent_archive",    (401,       202,       202,         403,          403,          403,        202)),
    ("read_gwent_import_job",   (401,       200,       404,         403,          403,          403,        200)),
    ("list_imports",            (401,       200,       200,         403,          403,          403,        200)),
]  # fmt: skip

ENDPOINTS = {
    "get": "GET /reviews/{id}",
    "get_plan": "GET /reviews/{id}/action-plan",
    "list": "GET /reviews (is the review among the items?)",
    "edit": "PATCH /reviews/{id}",
    "replace_plan": "PUT /reviews/{id}/action-plan",
    "record_progress": "PATCH /reviews/{id}/action-plan/actions/{action_id}",
    "submit": "POST /reviews/{id}/submit",
    "publish": "POST /reviews/{id}/publish",
    "corrections": "GET /reviews/{id}/corrections",
    "correct": "POST /reviews/{id}/corrections",
    "redact": "POST /reviews/{id}/redactions",
    "revise_action": "PATCH /reviews/{id}/action-plan/actions/{action_id} with a target date and reason",
    "add_document": "PUT /reviews/{id}/documents/timeline (a kind the review lacks)",
    "document_version": "GET /reviews/{id}/documents/report/versions/1",
    "create_in_gwent": "POST /reviews with region gwent",
    "create_in_north_wales": "POST /reviews with region north-wales",
    "add_region": "POST /regions",
    "add_vocabulary_term": "POST /vocabularies/theme/terms",
    "set_welsh_label": "PUT /vocabularies/agency/terms/police/labels/cy",
    "who_am_i": "GET /auth/me",
    "list_accounts": "GET /accounts",
    "create_account": "POST /accounts (a user)",
    "read_account": "GET /accounts/{id}",
    "deactivate_account": "PATCH /accounts/{id} with active false",
    "reset_password": "POST /accounts/{id}/password-reset",
    "rotate_client_secret": "POST /accounts/{id}/secret",
    "clear_sign_in_throttle": "DELETE /accounts/{id}/sign-in-throttle",
    "change_own_password": "POST /auth/password",
    "import_gwent_archive": "POST /imports with a zip of one Gwent review (the job: GET /imports/{id})",
    "read_gwent_import_job": "GET /imports/{id} of a job of the Gwent board",
    "list_imports": "GET /imports (is the Gwent board's job among the items?)",
}


def _read_cases() -> list[Any]:
    return [
        pytest.param(endpoint, state, caller, sees, id=f"{endpoint}-{state}-{caller}-{'sees' if sees else 'hidden'}")
        for endpoint in ("get", "get_plan", "list", "corrections")
        for state, row in READS.items()
        for caller, sees in zip(CALLERS, row, strict=True)
    ]


def _write_cases() -> list[Any]:
    return [
        pytest.param(endpoint, state, caller, expected, id=f"{endpoint}-{state}-{caller}-{expected}")
        for endpoint, state, row in WRITES
        for caller, expected in zip(CALLERS, row, strict=True)
    ]


def _revision_read_cases() -> list[Any]:
    return [
        pytest.param(state, caller, expected, id=f"document_version-{state}-{caller}-{expected}")
        for state, row in REVISION_READS.items()
        for caller, expected in zip(CALLERS, row, strict=True)
    ]


def _other_cases() -> list[Any]:
    return [
        pytest.param(endpoint, caller, expected, id=f"{endpoint}-{caller}-{expected}")
        for endpoint, row in OTHERS
        for caller, expected in zip(CALLERS, row, strict=True)
    ]


@pytest.mark.database_independent
def test_the_tables_cover_every_caller_state_and_endpoint():
    write_endpoints = (
        "edit",
        "replace_plan",
        "record_progress",
        "submit",
        "publish",
        "correct",
        "revise_action",
        "add_document",
        "redact",
    )
    assert set(READS) == set(STATES) == set(REVISION_READS)
    assert sorted((endpoint, state) for endpoint, state, _ in WRITES) == sorted(
        (endpoint, state) for endpoint in write_endpoints for state in STATES
    )
    rows = [*READS.values(), *REVISION_READS.values(), *(row for *_, row in WRITES), *(row for _, row in OTHERS)]
    assert all(len(row) == len(CALLERS) for row in rows)
    reads = ("get", "get_plan", "list", "corrections", "document_version")
    assert {*reads, *write_endpoints, *(e for e, _ in OTHERS)} == set(ENDPOINTS)


# --- helpers ---------------------------------------------------------------------------------------


def headers_of(token_for: Any, caller: str) -> dict[str, str]:
    account = CALLERS[caller]
    return {} if account is None else token_for(*account)


def subject_of(caller: str) -> str:
    """The subject token_for puts in the caller's token (what the registry records as the author)."""
    role, region = CALLERS[caller] or ("anonymous", None)
    return f"{role}-{region or 'all'}"


def gwent_review_in(client: Any, token_for: Any, clock: Any, state: str) -> dict[str, Any]:
    """A Gwent review with an action plan, taken as far as `state` by its own board."""
    board = token_for("board", "gwent")
    review = flows.create(client, board)
    flows.put_plan(client, board, review)
    if state != "draft":
        review = flows.submit(client, board, review)
    if state in ("published", "expired"):
        review = flows.publish(client, board, review)
    if state == "expired":
        clock.advance(days=85)
        assert clock.today() > date.fromisoformat(review["public_until"])
    return review


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


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """An RFC 9457 problem with this status; a 401 also tells the client how to authenticate."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"] and problem["title"] and problem["detail"]
    assert "ETag" not in response.headers
    slug = {401: "authentication-required", 403: "forbidden", 404: "not-found", 409: "invalid-transition"}[status]
    assert problem["type"].endswith("/" + slug), problem
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    return problem


def assert_hidden_like_a_missing_review(
    client: Any, response: Any, method: str, url: str, review: dict[str, Any], **kw: Any
) -> None:
    """A 404 for a review you may not see says nothing a 404 for a review that does not exist would not."""
    hidden = assert_problem(response, 404)
    assert review["reference"] not in response.text and review["title"] not in response.text
    missing_id = str(uuid.uuid4())
    missing = assert_problem(client.request(method, url.replace(review["id"], missing_id), **kw), 404)
    del hidden["request_id"], missing["request_id"]
    assert hidden == {k: v.replace(missing_id, review["id"]) if isinstance(v, str) else v for k, v in missing.items()}


# --- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("endpoint", "state", "caller", "sees"), _read_cases())
def test_read(client, token_for, clock, endpoint, state, caller, sees):
    review = gwent_review_in(client, token_for, clock, state)
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
        if sees:
            assert ids == [review["id"]]
        else:
            assert ids == []
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


@pytest.mark.parametrize(("endpoint", "state", "caller", "expected"), _write_cases())
def test_write(client, token_for, clock, endpoint, state, caller, expected):
    review = gwent_review_in(client, token_for, clock, state)
    if endpoint == "publish" and state == "submitted":
        flows.upload_report(client, token_for("board", "gwent"), review)  # publication needs it
    before = admin_view(client, token_for, review["id"])
    method, url, kw = write_request(endpoint, before)
    kw["headers"] = {**kw["headers"], **headers_of(token_for, caller)}

    response = client.request(method, url, **kw)

    after = admin_view(client, token_for, review["id"])
    if expected in (200, 201):
        assert response.status_code == expected, response.text
        assert_write_took_effect(endpoint, caller, response, before, after)
        return
    if expected == 404:
        assert_hidden_like_a_missing_review(client, response, method, url, review, **kw)
    else:
        assert_problem(response, expected)
    # Refused: the review, its plan and their versions are exactly as they were.
    assert after == before


# --- what only those entitled to the revisions read ----------------------------------------------


@pytest.mark.parametrize(("state", "caller", "expected"), _revision_read_cases())
def test_document_version(client, token_for, clock, state, caller, expected):
    """The file a document had at one of its versions, a replaced one too (ADR 0033)."""
    board = token_for("board", "gwent")
    review = flows.create(client, board)
    first = flows.upload_report(client, board, review, "Child A: the report as first uploaded.")
    current = client.get(f"{API}/reviews/{review['id']}/documents", headers=board).json()[0]
    replaced = client.put(
        f"{API}/reviews/{review['id']}/documents/report",
        files={"file": ("report.pdf", pdfs.report("Child A: the report as signed."), "application/pdf")},
        headers={**board, "If-Match": f'"{current["version"]}"'},
    )
    assert replaced.status_code == 200, replaced.text
    flows.put_plan(client, board, review)
    if state != "draft":
        review = flows.submit(client, board, review)
    if state in ("published", "expired"):
        response = client.post(f"{API}/reviews/{review['id']}/publish", headers=board)
        assert response.status_code == 200, response.text
        review = response.json()
    if state == "expired":
        clock.advance(days=85)
    url = f"{API}/reviews/{review['id']}/documents/report/versions/1"
    headers = headers_of(token_for, caller)

    response = client.get(url, headers=headers)

    if expected == 200:
        assert response.status_code == 200, response.text
        assert response.headers["X-Content-SHA256"] == first["sha256"] != replaced.json()["sha256"]
        assert response.headers["content-type"] == "application/pdf"
    elif expected == 404:
        assert_hidden_like_a_missing_review(client, response, "GET", url, review, headers=headers)
    else:
        assert_problem(response, expected)


# --- calls that are not about an existing review ---------------------------------------------------

NEW_REGION = {"code": "powys-pilot", "name": "Powys Pilot Safeguarding Partnership"}
NEW_TERM = {"code": "fathers-overlooked", "label": "Fathers overlooked"}


def _references_in(client: Any, token_for: Any, region: str) -> list[str]:
    response = client.get(f"{API}/reviews", params={"region": region}, headers=token_for("admin"))
    assert response.status_code == 200
    return [item["reference"] for item in response.json()["items"]]


def _region_codes(client: Any) -> list[str]:
    return [region["code"] for region in client.get(f"{API}/regions").json()]


def _theme_codes(client: Any) -> list[str]:
    return [term["code"] for term in client.get(f"{API}/vocabularies").json()["theme"]]


@pytest.mark.parametrize(("endpoint", "caller", "expected"), _other_cases())
def test_other_calls(client, token_for, endpoint, caller, expected):
    headers = headers_of(token_for, caller)

    if endpoint in ("create_in_gwent", "create_in_north_wales"):
        region = "gwent" if endpoint == "create_in_gwent" else "north-wales"
        reference = f"MATRIX {region} 1/2026"
        payload = factories.review(region=region, reference=reference)
        response = client.post(f"{API}/reviews", json=payload, headers=headers)
        if expected == 201:
            assert response.status_code == 201, response.text
            created = response.json()
            assert (created["region"], created["status"], created["version"]) == (region, "draft", 1)
            assert response.headers["Location"] == f"{API}/reviews/{created['id']}"
            assert _references_in(client, token_for, region) == [reference]
        else:
            assert_problem(response, expected)
            assert _references_in(client, token_for, region) == []

    elif endpoint == "add_region":
        response = client.post(f"{API}/regions", json=NEW_REGION, headers=headers)
        if expected == 201:
            assert response.status_code == 201, response.text
            assert response.json() == {**NEW_REGION, "names": {"en": NEW_REGION["name"], "cy": None}}
            assert NEW_REGION["code"] in _region_codes(client)
        else:
            assert_problem(response, expected)
            assert NEW_REGION["code"] not in _region_codes(client)
            assert "gwent" in _region_codes(client)

    elif endpoint == "add_vocabulary_term":
        response = client.post(f"{API}/vocabularies/theme/terms", json=NEW_TERM, headers=headers)
        if expected == 201:
            assert response.status_code == 201, response.text
            assert response.json()["code"] == NEW_TERM["code"]
            assert NEW_TERM["code"] in _theme_codes(client)
        else:
            assert_problem(response, expected)
            assert NEW_TERM["code"] not in _theme_codes(client)
            assert "voice-of-the-child" in _theme_codes(client)

    elif endpoint == "set_welsh_label":
        url = f"{API}/vocabularies/agency/terms/police/labels/cy"
        response = client.put(url, json={"label": "Yr heddlu"}, headers={**headers, "If-Match": '"1"'})

        def police() -> dict[str, Any]:
            return next(t for t in client.get(f"{API}/vocabularies").json()["agency"] if t["code"] == "police")

        if expected == 200:
            assert response.status_code == 200, response.text
            assert police()["labels"] == {"en": "Police", "cy": "Yr heddlu"} and police()["labels_awaiting_review"] == []
        else:
            assert_problem(response, expected)
            assert police()["labels"] == {"en": "Police", "cy": "Heddlu"} and police()["labels_awaiting_review"] == ["cy"]

    elif endpoint == "who_am_i":
        response = client.get(f"{API}/auth/me", headers=headers)
        if expected == 200:
            assert response.status_code == 200, response.text
            role, region = CALLERS[caller] or (None, None)
            assert response.json() == {"subject": subject_of(caller), "role": role, "region": region}
        else:
            assert_problem(response, expected)

    elif endpoint in ACCOUNT_CALLS:
        _account_call(client, token_for, endpoint, headers, expected)

    elif endpoint == "change_own_password":
        # Each caller's own account, the one token_for made; anonymous has none.
        change = {"current_password": ACCOUNT_PASSWORD, "new_password": "the caller's new passphrase"}
        response = client.post(f"{API}/auth/password", json=change, headers=headers)
        if expected == 204:
            assert response.status_code == 204, response.text
            assert client.get(f"{API}/auth/me", headers=headers).status_code == 401  # this token ended too
        else:
            assert_problem(response, expected)

    elif endpoint == "import_gwent_archive":
        response = archives.upload(client, headers, archives.zip_of({"a.json": archives.encoded(archives.review_file(IMPORTED))}))
        if expected == 202:
            job = archives.job_of(client, token_for("admin"), response)
            may_import = caller in ("own_board", "admin")
            assert job["status"] == ("succeeded" if may_import else "failed"), job
            assert _references_in(client, token_for, "gwent") == ([IMPORTED] if may_import else [])
        else:
            assert_problem(response, expected)
            assert _references_in(client, token_for, "gwent") == []

    elif endpoint in ("read_gwent_import_job", "list_imports"):
        board = token_for("board", "gwent")
        archive = archives.zip_of({"a.json": archives.encoded(archives.review_file(IMPORTED))})
        job = archives.job_of(client, board, archives.upload(client, board, archive))
        if endpoint == "read_gwent_import_job":
            response = client.get(f"{API}/imports/{job['id']}", headers=headers)
        else:
            response = client.get(f"{API}/imports", headers=headers)
        if expected == 200:
            assert response.status_code == 200, response.text
            if endpoint == "read_gwent_import_job":
                assert response.json()["id"] == job["id"]
            else:
                listed = [j["id"] for j in response.json()["items"]]
                assert listed == ([] if caller == "other_board" else [job["id"]])
        else:
            assert_problem(response, expected)
            assert IMPORTED not in response.text and "gwent" not in response.text

    else:
        raise AssertionError(endpoint)


# --- managing accounts (issue 13): only admins; everyone signed in changes their own password ---------

ACCOUNT_CALLS = (
    "list_accounts",
    "create_account",
    "read_account",
    "deactivate_account",
    "reset_password",
    "rotate_client_secret",
    "clear_sign_in_throttle",
)
OFFICER = {"username": "matrix-officer", "password": "a long passphrase", "role": "board", "region": "gwent"}


def _accounts_as_admin(client: Any, token_for: Any) -> dict[str, dict[str, Any]]:
    listed = client.get(f"{API}/accounts", params={"limit": 100}, headers=token_for("admin"))
    assert listed.status_code == 200, listed.text
    return {a["username"] or a["client_id"]: a for a in listed.json()["items"]}


def _account_call(client: Any, token_for: Any, endpoint: str, headers: dict[str, str], expected: int) -> None:
    admin = token_for("admin")
    officer = client.post(f"{API}/accounts", json=OFFICER, headers=admin).json()
    system = client.post(f"{API}/accounts", json={"client_id": "matrix-system", "role": "practitioner"}, headers=admin).json()
    before = _accounts_as_admin(client, token_for)
    url = f"{API}/accounts/{officer['id']}"
    if endpoint == "list_accounts":
        response = client.get(f"{API}/accounts", headers=headers)
    elif endpoint == "create_account":
        body = {"username": "matrix-new", "password": "another long passphrase", "role": "practitioner"}
        response = client.post(f"{API}/accounts", json=body, headers=headers)
    elif endpoint == "read_account":
        response = client.get(url, headers=headers)
    elif endpoint == "deactivate_account":
        response = client.patch(url, json={"active": False}, headers=headers | {"If-Match": '"1"'})
    elif endpoint == "reset_password":
        response = client.post(f"{url}/password-reset", json={"password": "a reset long passphrase"}, headers=headers)
    elif endpoint == "clear_sign_in_throttle":
        response = client.delete(f"{url}/sign-in-throttle", headers=headers)
    else:
        response = client.post(f"{API}/accounts/{system['id']}/secret", headers=headers)
    after = _accounts_as_admin(client, token_for)
    if expected >= 400:
        assert_problem(response, expected)
        assert after == before  # a refused call changed no account
        return
    assert response.status_code == expected, response.text
    changed = {name for name in after.keys() | before.keys() if after.get(name) != before.get(name)}
    assert (
        changed
        == {
            "list_accounts": set(),
            "read_account": set(),
            "create_account": {"matrix-new"},
            "deactivate_account": {"matrix-officer"},
            "reset_password": {"matrix-officer"},
            "rotate_client_secret": {"matrix-system"},
            "clear_sign_in_throttle": set(),  # an account's counters, not the account
        }[endpoint]
    )


IMPORTED = "MATRIX IMPORT 1/2020"


# --- coding a review (issue 12) ------------------------------------------------------------------
#   201/200 done | 401 sign in first | 403 may read the review, may not code | 404 may not even read it
#   409 let in, but a draft is not coded
CODINGS: list[tuple[str, str, tuple[int, ...]]] = [
    # endpoint     state          anonymous  own_board  other_board  inspectorate  practitioner  researcher  admin
    ("code",       "draft",      (404,       403,       404,         404,          404,          404,        409)),
    ("code",       "submitted",  (404,       403,       404,         201,          404,          404,        201)),
    ("code",       "published",  (401,       403,       403,         201,          403,          201,        201)),
    ("code",       "expired",    (404,       403,       403,         201,          403,          201,        201)),
    ("list_codes", "draft",      (404,       403,       404,         404,          404,          404,        200)),
    ("list_codes", "submitted",  (404,       403,       404,         200,          404,          404,        200)),
    ("list_codes", "published",  (401,       403,       403,         200,          403,          200,        200)),
    ("list_codes", "expired",    (404,       403,       403,         200,          403,          200,        200)),
]  # fmt: skip


def _coding_cases() -> list[Any]:
    return [
        pytest.param(endpoint, state, caller, expected, id=f"{endpoint}-{state}-{caller}-{expected}")
        for endpoint, state, row in CODINGS
        for caller, expected in zip(CALLERS, row, strict=True)
    ]


def test_the_codings_table_covers_every_caller_and_state():
    assert sorted((e, s) for e, s, _ in CODINGS) == sorted((e, s) for e in ("code", "list_codes") for s in STATES)
    assert all(len(row) == len(CALLERS) for *_, row in CODINGS)


@pytest.mark.parametrize(("endpoint", "state", "caller", "expected"), _coding_cases())
def test_coding(client, token_for, clock, endpoint, state, caller, expected):
    review = gwent_review_in(client, token_for, clock, state)
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


# --- learning across reviews (issue 12): similar recommendations, recommendations, feeds, overdue ----
# Each of these answers is drawn from many reviews, so each table says, for the Gwent review in each
# state, whether it is among what the caller is shown. The corpus adds "withdrawn" to the states:
# the inspectorate reads a withdrawn review; nobody else but an admin does.
#   Y among the results | N not among them | 401 sign in first | 403 the caller's role may not ask
LEARNING_STATES = (*STATES, "withdrawn")
ACROSS: dict[str, dict[str, tuple[bool | int, ...]]] = {
    # GET /reviews/{id}/recommendations/{ref}/similar, asked of a published North Wales review
    "similar": {
        #             anonymous  own_board  other_board  inspectorate  practitioner  researcher  admin
        "draft":     (401,       Y,         N,           N,            N,            N,          Y),
        "submitted": (401,       Y,         N,           Y,            N,            N,          Y),
        "published": (401,       Y,         Y,           Y,            Y,            Y,          Y),
        "expired":   (401,       Y,         Y,           Y,            Y,            Y,          Y),
        "withdrawn": (401,       N,         N,           Y,            N,            N,          Y),
    },
    # GET /recommendations?q=...&region=gwent
    "recommendations": {
        "draft":     (401,       Y,         N,           N,            N,            N,          Y),
        "submitted": (401,       Y,         N,           Y,            N,            N,          Y),
        "published": (401,       Y,         Y,           Y,            Y,            Y,          Y),
        "expired":   (401,       Y,         Y,           Y,            Y,            Y,          Y),
        "withdrawn": (401,       N,         N,           Y,            N,            N,          Y),
    },
    # GET /saved-searches/{id}/feed?token=... of a search the caller saved (anonymous saves none)
    "saved_search_feed": {
        "draft":     (401,       Y,         N,           N,            N,            N,          Y),
        "submitted": (401,       Y,         N,           Y,            N,            N,          Y),
        "published": (401,       Y,         Y,           Y,            Y,            Y,          Y),
        "expired":   (401,       Y,         Y,           Y,            Y,            Y,          Y),
        "withdrawn": (401,       N,         N,           Y,            N,            N,          Y),
    },
    # GET /actions/overdue (only submitted and published reviews' actions are followed)
    "overdue": {
        "draft":     (401,       N,         N,           N,            403,          403,        N),
        "submitted": (401,       Y,         N,           Y,            403,          403,        Y),
        "published": (401,       Y,         N,           Y,            403,          403,        Y),
        "expired":   (401,       Y,         N,           Y,            403,          403,        Y),
        "withdrawn": (401,       N,         N,           N,            403,          403,        N),
    },
}  # fmt: skip

# GET /feeds/published, read by anyone: only a published review inside its public window.
PUBLIC_FEED = {"draft": N, "submitted": N, "published": Y, "expired": N, "withdrawn": N}

# The saved searches themselves.
#   200/201/204 done | 401 sign in first | 404 another account's saved search answers like a missing one
SAVED_SEARCHES: list[tuple[str, tuple[int, ...]]] = [
    # endpoint                      anonymous  own_board  other_board  inspectorate  practitioner  researcher  admin
    ("save_search",                (401,       201,       201,         201,          201,          201,        201)),
    ("list_saved_searches",        (401,       200,       200,         200,          200,          200,        200)),
    ("delete_own_saved_search",    (401,       204,       204,         204,          204,          204,        204)),
    ("delete_others_saved_search", (401,       404,       404,         404,          404,          404,        404)),
    ("rotate_others_feed_token",   (401,       404,       404,         404,          404,          404,        404)),
]  # fmt: skip

SHARED_WORDS = "Agencies should share chronologies of fathers and new partners"


def test_the_learning_tables_cover_every_caller_and_state():
    assert all(set(table) == set(LEARNING_STATES) for table in ACROSS.values())
    assert all(len(row) == len(CALLERS) for table in ACROSS.values() for row in table.values())
    assert set(PUBLIC_FEED) == set(LEARNING_STATES)
    assert all(len(row) == len(CALLERS) for _, row in SAVED_SEARCHES)
    # Where the caller may ask at all, seeing a review in a list is reading it (READS), but for the
    # overdue view, which follows submitted and published reviews' actions in the caller's scope.
    for endpoint in ("similar", "recommendations", "saved_search_feed"):
        for state in STATES:
            assert ACROSS[endpoint][state][1:] == READS[state][1:], (endpoint, state)


def _learning_corpus(client: Any, token_for: Any, clock: Any) -> dict[str, dict[str, Any]]:
    """A Gwent review in each of LEARNING_STATES, all with an overdue action and a recommendation
    like the source's, and the source: a published North Wales review anyone signed in may read."""
    board, admin = token_for("board", "gwent"), token_for("admin")

    def make(state: str) -> dict[str, Any]:
        review = flows.create(
            client,
            board,
            reference=f"LEARN {state}/2026",
            summary=f"{SHARED_WORDS}: the {state} review.",
            recommendations=[{"ref": "R1", "text": f"{SHARED_WORDS} ({state}).", "level": "national"}],
        )
        flows.put_plan(client, board, review, target_date="2026-01-31")  # overdue from the start
        if state != "draft":
            review = flows.submit(client, board, review)
        if state in ("published", "expired", "withdrawn"):
            review = flows.publish(client, board, review)
        if state == "withdrawn":
            response = client.post(
                f"{API}/reviews/{review['id']}/withdraw",
                json={"reason": "Withdrawn at the family's request."},
                headers={**admin, "If-Match": f'"{review["version"]}"'},
            )
            assert response.status_code == 200, response.text
            review = response.json()
        return review

    made = {"expired": make("expired")}
    clock.advance(days=85)
    made |= {state: make(state) for state in LEARNING_STATES if state != "expired"}
    north = token_for("board", "north-wales")
    source = flows.create(
        client,
        north,
        region="north-wales",
        reference="LEARN SOURCE/2026",
        summary="The source review.",
        recommendations=[{"ref": "R1", "text": f"{SHARED_WORDS}.", "level": "regional_board"}],
    )
    flows.put_plan(client, north, source)
    made["source"] = flows.publish(client, north, flows.submit(client, north, source))
    return made


@pytest.fixture
def over_opensearch(app_over: Any, opensearch_backend: Any) -> Any:
    """A client of an app over the OpenSearch backend (the same database as `client`)."""
    from fastapi.testclient import TestClient

    return TestClient(app_over(search=opensearch_backend), raise_server_exceptions=False)


def _shown_states(corpus: dict[str, dict[str, Any]], review_ids: list[str]) -> set[str]:
    by_id = {review["id"]: state for state, review in corpus.items() if state != "source"}
    assert len(review_ids) == len(set(review_ids)), review_ids  # nothing shown twice
    return {by_id[i] for i in review_ids if i in by_id}


def _expected(endpoint: str, caller: str) -> tuple[int, set[str]]:
    column = list(CALLERS).index(caller)
    cells = {state: row[column] for state, row in ACROSS[endpoint].items()}
    refusals = {cell for cell in cells.values() if not isinstance(cell, bool)}
    assert len(refusals) <= 1 and (not refusals or len(set(cells.values())) == 1)  # refused outright, or not at all
    if refusals:
        return int(refusals.pop()), set()
    return 200, {state for state, cell in cells.items() if cell}


@pytest.mark.parametrize("caller", CALLERS)
def test_learning_across_reviews(client, token_for, clock, caller):
    _learning_across_reviews(client, token_for, clock, caller)


@pytest.mark.parametrize("caller", CALLERS)
def test_learning_across_reviews_on_opensearch(over_opensearch, token_for, clock, caller):
    _learning_across_reviews(over_opensearch, token_for, clock, caller)


def _learning_across_reviews(client: Any, token_for: Any, clock: Any, caller: str) -> None:
    headers = headers_of(token_for, caller)
    saved = None
    if caller != "anonymous":  # saved before the reviews exist: a feed reads what matches today
        response = client.post(
            f"{API}/saved-searches", json={"q": "chronologies", "filters": {"region": "gwent"}}, headers=headers
        )
        assert response.status_code == 201, response.text
        saved = response.json()
    corpus = _learning_corpus(client, token_for, clock)
    source = corpus["source"]

    similar = client.get(f"{API}/reviews/{source['id']}/recommendations/R1/similar", headers=headers)
    status, states = _expected("similar", caller)
    if status == 200:
        assert similar.status_code == 200, similar.text
        items = similar.json()["items"]
        assert _shown_states(corpus, [item["review"]["id"] for item in items]) == states
        assert all(item["review"]["id"] != source["id"] for item in items)
        assert {item["review"]["region"] for item in items} <= {"gwent"}
    else:
        assert_problem(similar, status)

    listed = client.get(f"{API}/recommendations", params={"q": "chronologies", "region": "gwent"}, headers=headers)
    status, states = _expected("recommendations", caller)
    if status == 200:
        assert listed.status_code == 200, listed.text
        assert _shown_states(corpus, [item["review"]["id"] for item in listed.json()["items"]]) == states
        assert listed.json()["total"] == len(states)
    else:
        assert_problem(listed, status)

    status, states = _expected("saved_search_feed", caller)
    if saved is None:
        assert status == 401
    else:
        url = saved["feed_url"]
        response = client.get(url[url.index("/api/v1/") :])
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/atom+xml")
        feed = feedparser.parse(response.text)
        assert feed.bozo == 0 and feed.version == "atom10"
        entry_ids = [next(link.href for link in e.links if link.rel == "alternate").rsplit("/", 1)[1] for e in feed.entries]
        assert _shown_states(corpus, entry_ids) == states
        for state, review in corpus.items():
            if state not in states:
                assert review["reference"] not in response.text and f"the {state} review" not in response.text

    overdue = client.get(f"{API}/actions/overdue", headers=headers)
    status, states = _expected("overdue", caller)
    if status == 200:
        assert overdue.status_code == 200, overdue.text
        answer = overdue.json()
        assert _shown_states(corpus, [item["review_id"] for item in answer["items"]]) == states
        # The counts beside the items count the same actions (the corpus has one each).
        assert sum(group["total"] for group in answer["groups"] if group["region"] == "gwent") == len(states)
        assert answer["total"] == len(states)
    else:
        assert_problem(overdue, status)


def test_the_public_feed_shows_only_reviews_inside_their_public_window(client, token_for, clock):
    _public_feed(client, token_for, clock)


def test_the_public_feed_on_opensearch(over_opensearch, token_for, clock):
    _public_feed(over_opensearch, token_for, clock)


def _public_feed(client: Any, token_for: Any, clock: Any) -> None:
    corpus = _learning_corpus(client, token_for, clock)
    response = client.get(f"{API}/feeds/published")
    assert response.status_code == 200, response.text
    feed = feedparser.parse(response.text)
    assert feed.bozo == 0 and feed.version == "atom10"
    entry_ids = [next(link.href for link in e.links if link.rel == "alternate").rsplit("/", 1)[1] for e in feed.entries]
    assert _shown_states(corpus, entry_ids) == {state for state, shown in PUBLIC_FEED.items() if shown}
    assert corpus["source"]["id"] in entry_ids
    # A day past its window, the published review leaves the feed too.
    clock.advance(days=85)
    later = feedparser.parse(client.get(f"{API}/feeds/published").text)
    assert later.entries == []


def _saved_search_cases() -> list[Any]:
    return [
        pytest.param(endpoint, caller, expected, id=f"{endpoint}-{caller}-{expected}")
        for endpoint, row in SAVED_SEARCHES
        for caller, expected in zip(CALLERS, row, strict=True)
    ]


@pytest.mark.parametrize(("endpoint", "caller", "expected"), _saved_search_cases())
def test_saved_searches(client, token_for, endpoint, caller, expected):
    headers = headers_of(token_for, caller)
    others = client.post(
        f"{API}/saved-searches",
        json={"q": "someone else's words", "filters": {}},
        headers=token_for("researcher", subject="someone-else"),
    )
    assert others.status_code == 201, others.text
    theirs = others.json()

    def mine() -> list[str]:
        listed = client.get(f"{API}/saved-searches", headers=headers)
        return [s["q"] for s in listed.json()["items"]] if listed.status_code == 200 else []

    method, url, kw = {
        "save_search": ("POST", f"{API}/saved-searches", {"json": {"q": "chronology", "filters": {}}}),
        "list_saved_searches": ("GET", f"{API}/saved-searches", {}),
        "delete_others_saved_search": ("DELETE", f"{API}/saved-searches/{theirs['id']}", {}),
        "rotate_others_feed_token": ("POST", f"{API}/saved-searches/{theirs['id']}/token", {}),
        "delete_own_saved_search": ("DELETE", f"{API}/saved-searches/{{own}}", {}),
    }[endpoint]
    if endpoint == "delete_own_saved_search":
        own = client.post(f"{API}/saved-searches", json={"q": "mine", "filters": {}}, headers=headers)
        url = url.format(own=own.json()["id"] if own.status_code == 201 else theirs["id"])
    response = client.request(method, url, headers=headers, **kw)

    if expected == 404:
        # Another account's saved search answers exactly as one that does not exist.
        hidden = {"id": theirs["id"], "reference": theirs["q"], "title": theirs["q"]}
        assert_hidden_like_a_missing_review(client, response, method, url, hidden, headers=headers, **kw)
    elif expected >= 400:
        assert_problem(response, expected)
    else:
        assert response.status_code == expected, response.text
    if endpoint == "save_search":
        assert mine() == (["chronology"] if expected == 201 else [])
    if endpoint == "list_saved_searches" and expected == 200:
        assert response.json()["items"] == []  # someone else's search is not among yours
    if endpoint == "delete_own_saved_search" and expected == 204:
        assert mine() == []
    # Another account's search and its feed are exactly as they were.
    feed = client.get(theirs["feed_url"][theirs["feed_url"].index("/api/v1/") :])
    assert feed.status_code == 200, feed.text


# --- trends with a measure (issue 12): a review the caller may not read changes no number it sees ----
# For each caller, the Gwent reviews added in the "hidden" step: those it may not read (Y).
TRENDS_HIDDEN: dict[str, tuple[bool | int, ...]] = {
    #             anonymous  own_board  other_board  inspectorate  practitioner  researcher  admin
    "draft":     (401,       N,         Y,           Y,            Y,            Y,          N),
    "submitted": (401,       N,         Y,           N,            Y,            Y,          N),
    "withdrawn": (401,       Y,         Y,           N,            Y,            Y,          N),
}  # fmt: skip
MEASURES = (
    "reviews",
    "recommendations",
    "actions",
    "actions_completed",
    "actions_overdue",
    "actions_on_time_share",
    "days_to_publication_median",
    "complete_context_share",
)


def test_the_trends_table_is_what_each_caller_may_not_read():
    for state, row in TRENDS_HIDDEN.items():
        reads = READS.get(state) or (N, N, N, Y, N, N, Y)  # a withdrawn review: the inspectorate and admins
        assert row[1:] == tuple(not sees for sees in reads[1:]), state


def _measured_review(client: Any, token_for: Any, state: str, n: int) -> dict[str, Any]:
    """A Gwent review in `state` with two recommendations: R1's action overdue, R2's completed on
    time, and a coding under information sharing (coded while it could be)."""
    board, admin = token_for("board", "gwent"), token_for("admin")
    review = flows.create(client, board, reference=f"TREND {state} {n}/2026")
    plan = factories.action_plan("R1", "R2")
    plan["actions"][0]["target_date"] = "2026-01-31"
    response = client.put(f"{API}/reviews/{review['id']}/action-plan", json=plan, headers=board)
    assert response.status_code == 201, response.text
    action = response.json()["actions"][1]
    done = client.patch(
        f"{API}/reviews/{review['id']}/action-plan/actions/{action['id']}",
        json={"status": "completed", "progress_note": {"note": "Done."}},
        headers={**board, "If-Match": f'"{action["version"]}"'},
    )
    assert done.status_code == 200, done.text
    if state == "draft":
        return review
    review = flows.submit(client, board, review)
    body = {
        "theme": "gdpr-confusion",
        "perspective": "legal",
        "quote": review["title"],
        "location": {"field": "title", "start": 0, "end": len(review["title"])},
    }
    assert client.post(f"{API}/reviews/{review['id']}/codings", json=body, headers=admin).status_code == 201
    if state == "submitted":
        return review
    review = flows.publish(client, board, review)
    if state == "withdrawn":
        response = client.post(
            f"{API}/reviews/{review['id']}/withdraw",
            json={"reason": "Withdrawn at the family's request."},
            headers={**admin, "If-Match": f'"{review["version"]}"'},
        )
        assert response.status_code == 200, response.text
        review = response.json()
    return review


def _everything_seen(client: Any, headers: dict[str, str]) -> dict[str, Any]:
    seen = {}
    for measure in MEASURES:
        for group_by in ("region", "coded_theme", "coded_theme,perspective", "year,region"):
            response = client.get(f"{API}/trends", params={"group_by": group_by, "measure": measure}, headers=headers)
            assert response.status_code == 200, response.text
            seen[(measure, group_by)] = response.json()
    return seen


@pytest.mark.parametrize("caller", CALLERS)
def test_trends(client, token_for, caller):
    _trends(client, token_for, caller)


@pytest.mark.parametrize("caller", CALLERS)
def test_trends_on_opensearch(over_opensearch, token_for, caller):
    _trends(over_opensearch, token_for, caller)


def _trends(client: Any, token_for: Any, caller: str) -> None:
    headers = headers_of(token_for, caller)
    column = list(CALLERS).index(caller)
    if caller == "anonymous":
        for measure in MEASURES:
            assert_problem(client.get(f"{API}/trends", params={"group_by": "region", "measure": measure}), 401)
        return
    # Five published reviews every caller reads: every bucket holds five or more, so none is suppressed.
    for n in range(5):
        _measured_review(client, token_for, "published", n)
    before = _everything_seen(client, headers)
    gwent = next(b for b in before[("reviews", "region")]["buckets"] if b["key"]["region"] == "gwent")
    assert (gwent["count"], gwent["suppressed"]) == (5, False)

    hidden = [state for state, row in TRENDS_HIDDEN.items() if row[column]]
    for state in hidden:
        _measured_review(client, token_for, state, 9)
    assert _everything_seen(client, headers) == before, hidden  # not one number, key, order or flag moved

    # ...and the table can fail: one more review the caller reads moves the numbers.
    _measured_review(client, token_for, "published", 5)
    after = _everything_seen(client, headers)
    gwent = next(b for b in after[("reviews", "region")]["buckets"] if b["key"]["region"] == "gwent")
    assert gwent["count"] == 6
    assert after[("recommendations", "region")] != before[("recommendations", "region")]
    assert after[("reviews", "coded_theme,perspective")] != before[("reviews", "coded_theme,perspective")]
