"""Who reaches what beyond one review: the access tables (tests/access.py) of calls not about one
review, and those drawn from many reviews (learning across them, saved searches, trends).

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

from typing import Any

import feedparser
import pytest

from tests import archives, factories, flows
from tests.access import (
    CALLERS,
    CODINGS,
    ENDPOINTS,
    OTHERS,
    READS,
    REVISION_READS,
    STATES,
    WRITES,
    N,
    Y,
    assert_hidden_like_a_missing_review,
    assert_problem,
    endpoint_cases,
    headers_of,
    subject_of,
)
from tests.conftest import ACCOUNT_PASSWORD
from tests.flows import API


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


def test_the_codings_table_covers_every_caller_and_state():
    assert sorted((e, s) for e, s, _ in CODINGS) == sorted((e, s) for e in ("code", "list_codes") for s in STATES)
    assert all(len(row) == len(CALLERS) for *_, row in CODINGS)


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


@pytest.mark.parametrize(("endpoint", "caller", "expected"), endpoint_cases(OTHERS))
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


@pytest.mark.parametrize(("endpoint", "caller", "expected"), endpoint_cases(SAVED_SEARCHES))
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
