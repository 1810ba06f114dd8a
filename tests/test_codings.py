"""Coding reviews against the learning themes (issue 12): the codebook, a coding's quote checked
against the review's text, each coder's work kept apart, ETags, history, and the agreement."""

from __future__ import annotations

from typing import Any

import pytest

from tests import flows
from tests.flows import API

SUMMARY = "Child A died aged nine months. Chronologies were missing and the father was not consulted."


def _published(client: Any, token_for: Any, **changes: Any) -> dict[str, Any]:
    return flows.review_in(client, token_for("board", "gwent"), "published", **changes)


def _published_with_a_report_without_text(client: Any, token_for: Any) -> dict[str, Any]:
    """A published review whose report is a page without text (publication needs a report)."""
    board = token_for("board", "gwent")
    review = flows.review_in(client, board, "submitted", summary=SUMMARY, reference="GWSB 9/2023", full_text=None)
    flows.upload_report(client, board, review, text="")
    response = client.post(f"{API}/reviews/{review['id']}/publish", headers=board)
    assert response.status_code == 200, response.text
    published: dict[str, Any] = response.json()
    assert client.get(f"{API}/reviews/{review['id']}?include=full_text", headers=board).json()["full_text"] == ""
    return published


def coding_body(review: dict[str, Any], quote: str = "the father was not consulted", **changes: Any) -> dict[str, Any]:
    start = review["summary"].index(quote)
    body = {
        "theme": "fathers-overlooked",
        "perspective": "social-work",
        "quote": quote,
        "location": {"field": "summary", "start": start, "end": start + len(quote)},
        "note": "Never asked.",
    }
    body.update(changes)
    return body


def code(client: Any, headers: dict[str, str], review: dict[str, Any], **changes: Any) -> dict[str, Any]:
    response = client.post(f"{API}/reviews/{review['id']}/codings", json=coding_body(review, **changes), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def review(client, token_for):
    return _published(client, token_for, summary=SUMMARY)


def test_the_codebook_is_seeded_with_the_four_themes_their_sub_themes_and_five_perspectives(client):
    vocabularies = client.get(f"{API}/vocabularies").json()
    themes = {t["code"]: t["parent"] for t in vocabularies["learning_theme"]}
    assert [c for c, parent in themes.items() if parent is None] == [
        "hierarchy-of-knowledge",
        "information-sharing-and-recording",
        "partial-assessment",
        "voice-of-the-child",
    ]
    assert themes["fathers-overlooked"] == "hierarchy-of-knowledge"
    assert themes["gdpr-confusion"] == "information-sharing-and-recording"
    assert themes["new-partners-not-assessed"] == "partial-assessment"
    assert themes["children-spoken-to-in-front-of-parents"] == "voice-of-the-child"
    assert len(themes) == 4 + 5 + 5 + 6 + 2
    assert {t["code"] for t in vocabularies["perspective"]} == {"criminology", "legal", "social-work", "health", "education"}


def test_an_admin_adds_a_sub_theme_under_an_existing_theme_only(client, token_for):
    admin = token_for("admin")
    added = client.post(
        f"{API}/vocabularies/learning_theme/terms",
        json={"code": "disguised-compliance", "label": "Disguised compliance", "parent": "partial-assessment"},
        headers=admin,
    )
    assert added.status_code == 201, added.text
    assert added.json()["parent"] == "partial-assessment"
    listed = {t["code"]: t for t in client.get(f"{API}/vocabularies").json()["learning_theme"]}
    assert listed["disguised-compliance"]["parent"] == "partial-assessment"

    stray = client.post(
        f"{API}/vocabularies/learning_theme/terms", json={"code": "x-1", "label": "X", "parent": "neglect"}, headers=admin
    )
    assert stray.status_code == 422
    assert stray.json()["errors"][0]["code"] == "unknown-code"
    assert stray.json()["errors"][0]["field"] == "parent"
    perspective = client.post(
        f"{API}/vocabularies/perspective/terms", json={"code": "policing", "label": "Policing"}, headers=admin
    )
    assert perspective.status_code == 201
    assert (
        client.post(
            f"{API}/vocabularies/perspective/terms", json={"code": "p", "label": "P"}, headers=token_for("researcher")
        ).status_code
        == 403
    )


def test_a_researcher_codes_a_passage_and_reads_it_back_with_its_etag(client, token_for, review):
    researcher = token_for("researcher", subject="criminologist")
    response = client.post(f"{API}/reviews/{review['id']}/codings", json=coding_body(review), headers=researcher)
    assert response.status_code == 201, response.text
    coding = response.json()
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"{API}/codings/{coding['id']}"
    assert coding["coder"] == "criminologist"
    assert coding["location"] == {"field": "summary", "document_kind": None, "start": 61, "end": 89}
    assert SUMMARY[61:89] == coding["quote"]
    listed = client.get(f"{API}/reviews/{review['id']}/codings", headers=researcher).json()
    assert listed["coder"] == "criminologist"
    assert [c["id"] for c in listed["items"]] == [coding["id"]]


def test_a_welsh_passage_is_coded_where_it_is(client, token_for):
    """ADR 0045: a coding quotes the Welsh summary or a recommendation's Welsh text, as the English."""
    welsh = "Ni siaradwyd â thad y plentyn."
    recommendations = [
        {
            "ref": "R1",
            "text": "Practitioners seek the views of fathers.",
            "text_cy": "Mae ymarferwyr yn gofyn barn tadau.",
            "level": "agency",
        }
    ]
    review = _published(client, token_for, summary=SUMMARY, summary_cy=welsh, recommendations=recommendations)
    researcher = token_for("researcher")
    for field, text, quote in (
        ("summary_cy", welsh, "thad y plentyn"),
        ("recommendations_cy/R1", recommendations[0]["text_cy"], "barn tadau"),
    ):
        start = text.index(quote)
        body = coding_body(review) | {"quote": quote, "location": {"field": field, "start": start, "end": start + len(quote)}}
        response = client.post(f"{API}/reviews/{review['id']}/codings", json=body, headers=researcher)
        assert response.status_code == 201, response.text
        assert response.json()["location"]["field"] == field


@pytest.mark.parametrize(
    ("change", "code_"),
    [
        ({"quote": "the father was not consulted."}, "quote-mismatch"),
        ({"location": {"field": "summary", "start": 60, "end": 88}}, "quote-mismatch"),
        ({"location": {"field": "title", "start": 0, "end": 28}}, "offsets-out-of-range"),
        ({"location": {"field": "full_text", "start": 0, "end": 28}}, "no-text"),
        ({"location": {"field": "recommendations/R9", "start": 0, "end": 28}}, "unknown-recommendation"),
        ({"location": {"field": "recommendations_cy/R9", "start": 0, "end": 28}}, "unknown-recommendation"),
        ({"location": {"field": "recommendations_cy/R1", "start": 0, "end": 28}}, "no-text"),  # R1 has no Welsh
        ({"location": {"field": "summary_cy", "start": 0, "end": 28}}, "no-text"),
        ({"location": {"document_kind": "report", "start": 0, "end": 28}}, "no-text"),
        ({"location": {"document_kind": "timeline", "start": 0, "end": 28}}, "no-text"),
        ({"theme": "neglect"}, "unknown-code"),
        ({"perspective": "astrology"}, "unknown-code"),
    ],
)
def test_a_coding_that_does_not_quote_the_text_exactly_is_refused_with_a_clear_code(client, token_for, review, change, code_):
    place = change.get("location", {})
    if code_ == "no-text" and place.get("field") in ("full_text", None) and place.get("document_kind") != "timeline":
        review = _published_with_a_report_without_text(client, token_for)
    researcher = token_for("researcher")
    body = coding_body(review) | change
    response = client.post(f"{API}/reviews/{review['id']}/codings", json=body, headers=researcher)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert code_ in [e["code"] for e in response.json()["errors"]]
    assert client.get(f"{API}/reviews/{review['id']}/codings", headers=researcher).json()["items"] == []


@pytest.mark.parametrize(
    "location",
    [
        {"field": "summary", "document_kind": "report", "start": 0, "end": 1},
        {"start": 0, "end": 1},
        {"field": "summary", "start": 5, "end": 5},
        {"field": "reviewers", "start": 0, "end": 1},
        {"field": "summary", "start": -1, "end": 1},
    ],
)
def test_a_location_must_name_one_place_and_a_span(client, token_for, review, location):
    response = client.post(
        f"{API}/reviews/{review['id']}/codings",
        json=coding_body(review) | {"location": location},
        headers=token_for("researcher"),
    )
    assert response.status_code == 422


def test_a_quote_keeps_its_spaces_and_may_come_from_a_recommendation(client, token_for, review):
    researcher = token_for("researcher")
    text = review["recommendations"][0]["text"]
    quote = " " + text.split(" ", 2)[1] + " "
    start = text.index(quote)
    body = coding_body(review) | {
        "quote": quote,
        "location": {
            "field": f"recommendations/{review['recommendations'][0]['ref']}",
            "start": start,
            "end": start + len(quote),
        },
    }
    response = client.post(f"{API}/reviews/{review['id']}/codings", json=body, headers=researcher)
    assert response.status_code == 201, response.text
    assert response.json()["quote"] == quote


def test_a_draft_is_not_coded(client, token_for):
    draft = flows.review_in(client, token_for("board", "gwent"), "draft", summary=SUMMARY)
    response = client.post(f"{API}/reviews/{draft['id']}/codings", json=coding_body(draft), headers=token_for("admin"))
    assert response.status_code == 409


def test_each_coder_sees_and_changes_only_their_own_codings(client, token_for, review):
    lawyer, social_worker = token_for("researcher", subject="lawyer"), token_for("researcher", subject="social-worker")
    mine = code(client, lawyer, review, perspective="legal")
    theirs = code(client, social_worker, review)
    assert [c["id"] for c in client.get(f"{API}/reviews/{review['id']}/codings", headers=lawyer).json()["items"]] == [mine["id"]]
    # A researcher does not see the others' codings, even when asking for them.
    assert client.get(f"{API}/reviews/{review['id']}/codings?coder=all", headers=lawyer).status_code == 403
    assert client.get(f"{API}/reviews/{review['id']}/codings?coder=lawyer", headers=social_worker).status_code == 422
    everyone = client.get(f"{API}/reviews/{review['id']}/codings?coder=all", headers=token_for("inspectorate")).json()
    assert everyone["coder"] == "all"
    assert {c["id"] for c in everyone["items"]} == {mine["id"], theirs["id"]}

    patched = client.patch(f"{API}/codings/{theirs['id']}", json={"note": "mine now"}, headers={**lawyer, "If-Match": '"1"'})
    assert patched.status_code == 403
    deleted = client.delete(f"{API}/codings/{theirs['id']}", headers={**lawyer, "If-Match": '"1"'})
    assert deleted.status_code == 403
    assert client.get(f"{API}/reviews/{review['id']}/codings", headers=social_worker).json()["items"][0]["note"] == "Never asked."


def test_a_coding_is_changed_with_its_etag_and_deleted_with_it(client, token_for, review):
    researcher = token_for("researcher", subject="criminologist")
    coding = code(client, researcher, review)
    url = f"{API}/codings/{coding['id']}"
    assert client.patch(url, json={"note": "x"}, headers=researcher).status_code == 428
    assert client.patch(url, json={"note": "x"}, headers={**researcher, "If-Match": '"7"'}).status_code == 412
    quote = "Chronologies were missing"
    start = SUMMARY.index(quote)
    changed = client.patch(
        url,
        json={
            "theme": "missing-chronologies-and-poor-records",
            "quote": quote,
            "location": {"field": "summary", "start": start, "end": start + len(quote)},
        },
        headers={**researcher, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"2"'
    assert changed.json()["theme"] == "missing-chronologies-and-poor-records"
    assert changed.json()["note"] == "Never asked."
    mismatch = client.patch(url, json={"quote": "Chronologies were"}, headers={**researcher, "If-Match": '"2"'})
    assert mismatch.status_code == 422
    assert mismatch.json()["errors"][0]["code"] == "quote-mismatch"
    cleared = client.patch(url, json={"note": None}, headers={**researcher, "If-Match": '"2"'})
    assert cleared.status_code == 200
    assert cleared.json()["note"] is None
    assert client.patch(url, json={"theme": None}, headers={**researcher, "If-Match": '"3"'}).status_code == 422
    assert client.delete(url, headers=researcher).status_code == 428
    assert client.delete(url, headers={**researcher, "If-Match": '"2"'}).status_code == 412
    assert client.delete(url, headers={**researcher, "If-Match": '"3"'}).status_code == 204
    assert client.get(f"{API}/reviews/{review['id']}/codings", headers=researcher).json()["items"] == []
    assert client.delete(url, headers={**researcher, "If-Match": '"3"'}).status_code == 404


def test_coding_changes_are_in_the_history_and_the_audit_trail_but_not_in_the_reviews_revisions(
    client, token_for, review, session
):
    from sqlmodel import select

    from app.audit.models import AuditEvent
    from app.history.models import Revision

    researcher = token_for("researcher", subject="criminologist")
    coding = code(client, researcher, review)
    client.patch(f"{API}/codings/{coding['id']}", json={"note": "later"}, headers={**researcher, "If-Match": '"1"'})
    client.delete(f"{API}/codings/{coding['id']}", headers={**researcher, "If-Match": '"2"'})
    revisions = session.exec(
        select(Revision).where(Revision.entity == "coding", Revision.entity_id == coding["id"]).order_by(Revision.id)
    ).all()
    assert [(r.change, r.changed_by) for r in revisions] == [
        ("create", "criminologist"),
        ("update", "criminologist"),
        ("delete", "criminologist"),
    ]
    assert revisions[1].changed_fields == ["note"]
    assert revisions[0].snapshot["quote"] == "the father was not consulted"
    actions = {
        e.action
        for e in session.exec(select(AuditEvent).where(AuditEvent.target_id == coding["id"])).all()
        if e.target_type == "coding"
    }
    assert {"coding:create", "coding:update", "coding:delete"} <= actions
    board_view = client.get(f"{API}/reviews/{review['id']}/revisions", headers=token_for("board", "gwent")).json()
    assert all(item["entity"] != "coding" for item in board_view["items"])


# --- access: who may code, list, change and compare --------------------------------------------

ROLES = {
    "anonymous": None,
    "board": ("board", "gwent"),
    "practitioner": ("practitioner", None),
    "researcher": ("researcher", None),
    "inspectorate": ("inspectorate", None),
    "admin": ("admin", None),
}


def _headers(token_for: Any, role: str) -> dict[str, str]:
    spec = ROLES[role]
    return {} if spec is None else token_for(*spec)


@pytest.mark.parametrize(
    ("role", "create", "listing", "agreement"),
    [
        ("anonymous", 401, 401, 401),
        ("board", 403, 403, 403),
        ("practitioner", 403, 403, 403),
        ("researcher", 201, 200, 200),
        ("inspectorate", 201, 200, 200),
        ("admin", 201, 200, 200),
    ],
)
def test_who_may_code_a_published_review(client, token_for, review, role, create, listing, agreement):
    headers = _headers(token_for, role)
    response = client.post(f"{API}/reviews/{review['id']}/codings", json=coding_body(review), headers=headers)
    assert response.status_code == create, response.text
    assert response.headers["content-type"].startswith("application/json" if create == 201 else "application/problem+json")
    assert client.get(f"{API}/reviews/{review['id']}/codings", headers=headers).status_code == listing
    assert client.get(f"{API}/codings/agreement", headers=headers).status_code == agreement


@pytest.mark.parametrize("role", ["board", "practitioner", "inspectorate", "admin", "anonymous"])
def test_who_may_change_a_researchers_coding(client, token_for, review, role):
    coding = code(client, token_for("researcher", subject="criminologist"), review)
    headers = {**_headers(token_for, role), "If-Match": '"1"'}
    expected = 401 if role == "anonymous" else 403
    assert client.patch(f"{API}/codings/{coding['id']}", json={"note": "x"}, headers=headers).status_code == expected
    assert client.delete(f"{API}/codings/{coding['id']}", headers=headers).status_code == expected


def test_a_review_the_caller_may_not_read_is_a_404_for_its_codings(client, token_for, clock):
    board = token_for("board", "gwent")
    submitted = flows.review_in(client, board, "submitted", summary=SUMMARY)
    inspector = token_for("inspectorate", subject="inspector")
    coding = code(client, inspector, submitted)
    researcher = token_for("researcher")
    # A researcher reads published reviews only: the submitted review, and its codings, do not exist for them.
    assert (
        client.post(f"{API}/reviews/{submitted['id']}/codings", json=coding_body(submitted), headers=researcher).status_code
        == 404
    )
    assert client.get(f"{API}/reviews/{submitted['id']}/codings", headers=researcher).status_code == 404
    refused = client.patch(f"{API}/codings/{coding['id']}", json={"note": "x"}, headers={**researcher, "If-Match": '"1"'})
    assert refused.status_code == 404
    assert submitted["id"] not in refused.text
    assert client.delete(f"{API}/codings/{coding['id']}", headers={**researcher, "If-Match": '"1"'}).status_code == 404
    assert client.get(f"{API}/reviews/no-such-review/codings", headers=researcher).status_code == 404
    assert client.patch(f"{API}/codings/no-such-coding", json={}, headers={**researcher, "If-Match": '"1"'}).status_code == 404


# --- agreement -----------------------------------------------------------------------------------


def _theme(answer: dict[str, Any], theme: str) -> dict[str, Any]:
    return next(t for t in answer["themes"] if t["theme"] == theme)


def test_two_coders_agreement_is_cohens_kappa_on_whether_each_review_carries_the_theme(client, token_for):
    """Four reviews; coder A carries fathers-overlooked on reviews 1, 2, 3, B on 1, 2, 4 (both code
    every review): p_o = 2/4, p_e = (3*3 + 1*1)/16 = 10/16, kappa = (0.5 - 0.625)/(0.375) = -1/3."""
    a, b = token_for("researcher", subject="coder-a"), token_for("researcher", subject="coder-b")
    reviews = [_published(client, token_for, reference=f"AG {i}", summary=SUMMARY) for i in range(4)]
    for i, r in enumerate(reviews):
        code(client, a, r, **({} if i in (0, 1, 2) else {"theme": "tunnel-vision"}))
        code(client, b, r, **({} if i in (0, 1, 3) else {"theme": "tunnel-vision"}))
    answer = client.get(f"{API}/codings/agreement?theme=fathers-overlooked", headers=a)
    assert answer.status_code == 200, answer.text
    [fathers] = answer.json()["themes"]
    assert fathers == {
        "theme": "fathers-overlooked",
        "reviews": 4,
        "coders": 2,
        "statistic": "cohen_kappa",
        "value": pytest.approx(-1 / 3, abs=1e-6),
        "reason": None,
    }
    everything = client.get(f"{API}/codings/agreement", headers=a).json()
    assert len(everything["themes"]) == 22
    untouched = _theme(everything, "gdpr-confusion")
    assert untouched["value"] is None
    assert untouched["statistic"] == "cohen_kappa"
    assert "absent" in untouched["reason"]


def test_three_coders_of_every_review_are_compared_by_fleiss_kappa_and_missing_ones_by_krippendorff(client, token_for):
    coders = [token_for("researcher", subject=f"coder-{i}") for i in range(3)]
    reviews = [_published(client, token_for, reference=f"FK {i}", summary=SUMMARY) for i in range(2)]
    # Review 0: all three carry the theme; review 1: only coder 0 does.
    for i, headers in enumerate(coders):
        code(client, headers, reviews[0])
        code(client, headers, reviews[1], **({} if i == 0 else {"theme": "tunnel-vision"}))
    answer = _theme(
        client.get(f"{API}/codings/agreement?theme=fathers-overlooked", headers=coders[0]).json(), "fathers-overlooked"
    )
    # counts [[3, 0], [1, 2]]: P_i = 1 and 1/3, P_bar = 2/3; p = 4/6, P_e = 16/36 + 4/36 = 5/9; kappa = 1/4.
    assert (answer["statistic"], answer["coders"], answer["reviews"]) == ("fleiss_kappa", 3, 2)
    assert answer["value"] == pytest.approx(0.25, abs=1e-6)

    # A third review that only two of the three code: the design is no longer complete.
    third = _published(client, token_for, reference="FK 2", summary=SUMMARY)
    code(client, coders[0], third)
    code(client, coders[1], third, theme="tunnel-vision")
    answer = _theme(
        client.get(f"{API}/codings/agreement?theme=fathers-overlooked", headers=coders[0]).json(), "fathers-overlooked"
    )
    assert (answer["statistic"], answer["coders"], answer["reviews"]) == ("krippendorff_alpha", 3, 3)
    assert answer["value"] is not None


def test_agreement_counts_only_reviews_two_coders_coded_and_only_the_perspective_asked(client, token_for):
    a, b = token_for("researcher", subject="coder-a"), token_for("researcher", subject="coder-b")
    shared, alone = (_published(client, token_for, reference=f"PA {i}", summary=SUMMARY) for i in range(2))
    code(client, a, shared, perspective="legal")
    code(client, b, shared, perspective="social-work")
    code(client, a, alone)
    overall = _theme(client.get(f"{API}/codings/agreement?theme=fathers-overlooked", headers=a).json(), "fathers-overlooked")
    assert (overall["reviews"], overall["coders"]) == (1, 2)
    legal = client.get(f"{API}/codings/agreement?theme=fathers-overlooked&perspective=legal", headers=a).json()
    assert legal["perspective"] == "legal"
    assert legal["themes"][0]["reviews"] == 0
    assert legal["themes"][0]["value"] is None
    for bad in ("theme=neglect", "perspective=astrology"):
        refused = client.get(f"{API}/codings/agreement?{bad}", headers=a)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["code"] == "unknown-code"
        assert refused.json()["errors"][0]["location"] == "query"


def test_agreement_counts_only_reviews_the_caller_may_read(client, token_for):
    board = token_for("board", "gwent")
    submitted = flows.review_in(client, board, "submitted", summary=SUMMARY, reference="HIDDEN 1")
    code(client, token_for("inspectorate", subject="inspector-1"), submitted)
    code(client, token_for("admin", subject="admin-1"), submitted)
    seen_by_inspectorate = client.get(f"{API}/codings/agreement?theme=fathers-overlooked", headers=token_for("inspectorate"))
    assert seen_by_inspectorate.json()["themes"][0]["reviews"] == 1
    seen_by_researcher = client.get(f"{API}/codings/agreement?theme=fathers-overlooked", headers=token_for("researcher"))
    assert seen_by_researcher.json()["themes"][0]["reviews"] == 0


# --- coded themes in search, lists and trends, on both backends ------------------------------------


def test_coded_themes_are_a_filter_and_a_trends_dimension_that_follow_each_coding_change(client, token_for):
    _coded_themes_follow_codings(client, token_for)


def test_on_opensearch_too_coded_themes_follow_each_coding_change(app_over, token_for, opensearch_backend):
    from fastapi.testclient import TestClient

    _coded_themes_follow_codings(TestClient(app_over(search=opensearch_backend)), token_for)


def _coded_themes_follow_codings(client: Any, token_for: Any) -> None:
    researcher = token_for("researcher", subject="criminologist")
    inspector = token_for("inspectorate")
    one, two = (_published(client, token_for, reference=f"ST {i}", summary=SUMMARY) for i in range(2))
    first = code(client, researcher, one, perspective="legal")
    code(client, researcher, two, theme="tunnel-vision")

    listed = client.get(f"{API}/reviews", params={"coded_theme": "fathers-overlooked"}, headers=researcher).json()
    assert [r["id"] for r in listed["items"]] == [one["id"]]
    found = client.get(f"{API}/search", params={"q": "chronologies", "coded_theme": "tunnel-vision"}, headers=researcher).json()
    assert [item["id"] for item in found["items"]] == [two["id"]]
    themes = client.get(f"{API}/trends", params={"group_by": "coded_theme"}, headers=inspector).json()
    # Both sub-themes roll up to the theme above them (ADR 0032).
    assert {b["key"]["coded_theme"]: b["count"] for b in themes["buckets"]} == {
        "fathers-overlooked": 1,
        "tunnel-vision": 1,
        "hierarchy-of-knowledge": 2,
    }
    perspectives = client.get(f"{API}/trends", params={"group_by": "perspective,region"}, headers=inspector).json()
    assert {(b["key"]["perspective"], b["key"]["region"]): b["count"] for b in perspectives["buckets"]} == {
        ("legal", "gwent"): 1,
        ("social-work", "gwent"): 1,
    }

    # A coding changed, then deleted: the review leaves the filter (on OpenSearch too: a newer version).
    changed = client.patch(
        f"{API}/codings/{first['id']}", json={"theme": "tunnel-vision"}, headers={**researcher, "If-Match": '"1"'}
    )
    assert changed.status_code == 200
    listed = client.get(f"{API}/search", params={"q": "chronologies", "coded_theme": "tunnel-vision"}, headers=researcher).json()
    assert sorted(item["id"] for item in listed["items"]) == sorted([one["id"], two["id"]])
    assert client.delete(f"{API}/codings/{first['id']}", headers={**researcher, "If-Match": '"2"'}).status_code == 204
    found = client.get(f"{API}/search", params={"q": "chronologies", "coded_theme": "tunnel-vision"}, headers=researcher).json()
    assert [item["id"] for item in found["items"]] == [two["id"]]
    themes = client.get(f"{API}/trends", params={"group_by": "coded_theme"}, headers=inspector).json()
    assert {b["key"]["coded_theme"]: b["count"] for b in themes["buckets"]} == {"tunnel-vision": 1, "hierarchy-of-knowledge": 1}
