"""The OpenSearch backend: the same answers as the SQL backend, versioned writes, no lost
submissions while it is down, and a rebuild with no gap.

Runs on osmem-server (an in-memory stand-in) in CI, and on a real cluster when
REGISTRY_TEST_OPENSEARCH_URL is set. Scores are fixed weights of where the words are found (ADR
0022), so every backend gives the same scores and order.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth.principals import Principal, Role
from app.reviews.models import Review
from app.reviews.repository import ReviewFilters
from app.search import opensearch
from app.search.backend import FACETS, SearchDocument, SearchRequest
from app.search.outbox import documents_of, drain, reindex
from app.search.query import STOPWORDS, parse, parse_search
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
        session, principal=principal, today=clock.today(), request=SearchRequest(parse_search(q), filters, 0, 100)
    )
    return page.total, [(hit.id, hit.score) for hit in page.hits], {k: sorted(map(tuple, v)) for k, v in page.facets.items()}


def _has_stopword_in_a_phrase(q):
    parsed = parse(q)
    phrases = [a for clause in parsed.required for a in clause if len(a) > 1] + [a for a in parsed.excluded if len(a) > 1]
    return any(word in STOPWORDS for phrase in phrases for word in phrase)


def _ids_only(answer):
    total, hits, facets = answer
    return total, sorted(hit_id for hit_id, _ in hits), facets


def test_the_same_questions_get_the_same_answers_from_sql_and_opensearch(client, token_for, session, clock, opensearch_backend):
    search_corpus.build(client, token_for)
    opensearch_backend.index(_documents(session))
    sql = SqlSearchBackend(session.get_bind().dialect.name)
    clock.advance(days=30)  # inside the public window: anonymous grants matter too
    compared = 0
    for principal in PRINCIPALS:
        for q in search_corpus.QUERIES:
            for filters in FILTERS:
                expected = _answer(sql, session, principal, clock, q, filters)
                answer = _answer(opensearch_backend, session, principal, clock, q, filters)
                if sql.dialect == "sqlite" and _has_stopword_in_a_phrase(q):
                    # FTS5 wants a phrase's stopwords themselves; PostgreSQL and OpenSearch accept any
                    # word in their place, so a field may match on one side only (ADR 0022).
                    expected, answer = (_ids_only(expected), _ids_only(answer))
                assert answer == expected, (principal, q, filters)
                compared += 1
        for group_by in GROUPINGS:
            for filters in FILTERS:
                kwargs = {"principal": principal, "today": clock.today(), "group_by": group_by, "filters": filters}
                assert opensearch_backend.trends(session, **kwargs) == sql.trends(session, **kwargs), (principal, group_by)
    assert compared == len(PRINCIPALS) * len(search_corpus.QUERIES) * len(FILTERS)
    # The corpus is not trivially empty for the questions asked.
    total, _, _ = _answer(sql, session, PRINCIPALS[1], clock, "chronologies", ReviewFilters())
    assert total >= 3


def test_welsh_diacritics_fold_alike_in_sql_and_opensearch(client, token_for, session, clock, opensearch_backend):
    board = token_for("board", "gwent")
    for n, (written, typed) in enumerate(search_corpus.WELSH.items()):
        flows.review_in(client, board, "published", reference=f"GWSB {n}/2025", summary=f"Y gair {written} yn yr adroddiad.")
        flows.review_in(client, board, "published", reference=f"GWSB {n}/2026", title=f"Adolygiad {typed}")
    opensearch_backend.index(_documents(session))
    sql = SqlSearchBackend(session.get_bind().dialect.name)
    for written, typed in search_corpus.WELSH.items():
        for q in (written, typed):
            expected = _answer(sql, session, PRINCIPALS[0], clock, q, ReviewFilters())
            assert (
                expected[0] == 2 and _answer(opensearch_backend, session, PRINCIPALS[0], clock, q, ReviewFilters()) == expected
            ), q


def test_welsh_is_searched_alike_in_sql_and_opensearch(client, token_for, session, clock, opensearch_backend):
    """ADR 0045: the same hits, scores and facets for each bilingual question from both backends."""
    ids = search_corpus.build_bilingual(client, token_for)
    opensearch_backend.index(_documents(session))
    sql = SqlSearchBackend(session.get_bind().dialect.name)
    for q, expected in search_corpus.BILINGUAL_QUESTIONS.items():
        answer = _answer(sql, session, PRINCIPALS[0], clock, q, ReviewFilters())
        assert {hit_id for hit_id, _ in answer[1]} == {ids[reference] for reference in expected}, q
        assert _answer(opensearch_backend, session, PRINCIPALS[0], clock, q, ReviewFilters()) == answer, q


CALLERS = {
    "anonymous": Principal("anonymous", Role.anonymous),
    "practitioner": Principal("practitioner", Role.practitioner),
    "board:gwent": Principal("gwent-board", Role.board, "gwent"),
    "inspectorate": Principal("inspector", Role.inspectorate),
}


@pytest.mark.parametrize("caller", list(search_corpus.HIDDEN_FROM))
def test_reviews_a_caller_may_not_read_change_nothing_in_its_opensearch_answers(
    client, token_for, session, clock, opensearch_backend, caller
):
    """Issue 9 (high): BM25's corpus statistics counted hidden reviews; the answer must not move."""
    principal = CALLERS[caller]
    search_corpus.build(client, token_for)
    clock.advance(days=30)
    opensearch_backend.index(_documents(session))

    def answers():
        request = {q: SearchRequest(parse_search(q), ReviewFilters(), 0, 100) for q in search_corpus.QUERIES_FOR_HIDDEN}
        return {
            q: opensearch_backend.search(session, principal=principal, today=clock.today(), request=r) for q, r in request.items()
        }

    before = answers()
    hidden = search_corpus.add_hidden(client, token_for, clock, caller)
    opensearch_backend.index(_documents(session))
    after = answers()
    for q, page in after.items():
        assert page == before[q], (caller, q)
    assert sum(page.total for page in before.values()) >= 3
    admin = opensearch_backend.search(
        session,
        principal=Principal("admin", Role.admin),
        today=clock.today(),
        request=SearchRequest(parse_search("secret chronologies"), ReviewFilters(), 0, 100),
    )
    assert set(hidden) <= {hit.id for hit in admin.hits}


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


def test_the_app_indexes_into_opensearch_after_each_committed_write(app_over, token_for, opensearch_backend):
    client = TestClient(app_over(search=opensearch_backend))
    board = token_for("board", "gwent")
    review = flows.review_in(client, board, "published", full_text="Chronologies were missing in every agency.")
    found = client.get(f"{API}/search", params={"q": "chronologies"}, headers=token_for("practitioner")).json()
    assert [item["id"] for item in found["items"]] == [review["id"]]
    assert found["items"][0]["status"] == "published"  # the latest version, not the draft's
    assert client.get("/readyz").json()["search_outbox"]["pending"] == 0


def test_a_submission_made_while_opensearch_is_down_is_found_once_it_is_back(
    app_over, token_for, session_factory, clock, tmp_path
):
    from opensearchpy import OpenSearch

    from app.search.opensearch import OpenSearchBackend
    from tests.conftest import OsmemProcess, free_port

    server = OsmemProcess(free_port())
    backend = OpenSearchBackend(OpenSearch(hosts=[server.url], timeout=2, max_retries=0), prefix="outage", refresh=True)
    client = TestClient(app_over(search=backend))
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


def test_an_index_made_before_the_codings_takes_their_fields_in_place(client, token_for, session, opensearch_backend):
    """ADR 0026: a version-1 index (no coded_themes, perspectives) behind the aliases gets the two
    keyword fields added when the backend starts, so the outbox's documents are not refused."""
    from app.search.opensearch import MAPPING, SETTINGS, OpenSearchBackend

    old_mapping = {
        **MAPPING,
        "properties": {
            k: v for k, v in MAPPING["properties"].items() if k not in ("coded_themes", "perspectives", "coded_pairs")
        },
    }
    name = f"{opensearch_backend.prefix}-v1-old"
    opensearch_backend.client.indices.create(
        index=name,
        body={
            "settings": SETTINGS,
            "mappings": old_mapping,
            "aliases": {opensearch_backend.read_alias: {}, opensearch_backend.write_alias: {"is_write_index": True}},
        },
    )
    review = flows.review_in(client, token_for("board", "gwent"), "published")
    document = replace(
        SearchDocument.of(session.get(Review, review["id"])), coded_themes=["tunnel-vision"], perspectives=["legal"]
    )
    restarted = OpenSearchBackend(opensearch_backend.client, prefix=opensearch_backend.prefix, refresh=True)
    restarted.index([document])
    source = restarted.client.get(index=restarted.read_alias, id=review["id"])["_source"]
    assert source["coded_themes"] == ["tunnel-vision"]
    assert opensearch_backend.indices_behind(opensearch_backend.read_alias) == [name]


def test_an_index_made_before_the_coded_pairs_takes_them_in_place_and_a_reindex_fills_them(
    client, token_for, session, session_factory, clock, opensearch_backend, caplog
):
    """ADR 0032's amendment (mapping version 3) and Welsh (version 4, ADR 0045): a version-2 index
    is given the Welsh analyzer and takes `coded_pairs` and the Welsh fields in place, so new
    documents are not refused, and says a reindex is due; until then its reviews coded before it
    are in no (theme, perspective) bucket, and `registry search reindex` puts them back."""
    import logging

    from app.search.opensearch import ANALYSIS, MAPPING, MAPPING_VERSION, OpenSearchBackend, _source

    assert MAPPING_VERSION == 4
    added = {"coded_pairs", "title_cy", "summary_cy", "recommendations_cy", "full_text_cy"}
    old_mapping = {**MAPPING, "properties": {k: v for k, v in MAPPING["properties"].items() if k not in added}}
    old_analysis = {**ANALYSIS, "analyzer": {"registry_english": ANALYSIS["analyzer"]["registry_english"]}}
    name = f"{opensearch_backend.prefix}-v2-old"
    opensearch_backend.client.indices.create(
        index=name,
        body={
            "settings": {"analysis": old_analysis},
            "mappings": old_mapping,
            "aliases": {opensearch_backend.read_alias: {}, opensearch_backend.write_alias: {"is_write_index": True}},
        },
    )
    board, lawyer = token_for("board", "gwent"), token_for("researcher", subject="lawyer")
    summary = "Child A died aged nine months. The father was not consulted."
    coded_before, coded_after = (
        flows.review_in(client, board, "published", reference=f"PAIR {i}", summary=summary, summary_cy=welsh)
        for i, welsh in ((1, None), (2, "Bu farw y plentyn. Ni siaradwyd â thad y plentyn."))
    )
    for review, theme, perspective in ((coded_before, "gdpr-confusion", "health"), (coded_after, "tunnel-vision", "legal")):
        start = summary.index("father")
        body = {
            "theme": theme,
            "perspective": perspective,
            "quote": "father",
            "location": {"field": "summary", "start": start, "end": start + 6},
        }
        assert client.post(f"{API}/reviews/{review['id']}/codings", json=body, headers=lawyer).status_code == 201
    before, after = documents_of(session, [session.get(Review, coded_before["id"]), session.get(Review, coded_after["id"])])
    assert after.coded_pairs == ["tunnel-vision|legal"]
    # As version 2 indexed it: the themes and perspectives, no pairs.
    old_source = {k: v for k, v in _source(before).items() if k not in added}
    opensearch_backend.client.index(index=name, id=before.id, body=old_source, version=before.version, version_type="external")

    restarted = OpenSearchBackend(opensearch_backend.client, prefix=opensearch_backend.prefix, refresh=True)
    with caplog.at_level(logging.WARNING, logger="app.search"):
        restarted.index([after])
    assert f"{name} predates mapping version 4: run `registry search reindex`" in caplog.text
    welsh = SearchRequest(parse_search("siaradwyd a thad"), ReviewFilters(), 0, 20)
    found = restarted.search(session, principal=Principal("inspector", Role.inspectorate), today=clock.today(), request=welsh)
    assert [hit.id for hit in found.hits] == [coded_after["id"]]  # the Welsh, unstemmed and unstopped

    inspector = Principal("inspector", Role.inspectorate)

    def pairs() -> dict[tuple[str, ...], int]:
        group_by = ("coded_theme", "perspective")
        return dict(
            restarted.trends(session, principal=inspector, today=clock.today(), group_by=group_by, filters=ReviewFilters())
        )

    assert pairs() == {("tunnel-vision", "legal"): 1, ("hierarchy-of-knowledge", "legal"): 1}
    rebuilt = reindex(session_factory, restarted)
    assert rebuilt.startswith(f"{opensearch_backend.prefix}-v4-")
    restarted.refresh()
    assert pairs() == {
        ("tunnel-vision", "legal"): 1,
        ("hierarchy-of-knowledge", "legal"): 1,
        ("gdpr-confusion", "health"): 1,
        ("information-sharing-and-recording", "health"): 1,
    }
    assert pairs() == dict(
        SqlSearchBackend(session.get_bind().dialect.name).trends(
            session, principal=inspector, today=clock.today(), group_by=("coded_theme", "perspective"), filters=ReviewFilters()
        )
    )


# --- The requests sent (issue 14): the stand-in cannot measure a cluster, but it can show the shapes.


@pytest.fixture
def sent(opensearch_backend, monkeypatch):
    """Every request the backend's client sends, as (method, path, body)."""
    requests: list[tuple[str, str, Any]] = []
    transport = opensearch_backend.client.transport
    perform = transport.perform_request

    def recording(method, url, *args, **kwargs):
        requests.append((method, url, kwargs.get("body")))
        return perform(method, url, *args, **kwargs)

    monkeypatch.setattr(transport, "perform_request", recording)
    return requests


def _searches(sent):
    return [(path, body) for method, path, body in sent if path.endswith("/_search")]


def test_a_search_is_one_request_with_filters_scoring_nothing_facets_and_page_highlights(
    client, token_for, session, clock, opensearch_backend, sent
):
    flows.review_in(client, token_for("board", "gwent"), "published", full_text="Chronologies were missing.")
    opensearch_backend.index(_documents(session))
    sent.clear()
    request = SearchRequest(parse_search("chronologies"), ReviewFilters(region="gwent"), 0, 20)
    opensearch_backend.search(session, principal=PRINCIPALS[0], today=clock.today(), request=request)
    [(_, body)] = _searches(sent)  # total, page, facets and highlights: one request
    assert len(sent) == 1
    query = body["query"]["bool"]
    assert set(query) == {"filter", "should"}  # matching, visibility and filters in filter context
    assert any("status" in str(clause) for clause in query["filter"]) and any("gwent" in str(c) for c in query["filter"])
    assert body["size"] == 20 and body["track_total_hits"] is True
    fields = {"title", "summary", "recommendations", "full_text"}
    assert set(body["aggs"]) == set(FACETS)
    assert set(body["highlight"]["fields"]) == fields | {f"{name}_cy" for name in fields}  # English and Welsh


@pytest.mark.parametrize("group_by", [("region",), ("theme", "year")])
def test_trends_are_one_aggregation_request_that_returns_no_hits(
    client, token_for, session, clock, opensearch_backend, sent, group_by
):
    flows.review_in(client, token_for("board", "gwent"), "published")
    opensearch_backend.index(_documents(session))
    sent.clear()
    opensearch_backend.trends(session, principal=PRINCIPALS[1], today=clock.today(), group_by=group_by, filters=ReviewFilters())
    [(_, body)] = _searches(sent)
    assert len(sent) == 1 and body["size"] == 0
    assert list(body["aggs"]) == [group_by[0]] and ("aggs" in body["aggs"][group_by[0]]) == (len(group_by) == 2)


def test_bulk_requests_are_cut_by_bytes(client, token_for, session, opensearch_backend, sent, monkeypatch):
    monkeypatch.setattr(opensearch, "BULK_MAX_BYTES", 64 * 1024)
    board = token_for("board", "gwent")
    for n in range(6):
        flows.review_in(client, board, "published", reference=f"GWSB {n}/2024", full_text="chronology " * 3000)
    sent.clear()
    opensearch_backend.index(_documents(session))
    bulks = [body for method, path, body in sent if path.endswith("/_bulk")]
    assert len(bulks) >= 3  # six reviews of ~30 KB each do not go in one request
    assert all(len(body if isinstance(body, bytes | str) else str(body)) <= 64 * 1024 for body in bulks)


def test_the_shards_and_replicas_set_reach_every_index_the_registry_creates(opensearch_url):
    import uuid

    from opensearchpy import OpenSearch

    from app.config import Settings

    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings = Settings(
        jwt_secret="x" * 48,
        opensearch_url=opensearch_url,
        opensearch_index_prefix=prefix,
        opensearch_shards=2,
        opensearch_replicas=0,
    )
    backend = opensearch.OpenSearchBackend.from_settings(settings)
    client = OpenSearch(hosts=[opensearch_url], timeout=10)
    try:
        backend.ensure_index()
        [template] = client.indices.get_index_template(name=prefix)["index_templates"]
        index = template["index_template"]["template"]["settings"]["index"]
        assert (str(index["number_of_shards"]), str(index["number_of_replicas"])) == ("2", "0")
        assert "analysis" in index or "analysis" in template["index_template"]["template"]["settings"]
    finally:
        client.indices.delete(index=f"{prefix}-*", ignore=[404])
        client.indices.delete_index_template(name=prefix, ignore=[404])
