"""GET /actions/overdue for a dashboard: the overdue actions themselves, paged, longest overdue
first, filtered by region, agency and age, with their counts beside them; a board sees its own
region's only, and asking for another is a 403."""

from __future__ import annotations

from tests import flows
from tests.flows import API


def _overdue(client, headers, **params):
    response = client.get(f"{API}/actions/overdue", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _build(client, token_for, clock):
    """Today 2026-06-01. Gwent G-early: actions due 2026-06-10 (R1 police, R2 health-visiting after a
    re-plan); Gwent G-late: due 2026-08-31; North Wales N: due 2026-06-10. Then 2026-09-10: G-early's
    and N's are 92 days overdue, G-late's 10 days."""
    gwent, north = token_for("board", "gwent"), token_for("board", "north-wales")
    early = flows.create(client, gwent, reference="G-early")
    plan = flows.put_plan(client, gwent, early, target_date="2026-06-10")
    response = client.put(
        f"{API}/reviews/{early['id']}/action-plan",
        json={
            "actions": [
                {
                    "recommendation_ref": "R1",
                    "description": "Shared chronology.",
                    "lead_agency": "police",
                    "target_date": "2026-06-10",
                },
                {
                    "recommendation_ref": "R2",
                    "description": "Fathers' views.",
                    "lead_agency": "health-visiting",
                    "target_date": "2026-06-10",
                },
            ]
        },
        headers={**gwent, "If-Match": f'"{plan["version"]}"'},
    )
    assert response.status_code == 200, response.text
    flows.submit(client, gwent, early)
    late = flows.create(client, gwent, reference="G-late")
    flows.put_plan(client, gwent, late, target_date="2026-08-31")
    flows.submit(client, gwent, late)
    flows.review_in(client, north, "published", region="north-wales", reference="N")
    # N's plan is the factories' (due 2027-03-31): not overdue. G-early's R1 gets a progress note.
    first = client.get(f"{API}/reviews/{early['id']}/action-plan", headers=gwent).json()["actions"][0]
    response = client.patch(
        f"{API}/reviews/{early['id']}/action-plan/actions/{first['id']}",
        json={"status": "in_progress", "progress_note": {"note": "Chronology template drafted."}},
        headers={**gwent, "If-Match": first["etag"]},
    )
    assert response.status_code == 200, response.text
    clock.advance(days=101)  # 2026-09-10
    return early, late


def test_the_overdue_actions_are_listed_longest_overdue_first_with_their_counts(client, token_for, clock):
    early, _late = _build(client, token_for, clock)
    answer = _overdue(client, token_for("inspectorate"))
    assert answer["as_of"] == "2026-09-10" and answer["total"] == 4
    assert [(g["region"], g["lead_agency"], g["total"], g["ageing"]) for g in answer["groups"]] == [
        ("gwent", "health-visiting", 1, {"1-30": 0, "31-90": 0, "91-180": 1, "over-180": 0}),
        ("gwent", "police", 3, {"1-30": 2, "31-90": 0, "91-180": 1, "over-180": 0}),
    ]
    items = answer["items"]
    # Longest overdue first; equal ages in action id order (ids are random, so only the set is fixed).
    assert [i["days_overdue"] for i in items] == [92, 92, 10, 10]
    assert {(i["reference"], i["recommendation_ref"]) for i in items[:2]} == {("G-early", "R1"), ("G-early", "R2")}
    assert [i["action_id"] for i in items[:2]] == sorted(i["action_id"] for i in items[:2])
    r1 = next(i for i in items if i["reference"] == "G-early" and i["recommendation_ref"] == "R1")
    assert r1["review_id"] == early["id"] and r1["region"] == "gwent" and r1["lead_agency"] == "police"
    assert r1["target_date"] == "2026-06-10" and r1["status"] == "in_progress"
    assert r1["last_progress"]["note"] == "Chronology template drafted."
    assert all(i["last_progress"] is None for i in items if i is not r1)
    assert {i["reference"] for i in items[2:]} == {"G-late"}


def test_pages_follow_the_cursor_and_counts_stay_whole(client, token_for, clock):
    _build(client, token_for, clock)
    inspector = token_for("inspectorate")
    first = _overdue(client, inspector, limit=3)
    assert len(first["items"]) == 3 and first["total"] == 4 and first["next_cursor"]
    second = _overdue(client, inspector, limit=3, cursor=first["next_cursor"])
    assert len(second["items"]) == 1 and second["next_cursor"] is None and second["total"] == 4
    assert {i["action_id"] for i in first["items"]}.isdisjoint({i["action_id"] for i in second["items"]})
    assert [i["days_overdue"] for i in first["items"] + second["items"]] == [92, 92, 10, 10]
    bad = client.get(f"{API}/actions/overdue", params={"cursor": "not-ours"}, headers=inspector)
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "invalid-cursor"


def test_filters_by_region_agency_and_age(client, token_for, clock):
    _build(client, token_for, clock)
    inspector = token_for("inspectorate")
    refs = lambda answer: sorted((i["reference"], i["recommendation_ref"]) for i in answer["items"])  # noqa: E731
    assert _overdue(client, inspector, region="north-wales")["total"] == 0  # N's actions are due 2027
    assert refs(_overdue(client, inspector, agency="health-visiting")) == [("G-early", "R2")]
    assert refs(_overdue(client, inspector, max_days=30)) == [("G-late", "R1"), ("G-late", "R2")]
    over_90 = _overdue(client, inspector, min_days=91, max_days=180)
    assert refs(over_90) == [("G-early", "R1"), ("G-early", "R2")] and over_90["total"] == 2
    assert [g["total"] for g in over_90["groups"]] == [1, 1]
    assert _overdue(client, inspector, min_days=92, max_days=92)["total"] == 2  # the bounds are inclusive
    assert _overdue(client, inspector, min_days=93)["total"] == 0
    wrong = client.get(f"{API}/actions/overdue", params={"min_days": 10, "max_days": 5}, headers=inspector)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["code"] == "invalid-days"
    for params in ({"min_days": 0}, {"max_days": "soon"}, {"limit": 0}):
        assert client.get(f"{API}/actions/overdue", params=params, headers=inspector).status_code == 422


def test_a_board_sees_its_own_region_and_asking_for_another_is_forbidden(client, token_for, clock):
    _build(client, token_for, clock)
    north = token_for("board", "north-wales")
    own = _overdue(client, north)
    assert own["total"] == 0 and own["items"] == [] and own["groups"] == []
    assert _overdue(client, north, region="north-wales")["total"] == 0
    other = client.get(f"{API}/actions/overdue", params={"region": "gwent"}, headers=north)
    assert other.status_code == 403 and other.json()["type"] == "/problems/forbidden"
    assert _overdue(client, token_for("board", "gwent"))["total"] == 4
    assert _overdue(client, token_for("admin"), region="gwent")["total"] == 4
    assert client.get(f"{API}/actions/overdue", headers=token_for("practitioner")).status_code == 403
