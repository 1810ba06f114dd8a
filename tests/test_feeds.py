"""Saved searches and their Atom feeds (issue 12, part 5): each feed shows only what its owner may
read today, exactly as GET /search finds it; the public feed only what anyone may read; a feed's
token is a capability shown once, and a wrong, rotated or revoked one answers 404."""

from __future__ import annotations

import logging

import feedparser
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.audit.models import AuditEvent
from app.feeds.models import SavedSearch
from tests import flows
from tests.flows import API

GWENT_BOARD = ("board", "gwent")


def _save(client, headers, q="chronology", **filters):
    response = client.post(f"{API}/saved-searches", json={"q": q, "filters": filters}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _feed_url(saved):
    """The path and query of the feed's address (the TestClient needs no host)."""
    url = saved["feed_url"]
    return url[url.index("/api/v1/") :]


def _read(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.text
    if status != 200:
        return response
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.text)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def _link(entry):
    return next(link.href for link in entry.links if link.rel == "alternate")


def _review_ids(feed):
    return {_link(entry).rsplit("/", 1)[1] for entry in feed.entries}


def _titles(feed):
    return [entry.title for entry in feed.entries]


@pytest.fixture
def board(token_for):
    return token_for(*GWENT_BOARD)


@pytest.fixture
def reviews(client, board, token_for, clock):
    """One review in each state a reader may or may not see, all matching `chronology`."""
    made = {
        "draft": flows.review_in(client, board, "draft", reference="GW D/2026", title="Draft child"),
        "submitted": flows.review_in(client, board, "submitted", reference="GW S/2026", title="Submitted child"),
    }
    made["expired"] = flows.review_in(client, board, "published", reference="GW E/2026", title="Expired child")
    clock.advance(days=90)  # past the 84-day public window of the first publication
    made["published"] = flows.review_in(client, board, "published", reference="GW P/2026", title="Published child")
    north = token_for("board", "north-wales")
    made["north_draft"] = flows.review_in(
        client, north, "draft", region="north-wales", reference="NW D/2026", title="North draft"
    )
    made["north_submitted"] = flows.review_in(
        client, north, "submitted", region="north-wales", reference="NW S/2026", title="North submitted"
    )
    clock.advance(days=1)
    return made


def test_saving_a_search_shows_its_feed_token_once_and_the_list_never_does(client, token_for, session):
    reader = token_for("practitioner")
    saved = _save(client, reader, q="neglect", region="gwent", kind="cpr", year_from=2020)
    assert saved["filters"] == {
        "region": "gwent",
        "kind": "cpr",
        "review_type": None,
        "status": None,
        "year": None,
        "year_from": 2020,
        "year_to": None,
        "theme": None,
        "age_band": None,
        "coded_theme": None,
    }
    assert saved["feed_active"] is True and len(saved["feed_token"]) >= 43
    assert saved["feed_url"].endswith(f"/api/v1/saved-searches/{saved['id']}/feed?token={saved['feed_token']}")
    listed = client.get(f"{API}/saved-searches", headers=reader)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [saved["id"]]
    assert saved["feed_token"] not in listed.text and "feed_token" not in listed.text
    # Only a hash is kept.
    row = session.exec(select(SavedSearch).where(SavedSearch.id == saved["id"])).one()
    assert row.token_hash and saved["feed_token"] not in row.token_hash and len(row.token_hash) == 64


def test_each_account_lists_only_its_own(client, token_for):
    mine = _save(client, token_for("practitioner", subject="ann"))
    _save(client, token_for("practitioner", subject="bob"))
    listed = client.get(f"{API}/saved-searches", headers=token_for("practitioner", subject="ann")).json()["items"]
    assert [item["id"] for item in listed] == [mine["id"]]


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"q": "x", "filters": {"region": "atlantis"}}, "filters.region", "unknown-code"),
        ({"q": "x", "filters": {"theme": "no-such-theme"}}, "filters.theme", "unknown-code"),
        ({"q": "x", "filters": {"age_band": "ancient"}}, "filters.age_band", "unknown-code"),
        ({"q": "x", "filters": {"kind": "novel"}}, "filters.kind", "enum"),
        ({"q": "x", "filters": {"year": 1066}}, "filters.year", "greater_than_equal"),
        ({"q": "x", "filters": {"colour": "red"}}, "filters.colour", "extra_forbidden"),
        ({"q": ""}, "q", "too_short"),
        ({"q": "x" * 501}, "q", "value_error"),
        ({"q": "a\u202eb"}, "q", "forbidden_character"),
        ({"filters": {}}, "q", "missing"),
    ],
)
def test_bad_input_is_a_clear_422_and_saves_nothing(client, token_for, body, field, code):
    reader = token_for("practitioner")
    response = client.post(f"{API}/saved-searches", json=body, headers=reader)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert (field, code) in {(e.get("field"), e["code"]) for e in response.json()["errors"]}
    assert client.get(f"{API}/saved-searches", headers=reader).json()["items"] == []


def test_anonymous_callers_keep_no_saved_searches(client):
    assert client.get(f"{API}/saved-searches").status_code == 401
    assert client.post(f"{API}/saved-searches", json={"q": "x"}).status_code == 401


def test_a_practitioners_feed_shows_only_published_reviews_inside_or_outside_their_window(client, token_for, reviews):
    saved = _save(client, token_for("practitioner"))
    feed = _read(client, _feed_url(saved))
    # Newest first by publication date; drafts, submitted and other regions' unpublished never.
    assert _titles(feed) == ["GW P/2026: Published child", "GW E/2026: Expired child"]
    entry = feed.entries[0]
    assert _link(entry).endswith(f"/api/v1/reviews/{reviews['published']['id']}")
    assert entry.id == f"urn:uuid:{reviews['published']['id']}"
    assert entry.summary == reviews["published"]["summary"]
    assert entry.author and entry.updated.startswith(reviews["published"]["published_on"])
    assert feed.feed.id == f"urn:uuid:{saved['id']}"
    assert saved["feed_token"] not in str(feed.feed.links)  # the self link never repeats the secret


def test_a_boards_feed_shows_its_own_regions_submitted_and_drafts_as_its_search_does(client, board, reviews):
    feed = _read(client, _feed_url(_save(client, board)))
    searched = client.get(f"{API}/search", params={"q": "chronology", "limit": 100}, headers=board).json()
    assert _review_ids(feed) == {item["id"] for item in searched["items"]}
    titles = _titles(feed)
    assert "GW S/2026: Submitted child" in titles and "GW D/2026: Draft child" in titles
    assert not any(title.startswith("NW") for title in titles)  # another region's unpublished


def test_the_inspectorates_feed_shows_submitted_reviews_of_every_region_and_no_drafts(client, token_for, reviews):
    titles = _titles(_read(client, _feed_url(_save(client, token_for("inspectorate")))))
    assert {"GW S/2026: Submitted child", "NW S/2026: North submitted"} <= set(titles)
    assert not any("raft" in title for title in titles)


def test_a_feed_follows_the_saved_filters(client, token_for, reviews):
    inspector = token_for("inspectorate")
    titles = _titles(_read(client, _feed_url(_save(client, inspector, region="north-wales"))))
    assert titles == ["NW S/2026: North submitted"]
    assert _titles(_read(client, _feed_url(_save(client, inspector, q="nothing-matches-this")))) == []


def test_a_feed_is_read_as_its_owner_today(client, board, token_for, reviews):
    """Visibility is decided when the feed is fetched: a review withdrawn since leaves it."""
    url = _feed_url(_save(client, token_for("practitioner")))
    assert "GW P/2026: Published child" in _titles(_read(client, url))
    withdrawn = client.post(
        f"{API}/reviews/{reviews['published']['id']}/withdraw", json={"reason": "Published in error"}, headers=board
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert "GW P/2026: Published child" not in _titles(_read(client, url))


def test_the_public_feed_shows_only_what_anyone_may_read(client, reviews):
    feed = _read(client, f"{API}/feeds/published")
    assert _titles(feed) == ["GW P/2026: Published child"]  # not the expired one, no draft, no submitted
    assert feed.feed.title and feed.feed.links[0].href.endswith("/api/v1/feeds/published")
    anonymous = client.get(f"{API}/reviews").json()["items"]
    assert _review_ids(feed) == {r["id"] for r in anonymous}


def test_a_wrong_rotated_or_revoked_token_gets_404(client, token_for, reviews):
    owner = token_for("practitioner")
    saved = _save(client, owner)
    url = _feed_url(saved)
    assert _read(client, url.replace(saved["feed_token"], "x" + saved["feed_token"][1:]), status=404)
    assert _read(client, f"{API}/saved-searches/no-such-search/feed?token={saved['feed_token']}", status=404)

    rotated = client.post(f"{API}/saved-searches/{saved['id']}/token", headers=owner)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()
    assert new["feed_token"] != saved["feed_token"] and new["id"] == saved["id"]
    assert _read(client, url, status=404).headers["content-type"] == "application/problem+json"
    assert _titles(_read(client, _feed_url(new)))

    assert client.delete(f"{API}/saved-searches/{saved['id']}/token", headers=owner).status_code == 204
    assert _read(client, _feed_url(new), status=404)
    assert client.get(f"{API}/saved-searches", headers=owner).json()["items"][0]["feed_active"] is False
    again = client.post(f"{API}/saved-searches/{saved['id']}/token", headers=owner).json()
    assert _titles(_read(client, _feed_url(again)))


def test_a_feed_needs_its_token(client, token_for):
    saved = _save(client, token_for("practitioner"))
    response = client.get(f"{API}/saved-searches/{saved['id']}/feed")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "token"


def test_someone_elses_saved_search_cannot_be_deleted_rotated_or_revoked(client, token_for):
    saved = _save(client, token_for("practitioner", subject="ann"))
    other = token_for("practitioner", subject="bob")
    base = f"{API}/saved-searches/{saved['id']}"
    assert client.delete(base, headers=other).status_code == 404
    assert client.post(f"{base}/token", headers=other).status_code == 404
    assert client.delete(f"{base}/token", headers=other).status_code == 404
    assert client.delete(base).status_code == 401
    # Nothing changed: the owner's token still works.
    assert client.get(_feed_url(saved)).status_code == 200
    assert client.delete(base, headers=token_for("practitioner", subject="ann")).status_code == 204
    assert client.get(_feed_url(saved)).status_code == 404
    assert client.delete(base, headers=token_for("practitioner", subject="ann")).status_code == 404


def test_review_text_is_escaped_by_the_xml_writer(client, board, token_for):
    flows.review_in(
        client,
        board,
        "published",
        reference="GW X/2026",
        title="<script>alert(1)</script> & co",
        summary="Escapology: a < b & c > d ]]>",
    )
    response = client.get(_feed_url(_save(client, token_for("practitioner"), q="escapology")))
    assert "<script>" not in response.text
    feed = feedparser.parse(response.text)
    assert feed.bozo == 0
    assert feed.entries[0].title == "GW X/2026: <script>alert(1)</script> & co"
    assert feed.entries[0].summary == "Escapology: a < b & c > d ]]>"


def test_saving_deleting_rotating_and_reading_are_audited_without_the_token(client, token_for, session, reviews, caplog):
    owner = token_for("board", "gwent", subject="gwent-officer")
    with caplog.at_level(logging.DEBUG):
        saved = _save(client, owner)
        rotated = client.post(f"{API}/saved-searches/{saved['id']}/token", headers=owner).json()
        _read(client, _feed_url(rotated))
        client.delete(f"{API}/saved-searches/{saved['id']}/token", headers=owner)
        client.delete(f"{API}/saved-searches/{saved['id']}", headers=owner)
    events = session.exec(select(AuditEvent).where(AuditEvent.subject == "gwent-officer").order_by(AuditEvent.id)).all()
    actions = [(e.action, e.target_id) for e in events]
    assert ("saved-search:create", saved["id"]) in actions
    assert ("saved-search:rotate-token", saved["id"]) in actions
    assert ("saved-search:revoke-token", saved["id"]) in actions
    assert ("saved-search:delete", saved["id"]) in actions
    # The feed showed the submitted and draft reviews (outside any public window): one row each, for the owner.
    read_in_feed = {e.target_id for e in events if e.action == "review:read-in-feed"}
    assert {reviews["submitted"]["id"], reviews["draft"]["id"]} <= read_in_feed
    for token in (saved["feed_token"], rotated["feed_token"]):
        # The registry's own log lines (the test client's own log of its requests is not the registry's).
        assert not any(token in record.getMessage() for record in caplog.records if record.name.startswith(("app", "uvicorn")))
        assert any(record.name == "app.access" for record in caplog.records)
        assert not any(token in str(value) for e in events for value in e.model_dump().values())


def test_feeds_run_on_the_opensearch_backend_too(app_over, token_for, opensearch_backend):
    with TestClient(app_over(search=opensearch_backend), raise_server_exceptions=False) as client:
        board = token_for(*GWENT_BOARD)
        flows.review_in(client, board, "submitted", reference="GW S/2026", title="Submitted child")
        flows.review_in(client, board, "published", reference="GW P/2026", title="Published child")
        assert _titles(_read(client, _feed_url(_save(client, token_for("practitioner"))))) == ["GW P/2026: Published child"]
        titles = _titles(_read(client, _feed_url(_save(client, board))))
        assert set(titles) == {"GW P/2026: Published child", "GW S/2026: Submitted child"}


def test_a_feed_reads_every_page_of_the_searchs_matches(client, board, reviews, monkeypatch):
    """The feed sorts all of the search's matches by date, not just its first page of relevance."""
    from app.search import service as search

    whole = _titles(_read(client, _feed_url(_save(client, board))))
    monkeypatch.setattr(search, "_MATCH_PAGE", 1)
    assert _titles(_read(client, _feed_url(_save(client, board)))) == whole
    assert len(whole) == 4  # its draft, submitted, expired and published reviews


def test_the_database_not_the_index_decides_what_a_feed_shows(app_over, token_for, session, opensearch_backend):
    """An index that lags (a withdrawal not yet drained) must not put a withdrawn review in a feed."""
    from dataclasses import replace

    from app.reviews.models import Review
    from app.search.backend import SearchDocument

    with TestClient(app_over(search=opensearch_backend), raise_server_exceptions=False) as client:
        board = token_for(*GWENT_BOARD)
        review = flows.review_in(client, board, "published", reference="GW P/2026", title="Published child")
        url = _feed_url(_save(client, token_for("practitioner")))
        assert _titles(_read(client, url)) == ["GW P/2026: Published child"]
        withdrawn = client.post(f"{API}/reviews/{review['id']}/withdraw", json={"reason": "In error"}, headers=board)
        assert withdrawn.status_code == 200, withdrawn.text
        # The index still believes it published (as if the drain had not run yet).
        stale = SearchDocument.of(session.get(Review, review["id"]))
        opensearch_backend.index([replace(stale, status="published", version=stale.version + 1)])
        assert [
            i["id"]
            for i in client.get(f"{API}/search", params={"q": "chronology"}, headers=token_for("practitioner")).json()["items"]
        ] == [review["id"]]
        assert _titles(_read(client, url)) == []
