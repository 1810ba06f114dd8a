"""Outcome measures in trends (issue 12, part 3): each measure over a small dataset whose answers
are worked out by hand below, suppression of a share with a small denominator, and the same answers
on the OpenSearch backend as on the SQL one."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests import flows, pdfs
from tests.flows import API

LONG_SUMMARY = " ".join(["Practitioners did not see the baby's father or hear from the wider family."] * 8)
COMPLETE = {"context_factors": ["domestic-abuse"], "summary": LONG_SUMMARY}


def _trends(client, headers, measure, *group_by, **params):
    response = client.get(f"{API}/trends", params={"group_by": list(group_by), "measure": measure, **params}, headers=headers)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["measure"] == measure
    return answer


def _cells(answer):
    return {
        tuple(b["key"].values()): (b["count"], b.get("value"), b.get("denominator"), b["suppressed"]) for b in answer["buckets"]
    }


def _complete_action(client, headers, review, index):
    plan = client.get(f"{API}/reviews/{review['id']}/action-plan", headers=headers).json()
    action = plan["actions"][index]
    response = client.patch(
        f"{API}/reviews/{review['id']}/action-plan/actions/{action['id']}",
        json={"status": "completed", "progress_note": {"note": "Done and audited."}},
        headers={**headers, "If-Match": action["etag"]},
    )
    assert response.status_code == 200, response.text


def _reviewed(client, headers, reference, status, *, target_date, timeline=False, **changes):
    review = flows.create(client, headers, reference=reference, **changes)
    flows.put_plan(client, headers, review, target_date=target_date)
    if timeline:
        response = client.put(
            f"{API}/reviews/{review['id']}/documents/timeline",
            files={"file": ("timeline.pdf", pdfs.report("Timeline"), "application/pdf")},
            headers=headers,
        )
        assert response.status_code == 201, response.text
    review = flows.submit(client, headers, review)
    return flows.publish(client, headers, review) if status == "published" else review


def build(client: TestClient, token_for, clock):
    """Today 2026-06-01. In Gwent:
    - G1 published today, completed 2026-03-01 (92 days), full context with a timeline: complete.
      Actions due 2026-07-01: R1 completed today (on time), R2 open.
    - G2 published today, completed 2026-04-01 (61 days), full context but no timeline.
      Actions due 2026-07-01: R1 completed on 2026-08-01 (late), R2 open.
    - G3 submitted, completed 2026-05-01, no themes. Actions due 2026-09-30, open.
    - G4 a draft (its actions are not followed; the inspectorate cannot read it).
    In North Wales: N1 published today, completed 2026-05-01 (31 days); actions due 2027-03-31, open.
    Then the clock moves to 2026-08-01: G1.R2 and G2.R2 are overdue."""
    gwent, north = token_for("board", "gwent"), token_for("board", "north-wales")
    g1 = _reviewed(
        client, gwent, "G1", "published", target_date="2026-07-01", timeline=True, completed_on="2026-03-01", **COMPLETE
    )
    g2 = _reviewed(client, gwent, "G2", "published", target_date="2026-07-01", completed_on="2026-04-01", **COMPLETE)
    _reviewed(client, gwent, "G3", "submitted", target_date="2026-09-30", completed_on="2026-05-01", themes=[])
    flows.put_plan(
        client, gwent, flows.create(client, gwent, reference="G4", completed_on="2026-05-01"), target_date="2026-01-01"
    )
    _reviewed(client, north, "N1", "published", target_date="2027-03-31", region="north-wales", completed_on="2026-05-01")
    _complete_action(client, gwent, g1, 0)
    clock.advance(days=61)  # 2026-08-01
    _complete_action(client, gwent, g2, 0)


# measure -> {region: (count, value, denominator, suppressed)}, for the inspectorate (no suppression).
EXPECTED = {
    "reviews": {("gwent",): (3, None, None, False), ("north-wales",): (1, None, None, False)},
    "recommendations": {("gwent",): (6, None, None, False), ("north-wales",): (2, None, None, False)},
    "actions": {("gwent",): (6, None, None, False), ("north-wales",): (2, None, None, False)},
    "actions_completed": {("gwent",): (2, None, None, False)},  # a bucket with nothing to count has none
    "actions_overdue": {("gwent",): (2, None, None, False)},
    "actions_on_time_share": {("gwent",): (2, 0.5, 2, False)},
    "days_to_publication_median": {("gwent",): (2, 76.5, 2, False), ("north-wales",): (1, 31.0, 1, False)},
    "complete_context_share": {("gwent",): (3, 0.3333, 3, False), ("north-wales",): (1, 0.0, 1, False)},
}


@pytest.mark.parametrize("measure", sorted(EXPECTED))
def test_each_measure_by_region_as_worked_out_by_hand(client, token_for, clock, measure):
    build(client, token_for, clock)
    assert _cells(_trends(client, token_for("inspectorate"), measure, "region")) == EXPECTED[measure]


def test_the_default_measure_is_reviews_and_the_answer_keeps_its_shape(client, token_for, clock):
    build(client, token_for, clock)
    response = client.get(f"{API}/trends", params={"group_by": "region"}, headers=token_for("inspectorate"))
    answer = response.json()
    assert answer["measure"] == "reviews"
    assert answer["buckets"][0] == {"key": {"region": "gwent"}, "count": 3, "suppressed": False}


def test_a_draft_is_counted_by_those_who_read_it_but_its_actions_are_not_followed(client, token_for, clock):
    build(client, token_for, clock)
    admin = token_for("admin")
    assert _cells(_trends(client, admin, "reviews", "region"))[("gwent",)][0] == 4  # G4, the draft, too
    # G4's actions (due 2026-01-01) would be overdue, but a draft's actions are not followed yet.
    assert _cells(_trends(client, admin, "actions_overdue", "region")) == {("gwent",): (2, None, None, False)}
    assert _cells(_trends(client, admin, "actions", "region"))[("gwent",)][0] == 6


def test_measures_by_two_dimensions_and_by_a_tag(client, token_for, clock):
    build(client, token_for, clock)
    inspector = token_for("inspectorate")
    by_theme = _cells(_trends(client, inspector, "complete_context_share", "theme"))
    # G3 has no themes: the theme holds G1 (complete), G2 and N1.
    assert by_theme[("voice-of-the-child",)] == (3, 0.3333, 3, False)
    two = _cells(_trends(client, inspector, "actions", "region", "year"))
    assert two == {("gwent", 2026): (6, None, None, False), ("north-wales", 2026): (2, None, None, False)}


def test_a_share_of_too_few_is_hidden_with_its_complement(client, token_for):
    """Practitioners: North Wales 6 published reviews, Gwent 5, Cardiff and Vale 1. The share of
    complete context in Cardiff and Vale is of 1 review: hidden, and Gwent's (the smallest other) with
    it, so neither can be worked out from the other two."""
    for region, count in (("north-wales", 6), ("gwent", 5), ("cardiff-vale", 1)):
        board = token_for("board", region)
        for n in range(count):
            flows.review_in(client, board, "published", region=region, reference=f"{region}-{n}", completed_on="2026-05-01")
    answer = _trends(client, token_for("practitioner"), "complete_context_share", "region")
    assert answer["suppression"] is True
    assert _cells(answer) == {
        ("north-wales",): (6, 0.0, 6, False),
        ("cardiff-vale",): (None, None, None, True),
        ("gwent",): (None, None, None, True),
    }
    assert [b["key"]["region"] for b in answer["buckets"]] == ["north-wales", "cardiff-vale", "gwent"]
    median = _cells(_trends(client, token_for("practitioner"), "days_to_publication_median", "region"))
    assert median[("north-wales",)] == (6, 31.0, 6, False) and median[("cardiff-vale",)][3] is True


def test_an_unknown_measure_is_a_422(client, token_for):
    response = client.get(f"{API}/trends", params={"group_by": "region", "measure": "children"}, headers=token_for("admin"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "measure"


def test_the_opensearch_backend_gives_the_same_answers(app_over, token_for, clock, opensearch_backend):
    """Built through an app over OpenSearch (so the index holds every review); read through both."""
    over_opensearch = TestClient(app_over(search=opensearch_backend))
    over_sql = TestClient(app_over())
    build(over_opensearch, token_for, clock)
    for measure in EXPECTED:
        for group_by in (("region",), ("theme",), ("region", "year")):
            for role in ("inspectorate", "practitioner"):
                sql = _trends(over_sql, token_for(role), measure, *group_by)
                opensearch = _trends(over_opensearch, token_for(role), measure, *group_by)
                assert opensearch == sql, (measure, group_by, role)
