"""A service that speaks Welsh (issue 15, ADR 0045): Welsh vocabulary labels a translator can
correct, `Accept-Language: cy` for labels and problem documents, `Content-Language` saying which."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.language import Language, negotiate
from app.problem_types import PROBLEM_TYPES, WELSH, WELSH_ERRORS
from tests import factories
from tests.flows import API

WELSH_HEADERS = {"Accept-Language": "cy"}


@pytest.mark.database_independent
@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, Language.en),
        ("", Language.en),
        ("cy", Language.cy),
        ("CY-gb", Language.cy),
        ("en-GB,en;q=0.9", Language.en),
        ("en;q=0.5, cy", Language.cy),
        ("cy;q=0.5, en;q=0.9", Language.en),
        ("cy, en", Language.cy),
        ("en, cy", Language.en),  # a tie goes to the first
        ("fr, de;q=0.8", Language.en),  # neither spoken: English
        ("*", Language.en),
        ("cy;q=0", Language.en),  # "not Welsh"
        ("cy;q=nonsense", Language.en),
        (";;;,,,=", Language.en),
    ],
)
def test_the_language_asked_for_is_the_best_the_registry_speaks(header, language):
    assert negotiate(header) is language


@pytest.mark.database_independent
def test_every_welsh_error_detail_is_for_a_code_the_registry_sends():
    documented = Path(__file__).resolve().parent.parent.joinpath("docs", "integrating.md").read_text()
    pydantic = {"missing", "extra_forbidden", "too_short", "too_long", "string_too_short", "string_too_long",
                "string_type", "string_pattern_mismatch", "enum", "literal_error", "int_parsing", "int_type",
                "bool_type", "bool_parsing", "date_parsing", "date_from_datetime_parsing", "greater_than_equal",
                "less_than_equal", "list_type", "dict_type", "model_attributes_type", "json_invalid"}  # fmt: skip
    assert [code for code in WELSH_ERRORS if code not in pydantic and f"`{code}`" not in documented] == []


@pytest.mark.database_independent
def test_every_problem_type_has_a_welsh_title_and_detail():
    assert set(WELSH) == set(PROBLEM_TYPES)
    for slug, welsh in WELSH.items():
        assert welsh.title and welsh.detail and welsh.title != PROBLEM_TYPES[slug].title, slug


def _terms(client, **headers: str) -> tuple[dict[str, Any], Any]:
    response = client.get(f"{API}/vocabularies", headers=headers)
    assert response.status_code == 200, response.text
    return response.json(), response


def test_every_term_has_a_welsh_label_awaiting_review(client):
    vocabularies, response = _terms(client)
    assert response.headers["content-language"] == "en" and "accept-language" in response.headers["vary"].lower()
    terms = [term for terms in vocabularies.values() for term in terms]
    assert len(vocabularies) == 13 and len(terms) == 78  # 60 kept as data, 18 fixed in code
    for term in terms:
        assert term["label"] == term["labels"]["en"] and term["labels"]["cy"], term
        assert term["labels_awaiting_review"] == ["cy"], term
    police = next(t for t in vocabularies["agency"] if t["code"] == "police")
    assert police["labels"] == {"en": "Police", "cy": "Heddlu"}


def test_accept_language_cy_labels_the_terms_in_welsh(client):
    welsh, response = _terms(client, **WELSH_HEADERS)
    english, _ = _terms(client)
    assert response.headers["content-language"] == "cy"
    assert [t["label"] for t in welsh["kind"]] == ["Adolygiad Ymarfer Plant", "Adolygiad Diogelu Unedig Sengl"]
    for name, terms in welsh.items():  # the same terms, in the same order, with the same labels
        assert [t["code"] for t in terms] == [t["code"] for t in english[name]]
        assert [t["labels"] for t in terms] == [t["labels"] for t in english[name]]
        assert [t["label"] for t in terms] == [t["labels"]["cy"] for t in terms]


def test_a_translator_corrects_a_welsh_label_and_it_is_then_reviewed(client, token_for, connection):
    admin = token_for("admin")
    url = f"{API}/vocabularies/learning_theme/terms/tunnel-vision/labels/cy"
    before = next(t for t in _terms(client)[0]["learning_theme"] if t["code"] == "tunnel-vision")
    assert before["welsh_label_etag"] == '"1"'
    response = client.put(url, json={"label": "Gweledigaeth twnnel"}, headers={**admin, "If-Match": '"1"'})
    assert response.status_code == 200, response.text
    corrected = response.json()
    assert response.headers["etag"] == corrected["welsh_label_etag"] == '"2"'
    assert corrected["labels"] == {"en": "Tunnel vision", "cy": "Gweledigaeth twnnel"}
    assert corrected["label"] == "Gweledigaeth twnnel" and corrected["labels_awaiting_review"] == []
    assert corrected["parent"] == "hierarchy-of-knowledge"
    read = next(t for t in _terms(client, **WELSH_HEADERS)[0]["learning_theme"] if t["code"] == "tunnel-vision")
    assert read == corrected
    # A fixed vocabulary's label is data too.
    fixed = client.put(
        f"{API}/vocabularies/action_status/terms/completed/labels/cy",
        json={"label": "Wedi'i orffen"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert fixed.status_code == 200 and fixed.json()["labels"] == {"en": "Completed", "cy": "Wedi'i orffen"}
    rows = connection.execute(
        text(
            "SELECT subject, action, target_type, target_id, status FROM audit_event WHERE action = 'vocabularies:label' ORDER BY id"
        )
    ).all()
    assert [tuple(r) for r in rows] == [
        ("admin-all", "vocabularies:label", "learning_theme", "tunnel-vision", 200),
        ("admin-all", "vocabularies:label", "action_status", "completed", 200),
    ]


def test_of_two_translators_who_read_one_label_the_second_hears_412(client, token_for):
    admin, url = token_for("admin"), f"{API}/vocabularies/agency/terms/gp/labels/cy"
    first = client.put(url, json={"label": "Meddyg teulu"}, headers={**admin, "If-Match": '"1"'})
    assert first.status_code == 200, first.text
    second = client.put(url, json={"label": "Practis cyffredinol"}, headers={**admin, "If-Match": '"1"'})
    assert second.status_code == 412 and second.json()["type"] == "/problems/precondition-failed"
    unsent = client.put(url, json={"label": "Practis cyffredinol"}, headers=admin)
    assert unsent.status_code == 428
    gp = next(t for t in _terms(client)[0]["agency"] if t["code"] == "gp")
    assert gp["labels"]["cy"] == "Meddyg teulu" and gp["welsh_label_etag"] == '"2"'


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("agency/terms/no-such-agency", {"label": "Dim"}, 404),
        ("no_such_vocabulary/terms/police", {"label": "Heddlu"}, 422),
        ("agency/terms/police", {"label": ""}, 422),
        ("agency/terms/police", {"label": "x" * 201}, 422),
        ("agency/terms/police", {"label": "Heddlu", "reviewed": True}, 422),
        ("agency/terms/police", {}, 422),
    ],
)
def test_a_bad_label_changes_nothing(client, token_for, path, body, status):
    before, _ = _terms(client)
    headers = {**token_for("admin"), "If-Match": '"1"'}
    response = client.put(f"{API}/vocabularies/{path}/labels/cy", json=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert _terms(client)[0] == before


def test_a_term_added_with_its_welsh_label_needs_no_review(client, token_for):
    body = {"code": "online-harm", "label": "Online harm", "label_cy": "Niwed ar-lein"}
    response = client.post(f"{API}/vocabularies/context_factor/terms", json=body, headers=token_for("admin"))
    assert response.status_code == 201, response.text
    added = response.json()
    assert (added["labels"], added["labels_awaiting_review"]) == ({"en": "Online harm", "cy": "Niwed ar-lein"}, [])
    without = client.post(
        f"{API}/vocabularies/context_factor/terms", json={"code": "gangs", "label": "Gangs"}, headers=token_for("admin")
    ).json()
    assert (without["labels"], without["labels_awaiting_review"]) == ({"en": "Gangs", "cy": None}, [])
    # In Welsh, a term without a Welsh label is labelled in English.
    assert next(t for t in _terms(client, **WELSH_HEADERS)[0]["context_factor"] if t["code"] == "gangs")["label"] == "Gangs"
    assert without["welsh_label_etag"] == '"0"'  # no Welsh label yet: If-Match "0" gives it one
    url = f"{API}/vocabularies/context_factor/terms/gangs/labels/cy"
    given = client.put(url, json={"label": "Gangiau"}, headers={**token_for("admin"), "If-Match": '"0"'})
    assert given.status_code == 200 and given.json()["labels"] == {"en": "Gangs", "cy": "Gangiau"}


def test_every_board_has_its_welsh_name(client, token_for):
    english = client.get(f"{API}/regions")
    welsh = client.get(f"{API}/regions", headers=WELSH_HEADERS)
    assert (english.headers["content-language"], welsh.headers["content-language"]) == ("en", "cy")
    assert all(region["names"]["cy"] and region["name"] == region["names"]["en"] for region in english.json())
    assert [region["name"] for region in welsh.json()] == [region["names"]["cy"] for region in english.json()]
    gwent = next(region for region in welsh.json() if region["code"] == "gwent")
    assert gwent["names"] == {"en": "Gwent Safeguarding Board", "cy": "Bwrdd Diogelu Gwent"}
    added = client.post(f"{API}/regions", json={"code": "powys", "name": "Powys Board"}, headers=token_for("admin"))
    assert added.status_code == 201 and added.json()["names"] == {"en": "Powys Board", "cy": None}
    # Without a Welsh name, a board is named in English in Welsh too.
    assert next(r for r in client.get(f"{API}/regions", headers=WELSH_HEADERS).json() if r["code"] == "powys")["name"] == (
        "Powys Board"
    )


# --- problem documents ------------------------------------------------------------------------


def test_a_problem_is_in_welsh_when_welsh_is_asked_for(client, token_for):
    board = token_for("board", "gwent")
    missing = client.get(f"{API}/reviews/no-such-review", headers={**board, "Accept-Language": "cy-GB, en;q=0.5"})
    assert missing.status_code == 404 and missing.headers["content-language"] == "cy"
    problem = missing.json()
    assert (problem["title"], problem["detail"]) == (WELSH["not-found"].title, WELSH["not-found"].detail)
    english = client.get(f"{API}/reviews/no-such-review", headers=board)
    assert english.headers["content-language"] == "en" and "detail_en" not in english.json()
    assert problem["detail_en"] == english.json()["detail"]  # the particulars, in English
    assert {k: v for k, v in problem.items() if k not in ("title", "detail", "detail_en", "request_id")} == {
        k: v for k, v in english.json().items() if k not in ("title", "detail", "request_id")
    }


def test_a_refused_review_is_explained_in_welsh_with_every_error_named(client, token_for):
    body = factories.review(language="cy", title_cy=None, themes=["no-such-theme"])
    response = client.post(f"{API}/reviews", json=body, headers={**token_for("board", "gwent"), **WELSH_HEADERS})
    assert response.status_code == 422 and response.headers["content-language"] == "cy"
    problem = response.json()
    assert problem["type"] == "/problems/validation-error" and problem["title"] == "Cais annilys"
    [error] = problem["errors"]
    assert (error["code"], error["detail"]) == ("welsh-title-required", WELSH_ERRORS["welsh-title-required"])
    assert error["detail_en"] == "a review written in Welsh (language cy) needs title_cy"
    english = client.post(f"{API}/reviews", json=body, headers=token_for("board", "gwent")).json()
    assert "detail_en" not in english["errors"][0] and english["errors"][0]["detail"] == error["detail_en"]
    anonymous = client.post(f"{API}/reviews", json=factories.review(), headers=WELSH_HEADERS)
    assert anonymous.status_code == 401 and anonymous.json()["title"] == "Mae angen dilysu"
    assert anonymous.headers["www-authenticate"].startswith("Bearer")


def test_a_field_the_framework_refuses_is_explained_in_welsh_too(client, token_for):
    body = factories.review(title_cy="", surprise=True)
    response = client.post(f"{API}/reviews", json=body, headers={**token_for("board", "gwent"), **WELSH_HEADERS})
    assert response.status_code == 422
    errors = {error["code"]: error for error in response.json()["errors"]}
    assert errors["too_short"]["detail"] == WELSH_ERRORS["too_short"] and errors["too_short"]["pointer"] == "#/title_cy"
    assert errors["extra_forbidden"]["detail"] == WELSH_ERRORS["extra_forbidden"] and errors["extra_forbidden"]["detail_en"]
