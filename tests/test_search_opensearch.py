"""The OpenSearch backend: the same answers as the SQL backend, versioned writes, no lost
submissions while it is down, and a rebuild with no gap.

Runs on osmem-server (an in-memory stand-in) in CI, and on a real cluster when
REGISTRY_TEST_OPENSEARCH_URL is set. Scores differ between them, so no test asserts a score.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session, select

from app.auth.principals import Principal, Role
from app.reviews.models import Review
from app.reviews.repository import ReviewFilters
from app.search.backend import SearchDocument, SearchRequest
from app.search.outbox import drain, reindex
from app.search.query import parse
from app.search.sql import SqlSearchBackend
from tests import flows, search_corpus
from tests.flows import API

PRINCIPALS = [
    Principal("practitioner", Role.practitioner),
    Principal("inspector", Role.inspectorate),
    Principal("gwent-board", Role.board, "gwent"),
    Principal("north-board", Role.board, "north-wales"),
    Principal("admin", Role.admin),
    Principal("anonymous", Role.anonymous),
]
FILTERS = [
    ReviewFilters(),
    ReviewFilters(region="gwent"),
    ReviewFilters(year_from=2021, year_to=2024),
    ReviewFilters(kind="susr"),
    ReviewFilters(theme="voice-of-the-child"),
    ReviewFilters(status="published", review_type="extended"),
]
GROUPINGS = [("region",), ("year",), ("theme",), ("kind", "review_type"), ("region", "theme"), ("agency",), ("age_band", "year")]


def _documents(session: Session) -> list[SearchDocument]:
    return [SearchDocument.of(r) for r in session.exec(select(Review)).all()]


def _answer(backend, session, principal, clock, q, filters):
    page = backend.search(
        session, principal=principal, today=clock.today(), request=SearchRequest(parse(q), filters, 0, 100)
    )
    return page.total, {hit.id for hit in page.hits}, {k: sorted(map(tuple, v)) for k, v in page.facets.items()}


def test_the_same_questions_get_the_same_answers_from_sql_and_opensearch(
    client, token_for, session, clock, opensearch_backend
):
    search_corpus.build(client, token_for)
    opensearch_backend.index(_documents(session))
    sql = SqlSearchBackend(session.get_bind().dialect.name)
    clock.advance(days=30)  # inside the public window: anonymous grants matter too
    compared = 0
    for principal in PRINCIPALS:
        for q in search_corpus.QUERIES:
            for filters in FILTERS:
                expected = _answer(sql, session, principal, clock, q, filters)
                assert _answer(opensearch_backend, session, principal, clock, q, filters) == expected, (principal, q, filters)
                compared += 1
        for group_by in GROUPINGS:
            for filters in FILTERS:
                kwargs = {"principal": principal, "today": clock.today(), "group_by": group_by, "filters": filters}
                assert opensearch_backend.trends(session, **kwargs) == sql.trends(session, **kwargs), (principal, group_by)
    assert compared == len(PRINCIPALS) * len(search_corpus.QUERIES) * len(FILTERS)
    # The corpus is not trivially empty for the questions asked.
    total, _, _ = _answer(sql, session, PRINCIPALS[1], clock, "chronologies", ReviewFilters())
    assert total >= 3


def test_a_stale_version_never_overwrites_a_newer_one(client, token_for, session, opensearch_backend):
    review = flows.create(client, token_for("board", "gwent"), title="Child Q")
    document = SearchDocument.of(session.get(Review, review["id"]))
    newer = replace(document, version=document.version + 1, title="Child Q (corrected)")
    opensearch_backend.index([newer])
    opensearch_backend.index([document])  # arrives late: must not win
    source = opensearch_backend.client.get(index=opensearch_backend.read_alias, id=review["id"])["_source"]
    assert source["title"] == "Child Q (corrected)" and source["version"] == newer.version


def test_a_rebuild_swaps_to_a_new_index_without_a_gap(client, token_for, session, clock, opensearch_backend, session_factory):
    search_corpus.build(client, token_for)
    opensearch_backend.index(_documents(session))
    before = opensearch_backend.indices_behind(opensearch_backend.read_alias)
    expected = _answer(opensearch_backend, session, PRINCIPALS[1], clock, "chronologies", ReviewFilters())

    rebuilt = reindex(session_factory, opensearch_backend, batch_size=3)
    assert opensearch_backend.indices_behind(opensearch_backend.read_alias) == [rebuilt]
    assert opensearch_backend.indices_behind(opensearch_backend.write_alias) == [rebuilt]
    assert rebuilt not in before and not opensearch_backend.client.indices.exists(index=before[0])
    assert _answer(opensearch_backend, session, PRINCIPALS[1], clock, "chronologies", ReviewFilters()) == expected


def test_the_app_indexes_into_opensearch_after_each_committed_write(app, client, token_for, opensearch_backend):
    app.state.search = opensearch_backend
    board = token_for("board", "gwent")
    review = flows.review_in(client, board, "published", full_text="Chronologies were missing in every agency.")
    found = client.get(f"{API}/search", params={"q": "chronologies"}, headers=token_for("practitioner")).json()
    assert [item["id"] for item in found["items"]] == [review["id"]]
    assert found["items"][0]["status"] == "published"  # the latest version, not the draft's
    assert client.get("/readyz").json()["search_outbox"]["pending"] == 0


def test_a_submission_made_while_opensearch_is_down_is_found_once_it_is_back(
    app, client, token_for, session_factory, clock, tmp_path
):
    from opensearchpy import OpenSearch

    from app.search.opensearch import OpenSearchBackend
    from tests.conftest import OsmemProcess, free_port

    server = OsmemProcess(free_port())
    backend = OpenSearchBackend(OpenSearch(hosts=[server.url], timeout=2, max_retries=0), prefix="outage", refresh=True)
    app.state.search = backend
    board = token_for("board", "gwent")

    # OpenSearch is down: every write still lands in the database, and waits in the outbox.
    review = flows.review_in(client, board, "published", full_text="Chronologies were missing in every agency.")
    ready = client.get("/readyz").json()
    assert ready["search_outbox"]["pending"] >= 1 and "unreachable" in ready["search"]
    down = client.get(f"{API}/search", params={"q": "chronologies"}, headers=token_for("practitioner"))
    assert down.status_code == 503 and down.headers["content-type"] == "application/problem+json"

    server.start()
    try:
        clock.advance(minutes=10)  # past the outbox's backoff
        result = drain(session_factory, backend, now=clock.now)
        assert result.indexed == 1 and result.waiting == 0
        found = client.get(f"{API}/search", params={"q": "chronologies"}, headers=token_for("practitioner")).json()
        assert [item["id"] for item in found["items"]] == [review["id"]]
        assert client.get("/readyz").json()["search_outbox"]["pending"] == 0
    finally:
        server.stop()
