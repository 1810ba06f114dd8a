"""Search over one corpus (tests/search_corpus.py), made once for the module: each test runs in a
savepoint of it (tests/conftest.py Seeded), on the SQL backend of the suite's database."""

from __future__ import annotations

import pytest

from tests import search_corpus
from tests.conftest import seed_fixture
from tests.flows import API
from tests.search_corpus import refs as _refs
from tests.search_corpus import search as _search

pytestmark = pytest.mark.seeded("corpus_made")  # every test here runs in a savepoint of it


corpus_made = seed_fixture("corpus_made", lambda client, token_for, _clock: search_corpus.build(client, token_for))


@pytest.fixture
def corpus(corpus_made):
    return corpus_made.made


def test_practitioners_find_published_reviews_across_regions_with_highlights(client, token_for, corpus):
    answer = _search(client, token_for("practitioner"), q="chronologies missing")
    assert _refs(answer, corpus) == {"GW 1/2019", "NW 3/2021"} or _refs(answer, corpus) == {"GW 1/2019"}
    assert answer["total"] == len(answer["items"])
    first = answer["items"][0]
    assert first["reference"] == "GW 1/2019" and first["region"] == "gwent"
    assert any("<mark>" in fragment for fragment in first["highlights"])


def test_a_phrase_with_stopwords_matches_the_words_in_order(client, token_for, corpus):
    answer = _search(client, token_for("practitioner"), q='"fathers were not consulted"')
    assert _refs(answer, corpus) == {"GW 2/2021"}


def test_stemming_finds_other_forms_of_a_word(client, token_for, corpus):
    assert "GW 2/2021" in _refs(_search(client, token_for("practitioner"), q="father consulting"), corpus)


def test_excluded_words_and_alternatives(client, token_for, corpus):
    reader = token_for("inspectorate")
    assert _refs(_search(client, reader, q="information sharing -police"), corpus) == {"GW 1/2019"}
    assert _refs(_search(client, reader, q="partner OR grandparents"), corpus) == {"CV 4/2023"}


def test_what_each_role_may_search(client, token_for, corpus):
    q = {"q": "chronologies"}
    practitioner = _refs(_search(client, token_for("practitioner"), **q), corpus)
    inspectorate = _refs(_search(client, token_for("inspectorate"), **q), corpus)
    own_board = _refs(_search(client, token_for("board", "north-wales"), **q), corpus)
    other_board = _refs(_search(client, token_for("board", "cardiff-vale"), **q), corpus)
    assert "GW 6/2024" not in practitioner and "GW 6/2024" in inspectorate  # submitted
    assert "NW 7/2024" in own_board and "NW 7/2024" not in inspectorate | other_board  # a draft
    assert practitioner <= inspectorate
    response = client.get(f"{API}/search", params=q)
    assert response.status_code == 401


@pytest.mark.parametrize("caller", [c for c in search_corpus.HIDDEN_FROM if c != "anonymous"])
def test_reviews_a_caller_may_not_read_change_nothing_in_its_answers(client, token_for, clock, corpus, caller):
    """Issue 9 (high): a board searched its own drafts and solved BM25 for the number of hidden
    reviews holding each word. Hits, order, scores, totals, facets and highlights must not move."""
    headers = search_corpus.headers_of(token_for, caller)
    clock.advance(days=30)
    queries = search_corpus.QUERIES_FOR_HIDDEN

    def answers():
        return {q: _search(client, headers, q=q, limit=100) for q in queries}

    before = answers()
    hidden = search_corpus.add_hidden(client, token_for, clock, caller)
    after = answers()
    for q in queries:
        assert after[q] == before[q], (caller, q)
    assert not {item["id"] for a in after.values() for item in a["items"]} & set(hidden)
    # The comparison is not empty: the caller finds reviews, and the hidden ones exist for someone.
    assert sum(a["total"] for a in before.values()) >= 5
    admin_sees = _search(client, token_for("admin"), q="secret chronologies", limit=100)
    assert set(hidden) <= {item["id"] for item in admin_sees["items"]}


def test_search_and_list_agree_on_what_a_caller_may_see(client, token_for, corpus):
    for headers in (token_for("practitioner"), token_for("inspectorate"), token_for("board", "gwent")):
        listed = {item["id"] for item in client.get(f"{API}/reviews", params={"limit": 100}, headers=headers).json()["items"]}
        searched = {
            item["id"]
            for item in _search(client, headers, q="child OR chronologies OR father OR partner OR medical", limit=100)["items"]
        }
        assert searched <= listed


def test_filters_and_year_range(client, token_for, corpus):
    reader = token_for("inspectorate")
    assert _refs(_search(client, reader, q="father", region="gwent"), corpus) == {"GW 2/2021", "GW 6/2024"}
    assert _refs(_search(client, reader, q="father", year_from=2022), corpus) == {"GW 6/2024", "CV 5/2025"}
    assert _refs(_search(client, reader, q="father", year_to=2021, year_from=2021), corpus) == {"GW 2/2021"}
    assert _refs(_search(client, reader, q="information", kind="susr"), corpus) == {"CV 5/2025"}
    assert _refs(_search(client, reader, q="child", theme="voice-of-the-child"), corpus) == {"NW 3/2021", "CV 4/2023"}


def test_facets_count_the_whole_visible_match_not_just_the_page(client, token_for, corpus):
    answer = _search(client, token_for("inspectorate"), q="father", limit=1)
    assert len(answer["items"]) == 1 and answer["total"] == 3 and answer["next_cursor"]
    assert {f["key"]: f["count"] for f in answer["facets"]["region"]} == {"gwent": 2, "cardiff-vale": 1}
    assert {f["key"]: f["count"] for f in answer["facets"]["year"]} == {2021: 1, 2024: 1, 2025: 1}
    assert {f["key"]: f["count"] for f in answer["facets"]["kind"]} == {"cpr": 2, "susr": 1}


def test_search_pages_with_a_cursor(client, token_for, corpus):
    reader = token_for("inspectorate")
    seen, cursor = [], None
    while True:
        answer = _search(client, reader, q="child OR father OR chronologies", limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [item["id"] for item in answer["items"]]
        cursor = answer["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == answer["total"]


@pytest.mark.parametrize(
    "q", [*search_corpus.QUERIES, "'", '"', "\\", "a-b-c", "-foo -bar", "OR OR OR", "x" * 500, "NEAR(a b)", "col:val", "*", "(("]
)
def test_any_text_is_a_valid_query(client, token_for, corpus, q):
    answer = _search(client, token_for("inspectorate"), q=q)
    # Whatever matched is a review of the corpus, and the total counts exactly the hits (the corpus is
    # smaller than a page).
    assert _refs(answer, corpus) <= set(corpus)
    assert answer["total"] == len(answer["items"]) and answer["next_cursor"] is None
