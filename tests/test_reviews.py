"""Reviews over HTTP: drafts, edits with ETag/If-Match, listing with filters and cursors."""

from __future__ import annotations

import pytest

from tests import factories, flows
from tests.conftest import issued_token
from tests.flows import API


@pytest.fixture
def board(token_for):
    return token_for("board", "gwent")


def test_a_created_draft_reads_back_as_sent(client, board):
    response = client.post(f"{API}/reviews", json=factories.review(), headers=board)
    assert response.status_code == 201
    assert response.headers["etag"] == '"1"'
    created = response.json()
    assert response.headers["location"] == f"{API}/reviews/{created['id']}"
    read = client.get(response.headers["location"], params={"include": "full_text"}, headers=board)
    assert read.headers["etag"] == '"1"'
    body = read.json()
    for field, value in factories.review().items():
        if field == "reviewers":
            assert body[field] == [
                {"name": "A. Reviewer", "organisation": "Independent"},
                {"name": "B. Reviewer", "organisation": None},
            ]
        elif field in ("themes", "agencies", "abuse_categories"):
            assert body[field] == sorted(value)
        else:
            assert body[field] == value, field


WELSH = {
    "language": "cy",
    "title_cy": "Plentyn A",
    "summary_cy": "Bu farw Plentyn A yn naw mis oed. Roedd cronolegau ar goll.",
}


def test_a_review_in_welsh_keeps_its_welsh_and_its_language(client, board):
    """Issue 15: the Welsh title, summary and recommendations are stored and returned beside the
    English, and a review records its original language; one without Welsh reads as before."""
    recommendations = factories.review()["recommendations"]
    recommendations[0] = recommendations[0] | {"text_cy": "Mae asiantaethau yn cadw cronoleg a rennir."}
    created = flows.create(client, board, recommendations=recommendations, **WELSH)
    read = client.get(f"{API}/reviews/{created['id']}", headers=board).json()
    assert {name: read[name] for name in WELSH} == WELSH
    assert read["recommendations"] == recommendations  # R2 has no Welsh: no `text_cy` at all
    listed = client.get(f"{API}/reviews", headers=board).json()["items"]
    assert [(item["language"], item["title_cy"]) for item in listed] == [("cy", "Plentyn A")]

    english = flows.create(client, board, reference="GWSB 3/2023")
    assert (english["language"], english["title_cy"], english["summary_cy"]) == ("en", None, None)
    assert all("text_cy" not in r for r in english["recommendations"])


@pytest.mark.parametrize(
    ("body", "code", "pointer"),
    [
        ({"language": "cy"}, "welsh-title-required", "#"),
        ({"language": "gd"}, "enum", "#/language"),
        ({"title_cy": ""}, "too_short", "#/title_cy"),
        ({"title_cy": "x" * 301}, "too_long", "#/title_cy"),
    ],
)
def test_welsh_fields_are_checked_like_the_english(client, board, body, code, pointer):
    response = client.post(f"{API}/reviews", json=factories.review(**body), headers=board)
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert (error["code"], error["pointer"]) == (code, pointer)
    assert client.get(f"{API}/reviews", headers=board).json()["items"] == []


def test_patch_changes_what_was_sent_and_bumps_the_version(client, board):
    review = flows.create(client, board)
    url = f"{API}/reviews/{review['id']}"
    response = client.patch(
        url, json={"title": "Child A (revised)", "themes": ["partial-assessment"]}, headers={**board, "If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    body = response.json()
    assert body["title"] == "Child A (revised)"
    assert body["themes"] == ["partial-assessment"]
    assert body["summary"] == review["summary"]  # untouched
    assert body["updated_at"] >= review["updated_at"]


def test_merge_patch_null_resets_an_optional_field(client, board):
    review = flows.create(client, board)
    response = client.patch(
        f"{API}/reviews/{review['id']}", json={"themes": None, "summary": None}, headers={**board, "If-Match": '"1"'}
    )
    assert response.status_code == 200
    assert response.json()["themes"] == [] and response.json()["summary"] is None


def test_a_stale_if_match_loses_and_changes_nothing(client, board):
    review = flows.create(client, board)
    url = f"{API}/reviews/{review['id']}"
    assert client.patch(url, json={"title": "First edit"}, headers={**board, "If-Match": '"1"'}).status_code == 200
    stale = client.patch(url, json={"title": "Second edit from an old copy"}, headers={**board, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["type"].endswith("/precondition-failed")
    assert client.get(url, headers=board).json()["title"] == "First edit"


def test_if_match_is_required(client, board):
    review = flows.create(client, board)
    response = client.patch(f"{API}/reviews/{review['id']}", json={"title": "x"}, headers=board)
    assert response.status_code == 428


def test_changing_a_cpr_into_a_susr_needs_consistent_fields(client, board):
    review = flows.create(client, board)
    url = f"{API}/reviews/{review['id']}"
    bad = client.patch(url, json={"kind": "susr"}, headers={**board, "If-Match": '"1"'})
    assert bad.status_code == 422
    good = client.patch(
        url, json={"kind": "susr", "review_type": None, "susr_criteria": ["cpr", "apr"]}, headers={**board, "If-Match": '"1"'}
    )
    assert good.status_code == 200
    assert good.json()["susr_criteria"] == ["cpr", "apr"]


def test_references_are_unique_within_a_region_only(client, board, token_for):
    flows.create(client, board)
    duplicate = client.post(f"{API}/reviews", json=factories.review(), headers=board)
    assert duplicate.status_code == 409
    assert "GWSB 2/2023" in duplicate.json()["detail"]
    other = token_for("board", "north-wales")
    assert client.post(f"{API}/reviews", json=factories.review(region="north-wales"), headers=other).status_code == 201


def test_renaming_onto_a_taken_reference_is_a_conflict(client, board):
    flows.create(client, board)
    second = flows.create(client, board, reference="GWSB 3/2023")
    response = client.patch(
        f"{API}/reviews/{second['id']}", json={"reference": "GWSB 2/2023"}, headers={**board, "If-Match": '"1"'}
    )
    assert response.status_code == 409


def test_unknown_codes_are_named(client, board):
    response = client.post(
        f"{API}/reviews",
        json=factories.review(
            themes=["voice-of-the-child", "astrology"], agencies=["police", "ministry-of-magic"], age_band="ancient"
        ),
        headers=board,
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"themes.1", "agencies.1", "age_band"}
    assert client.get(f"{API}/reviews", headers=board).json()["items"] == []


def _published(client, token_for, region, reference, **changes):
    return flows.review_in(client, token_for("board", region), "published", region=region, reference=reference, **changes)


def test_list_filters(client, token_for):
    a = _published(client, token_for, "gwent", "G1", completed_on="2021-04-01", themes=["voice-of-the-child"])
    b = _published(client, token_for, "gwent", "G2", completed_on="2023-04-01", age_band="1-5", themes=[])
    c = _published(
        client,
        token_for,
        "north-wales",
        "N1",
        completed_on="2023-09-01",
        review_type="concise",
        on_cp_register_6m=False,
        themes=["partial-assessment"],
    )
    reader = token_for("practitioner")

    def ids(**params):
        response = client.get(f"{API}/reviews", params=params, headers=reader)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert ids() == {a["id"], b["id"], c["id"]}
    assert ids(region="gwent") == {a["id"], b["id"]}
    assert ids(year=2023) == {b["id"], c["id"]}
    assert ids(theme="voice-of-the-child") == {a["id"]}
    assert ids(age_band="1-5") == {b["id"]}
    assert ids(review_type="concise") == {c["id"]}
    assert ids(kind="susr") == set()
    assert ids(status="draft") == set()
    assert ids(region="gwent", year=2023) == {b["id"]}


def test_cursor_pagination_walks_every_review_once(client, token_for):
    board = token_for("board", "gwent")
    created = {flows.create(client, board, reference=f"GWSB {n}/2024")["id"] for n in range(7)}
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get(f"{API}/reviews", params=params, headers=board).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7 and set(seen) == created


def test_lists_do_not_carry_full_text(client, board):
    flows.create(client, board, full_text="The whole report ... " * 100)
    item = client.get(f"{API}/reviews", headers=board).json()["items"][0]
    assert "full_text" not in item and "summary" not in item


@pytest.fixture
def statements(engine):
    """The SQL the app sends while the test runs."""
    from sqlalchemy import event

    sent: list[str] = []

    def remember(_conn, _cursor, statement, *_):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    yield sent
    event.remove(engine, "before_cursor_execute", remember)


def test_a_read_carries_the_report_text_only_when_asked_and_reads_it_only_then(client, board, statements):
    report = "The whole report ..." + " The whole report ..." * 1000
    review = flows.create(client, board, full_text=report)
    assert "full_text" not in review  # nor does a write's answer carry it
    url = f"{API}/reviews/{review['id']}"

    statements.clear()
    plain = client.get(url, headers=board)
    assert plain.status_code == 200 and "full_text" not in plain.json()
    assert not [s for s in statements if "full_text" in s]  # the text was never read from the database
    listed = client.get(f"{API}/reviews", headers=board)
    assert listed.status_code == 200 and not [s for s in statements if "full_text" in s]

    asked = client.get(url, params={"include": "full_text"}, headers=board)
    assert asked.json()["full_text"] == report
    assert asked.headers["etag"] == plain.headers["etag"]
    assert {k: v for k, v in asked.json().items() if k != "full_text"} == plain.json()


def test_a_review_without_text_has_none_to_give_when_its_text_is_asked_for(client, board):
    review = flows.create(client, board, full_text=None)
    asked = client.get(f"{API}/reviews/{review['id']}", params={"include": "full_text"}, headers=board)
    assert asked.status_code == 200 and "full_text" not in asked.json() and asked.json()["id"] == review["id"]


def test_only_a_known_part_can_be_included(client, board):
    review = flows.create(client, board)
    response = client.get(f"{API}/reviews/{review['id']}", params={"include": "everything"}, headers=board)
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert [(e["location"], e["field"], e["code"]) for e in response.json()["errors"]] == [("query", "include", "enum")]


def test_regions_and_vocabularies_are_public(client):
    regions = client.get(f"{API}/regions")
    assert regions.status_code == 200
    assert {r["code"] for r in regions.json()} >= {"gwent", "north-wales", "mid-west-wales"}
    vocabularies = client.get(f"{API}/vocabularies").json()
    assert {t["code"] for t in vocabularies["theme"]} >= {"voice-of-the-child", "hierarchy-of-knowledge"}
    assert [t["code"] for t in vocabularies["kind"]] == ["cpr", "susr"]
    assert "18-plus-care-leaver" in {t["code"] for t in vocabularies["age_band"]}


def test_an_admin_extends_a_vocabulary_and_boards_can_then_use_it(client, token_for):
    admin = token_for("admin")
    added = client.post(
        f"{API}/vocabularies/theme/terms", json={"code": "transitions", "label": "Transitions between services"}, headers=admin
    )
    assert added.status_code == 201
    assert (
        client.post(f"{API}/vocabularies/theme/terms", json={"code": "transitions", "label": "again"}, headers=admin).status_code
        == 409
    )
    board = token_for("board", "gwent")
    assert flows.create(client, board, themes=["transitions"])["themes"] == ["transitions"]
    assert (
        client.post(
            f"{API}/regions", json={"code": "cumbria", "name": "Cumbria Safeguarding Partnership"}, headers=admin
        ).status_code
        == 201
    )
    assert "cumbria" in {r["code"] for r in client.get(f"{API}/regions").json()}


def test_a_change_to_tags_alone_is_a_new_version(client, board):
    review = flows.create(client, board)
    response = client.patch(
        f"{API}/reviews/{review['id']}", json={"themes": ["partial-assessment"]}, headers={**board, "If-Match": '"1"'}
    )
    assert response.headers["etag"] == '"2"'


def test_of_two_writers_who_read_the_same_version_exactly_one_wins(isolated_engine, clock, is_postgres):
    """Both pass the If-Match check; the database's WHERE version = 1 lets only the first write land.
    (SQLite cannot interleave them like this: it queues writers, tested over HTTP below.)"""
    if not is_postgres:
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); the interleaving needs PostgreSQL")
    from app.auth.principals import Principal, Role
    from app.db import build_sessionmaker
    from app.errors import PreconditionFailed
    from app.reviews import service
    from app.reviews.schemas import ReviewCreate

    sessions = build_sessionmaker(isolated_engine)
    principal = Principal(subject="board-gwent", role=Role.board, region="gwent")
    with sessions() as setup:
        review_id = service.create_review(setup, principal=principal, data=ReviewCreate(**factories.review()), clock=clock).id
        setup.commit()

    with sessions() as first, sessions() as second:
        # Both read version 1 before either writes.
        for session in (first, second):
            assert service.get_review(session, principal=principal, review_id=review_id, clock=clock).version == 1
        service.update_review(
            first, principal=principal, review_id=review_id, patch={"title": "Mine"}, if_match='"1"', clock=clock
        )
        first.commit()
        with pytest.raises(PreconditionFailed):
            service.update_review(
                second, principal=principal, review_id=review_id, patch={"title": "Theirs"}, if_match='"1"', clock=clock
            )
        second.rollback()

    with sessions() as check:
        stored = service.get_review(check, principal=principal, review_id=review_id, clock=clock)
        assert (stored.title, stored.version) == ("Mine", 2)


def test_racing_edits_with_the_same_if_match_leave_exactly_one_winner(isolated_engine, settings, clock):
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    from app.auth.principals import Principal, Role
    from app.main import create_app
    from app.registry import Registry

    app = create_app(registry=Registry.from_settings(settings, clock=clock, engine=isolated_engine))
    board = {"Authorization": "Bearer " + issued_token(app.state.registry, Principal("board-gwent", Role.board, "gwent"))}
    with TestClient(app, raise_server_exceptions=False) as client:
        review = flows.create(client, board)
        url = f"{API}/reviews/{review['id']}"

        for attempt in range(5):
            version = client.get(url, headers=board).json()["version"]

            def edit(title: str, version: int = version) -> int:
                return client.patch(url, json={"title": title}, headers={**board, "If-Match": f'"{version}"'}).status_code

            with ThreadPoolExecutor(max_workers=2) as pool:
                statuses = sorted(pool.map(edit, [f"Edit A{attempt}", f"Edit B{attempt}"]))
            assert statuses == [200, 412], statuses
            final = client.get(url, headers=board).json()
            assert final["version"] == version + 1
            assert final["title"] in {f"Edit A{attempt}", f"Edit B{attempt}"}
