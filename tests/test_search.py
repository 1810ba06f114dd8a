"""Search, trends and overdue actions over HTTP, on the SQL backend of the suite's database (the
questions asked of one corpus made once are in tests/test_search_in_a_corpus.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import flows, search_corpus
from tests.conftest import issued_token
from tests.flows import API
from tests.search_corpus import search as _search


@pytest.fixture
def corpus(client, token_for):
    return search_corpus.build(client, token_for)


def test_a_score_counts_where_each_word_is_found_in_the_review_itself(client, token_for):
    board = token_for("board", "gwent")

    def review(reference, title, summary, full_text):
        plain = search_corpus.RECOMMENDATIONS  # no word of the queries below
        return flows.create(
            client, board, reference=reference, title=title, summary=summary, full_text=full_text, recommendations=plain
        )

    in_title = review("T 1/2024", "Child T neglect", "Nothing here.", "")
    in_summary = review("T 2/2024", "Child S", "Neglect was seen.", "")
    in_text = review("T 3/2024", "Child X", "Nothing here.", "Neglect. " * 50)
    everywhere = review("T 4/2024", "Child E neglect", "Neglect.", "neglect")
    answer = _search(client, board, q="neglect")
    scores = {item["id"]: item["score"] for item in answer["items"]}
    assert scores == {everywhere["id"]: 15.0, in_title["id"]: 10.0, in_summary["id"]: 4.0, in_text["id"]: 1.0}
    assert [item["id"] for item in answer["items"]] == [everywhere["id"], in_title["id"], in_summary["id"], in_text["id"]]
    # Each required word scores on its own: two words in the title score twice.
    two = _search(client, board, q="neglect child")["items"]
    assert {item["id"]: item["score"] for item in two}[everywhere["id"]] == 15.0 + 10.0


def test_report_text_cannot_inject_markup_into_highlights(client, token_for):
    board = token_for("board", "gwent")
    flows.review_in(client, board, "published", full_text='Neglect was <script>alert("x")</script> & missed.')
    answer = _search(client, token_for("practitioner"), q="neglect missed")
    fragments = " ".join(answer["items"][0]["highlights"])
    # The text's own markup is escaped (or, by PostgreSQL's headline parser, dropped): never live.
    assert "<script>" not in fragments and "&amp;" in fragments and "<mark>" in fragments


@pytest.mark.parametrize(
    ("q", "text", "marked"),
    [
        ("fostering", "The Fostering panel never met.", "Fostering"),  # capitalised where it stands
        ("family", "Both families moved twice.", "families"),  # its stem (famili) is not the word's start
        ("sharing", "A sharp drop in visits. " + "Filler words. " * 1000 + "Nobody was sharing the plan.", "sharing"),
    ],
)
def test_a_hit_found_deep_in_its_report_is_highlighted_where_it_was_found(client, token_for, q, text, marked):
    """On PostgreSQL a headline reads a window of the report around the first match
    (`_headline_source` in app/search/sql.py); a stem found first inside another word (`shar` in
    "sharp") falls back to the report's first 100,000 characters, as every headline once did."""
    board = token_for("board", "gwent")
    review = flows.review_in(client, board, "published", full_text="Unrelated opening words. " * 3000 + text)
    answer = _search(client, token_for("practitioner"), q=q)
    assert [item["id"] for item in answer["items"]] == [review["id"]]
    assert f"<mark>{marked}</mark>" in " ".join(answer["items"][0]["highlights"])


@pytest.mark.parametrize(("written", "typed"), search_corpus.WELSH.items())
def test_a_welsh_word_is_found_with_or_without_its_diacritics(client, token_for, written, typed):
    """On every backend alike: SQLite's tokenizer removes diacritics, PostgreSQL's configuration
    reads words through `unaccent` (migration 0016), OpenSearch's analyzer folds them."""
    board, reader = token_for("board", "gwent"), token_for("practitioner")
    with_marks = flows.review_in(client, board, "published", summary=f"Y gair {written} yn yr adroddiad.")
    without = flows.review_in(client, board, "published", reference="GWSB 9/2024", summary=f"Y gair {typed} heb acen.")
    for q in (written, typed, written.upper()):
        assert {item["id"] for item in _search(client, reader, q=q)["items"]} == {with_marks["id"], without["id"]}, q


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(min_size=1, max_size=60).filter(lambda s: "\x00" not in s))
def test_no_typed_text_makes_search_fail(client, token_for, q):
    response = client.get(f"{API}/search", params={"q": q}, headers=token_for("inspectorate"))
    assert response.status_code == 200, (q, response.text)


def test_an_empty_or_absurd_query_is_refused_clearly(client, token_for):
    reader = token_for("inspectorate")
    for params in ({}, {"q": ""}, {"q": "x" * 501}, {"q": "x", "cursor": "junk"}):
        response = client.get(f"{API}/search", params=params, headers=reader)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == "application/problem+json"


# --- trends ---------------------------------------------------------------------------------


def _trends(client, headers, *group_by, **params):
    response = client.get(f"{API}/trends", params={"group_by": list(group_by), **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _cells(answer):
    return {tuple(b["key"].values()): (b["count"], b["suppressed"]) for b in answer["buckets"]}


def _many_published(client, token_for, region, count, year):
    board = token_for("board", region)
    for n in range(count):
        flows.review_in(client, board, "published", region=region, reference=f"{region}-{year}-{n}", completed_on=f"{year}-05-01")


def test_the_inspectorate_sees_every_count(client, token_for):
    _many_published(client, token_for, "gwent", 6, 2022)
    _many_published(client, token_for, "north-wales", 2, 2022)
    answer = _trends(client, token_for("inspectorate"), "region")
    assert answer["suppression"] is False
    assert _cells(answer) == {("gwent",): (6, False), ("north-wales",): (2, False)}


def test_small_numbers_are_hidden_from_practitioners_with_no_way_to_subtract(client, token_for):
    _many_published(client, token_for, "gwent", 6, 2022)
    _many_published(client, token_for, "north-wales", 7, 2022)
    _many_published(client, token_for, "west-glamorgan", 2, 2022)
    answer = _trends(client, token_for("practitioner"), "region")
    assert answer["suppression"] is True
    cells = _cells(answer)
    assert cells[("west-glamorgan",)] == (None, True)
    # With only one cell hidden, the total (known from elsewhere) would give it away: the smallest
    # other cell is hidden too.
    assert cells[("gwent",)] == (None, True)
    assert cells[("north-wales",)] == (7, False)


def test_hidden_buckets_come_last_in_key_order_so_their_place_reveals_nothing(client, token_for):
    _many_published(client, token_for, "west-glamorgan", 4, 2022)
    _many_published(client, token_for, "gwent", 9, 2022)
    _many_published(client, token_for, "cardiff-vale", 1, 2022)
    _many_published(client, token_for, "north-wales", 7, 2022)
    buckets = _trends(client, token_for("practitioner"), "region")["buckets"]
    assert [(b["key"]["region"], b["count"]) for b in buckets] == [
        ("gwent", 9),
        ("north-wales", 7),
        ("cardiff-vale", None),
        ("west-glamorgan", None),
    ]


def test_two_dimensions_and_suppression_by_row_and_column(client, token_for):
    _many_published(client, token_for, "gwent", 6, 2022)
    _many_published(client, token_for, "gwent", 5, 2023)
    _many_published(client, token_for, "north-wales", 5, 2022)
    _many_published(client, token_for, "north-wales", 1, 2023)
    cells = _cells(_trends(client, token_for("practitioner"), "region", "year"))
    assert all(suppressed for _, suppressed in cells.values())  # one small cell in a 2x2 hides them all
    full = _cells(_trends(client, token_for("inspectorate"), "region,year"))
    assert full[("north-wales", 2023)] == (1, False)


def test_trends_by_theme_count_each_review_once_per_theme(client, token_for, corpus):
    cells = _cells(_trends(client, token_for("inspectorate"), "theme"))
    assert cells[("voice-of-the-child",)] == (2, False)  # the draft is not visible to the inspectorate
    assert cells[("information-sharing-and-recording",)] == (2, False)


@pytest.mark.parametrize("group_by", [[], ["colour"], ["region", "region"], ["region", "year", "kind"], ["region,year,kind"]])
def test_trends_need_one_or_two_known_dimensions(client, token_for, group_by):
    response = client.get(f"{API}/trends", params={"group_by": group_by}, headers=token_for("inspectorate"))
    assert response.status_code == 422


def test_anonymous_callers_get_no_trends(client):
    assert client.get(f"{API}/trends", params={"group_by": "region"}).status_code == 401


# --- overdue actions ------------------------------------------------------------------------


def test_overdue_actions_by_region_agency_and_age(client, token_for, clock):
    gwent = token_for("board", "gwent")
    flows.review_in(client, gwent, "submitted", reference="G-old")  # two actions due 2027-03-31
    north = token_for("board", "north-wales")
    flows.review_in(client, north, "published", region="north-wales", reference="N-old")
    flows.create(client, gwent, reference="G-draft")  # drafts are not followed

    clock.advance(days=320)  # 2027-04-17: 17 days overdue
    answer = client.get(f"{API}/actions/overdue", headers=token_for("inspectorate")).json()
    assert answer["total"] == 4
    assert [(g["region"], g["lead_agency"], g["total"], g["ageing"]["1-30"]) for g in answer["groups"]] == [
        ("gwent", "police", 2, 2),
        ("north-wales", "police", 2, 2),
    ]
    clock.advance(days=200)
    own = client.get(f"{API}/actions/overdue", headers=gwent).json()
    assert [(g["region"], g["ageing"]["over-180"]) for g in own["groups"]] == [("gwent", 2)]
    assert client.get(f"{API}/actions/overdue", headers=token_for("practitioner")).status_code == 403


def test_with_the_sql_backend_a_change_is_searchable_at_its_commit_and_leaves_no_outbox_work(isolated_engine, settings, clock):
    """The database indexes a review in the transaction that writes it, so no outbox row is queued
    (and no after-commit drain runs) for the SQL backend; the OpenSearch backend still gets them."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from app.auth.principals import Principal, Role
    from app.main import create_app
    from app.registry import Registry

    outbox_statements: list[str] = []
    event.listen(
        isolated_engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: outbox_statements.append(statement) if "search_outbox" in statement else None,
    )
    app = create_app(registry=Registry.from_settings(settings, clock=clock, engine=isolated_engine))
    board = {"Authorization": "Bearer " + issued_token(app.state.registry, Principal("board-gwent", Role.board, "gwent"))}
    with TestClient(app) as client:
        review = flows.create(client, board, title="Child Q: the kinship placement")
        client.patch(
            f"{API}/reviews/{review['id']}", json={"title": "Child Q: the kinship carers"}, headers={**board, "If-Match": '"1"'}
        )
        found = client.get(f"{API}/search", params={"q": "carers"}, headers=board).json()
        assert [item["id"] for item in found["items"]] == [review["id"]]
    assert outbox_statements == []


@pytest.mark.parametrize(("q", "expected"), search_corpus.BILINGUAL_QUESTIONS.items())
def test_welsh_is_searched_as_welsh(client, token_for, q, expected):
    """ADR 0045: Welsh text (title_cy, summary_cy, a recommendation's text_cy, the report of a review
    written in Welsh) is found by its own words, folded but neither stemmed nor stopped as English."""
    ids = search_corpus.build_bilingual(client, token_for)
    found = {item["id"] for item in _search(client, token_for("practitioner"), q=q)["items"]}
    assert found == {ids[reference] for reference in expected}, q


def test_a_hit_in_welsh_is_highlighted_in_welsh_and_carries_its_welsh_title(client, token_for):
    ids = search_corpus.build_bilingual(client, token_for)
    answer = _search(client, token_for("practitioner"), q="cân")
    [item] = answer["items"]
    assert item["id"] == ids["GW CY 1/2025"] and item["title_cy"] == "Plentyn L"
    assert "<mark>Cân</mark>" in " ".join(item["highlights"])
    english = _search(client, token_for("practitioner"), q="father")["items"]
    assert "<mark>father</mark>" in " ".join(next(i for i in english if i["id"] == ids["GW CY 1/2025"])["highlights"])
