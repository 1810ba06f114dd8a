"""Recurring recommendations (issue 12): the similar recommendations of other reviews, on both search
backends with the same answer, and a search over recommendations alone (ADR 0027)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth.principals import Principal, Role
from app.recommendations.service import action_status
from app.reviews.models import Review
from app.search.backend import SearchDocument
from app.search.similarity import dice, query_terms, terms
from app.search.sql import SqlSearchBackend
from tests import flows
from tests.flows import API

FATHERS = "Agencies should share information about fathers and new partners."
ATTENDANCE = "Schools should monitor school attendance of children on the register."


def _rec(ref: str, text: str, level: str) -> dict[str, str]:
    return {"ref": ref, "text": text, "level": level}


# A labelled set: (region, reference, completed_on, recommendations, what each action of them becomes).
# Near-duplicates of FATHERS are reworded; the rest are about school attendance, visits, chronologies.
LABELLED: list[tuple[str, str, str, list[dict[str, str]], dict[str, str]]] = [
    ("gwent", "GW 1/2019", "2019-03-01", [_rec("R1", FATHERS, "regional_board"), _rec("R2", ATTENDANCE, "agency")], {}),
    (
        "north-wales",
        "NW 2/2020",
        "2020-05-01",
        [
            _rec("R1", "Agencies must share information about fathers and new partners.", "national"),
            _rec("R2", "Health visitors record every home visit.", "agency"),
        ],
        {"R1": "completed"},
    ),
    (
        "cardiff-vale",
        "CV 3/2021",
        "2021-07-01",
        [
            _rec("R1", "Information about fathers and new partners should be shared by all agencies.", "regional_board"),
            _rec("R2", "Schools report poor school attendance to social services.", "agency"),
        ],
        {"R1": "in_progress"},
    ),
    (
        "west-glamorgan",
        "WG 4/2022",
        "2022-09-01",
        [_rec("R1", "Agencies should share information about fathers, new partners and grandparents.", "national")],
        {},
    ),
    (
        "mid-west-wales",
        "MW 5/2023",
        "2023-02-01",
        [
            _rec("R1", "Improve school attendance monitoring across the region.", "national"),
            _rec("R2", "Police record domestic abuse call-outs.", "agency"),
        ],
        {"R1": "completed"},
    ),
    (
        "cwm-taf-morgannwg",
        "CT 6/2024",
        "2024-04-01",
        [_rec("R1", "Practitioners seek the views of fathers and new partners.", "agency")],
        {},
    ),
    ("gwent", "GW 7/2025", "2025-01-10", [_rec("R1", "Chronologies are kept for each child.", "regional_board")], {}),
]
OVERDUE_TARGET = {"CT 6/2024": "2026-01-31"}  # before the tests' today (2026-06-01)


def _publish(client: TestClient, token_for: Any, region: str, reference: str, completed_on: str, recs: list, statuses: dict):
    board = token_for("board", region)
    review = flows.create(client, board, region=region, reference=reference, completed_on=completed_on, recommendations=recs)
    plan = flows.put_plan(client, board, review, target_date=OVERDUE_TARGET.get(reference, "2027-03-31"))
    for action in plan["actions"]:
        wanted = statuses.get(action["recommendation_ref"])
        if wanted:
            response = client.patch(
                f"{API}/reviews/{review['id']}/action-plan/actions/{action['id']}",
                json={"status": wanted},
                headers={**board, "If-Match": f'"{action["version"]}"'},
            )
            assert response.status_code == 200, response.text
    flows.submit(client, board, review)
    return flows.publish(client, board, review)


@pytest.fixture
def labelled(client, token_for) -> dict[str, dict[str, Any]]:
    return {ref: _publish(client, token_for, region, ref, done, recs, st) for region, ref, done, recs, st in LABELLED}


def _similar(client, headers, review_id, ref="R1", **params):
    response = client.get(f"{API}/reviews/{review_id}/recommendations/{ref}/similar", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _ranked(answer):
    return [(item["review"]["reference"], item["ref"], item["score"]) for item in answer["items"]]


def _list(client, headers, **params):
    response = client.get(f"{API}/recommendations", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _listed(answer):
    return [(item["review"]["reference"], item["ref"]) for item in answer["items"]]


# --- the scorer -----------------------------------------------------------------------------------


def test_the_score_reads_the_pair_alone():
    assert terms(FATHERS) == {"agencies", "share", "information", "fathers", "new", "partners"}
    assert dice(terms(FATHERS), terms(FATHERS.upper())) == 1.0
    assert dice(terms(FATHERS), terms("Agencies must share information about fathers and new partners.")) == round(12 / 13, 6)
    assert dice(terms(FATHERS), terms(ATTENDANCE)) == 0.0
    assert dice(terms("the of and"), terms(FATHERS)) == 0.0
    assert query_terms("Fathers, fathers and new FATHERS") == ["fathers", "new"]


def test_action_status_summarises_every_action_of_a_recommendation():
    day = date(2026, 1, 1)
    assert action_status([]) == "none"
    assert action_status([("not_started", day), ("not_started", day)]) == "not_started"
    assert action_status([("completed", day), ("completed", day)]) == "completed"
    assert action_status([("completed", day), ("not_started", day)]) == "in_progress"
    assert action_status([("in_progress", day)]) == "in_progress"


# --- similar recommendations ----------------------------------------------------------------------


def test_near_duplicates_come_first_across_regions_and_years_and_unrelated_ones_not_at_all(client, token_for, labelled):
    answer = _similar(client, token_for("inspectorate"), labelled["GW 1/2019"]["id"])
    # Two ties at 12/13 go newest first; "shared" is not "share" (no stemming); the views of fathers
    # share three terms of six; school attendance, visits and chronologies share none.
    assert _ranked(answer) == [
        ("WG 4/2022", "R1", 0.923077),
        ("NW 2/2020", "R1", 0.923077),
        ("CV 3/2021", "R1", 0.833333),
        ("CT 6/2024", "R1", 0.5),
    ]
    assert answer["source"]["review"]["reference"] == "GW 1/2019" and answer["source"]["ref"] == "R1"
    first, second, third, fourth = answer["items"]
    assert first["review"] | {"id": None} == {
        "id": None,
        "reference": "WG 4/2022",
        "title": "Child A",
        "region": "west-glamorgan",
        "year": 2022,
    }
    assert first["level"] == "national" and first["text"].startswith("Agencies should share")
    assert (first["actions"], first["action_status"]) == ({"total": 1, "completed": 0, "overdue": 0}, "not_started")
    assert (second["actions"], second["action_status"]) == ({"total": 1, "completed": 1, "overdue": 0}, "completed")
    assert third["action_status"] == "in_progress"
    assert (fourth["actions"], fourth["action_status"]) == ({"total": 1, "completed": 0, "overdue": 1}, "not_started")
    # The other recommendation of the same review is never a candidate; the limit cuts the ranking.
    attendance = _similar(client, token_for("practitioner"), labelled["GW 1/2019"]["id"], ref="R2")
    assert _ranked(attendance) == [("CV 3/2021", "R2", 0.461538), ("MW 5/2023", "R1", 0.333333)]
    assert _ranked(_similar(client, token_for("researcher"), labelled["GW 1/2019"]["id"], limit=2)) == _ranked(answer)[:2]


def test_a_recommendation_like_no_other_has_no_similar_ones(client, token_for, labelled):
    answer = _similar(client, token_for("practitioner"), labelled["GW 7/2025"]["id"])
    assert answer["items"] == []


CALLERS = {
    "anonymous": None,
    "own_board": ("board", "gwent"),
    "other_board": ("board", "north-wales"),
    "inspectorate": ("inspectorate", None),
    "practitioner": ("practitioner", None),
    "researcher": ("researcher", None),
    "admin": ("admin", None),
}
# Status of GET .../similar on a gwent review in each state; GET /recommendations is 401 or 200.
SIMILAR_ACCESS = {
    #             anonymous  own_board  other_board  inspectorate  practitioner  researcher  admin
    "draft":     (401,       200,       404,         404,          404,          404,        200),
    "submitted": (401,       200,       404,         200,          404,          404,        200),
    "published": (401,       200,       200,         200,          200,          200,        200),
}  # fmt: skip


@pytest.mark.parametrize("state", list(SIMILAR_ACCESS))
def test_who_may_ask_for_similar_recommendations(client, token_for, state):
    board = token_for("board", "gwent")
    review = flows.review_in(client, board, state, reference=f"ACC {state}")
    for (caller, who), expected in zip(CALLERS.items(), SIMILAR_ACCESS[state], strict=True):
        headers = token_for(*who) if who else {}
        response = client.get(f"{API}/reviews/{review['id']}/recommendations/R1/similar", headers=headers)
        assert response.status_code == expected, (caller, response.text)
        assert response.headers["content-type"].startswith("application/json" if expected == 200 else "application/problem+json")
        if expected == 401:
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
        listed = client.get(f"{API}/recommendations", headers=headers)
        assert listed.status_code == (401 if caller == "anonymous" else 200), (caller, listed.text)


def test_an_unknown_review_or_ref_is_404_and_bad_input_422(client, token_for, labelled):
    reader = token_for("inspectorate")
    review_id = labelled["GW 1/2019"]["id"]
    assert client.get(f"{API}/reviews/{review_id}/recommendations/R9/similar", headers=reader).status_code == 404
    assert client.get(f"{API}/reviews/nope/recommendations/R1/similar", headers=reader).status_code == 404
    for params in ({"limit": 0}, {"limit": 101}, {"limit": "x"}):
        response = client.get(f"{API}/reviews/{review_id}/recommendations/R1/similar", params=params, headers=reader)
        assert response.status_code == 422, params
    for params in ({"level": "galactic"}, {"action_status": "done"}, {"year_from": 1800}, {"cursor": "bad"}, {"q": ""}):
        response = client.get(f"{API}/recommendations", params=params, headers=reader)
        assert response.status_code == 422, params
        assert response.headers["content-type"].startswith("application/problem+json")


HIDDEN_FATHERS = [
    _rec("R1", FATHERS, "national"),
    _rec("R2", "Agencies share information about fathers and new partners and schools monitor attendance.", "agency"),
]
# Reviews a practitioner may not read: drafts and submitted reviews of other regions, and a withdrawn one.
HIDDEN = [("north-wales", "draft"), ("cardiff-vale", "submitted"), ("gwent", "draft"), ("west-glamorgan", "withdrawn")]


def _add_hidden(client, token_for) -> list[str]:
    ids = []
    for n, (region, status) in enumerate(HIDDEN):
        board = token_for("board", region)
        state = "published" if status == "withdrawn" else status
        review = flows.review_in(
            client,
            board,
            state,
            region=region,
            reference=f"HID {n}/2026",
            completed_on="2026-01-01",
            recommendations=HIDDEN_FATHERS,
        )
        if status == "withdrawn":
            response = client.post(f"{API}/reviews/{review['id']}/withdraw", json={"reason": "Identifying."}, headers=board)
            assert response.status_code == 200, response.text
        ids.append(review["id"])
    return ids


def _answers(client, headers, labelled):
    similar = {
        (ref, rec): _similar(client, headers, labelled[ref]["id"], ref=rec, limit=100)
        for ref in ("GW 1/2019", "CT 6/2024", "MW 5/2023")
        for rec in ("R1",)
    } | {("GW 1/2019", "R2"): _similar(client, headers, labelled["GW 1/2019"]["id"], ref="R2", limit=100)}
    lists = [
        _list(client, headers, limit=100),
        _list(client, headers, q="fathers partners", limit=100),
        _list(client, headers, level="national", limit=100),
        _list(client, headers, action_status="not_completed", year_from=2019, limit=100),
    ]
    return similar, lists


def test_reviews_a_practitioner_may_not_read_change_nothing_in_its_answers(client, token_for, labelled):
    """ADR 0022 and 0027: hidden reviews full of near-identical recommendations move no id, order, score or total."""
    practitioner = token_for("practitioner")
    before = _answers(client, practitioner, labelled)
    hidden = _add_hidden(client, token_for)
    after = _answers(client, practitioner, labelled)
    assert after == before
    seen = {item["review"]["id"] for a in after[0].values() for item in a["items"]}
    seen |= {item["review"]["id"] for a in after[1] for item in a["items"]}
    assert seen and not seen & set(hidden)
    # The comparison is not empty, and the hidden ones exist for whoever may read them.
    admin = _similar(client, token_for("admin"), labelled["GW 1/2019"]["id"], limit=100)
    assert set(hidden) <= {item["review"]["id"] for item in admin["items"]}
    assert admin["items"][0]["score"] == 1.0


# --- recommendations alone -----------------------------------------------------------------------


def test_national_recommendations_since_2019_with_no_completed_action(client, token_for, labelled):
    reader = token_for("inspectorate")
    answer = _list(client, reader, level="national", year_from=2019, action_status="not_completed")
    assert answer["total"] == 1 and _listed(answer) == [("WG 4/2022", "R1")]
    item = answer["items"][0]
    assert item["review"]["region"] == "west-glamorgan" and item["review"]["year"] == 2022
    assert item["level"] == "national" and item["action_status"] == "not_started"
    assert item["actions"] == {"total": 1, "completed": 0, "overdue": 0}
    completed = _list(client, reader, level="national", action_status="completed")
    assert _listed(completed) == [("MW 5/2023", "R1"), ("NW 2/2020", "R1")]
    assert _listed(_list(client, reader, action_status="in_progress")) == [("CV 3/2021", "R1")]
    assert _list(client, reader, action_status="none")["total"] == 0  # a submitted review answers every recommendation


def test_words_regions_and_years_filter_recommendations(client, token_for, labelled):
    reader = token_for("practitioner")
    fathers = _list(client, reader, q="fathers partners")
    assert _listed(fathers) == [
        ("CT 6/2024", "R1"),
        ("WG 4/2022", "R1"),
        ("CV 3/2021", "R1"),
        ("NW 2/2020", "R1"),
        ("GW 1/2019", "R1"),
    ]
    assert _listed(_list(client, reader, q='"school attendance" -poor')) == [("MW 5/2023", "R1"), ("GW 1/2019", "R2")]
    assert _listed(_list(client, reader, q="grandparents OR chronologies")) == [("GW 7/2025", "R1"), ("WG 4/2022", "R1")]
    assert _listed(_list(client, reader, region="gwent")) == [("GW 7/2025", "R1"), ("GW 1/2019", "R1"), ("GW 1/2019", "R2")]
    assert _listed(_list(client, reader, q="fathers", year_from=2021, year_to=2022)) == [("WG 4/2022", "R1"), ("CV 3/2021", "R1")]
    assert _list(client, reader, q="the of and") == {"total": 0, "items": [], "next_cursor": None}
    overdue = _list(client, reader, q="views")["items"][0]
    assert overdue["actions"] == {"total": 1, "completed": 0, "overdue": 1}


def test_recommendations_page_with_a_cursor(client, token_for, labelled):
    reader = token_for("inspectorate")
    everything = _list(client, reader, limit=100)
    assert everything["total"] == 11 and everything["next_cursor"] is None
    seen, cursor = [], None
    while True:
        answer = _list(client, reader, limit=3, **({"cursor": cursor} if cursor else {}))
        assert answer["total"] == 11
        seen += _listed(answer)
        cursor = answer["next_cursor"]
        if not cursor:
            break
    assert seen == _listed(everything)


def test_a_board_sees_its_own_drafts_recommendations_with_no_action(client, token_for, labelled):
    board = token_for("board", "gwent")
    draft = flows.create(
        client, board, reference="GW DRAFT", completed_on="2026-02-01", recommendations=[_rec("R1", FATHERS, "agency")]
    )
    mine = _list(client, board, action_status="none")
    assert _listed(mine) == [("GW DRAFT", "R1")] and mine["items"][0]["actions"] == {"total": 0, "completed": 0, "overdue": 0}
    assert _list(client, token_for("board", "north-wales"), action_status="none")["total"] == 0
    # Its draft finds the published near-duplicates; theirs never find the draft.
    assert _ranked(_similar(client, board, draft["id"]))[0] == ("GW 1/2019", "R1", 1.0)
    assert "GW DRAFT" not in {r for r, _, _ in _ranked(_similar(client, token_for("inspectorate"), labelled["GW 1/2019"]["id"]))}


# --- both search backends -------------------------------------------------------------------------


def _documents(session: Session) -> list[SearchDocument]:
    return [SearchDocument.of(r) for r in session.exec(select(Review)).all()]


PRINCIPAL_ROLES = [("practitioner", None), ("inspectorate", None), ("board", "gwent"), ("board", "north-wales"), ("admin", None)]


def _every_similar(client, token_for, labelled) -> dict[tuple[Any, ...], list[tuple[str, str, float]]]:
    answers = {}
    for who in PRINCIPAL_ROLES:
        headers = token_for(*who)
        for reference, _, recs in ((r, None, recs) for _, r, _, recs, _ in LABELLED):
            for rec in recs:
                answer = _similar(client, headers, labelled[reference]["id"], ref=rec["ref"], limit=100)
                answers[(who, reference, rec["ref"])] = [(i["review"]["id"], i["ref"], i["score"]) for i in answer["items"]]
    return answers


def test_sql_and_opensearch_give_the_same_similar_recommendations(
    client, token_for, session, labelled, opensearch_backend, app_over
):
    _add_hidden(client, token_for)
    opensearch_backend.index(_documents(session))
    sql = _every_similar(client, token_for, labelled)
    with TestClient(app_over(search=opensearch_backend), raise_server_exceptions=False) as over_opensearch:
        opensearch = _every_similar(over_opensearch, token_for, labelled)
    assert opensearch == sql
    assert sum(len(v) for v in sql.values()) >= 40  # the comparison is not empty
    # The backend only finds candidates: the same reviews, for a caller, on both sides.
    principal = Principal("practitioner", Role.practitioner)
    kwargs = {"principal": principal, "today": date(2026, 6, 1), "terms": query_terms(FATHERS), "limit": 1000}
    sql_backend = SqlSearchBackend(session.get_bind().dialect.name)
    excluding = labelled["GW 1/2019"]["id"]
    found_sql = sql_backend.recommendation_candidates(session, excluding=excluding, **kwargs)
    found_os = opensearch_backend.recommendation_candidates(session, excluding=excluding, **kwargs)
    # OpenSearch reads the recommendations field; PostgreSQL's weight B holds the summaries too (whose
    # "father" every review here has): a superset, which the scorer narrows to the same answer.
    assert len(found_os) == 4 and set(found_os) <= set(found_sql)
    if sql_backend.dialect == "sqlite":
        assert found_sql == found_os


def test_hidden_reviews_change_nothing_over_opensearch(client, token_for, session, labelled, opensearch_backend, app_over):
    opensearch_backend.index(_documents(session))
    practitioner = token_for("practitioner")
    with TestClient(app_over(search=opensearch_backend), raise_server_exceptions=False) as over_opensearch:
        before = {
            ref: _similar(over_opensearch, practitioner, labelled[ref]["id"], limit=100) for ref in ("GW 1/2019", "CT 6/2024")
        }
        _add_hidden(client, token_for)
        opensearch_backend.index(_documents(session))
        after = {
            ref: _similar(over_opensearch, practitioner, labelled[ref]["id"], limit=100) for ref in ("GW 1/2019", "CT 6/2024")
        }
    assert after == before and len(before["GW 1/2019"]["items"]) == 4


# --- more recommendations than a page (the database filters and pages them) ----------------------


def _pages(client: Any, headers: dict[str, str], **params: Any) -> tuple[list[int], list[tuple[str, str]]]:
    """Every page's total, and what the pages showed, following next_cursor to the end."""
    totals, seen, cursor = [], [], None
    while True:
        answer = _list(client, headers, **params, **({"cursor": cursor} if cursor else {}))
        assert len(answer["items"]) <= params["limit"]
        totals.append(answer["total"])
        seen += _listed(answer)
        cursor = answer["next_cursor"]
        if not cursor:
            return totals, seen


def test_filters_and_pages_are_right_over_more_recommendations_than_pages(client, token_for):
    """26 drafts of three recommendations each: R1 national with an action completed on every other
    review, R2 agency with an action not started, R3 national with no action. The level and status
    filters, the total and each page come from the database, so no page is short or repeated."""
    board = token_for("board", "gwent")
    made = []
    for i in range(26):
        review = flows.create(
            client,
            board,
            reference=f"PAGE {i:02d}/2026",
            recommendations=[
                _rec("R1", f"Agencies should share information about fathers in case {i}.", "national"),
                _rec("R2", f"Schools should monitor attendance in case {i}.", "agency"),
                _rec("R3", f"The board should audit supervision of fathers' assessments in case {i}.", "national"),
            ],
        )
        plan = flows.put_plan(client, board, review | {"recommendations": review["recommendations"][:2]})
        if i % 2 == 0:
            action = next(a for a in plan["actions"] if a["recommendation_ref"] == "R1")
            done = client.patch(
                f"{API}/reviews/{review['id']}/action-plan/actions/{action['id']}",
                json={"status": "completed", "progress_note": {"note": "Done and audited."}},
                headers={**board, "If-Match": f'"{action["version"]}"'},
            )
            assert done.status_code == 200, done.text
        made.append(review)
    in_order = sorted(made, key=lambda r: r["id"])  # the same completed_on: by review id, then position
    even = {r["id"] for r in made[::2]}

    def expected(keep: Any) -> list[tuple[str, str]]:
        return [(r["reference"], ref) for r in in_order for ref in ("R1", "R2", "R3") if keep(r, ref)]

    cases = {
        (("level", "national"), ("action_status", "not_completed")): expected(
            lambda r, ref: ref == "R3" or (ref == "R1" and r["id"] not in even)
        ),
        (("level", "national"), ("action_status", "completed")): expected(lambda r, ref: ref == "R1" and r["id"] in even),
        (("action_status", "none"),): expected(lambda r, ref: ref == "R3"),
        (("action_status", "not_started"),): expected(lambda r, ref: ref == "R2" or (ref == "R1" and r["id"] not in even)),
        (("level", "agency"),): expected(lambda r, ref: ref == "R2"),
        (("q", "fathers"), ("action_status", "not_completed")): expected(
            lambda r, ref: ref == "R3" or (ref == "R1" and r["id"] not in even)
        ),
        (("q", "fathers"), ("level", "national"), ("action_status", "completed")): expected(
            lambda r, ref: ref == "R1" and r["id"] in even
        ),
        (): expected(lambda r, ref: True),
    }
    for params, wanted in cases.items():
        totals, seen = _pages(client, board, limit=7, **dict(params))
        assert seen == wanted, params
        assert set(totals) == {len(wanted)}, params
        assert len(totals) == -(-len(wanted) // 7), params  # no empty page at the end
    first = _list(client, board, level="national", action_status="completed", limit=100)["items"][0]
    assert first["action_status"] == "completed" and first["actions"] == {"total": 1, "completed": 1, "overdue": 0}
    # Another board reads none of these drafts: not in the rows, the total or the pages.
    assert _list(client, token_for("board", "north-wales"), limit=7) == {"total": 0, "items": [], "next_cursor": None}
