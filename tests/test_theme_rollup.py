"""Sub-themes roll up (ADR 0032): a coded_theme filter on a theme finds reviews coded with it or any
theme under it, a trend by coded_theme counts a review under each theme it carries and under every
theme above them (once each), and a theme's agreement asks whether each coder carries it or a
theme under it. The same answers on the SQL and the OpenSearch backend."""

from __future__ import annotations

from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient

from tests import flows
from tests.flows import API

SUMMARY = "Child A died aged nine months. Chronologies were missing and the father was not consulted."
QUOTE = "the father was not consulted"


@pytest.fixture
def over_opensearch(app_over: Any, opensearch_backend: Any) -> Any:
    return TestClient(app_over(search=opensearch_backend), raise_server_exceptions=False)


def _code(client: Any, coder: dict[str, str], review: dict[str, Any], theme: str, perspective: str = "social-work") -> None:
    start = review["summary"].index(QUOTE)
    body = {
        "theme": theme,
        "perspective": perspective,
        "quote": QUOTE,
        "location": {"field": "summary", "start": start, "end": start + len(QUOTE)},
    }
    response = client.post(f"{API}/reviews/{review['id']}/codings", json=body, headers=coder)
    assert response.status_code == 201, response.text


def _reviews(client: Any, token_for: Any, n: int, *, first: int = 0) -> list[dict[str, Any]]:
    board = token_for("board", "gwent")
    return [
        flows.review_in(client, board, "published", reference=f"ROLL {i}/2026", summary=SUMMARY) for i in range(first, first + n)
    ]


def _counts(client: Any, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = client.get(f"{API}/trends", params={"group_by": "coded_theme", **params}, headers=headers)
    assert response.status_code == 200, response.text
    return {
        b["key"]["coded_theme"]: b["value"] if "value" in b and b["value"] is not None else b["count"]
        for b in response.json()["buckets"]
    }


def _found(client: Any, headers: dict[str, str], theme: str) -> dict[str, list[str]]:
    listed = client.get(f"{API}/reviews", params={"coded_theme": theme}, headers=headers)
    searched = client.get(f"{API}/search", params={"q": "chronologies", "coded_theme": theme}, headers=headers)
    assert listed.status_code == searched.status_code == 200, (listed.text, searched.text)
    return {
        "list": sorted(r["reference"] for r in listed.json()["items"]),
        "search": sorted(r["reference"] for r in searched.json()["items"]),
        "total": searched.json()["total"],
    }


def _a_theme_stands_for_its_sub_themes_in_filters_and_trends(client: Any, token_for: Any) -> None:
    researcher, inspector = token_for("researcher"), token_for("inspectorate")
    # A grandchild: an admin's sub-theme under a sub-theme rolls up two levels.
    added = client.post(
        f"{API}/vocabularies/learning_theme/terms",
        json={"code": "fathers-not-traced", "label": "Fathers not traced", "parent": "fathers-overlooked"},
        headers=token_for("admin"),
    )
    assert added.status_code == 201, added.text
    two_subs, gdpr, parent_itself, grandchild, _uncoded = _reviews(client, token_for, 5)
    _code(client, researcher, two_subs, "fathers-overlooked")
    _code(client, researcher, two_subs, "tunnel-vision")
    _code(client, researcher, gdpr, "gdpr-confusion")
    _code(client, researcher, parent_itself, "information-sharing-and-recording")
    _code(client, researcher, grandchild, "fathers-not-traced")

    assert _found(client, researcher, "hierarchy-of-knowledge") == {
        "list": ["ROLL 0/2026", "ROLL 3/2026"],
        "search": ["ROLL 0/2026", "ROLL 3/2026"],
        "total": 2,
    }
    assert _found(client, researcher, "information-sharing-and-recording")["search"] == ["ROLL 1/2026", "ROLL 2/2026"]
    # Never upwards or sideways: a sub-theme finds only its own codings (and those under it).
    assert _found(client, researcher, "gdpr-confusion")["search"] == ["ROLL 1/2026"]
    assert _found(client, researcher, "fathers-overlooked")["search"] == ["ROLL 0/2026", "ROLL 3/2026"]
    assert _found(client, researcher, "fathers-not-traced")["search"] == ["ROLL 3/2026"]
    assert _found(client, researcher, "voice-of-the-child") == {"list": [], "search": [], "total": 0}

    # A review once under each theme it carries and once under each theme above them, however many
    # of their sub-themes it was coded with (ROLL 0 counts once under hierarchy-of-knowledge).
    expected_reviews = {
        "hierarchy-of-knowledge": 2,
        "fathers-overlooked": 2,
        "information-sharing-and-recording": 2,
        "fathers-not-traced": 1,
        "tunnel-vision": 1,
        "gdpr-confusion": 1,
    }
    assert _counts(client, inspector) == expected_reviews
    # The measures count the same members per bucket (each review has two recommendations).
    assert _counts(client, inspector, measure="recommendations") == {k: 2 * n for k, n in expected_reviews.items()}
    # A filter on a theme and buckets by coded theme at once: only the family's buckets have members.
    assert _counts(client, inspector, coded_theme="fathers-overlooked") == {
        "hierarchy-of-knowledge": 2,
        "fathers-overlooked": 2,
        "fathers-not-traced": 1,
        "tunnel-vision": 1,
    }
    by_region = client.get(f"{API}/trends", params={"group_by": "region,coded_theme"}, headers=inspector).json()
    assert {b["key"]["coded_theme"]: b["count"] for b in by_region["buckets"] if b["key"]["region"] == "gwent"} == (
        expected_reviews
    )
    # Below the inspectorate the same buckets are suppressed (every count is under 5): nothing leaks by rolling up.
    suppressed = client.get(f"{API}/trends", params={"group_by": "coded_theme"}, headers=researcher).json()
    assert {b["key"]["coded_theme"] for b in suppressed["buckets"]} == set(expected_reviews)
    assert all(b["suppressed"] and b["count"] is None for b in suppressed["buckets"])


def _a_hidden_review_coded_with_a_sub_theme_changes_no_parent_bucket(client: Any, token_for: Any) -> None:
    researcher = token_for("researcher")
    visible, later_hidden = _reviews(client, token_for, 2)
    _code(client, researcher, visible, "gdpr-confusion")
    _code(client, researcher, later_hidden, "it-systems")
    admin = token_for("admin")
    withdrawn = client.post(
        f"{API}/reviews/{later_hidden['id']}/withdraw",
        json={"reason": "Withdrawn at the family's request."},
        headers={**admin, "If-Match": f'"{later_hidden["version"]}"'},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert _found(client, researcher, "information-sharing-and-recording")["search"] == ["ROLL 0/2026"]
    practitioner_view = client.get(f"{API}/reviews", params={"coded_theme": "it-systems"}, headers=token_for("practitioner"))
    assert practitioner_view.json()["items"] == []
    inspector_counts = _counts(client, token_for("inspectorate"))
    assert inspector_counts == {"information-sharing-and-recording": 2, "gdpr-confusion": 1, "it-systems": 1}
    assert _counts(client, admin, status="published") == {"information-sharing-and-recording": 1, "gdpr-confusion": 1}


def _an_unknown_coded_theme_matches_nothing(client: Any, token_for: Any) -> None:
    researcher = token_for("researcher")
    (review,) = _reviews(client, token_for, 1)
    _code(client, researcher, review, "supervision")
    assert _found(client, researcher, "no-such-theme") == {"list": [], "search": [], "total": 0}
    assert _counts(client, token_for("inspectorate"), coded_theme="no-such-theme") == {}


def test_agreement_on_a_theme_counts_coders_who_carry_it_or_a_theme_under_it(client, token_for):
    first, second = token_for("researcher", subject="criminologist"), token_for("researcher", subject="lawyer")
    both_under_one_theme, neither = _reviews(client, token_for, 2)
    _code(client, first, both_under_one_theme, "fathers-overlooked")
    _code(client, second, both_under_one_theme, "tunnel-vision")
    _code(client, first, neither, "gdpr-confusion")
    _code(client, second, neither, "gdpr-confusion")

    def agreement(theme: str) -> dict[str, Any]:
        response = client.get(f"{API}/codings/agreement", params={"theme": theme}, headers=token_for("inspectorate"))
        assert response.status_code == 200, response.text
        (found,) = response.json()["themes"]
        return {k: found[k] for k in ("reviews", "coders", "statistic", "value")}

    # Both carry hierarchy-of-knowledge on the first review (through different sub-themes), neither on the second.
    assert agreement("hierarchy-of-knowledge") == {"reviews": 2, "coders": 2, "statistic": "cohen_kappa", "value": 1.0}
    # On the sub-theme itself they disagree on the first review: po = 0.5, pe = 0.5, kappa 0.
    assert agreement("fathers-overlooked") == {"reviews": 2, "coders": 2, "statistic": "cohen_kappa", "value": 0.0}
    # Both carry information-sharing-and-recording on the second review, neither on the first.
    assert agreement("information-sharing-and-recording")["value"] == 1.0


def test_a_theme_stands_for_its_sub_themes_in_filters_and_trends_on_sql(client, token_for):
    _a_theme_stands_for_its_sub_themes_in_filters_and_trends(client, token_for)


def test_a_theme_stands_for_its_sub_themes_in_filters_and_trends_on_opensearch(over_opensearch, token_for):
    _a_theme_stands_for_its_sub_themes_in_filters_and_trends(over_opensearch, token_for)


def test_a_hidden_review_coded_with_a_sub_theme_changes_no_parent_bucket_on_sql(client, token_for):
    _a_hidden_review_coded_with_a_sub_theme_changes_no_parent_bucket(client, token_for)


def test_a_hidden_review_coded_with_a_sub_theme_changes_no_parent_bucket_on_opensearch(over_opensearch, token_for):
    _a_hidden_review_coded_with_a_sub_theme_changes_no_parent_bucket(over_opensearch, token_for)


def test_an_unknown_coded_theme_matches_nothing_on_sql(client, token_for):
    _an_unknown_coded_theme_matches_nothing(client, token_for)


def test_an_unknown_coded_theme_matches_nothing_on_opensearch(over_opensearch, token_for):
    _an_unknown_coded_theme_matches_nothing(over_opensearch, token_for)


def _a_saved_search_follows_a_theme_and_its_sub_themes(client: Any, token_for: Any) -> None:
    researcher = token_for("researcher")
    gdpr, voice = _reviews(client, token_for, 2)
    _code(client, researcher, gdpr, "gdpr-confusion")
    _code(client, researcher, voice, "each-childs-lived-experience")
    saved = client.post(
        f"{API}/saved-searches",
        json={"q": "chronologies", "filters": {"coded_theme": "information-sharing-and-recording"}},
        headers=researcher,
    )
    assert saved.status_code == 201, saved.text
    assert saved.json()["filters"]["coded_theme"] == "information-sharing-and-recording"
    url = saved.json()["feed_url"]
    feed = feedparser.parse(client.get(url[url.index("/api/v1/") :]).text)
    assert feed.bozo == 0
    assert [entry.title.split(":")[0] for entry in feed.entries] == ["ROLL 0/2026"]
    # A theme that is not in the codebook would never match: refused, and nothing is kept.
    typo = client.post(
        f"{API}/saved-searches", json={"q": "chronologies", "filters": {"coded_theme": "gdpr-confussion"}}, headers=researcher
    )
    assert typo.status_code == 422, typo.text
    assert [(e["code"], e["field"]) for e in typo.json()["errors"]] == [("unknown-code", "filters.coded_theme")]
    assert len(client.get(f"{API}/saved-searches", headers=researcher).json()["items"]) == 1


def test_a_saved_search_follows_a_theme_and_its_sub_themes_on_sql(client, token_for):
    _a_saved_search_follows_a_theme_and_its_sub_themes(client, token_for)


def test_a_saved_search_follows_a_theme_and_its_sub_themes_on_opensearch(over_opensearch, token_for):
    _a_saved_search_follows_a_theme_and_its_sub_themes(over_opensearch, token_for)


# --- a (theme, perspective) bucket is made of one coding's theme and perspective ---------------------


def _pairs(client: Any, headers: dict[str, str], group_by: str = "coded_theme,perspective", **params: str) -> dict[Any, Any]:
    response = client.get(f"{API}/trends", params={"group_by": group_by, **params}, headers=headers)
    assert response.status_code == 200, response.text
    names = group_by.split(",")
    return {
        tuple(b["key"][n] for n in names) if len(names) > 1 else b["key"][names[0]]: b["count"]
        for b in response.json()["buckets"]
    }


def _a_theme_and_a_perspective_pair_only_within_one_coding(client: Any, token_for: Any) -> None:
    lawyer, nurse = token_for("researcher", subject="lawyer"), token_for("researcher", subject="nurse")
    inspector = token_for("inspectorate")
    two_codings, two_coders, one_coder_two_subs = _reviews(client, token_for, 3)
    # ROLL 0: one coder, two codings, each with its own theme and perspective.
    _code(client, lawyer, two_codings, "fathers-overlooked", "legal")
    _code(client, lawyer, two_codings, "gdpr-confusion", "health")
    # ROLL 1: one theme, two coders from two perspectives.
    _code(client, lawyer, two_coders, "tunnel-vision", "legal")
    _code(client, nurse, two_coders, "tunnel-vision", "health")
    # ROLL 2: two sub-themes of one theme from one perspective: once under the theme.
    _code(client, lawyer, one_coder_two_subs, "fathers-overlooked", "legal")
    _code(client, lawyer, one_coder_two_subs, "tunnel-vision", "legal")

    # No coder said (fathers-overlooked, health), (gdpr-confusion, legal) or
    # (information-sharing-and-recording, legal): ROLL 0 is in none of those buckets.
    expected = {
        ("hierarchy-of-knowledge", "legal"): 3,
        ("fathers-overlooked", "legal"): 2,
        ("tunnel-vision", "legal"): 2,
        ("hierarchy-of-knowledge", "health"): 1,
        ("tunnel-vision", "health"): 1,
        ("information-sharing-and-recording", "health"): 1,
        ("gdpr-confusion", "health"): 1,
    }
    assert _pairs(client, inspector) == expected
    assert _pairs(client, inspector, "perspective,coded_theme") == {(p, t): n for (t, p), n in expected.items()}
    # The measures count the same members per bucket (each review has two recommendations).
    assert _pairs(client, inspector, measure="recommendations") == {k: 2 * n for k, n in expected.items()}
    # A coded_theme filter with buckets by perspective: the perspectives of that theme's codings only.
    assert _pairs(client, inspector, "perspective", coded_theme="information-sharing-and-recording") == {"health": 1}
    assert _pairs(client, inspector, "perspective", coded_theme="fathers-overlooked") == {"legal": 2}
    assert _pairs(client, inspector, "region,perspective", coded_theme="information-sharing-and-recording") == {
        ("gwent", "health"): 1
    }
    assert _pairs(client, inspector, "perspective", coded_theme="hierarchy-of-knowledge") == {"legal": 3, "health": 1}
    assert _pairs(client, inspector, "perspective", coded_theme="hierarchy-of-knowledge", measure="recommendations") == {
        "legal": 6,
        "health": 2,
    }
    # Without a coded theme, a perspective counts every review coded from it, as before.
    assert _pairs(client, inspector, "perspective") == {"legal": 3, "health": 2}
    # Below the inspectorate the same buckets, suppressed (every count is under 5).
    researcher = token_for("researcher")
    suppressed = client.get(f"{API}/trends", params={"group_by": "coded_theme,perspective"}, headers=researcher).json()
    assert {(b["key"]["coded_theme"], b["key"]["perspective"]) for b in suppressed["buckets"]} == set(expected)
    assert all(b["suppressed"] and b["count"] is None for b in suppressed["buckets"])

    # A review the researcher may not read (coded, then withdrawn) changes nothing the researcher sees.
    def seen() -> list[Any]:
        asked = [
            {"group_by": "coded_theme,perspective"},
            {"group_by": "perspective", "coded_theme": "information-sharing-and-recording"},
            {"group_by": "coded_theme,perspective", "measure": "recommendations"},
        ]
        return [client.get(f"{API}/trends", params=params, headers=researcher).json() for params in asked]

    before = seen()
    (hidden,) = _reviews(client, token_for, 1, first=3)
    _code(client, lawyer, hidden, "gdpr-confusion", "legal")
    admin = token_for("admin")
    withdrawn = client.post(
        f"{API}/reviews/{hidden['id']}/withdraw",
        json={"reason": "Withdrawn at the family's request."},
        headers={**admin, "If-Match": f'"{hidden["version"]}"'},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert seen() == before
    # The inspectorate reads withdrawn reviews: for it the review counts, in its own pair's buckets only.
    assert _pairs(client, inspector) == {
        **expected,
        ("gdpr-confusion", "legal"): 1,
        ("information-sharing-and-recording", "legal"): 1,
    }


def test_a_theme_and_a_perspective_pair_only_within_one_coding_on_sql(client, token_for):
    _a_theme_and_a_perspective_pair_only_within_one_coding(client, token_for)


def test_a_theme_and_a_perspective_pair_only_within_one_coding_on_opensearch(over_opensearch, token_for):
    _a_theme_and_a_perspective_pair_only_within_one_coding(over_opensearch, token_for)
