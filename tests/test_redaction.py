"""Redaction (issue 13, part 3; ADR 0038): an admin removes a child's name from a review, and it is
then found nowhere: not in any read, any revision, any search backend, nor any row or full-text
table of the database itself. The audit says who, when, why and where, never what."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlmodel import Session

from app.operations.verify import verify
from tests import flows, pdfs
from tests.flows import API
from tests.test_codings import code

NAME = "Torvik Blumquist"
WORDS = ("torvik", "blumquist")  # as the full-text indexes keep them (lower case; porter leaves them whole)
REASON = "The child's name was published in error; removed under the data protection officer's instruction."
SUMMARY = f"{NAME} died aged nine months. Chronologies were missing and the father was not consulted."
SUMMARY_CY = f"Bu farw {NAME} yn naw mis oed. Roedd cronolegau ar goll."
RECOMMENDATIONS = [
    {
        "ref": "R1",
        "text": f"Agencies keep a shared chronology for every child, as {NAME.upper()}'s case shows.",
        "level": "agency",
        "text_cy": f"Mae asiantaethau'n cadw cronoleg a rennir, fel y dengys achos {NAME}.",
    },
    {"ref": "R2", "text": "Practitioners seek the views of fathers and new partners.", "level": "agency"},
]
REPORT = f"The report of the review. {NAME} lived with his mother in Newport."


def _url(review: dict[str, Any], tail: str = "") -> str:
    return f"{API}/reviews/{review['id']}{tail}"


def redact(client: TestClient, headers: dict[str, str], review: dict[str, Any], **kw: Any) -> Any:
    version = kw.pop("version", None) or client.get(_url(review), headers=headers).headers["ETag"]
    body = kw.pop("body", {"text": NAME, "reason": REASON})
    return client.post(_url(review, "/redactions"), json=body, headers={**headers, "If-Match": version})


def _dump(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    return value if isinstance(value, str) else json.dumps(value, default=str)


def rows_holding(session: Session, words: tuple[str, ...]) -> list[str]:
    """Every table of the database (modelled or not: FTS5 and its shadow tables too), every column,
    every row: where any of the words is still found, in any letter case."""
    found = []
    for table in inspect(session.connection()).get_table_names():
        for row in session.execute(text(f'SELECT * FROM "{table}"')).mappings():
            for column, value in row.items():
                if value is not None and any(word in _dump(value).lower() for word in words):
                    found.append(f"{table}.{column}")
    return sorted(set(found))


def full_text_terms(session: Session) -> set[str]:
    """The terms the database's own full-text indexes hold, English and Welsh: SQLite's FTS5 indexes
    read through fts5vocab, PostgreSQL's tsvector columns' lexemes."""
    if session.get_bind().dialect.name == "sqlite":
        terms = set()
        for index in ("review_fts", "review_fts_cy"):
            session.execute(text(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{index}_terms USING fts5vocab(main, {index}, row)"))
            terms |= {term for (term,) in session.execute(text(f"SELECT term FROM temp.{index}_terms"))}
        return terms
    rows = session.execute(
        text("SELECT unnest(tsvector_to_array(search_vector) || tsvector_to_array(search_vector_cy)) FROM review")
    )
    return {lexeme for (lexeme,) in rows}


@pytest.fixture
def board(token_for):
    return token_for("board", "gwent")


@pytest.fixture
def admin(token_for):
    return token_for("admin")


def _review_naming_the_child(client: TestClient, board: dict[str, str], researcher: dict[str, str]) -> dict[str, Any]:
    """Named in its summary and a recommendation (in English and Welsh), a progress note, a coding's quote and note, its report
    and several revisions: edits, progress, a correction."""
    review = flows.create(client, board, summary=SUMMARY, summary_cy=SUMMARY_CY, recommendations=RECOMMENDATIONS)
    edited = client.patch(_url(review), json={"title": "Child T"}, headers={**board, "If-Match": '"1"'})
    assert edited.status_code == 200, edited.text
    flows.put_plan(client, board, review)
    review = flows.submit(client, board, review)
    flows.upload_report(client, board, review, text=REPORT)
    published = client.post(_url(review, "/publish"), headers=board)
    assert published.status_code == 200, published.text
    review = published.json()
    plan = client.get(_url(review, "/action-plan"), headers=board).json()
    action = plan["actions"][0]
    noted = client.patch(
        _url(review, f"/action-plan/actions/{action['id']}"),
        json={"status": "in_progress", "progress_note": {"note": f"{NAME}'s school now shares its chronology."}},
        headers={**board, "If-Match": action["etag"]},
    )
    assert noted.status_code == 200, noted.text
    code(client, researcher, review, quote=f"{NAME} died aged nine months", note=f"About {NAME}.")
    current = client.get(_url(review), headers=board)
    corrected = client.post(
        _url(review, "/corrections"),
        json={"reason": "The age was wrong.", "changes": {"summary": SUMMARY.replace("nine", "ten")}},
        headers={**board, "If-Match": current.headers["ETag"]},
    )
    assert corrected.status_code == 200, corrected.text
    return corrected.json()


def _everything_read(client: TestClient, review: dict[str, Any], admin: dict[str, str]) -> str:
    answers = [client.get(_url(review), headers=admin).json()]
    cursor = None
    while True:  # every page of the revisions
        page = client.get(
            _url(review, "/revisions"), params={"limit": 2, **({"cursor": cursor} if cursor else {})}, headers=admin
        )
        assert page.status_code == 200, page.text
        answers.append(page.json())
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    for tail in ("/corrections", "/codings?coder=all", "/action-plan"):
        response = client.get(_url(review, tail), headers=admin)
        assert response.status_code == 200, response.text
        answers.append(response.json())
    return json.dumps(answers)


def _found_by_search(client: TestClient, headers: dict[str, str], q: str) -> list[str]:
    response = client.get(f"{API}/search", params={"q": q}, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _proves_the_name_is_gone(client: TestClient, session: Session, board, admin, researcher, caplog) -> None:
    review = _review_naming_the_child(client, board, researcher)
    before = _everything_read(client, review, admin)
    assert NAME in before and NAME.upper() in before
    assert _found_by_search(client, admin, "Blumquist") == [review["id"]]
    assert set(WORDS) <= full_text_terms(session)
    trends = client.get(f"{API}/trends", params={"group_by": "region"}, headers=admin).json()

    with caplog.at_level(logging.DEBUG):
        answer = redact(client, admin, review)
    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert NAME.lower() not in answer.text.lower()
    assert result["marker"] == "[redacted]" and result["occurrences"] >= 8 and result["revisions_rewritten"] >= 4
    assert {place["entity"] for place in result["places"]} == {"review", "action", "coding", "revision"}
    assert result["documents_to_replace"] == ["report"]
    assert answer.headers["ETag"] == f'"{result["version"]}"'
    assert not [r.getMessage() for r in caplog.records if "blumquist" in r.getMessage().lower()]

    after = _everything_read(client, review, admin)
    assert not any(word in after.lower() for word in WORDS)
    assert "[redacted] died aged ten months" in after
    assert rows_holding(session, WORDS) == []
    assert not set(WORDS) & full_text_terms(session)
    for q in ("Blumquist", "Torvik", f'"{NAME}"'):
        assert _found_by_search(client, admin, q) == []
    assert _found_by_search(client, admin, "chronology") == [review["id"]]  # the rest of the record is searchable
    assert client.get(f"{API}/trends", params={"group_by": "region"}, headers=admin).json() == trends

    revisions = client.get(_url(review, "/revisions"), params={"limit": 100}, headers=admin).json()["items"]
    last = revisions[-1]
    assert (last["change"], last["reason"], last["changed_by"]) == ("redact", REASON, "admin-all")
    assert "redacted" in last["changed_fields"]
    audit = client.get(f"{API}/audit", params={"action": "review:redact"}, headers=admin).json()["items"]
    assert [(a["action"], a["target_id"], a["status"]) for a in audit] == [("review:redact", review["id"], 201)]
    assert rows_holding(session, WORDS) == []  # the searches above left no trace either
    _the_report_that_held_it_is_gone_until_replaced(client, session, review, board, admin)


def _the_report_that_held_it_is_gone_until_replaced(client: TestClient, session: Session, review, board, admin) -> None:
    store = client.app.state.registry.documents  # type: ignore[attr-defined]
    [report] = [d for d in client.get(_url(review, "/documents"), headers=admin).json() if d["kind"] == "report"]
    assert not store.path_of(report["sha256"]).exists()  # removed once the redaction was committed
    for url in ("/documents/report", f"/documents/report/versions/{report['version']}"):
        gone = client.get(_url(review, url), headers=admin)
        assert gone.status_code == 410, gone.text
        assert gone.json()["type"] == "/problems/gone"
    assert verify(session, store).ok  # a redacted version has no file, on purpose

    replaced = client.put(
        _url(review, "/documents/report"),
        files={"file": ("report.pdf", pdfs.report(REPORT.replace(NAME, "[redacted]")), "application/pdf")},
        data={"reason": "The report, with the child's name redacted."},
        headers={**board, "If-Match": f'"{report["version"]}"'},
    )
    assert replaced.status_code == 200, replaced.text
    assert client.get(_url(review, "/documents/report"), headers=admin).status_code == 200
    assert client.get(_url(review, "/documents/report/versions/1"), headers=admin).status_code == 410  # the first upload
    new_version = replaced.json()["version"]
    assert client.get(_url(review, f"/documents/report/versions/{new_version}"), headers=admin).status_code == 200
    assert verify(session, store).ok
    assert rows_holding(session, WORDS) == []


def test_a_redacted_name_is_found_nowhere(client, session, board, admin, token_for, caplog):
    _proves_the_name_is_gone(client, session, board, admin, token_for("researcher", subject="criminologist"), caplog)


def test_on_opensearch_too_a_redacted_name_is_found_nowhere(
    app_over, opensearch_backend, session, board, admin, token_for, caplog
):
    with TestClient(app_over(search=opensearch_backend), raise_server_exceptions=False) as client:
        _proves_the_name_is_gone(client, session, board, admin, token_for("researcher", subject="criminologist"), caplog)


def test_a_redaction_changes_nothing_when_the_text_is_nowhere(client, session, board, admin):
    review = flows.review_in(client, board, "submitted")
    response = redact(client, admin, review, body={"text": "Nobody Anywhere", "reason": REASON})
    assert response.status_code == 422, response.text
    assert [e["code"] for e in response.json()["errors"]] == ["text-not-found"]
    assert client.get(_url(review), headers=admin).json()["version"] == review["version"]


def test_whole_words_only_any_letter_case(client, board, admin):
    review = flows.create(client, board, summary="Ann's aunt, ANN, went to the annual review; Anna was not there.")
    response = redact(client, admin, review, body={"text": "ann", "reason": REASON})
    assert response.status_code == 201, response.text
    summary = client.get(_url(review), headers=admin).json()["summary"]
    assert summary == "[redacted]'s aunt, [redacted], went to the annual review; Anna was not there."


@pytest.mark.parametrize(
    "body",
    [
        {"reason": REASON},
        {"text": "ab", "reason": REASON},
        {"text": "x" * 1001, "reason": REASON},
        {"text": NAME},
        {"text": NAME, "reason": ""},
        {"text": NAME, "reason": REASON, "extra": 1},
    ],
)
def test_a_redaction_needs_a_text_of_3_to_1000_characters_and_a_reason(client, board, admin, body):
    review = flows.create(client, board, summary=SUMMARY)
    response = redact(client, admin, review, body=body)
    assert response.status_code == 422, response.text
    assert client.get(_url(review), headers=admin).json()["summary"] == SUMMARY


def test_a_redaction_needs_the_current_version(client, board, admin):
    review = flows.create(client, board, summary=SUMMARY)
    stale = redact(client, admin, review, version='"7"')
    assert stale.status_code == 412, stale.text
    missing = client.post(_url(review, "/redactions"), json={"text": NAME, "reason": REASON}, headers=admin)
    assert missing.status_code == 428, missing.text
    assert client.get(_url(review), headers=admin).json()["summary"] == SUMMARY


@pytest.mark.parametrize("status", ["draft", "submitted", "published", "withdrawn"])
def test_redaction_works_in_every_state(client, board, admin, status):
    review = flows.review_in(client, board, "published" if status == "withdrawn" else status, summary=SUMMARY)
    if status == "withdrawn":
        current = client.get(_url(review), headers=admin)
        withdrawn = client.post(
            _url(review, "/withdraw"),
            json={"reason": "Published in error."},
            headers={**admin, "If-Match": current.headers["ETag"]},
        )
        assert withdrawn.status_code == 200, withdrawn.text
    assert redact(client, admin, review).status_code == 201
    assert NAME not in client.get(_url(review), headers=admin).text


@pytest.mark.parametrize("role", ["board", "inspectorate", "practitioner", "researcher"])
def test_only_an_admin_redacts(client, board, token_for, role, admin):
    review = flows.review_in(client, board, "published", summary=SUMMARY)
    response = redact(client, token_for(role, "gwent" if role == "board" else None), review, version=f'"{review["version"]}"')
    assert response.status_code == 403, response.text
    assert client.get(_url(review), headers=admin).json()["summary"] == SUMMARY


def test_codings_keep_quoting_exactly_the_text_at_their_place_after_a_redaction(client, board, admin, token_for):
    """Offsets move with the text: a quote after the name keeps its words, one around it holds the
    marker, one that held part of it the whole marker; each is still the text at its place."""
    researcher = token_for("researcher")
    review = flows.review_in(client, board, "published", summary=f"Before, {SUMMARY}")
    after = code(client, researcher, review, quote="died aged nine months")
    around = code(client, researcher, review, quote=f"{NAME} died")
    part = code(client, researcher, review, quote="Torvik")
    assert redact(client, admin, review).status_code == 201
    summary = client.get(_url(review), headers=admin).json()["summary"]
    assert summary.startswith("Before, [redacted] died aged nine months.")
    codings = {c["id"]: c for c in client.get(_url(review, "/codings?coder=all"), headers=admin).json()["items"]}
    for coding in codings.values():
        where = coding["location"]
        assert summary[where["start"] : where["end"]] == coding["quote"], coding
    assert codings[after["id"]]["quote"] == "died aged nine months"
    assert codings[around["id"]]["quote"] == "[redacted] died"
    assert codings[part["id"]]["quote"] == "[redacted]"
    # The registry's own check agrees: each quote, sent again with its place, is the text there now.
    for coding in codings.values():
        again = {"quote": coding["quote"], "location": coding["location"]}
        version = f'"{coding["version"]}"'
        edited = client.patch(f"{API}/codings/{coding['id']}", json=again, headers={**researcher, "If-Match": version})
        assert edited.status_code == 200, edited.text
