"""Who reaches what, written down as tables: every caller x review state x endpoint, and the
shape of each refusal. The tests of one review are in tests/test_access_to_a_review.py, those of
everything else in tests/test_access_matrix.py.

The rules (docs/api.md "Roles", docs/design.md "Authorization is data"):
- a review the caller may not read answers 404, exactly as a review that does not exist (never 403);
- a caller who may read it but whose role or region may not change it gets 403;
- an anonymous caller who would have to sign in gets 401 with `WWW-Authenticate: Bearer`;
- a caller who is let in, but asks for a step the review's state does not allow, gets 409;
- every error is application/problem+json, and a refused write leaves the review exactly as it was.

Every review of these tables belongs to the Gwent board and already has an action plan. "expired"
is a published review 85 days on: one day past its 84-day public window.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

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


def read_cases() -> list[Any]:
    return [
        pytest.param(endpoint, state, caller, sees, id=f"{endpoint}-{state}-{caller}-{'sees' if sees else 'hidden'}")
        for endpoint in ("get", "get_plan", "list", "corrections")
        for state, row in READS.items()
        for caller, sees in zip(CALLERS, row, strict=True)
    ]


def state_cases(table: list[tuple[str, str, tuple[int, ...]]]) -> list[Any]:
    """(endpoint, state, caller, expected status) for each cell of a table of rows by endpoint and state."""
    return [
        pytest.param(endpoint, state, caller, expected, id=f"{endpoint}-{state}-{caller}-{expected}")
        for endpoint, state, row in table
        for caller, expected in zip(CALLERS, row, strict=True)
    ]


def revision_read_cases() -> list[Any]:
    return [
        pytest.param(state, caller, expected, id=f"document_version-{state}-{caller}-{expected}")
        for state, row in REVISION_READS.items()
        for caller, expected in zip(CALLERS, row, strict=True)
    ]


def endpoint_cases(table: list[tuple[str, tuple[int, ...]]]) -> list[Any]:
    """(endpoint, caller, expected status) for each cell of a table of rows by endpoint."""
    return [
        pytest.param(endpoint, caller, expected, id=f"{endpoint}-{caller}-{expected}")
        for endpoint, row in table
        for caller, expected in zip(CALLERS, row, strict=True)
    ]


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


# --- helpers ---------------------------------------------------------------------------------------


def headers_of(token_for: Any, caller: str) -> dict[str, str]:
    account = CALLERS[caller]
    return {} if account is None else token_for(*account)


def subject_of(caller: str) -> str:
    """The subject token_for puts in the caller's token (what the registry records as the author)."""
    role, region = CALLERS[caller] or ("anonymous", None)
    return f"{role}-{region or 'all'}"


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
