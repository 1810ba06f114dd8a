"""Nothing is lost and everything is accounted for: withdrawal, history, and the audit trail."""

from __future__ import annotations

import base64
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from app.auth.principals import Principal, Role
from tests import factories, flows
from tests.conftest import issued_token
from tests.flows import API


@pytest.fixture
def board(token_for):
    return token_for("board", "gwent", subject="gwent-officer")


def _audit(client, token_for, **params):
    response = client.get(f"{API}/audit", params=params, headers=token_for("inspectorate"))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_a_withdrawn_review_is_hidden_but_kept_and_can_be_reinstated(client, board, token_for):
    review = flows.review_in(client, board, "published")
    url = f"{API}/reviews/{review['id']}"
    withdrawn = client.post(f"{url}/withdraw", json={"reason": "Published with an identifying detail."}, headers=board)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"

    for headers in ({}, board, token_for("practitioner"), token_for("board", "north-wales")):
        assert client.get(url, headers=headers).status_code == 404
    inspector = token_for("inspectorate")
    seen = client.get(url, headers=inspector).json()
    assert seen["status"] == "withdrawn" and seen["withdrawn_reason"] == "Published with an identifying detail."
    listed = client.get(f"{API}/reviews", headers=inspector).json()["items"]
    assert [(r["id"], r["status"]) for r in listed] == [(review["id"], "withdrawn")]  # says so in lists
    found = client.get(f"{API}/search", params={"q": "chronologies"}, headers=inspector).json()["items"]
    assert [(r["id"], r["status"]) for r in found] == [(review["id"], "withdrawn")]  # ...and in search

    assert client.post(f"{url}/reinstate", headers=inspector).status_code == 403  # reads, does not reinstate
    reinstated = client.post(f"{url}/reinstate", headers=token_for("admin"))
    assert reinstated.status_code == 200 and reinstated.json()["status"] == "published"
    assert client.get(url).status_code == 200


def test_a_withdrawal_needs_a_reason(client, board):
    review = flows.create(client, board)
    response = client.post(f"{API}/reviews/{review['id']}/withdraw", json={}, headers=board)
    assert response.status_code == 422
    assert client.get(f"{API}/reviews/{review['id']}", headers=board).json()["status"] == "draft"


def test_every_change_keeps_the_earlier_state(client, board, token_for):
    review = flows.create(client, board)
    url = f"{API}/reviews/{review['id']}"
    client.patch(url, json={"title": "Child A (revised)"}, headers={**board, "If-Match": '"1"'})
    flows.put_plan(client, board, review)
    flows.submit(client, board, review)
    action = client.get(f"{url}/action-plan", headers=board).json()["actions"][0]
    client.patch(
        f"{url}/action-plan/actions/{action['id']}", json={"status": "in_progress"}, headers={**board, "If-Match": '"1"'}
    )

    revisions = client.get(f"{url}/revisions", headers=board).json()["items"]
    assert [(r["entity"], r["change"], r["version"]) for r in revisions] == [
        ("review", "create", 1),
        ("review", "update", 2),
        ("action_plan", "create", 1),
        ("review", "submit", 3),
        ("action", "progress", 2),
    ]
    assert revisions[0]["snapshot"]["title"] == "Child A" and revisions[1]["snapshot"]["title"] == "Child A (revised)"
    assert revisions[1]["changed_fields"] == ["title"]
    assert all(r["changed_by"] == "gwent-officer" for r in revisions)
    assert client.get(f"{url}/revisions", headers=token_for("practitioner")).status_code == 404  # not published


def test_a_revision_records_the_new_values_of_what_changed_and_nothing_else(client, board, session):
    review = flows.create(client, board, full_text="First text. " * 500)
    url = f"{API}/reviews/{review['id']}"
    client.patch(url, json={"title": "Child A (revised)"}, headers={**board, "If-Match": '"1"'})
    client.patch(url, json={"full_text": "Second text. " * 500}, headers={**board, "If-Match": '"2"'})
    client.patch(url, json={"title": "Child A (final)"}, headers={**board, "If-Match": '"3"'})

    revisions = client.get(f"{url}/revisions", headers=board).json()["items"]
    assert revisions[0]["snapshot"]["full_text"].startswith("First text.")  # the first holds the whole review
    assert revisions[0]["snapshot"]["title"] == review["title"]
    assert [r["snapshot"] for r in revisions[1:]] == [
        {"title": "Child A (revised)"},
        {"full_text": ("Second text. " * 500).strip()},
        {"title": "Child A (final)"},
    ]
    assert [r["changed_fields"] for r in revisions[1:]] == [["title"], ["full_text"], ["title"]]
    stored = (
        session.execute(text("SELECT snapshot FROM revision WHERE review_id = :id ORDER BY id"), {"id": review["id"]})
        .scalars()
        .all()
    )
    assert ["full_text" in (s if isinstance(s, dict) else json.loads(s)) for s in stored] == [True, False, True, False]


def test_the_audit_trail_answers_who_read_review_x(client, board, token_for, clock):
    review = flows.review_in(client, board, "submitted")
    inspector = token_for("inspectorate", subject="inspector-jones")
    client.get(f"{API}/reviews/{review['id']}", headers=inspector)
    client.get(f"{API}/reviews/{review['id']}", headers=token_for("practitioner", subject="nosy"))  # may not: 404

    reads = _audit(client, token_for, target_id=review["id"], action="review:read")
    assert [(e["subject"], e["outcome"], e["status"]) for e in reads] == [
        ("nosy", "denied", 404),
        ("inspector-jones", "success", 200),
    ]
    assert all(e["request_id"] for e in reads)


def test_reads_inside_the_public_window_are_not_audited_but_later_ones_are(client, board, token_for, clock):
    review = flows.review_in(client, board, "published")
    # (The board's own reads before publication, outside any public window, are recorded.)
    before = _audit(client, token_for, target_id=review["id"], action="review:read")
    client.get(f"{API}/reviews/{review['id']}")
    assert _audit(client, token_for, target_id=review["id"], action="review:read") == before
    clock.advance(days=100)
    client.get(f"{API}/reviews/{review['id']}", headers=token_for("practitioner", subject="researcher"))
    after = _audit(client, token_for, target_id=review["id"], action="review:read")
    assert [e["subject"] for e in after] == ["researcher", *(e["subject"] for e in before)]


def test_search_hits_outside_their_public_window_are_audited_like_reads(client, board, token_for, clock):
    """Issue 9: search showed the text of submitted, withdrawn and past-window reviews unrecorded."""
    words = {"summary": "Escalation was never considered by the agencies involved."}
    public = flows.review_in(client, board, "published", reference="PUB 1", **words)
    submitted = flows.review_in(client, board, "submitted", reference="SUB 1", **words)
    withdrawn = flows.review_in(client, board, "published", reference="WD 1", **words)
    assert (
        client.post(f"{API}/reviews/{withdrawn['id']}/withdraw", json={"reason": "Identifying."}, headers=board).status_code
        == 200
    )
    inspector = token_for("inspectorate", subject="inspector-1")

    found = client.get(f"{API}/search", params={"q": "escalation"}, headers=inspector)
    assert found.status_code == 200 and found.json()["total"] == 3
    request_id = found.headers["X-Request-ID"]
    events = _audit(client, token_for, actor="inspector-1")
    assert sorted((e["action"], e["target_id"], e["request_id"]) for e in events) == sorted(
        ("review:read-in-search", review["id"], request_id) for review in (submitted, withdrawn)
    )
    assert _audit(client, token_for, target_id=public["id"], actor="inspector-1") == []  # anyone may read it today

    clock.advance(days=100)  # the published review's public window has closed
    client.get(f"{API}/search", params={"q": "escalation"}, headers=token_for("practitioner", subject="reader-2"))
    assert [(e["action"], e["target_id"]) for e in _audit(client, token_for, actor="reader-2")] == [
        ("review:read-in-search", public["id"])
    ]


def test_the_audit_trail_answers_what_a_board_changed_last_week(client, board, token_for, clock):
    old = flows.create(client, board, reference="OLD 1")
    clock.advance(days=8)
    since = clock.now().isoformat()
    new = flows.create(client, board, reference="NEW 1")
    client.patch(f"{API}/reviews/{new['id']}", json={"title": "Changed"}, headers={**board, "If-Match": '"1"'})
    refused = client.patch(f"{API}/reviews/{old['id']}", json={"title": "x"}, headers=board)  # no If-Match
    assert refused.status_code == 428

    events = _audit(client, token_for, actor="gwent-officer", since=since)
    assert [(e["action"], e["target_id"], e["outcome"]) for e in events] == [
        ("review:edit", old["id"], "refused"),
        ("review:edit", new["id"], "success"),
        ("review:create", new["id"], "success"),
    ]


def test_the_audit_trail_records_the_status_each_answer_really_had(client, board, token_for):
    admin = token_for("admin", subject="status-admin")
    created = client.post(f"{API}/reviews", json=factories.review(), headers=board)  # the route's 201
    assert created.status_code == 201, created.text
    url = f"{API}/reviews/{created.json()['id']}"
    assert client.get(url, headers=board).status_code == 200  # a draft's read: recorded apart, by the recorder
    plan = client.put(f"{url}/action-plan", json=factories.action_plan(), headers=board)  # the handler's own 201
    assert plan.status_code == 201, plan.text
    user = {"username": "status-user", "password": "a long passphrase", "role": "practitioner"}
    account = client.post(f"{API}/accounts", json=user, headers=admin).json()
    cleared = client.delete(f"{API}/accounts/{account['id']}/sign-in-throttle", headers=admin)  # a 204
    assert cleared.status_code == 204, cleared.text
    stale = client.patch(url, json={"title": "x"}, headers={**board, "If-Match": '"9"'})
    assert stale.status_code == 412

    events = _audit(client, token_for, actor="gwent-officer") + _audit(client, token_for, actor="status-admin")
    assert [(e["action"], e["outcome"], e["status"]) for e in events] == [
        ("review:edit", "refused", 412),
        ("action-plan:write", "success", 201),
        ("review:read", "success", 200),
        ("review:create", "success", 201),
        ("account:sign-in-throttle-clear", "success", 204),
        ("account:create", "success", 201),
    ]


def test_token_requests_are_audited_issued_or_refused(client, session, token_for):
    from app.accounts import service

    service.create_user(session, username="officer", password="a long passphrase", role="board", region="gwent")
    session.commit()
    client.post(f"{API}/auth/token", data={"grant_type": "password", "username": "officer", "password": "a long passphrase"})
    client.post(f"{API}/auth/token", data={"grant_type": "password", "username": "officer", "password": "wrong guess!!"})
    events = _audit(client, token_for, action="token:password")
    assert [(e["subject"], e["role"], e["outcome"], e["status"]) for e in events] == [
        ("officer", "anonymous", "refused", 400),  # OAuth's invalid_grant (RFC 6749 5.2)
        ("officer", "board", "success", 200),
    ]
    assert "wrong guess" not in str(events)


def test_the_audit_trail_is_for_the_inspectorate_and_admins(client, token_for):
    assert client.get(f"{API}/audit", headers=token_for("admin")).status_code == 200
    assert client.get(f"{API}/audit", headers=token_for("practitioner")).status_code == 403
    assert client.get(f"{API}/audit", headers=token_for("board", "gwent")).status_code == 403
    assert client.get(f"{API}/audit").status_code == 401


def test_audit_pages_with_a_cursor(client, board, token_for):
    for n in range(5):
        flows.create(client, board, reference=f"PAGE {n}")
    first = client.get(f"{API}/audit", params={"limit": 3}, headers=token_for("admin")).json()
    second = client.get(f"{API}/audit", params={"limit": 3, "cursor": first["next_cursor"]}, headers=token_for("admin")).json()
    ids = [e["id"] for e in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 5 and ids == sorted(ids, reverse=True)


@pytest.mark.parametrize("position", [10**30, -1, True, "3"])
def test_an_audit_cursor_that_is_not_a_row_id_is_a_422_problem(client, token_for, position):
    cursor = base64.urlsafe_b64encode(json.dumps({"before": position}).encode()).decode()
    response = client.get(f"{API}/audit", params={"cursor": cursor}, headers=token_for("admin"))
    assert response.status_code == 422, response.text  # 10**30 was a 500 on SQLite (too big for its integers)
    assert [e["code"] for e in response.json()["errors"]] == ["invalid-cursor"]


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET outcome = 'success'", "DELETE FROM audit_event"])
def test_the_database_refuses_to_alter_audit_rows(client, board, connection, statement):
    flows.create(client, board)
    assert connection.execute(text("SELECT count(*) FROM audit_event")).scalar_one() >= 1
    savepoint = connection.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        connection.execute(text(statement))
    savepoint.rollback()
    assert connection.execute(text("SELECT count(*) FROM audit_event")).scalar_one() >= 1


def test_a_refused_write_leaves_no_trace_but_its_audit_row(client, board, token_for):
    response = client.post(f"{API}/reviews", json=factories.review(region="north-wales"), headers=board)
    assert response.status_code == 403
    assert client.get(f"{API}/reviews", headers=token_for("admin")).json()["items"] == []
    events = _audit(client, token_for, action="review:create")
    assert [(e["target_id"], e["outcome"], e["status"]) for e in events] == [("north-wales", "denied", 403)]


def test_earlier_states_are_shown_only_to_the_board_the_inspectorate_and_admins(client, board, token_for):
    review = flows.review_in(client, board, "published")
    url = f"{API}/reviews/{review['id']}/revisions"
    for headers in (board, token_for("inspectorate"), token_for("admin")):
        assert client.get(url, headers=headers).status_code == 200
    assert client.get(url, headers=token_for("practitioner")).status_code == 403
    assert client.get(url, headers=token_for("board", "north-wales")).status_code == 403
    assert client.get(url).status_code == 401  # the review is public today; its drafts are not


def test_anonymous_misses_do_not_fill_the_audit_trail(client, token_for):
    for n in range(5):
        assert client.get(f"{API}/reviews/made-up-{n}").status_code == 404
    assert _audit(client, token_for, action="review:read") == []


def test_a_refused_read_inside_the_public_window_is_recorded_for_registered_callers(client, board, token_for):
    review = flows.review_in(client, board, "published")
    url = f"{API}/reviews/{review['id']}"
    assert client.get(f"{url}/revisions", headers=token_for("practitioner", subject="nosy")).status_code == 403
    assert client.get(f"{url}/revisions", headers=token_for("board", "north-wales", subject="next-door")).status_code == 403
    assert client.get(f"{url}/revisions").status_code == 401  # anonymous: not recorded
    assert client.get(f"{url}/revisions", headers=board).status_code == 200  # earlier drafts: recorded when read
    events = _audit(client, token_for, target_id=review["id"], action="review:revisions")
    assert [(e["subject"], e["outcome"], e["status"]) for e in events] == [
        ("gwent-officer", "success", 200),
        ("next-door", "denied", 403),
        ("nosy", "denied", 403),
    ]

    researcher = token_for("practitioner", subject="researcher")
    assert client.get(url, headers=researcher).status_code == 200  # a public read: nothing to account for
    assert client.get(f"{url}/documents/briefing", headers=researcher).status_code == 404  # a miss after it: recorded
    reads = _audit(client, token_for, target_id=review["id"], action="document:download")
    assert [(e["subject"], e["document_kind"], e["outcome"], e["status"]) for e in reads] == [
        ("researcher", "briefing", "denied", 404)
    ]


def _audit_rows(connection):
    return connection.execute(text("SELECT subject, action, target_id FROM audit_event ORDER BY id")).all()


def test_anonymous_refused_writes_leave_no_audit_row(client, board, token_for, connection):
    review = flows.review_in(client, board, "published")
    url = f"{API}/reviews/{review['id']}"
    before = _audit_rows(connection)
    chosen = "chosen-by-the-caller"
    attempts = [
        client.post(f"{API}/reviews", json=factories.review(region=chosen)),
        client.post(f"{API}/regions", json={"code": chosen, "name": "Anywhere"}),
        client.post(f"{API}/vocabularies/theme/terms", json={"code": chosen, "label": "Anything"}),
        client.patch(url, json={"title": chosen}, headers={"If-Match": f'"{review["version"]}"'}),
        client.post(f"{url}/withdraw", json={"reason": chosen}),
        client.post(f"{url}/reinstate"),
        client.put(f"{url}/action-plan", json=factories.action_plan("R1")),
        client.post(f"{API}/reviews/{chosen}/submit"),  # no such review: 404
    ]
    assert [response.status_code for response in attempts] == [401] * (len(attempts) - 1) + [404]
    assert _audit_rows(connection) == before
    assert chosen not in str(_audit(client, token_for, limit=100))

    # A registered caller's refusal is still recorded, target and all.
    assert client.post(f"{API}/regions", json={"code": chosen, "name": "Anywhere"}, headers=board).status_code == 403
    assert [(e["subject"], e["target_id"], e["outcome"]) for e in _audit(client, token_for, action="regions:create")] == [
        ("gwent-officer", chosen, "denied")
    ]


@pytest.mark.parametrize(
    ("reported", "stored"),
    [
        ("a" * 200, "a" * 63 + "…"),  # what a forwarded header may say
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),  # one address, one way of writing it
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("testclient", "testclient"),  # not an address, but short: kept as the server said it
    ],
)
def test_any_client_address_is_recorded_and_counted(app, token_for, connection, reported, stored):
    from app.auth.throttle import LoginLimits

    app.state.registry.login_limits = LoginLimits(per_pair=100, per_address=2)
    board = token_for("board", "gwent", subject="gwent-officer")
    with TestClient(app, raise_server_exceptions=False, client=(reported, 50000)) as far:
        review = far.post(f"{API}/reviews", json=factories.review(), headers=board)  # a write: its own transaction
        assert review.status_code == 201, review.text
        url = f"{API}/reviews/{review.json()['id']}"
        assert far.get(url, headers=token_for("practitioner")).status_code == 404  # a refusal: the recorder's
        assert far.get(url, headers=board).status_code == 200  # a read: the recorder's
        sign_ins = [
            far.post(f"{API}/auth/token", data={"grant_type": "password", "username": f"guess-{n}", "password": "not it at all"})
            for n in range(3)
        ]
    assert [s.status_code for s in sign_ins] == [400, 400, 429]  # the address is counted, however long
    addresses = connection.execute(text("SELECT client_address FROM audit_event")).scalars().all()
    assert len(addresses) == 6 and set(addresses) == {stored}


def test_long_values_from_a_signed_token_are_recorded_cut_to_fit(app, client, board, connection):
    review = flows.review_in(client, board, "submitted")
    claims = Principal(subject="s" * 300, role=Role.inspectorate, region="r" * 100)
    reader = {"Authorization": f"Bearer {issued_token(app.state.registry, claims, account='long-claims')}"}
    assert client.get(f"{API}/reviews/{review['id']}", headers=reader).status_code == 200
    assert client.get(f"{API}/reviews/{'x' * 64}", headers=reader).status_code == 404
    rows = connection.execute(
        text("SELECT subject, region, target_id FROM audit_event WHERE action = 'review:read' ORDER BY id")
    ).all()
    assert [tuple(row) for row in rows] == [
        ("s" * 199 + "…", "r" * 63 + "…", review["id"]),
        ("s" * 199 + "…", "r" * 63 + "…", "x" * 64),
    ]
