"""Documents: real PDFs in, their words searchable; anything else refused clearly, changing nothing."""

from __future__ import annotations

import hashlib

import pytest

from tests import flows, pdfs
from tests.flows import API

REPORT_PAGES = [
    "Child Practice Review GWSB 2/2023. Child A. Terms of reference and methodology.",
    "Practitioners did not compile chronologies. Each agency held a partial picture.",
    "The father was never invited to the core group. Recommendation: agencies record every adult in the household.",
]


@pytest.fixture
def board(token_for):
    return token_for("board", "gwent")


def _upload(client, headers, review, kind, content, filename="report.pdf", content_type="application/pdf", **extra):
    return client.put(
        f"{API}/reviews/{review['id']}/documents/{kind}",
        files={"file": (filename, content, content_type)},
        headers={**headers, **extra},
    )


def _state(client, review):
    """What a board would notice: the review, its documents."""
    admin_review = client.get(f"{API}/reviews/{review['id']}", headers=client.admin).json()
    documents = client.get(f"{API}/reviews/{review['id']}/documents", headers=client.admin).json()
    return admin_review, documents


@pytest.fixture
def review(client, board, token_for):
    client.admin = token_for("admin")
    return flows.create(client, board, full_text=None)


def test_a_multi_page_report_makes_its_words_searchable(client, board, review, token_for):
    content = pdfs.report(*REPORT_PAGES)
    response = _upload(client, board, review, "report", content)
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["pages"] == 3 and document["size"] == len(content)
    assert document["sha256"] == hashlib.sha256(content).hexdigest()
    assert response.headers["etag"] == '"1"'

    # The text was extracted after the response: the review now holds it, as a new version.
    stored = client.get(f"{API}/reviews/{review['id']}", headers=board).json()
    assert "chronologies" in stored["full_text"] and "core group" in stored["full_text"]
    assert stored["version"] == review["version"] + 1
    listed = client.get(f"{API}/reviews/{review['id']}/documents", headers=board).json()
    assert [(d["kind"], d["text_status"]) for d in listed] == [("report", "extracted")]

    found = client.get(f"{API}/search", params={"q": '"never invited to the core group"'}, headers=board).json()
    assert [item["id"] for item in found["items"]] == [review["id"]]


def test_hidden_characters_in_a_report_are_dropped_from_its_text_and_the_review_can_still_be_edited(client, board, review):
    """A report's soft hyphens, zero-width spaces and direction overrides are the PDF's, not the
    board's to correct (ADR 0019): its text is stored without them, so the review stays editable."""
    response = _upload(client, board, review, "report", pdfs.report_in_unicode("Chi\u00adld A: neg\u200blect, \u202eexe.png\u202c."))
    assert response.status_code == 201, response.text
    stored = client.get(f"{API}/reviews/{review['id']}", headers=board)
    assert stored.json()["full_text"] == "Child A: neglect, exe.png."
    edited = client.patch(f"{API}/reviews/{review['id']}", json={"title": "Child A (edited)"}, headers={**board, "If-Match": stored.headers["etag"]})
    assert edited.status_code == 200, edited.text
    found = client.get(f"{API}/search", params={"q": "neglect"}, headers=board).json()
    assert [item["id"] for item in found["items"]] == [review["id"]]


def test_a_document_downloads_under_the_reviews_own_rules(client, board, review, token_for):
    content = pdfs.report("Seven-minute briefing: what went wrong and what must change.")
    assert _upload(client, board, review, "briefing", content, filename="../../etc/passwd.pdf").status_code == 201
    url = f"{API}/reviews/{review['id']}/documents/briefing"
    download = client.get(url, headers=board)
    assert download.status_code == 200 and download.content == content
    assert download.headers["content-type"] == "application/pdf"
    assert 'filename="GWSB_2_2023-briefing.pdf"' in download.headers["content-disposition"]
    # A draft's documents are as hidden as the draft.
    for headers in ({}, token_for("practitioner"), token_for("board", "north-wales")):
        assert client.get(url, headers=headers).status_code == 404
    assert client.get(f"{API}/reviews/{review['id']}/documents/report", headers=board).status_code == 404


def test_replacing_a_document_needs_its_etag(client, board, review):
    first = pdfs.report("Timeline, first version.")
    second = pdfs.report("Timeline, corrected version.")
    assert _upload(client, board, review, "timeline", first).status_code == 201
    assert _upload(client, board, review, "timeline", second).status_code == 428
    assert _upload(client, board, review, "timeline", second, **{"If-Match": '"7"'}).status_code == 412
    replaced = _upload(client, board, review, "timeline", second, **{"If-Match": '"1"'})
    assert replaced.status_code == 200 and replaced.headers["etag"] == '"2"'
    assert client.get(f"{API}/reviews/{review['id']}/documents/timeline", headers=board).content == second


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("text renamed .pdf", b"Just some words, not a PDF at all.", 415, None),
        ("png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, 415, None),
        ("empty", b"", 415, None),
        ("cut off midway", pdfs.truncated(pdfs.report(*REPORT_PAGES)), 422, "pdf-damaged"),
        ("encrypted", pdfs.encrypted(pdfs.report("Secret")), 422, "pdf-encrypted"),
        ("header only", b"%PDF-1.7\n%%EOF\n", 422, "pdf-damaged"),
    ],
)
def test_bad_files_are_refused_clearly_and_change_nothing(client, board, review, name, content, status, code, settings):
    before = _state(client, review)
    response = _upload(client, board, review, "report", content)
    assert response.status_code == status, (name, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    if code:
        assert [e["code"] for e in response.json()["errors"]] == [code]
    assert _state(client, review) == before
    stored = [p for p in settings.documents_dir.rglob("*") if p.is_file()] if settings.documents_dir.exists() else []
    assert stored == []  # nothing kept on disk either


def test_a_pdf_bomb_is_refused_without_exhausting_the_server(client, board, review):
    before = _state(client, review)
    response = _upload(client, board, review, "report", pdfs.bomb(2048))
    assert response.status_code in (201, 422), response.text
    if response.status_code == 201:
        # pypdf's own limits may read the structure; then the text extraction is what must not blow up.
        assert client.get(f"{API}/reviews/{review['id']}/documents", headers=board).json()[0]["text_status"] in ("failed", "extracted")
    else:
        assert _state(client, review) == before


def test_an_oversize_upload_is_refused_before_it_is_read(client, board, review, app):
    app.state.settings  # the limit comes from REGISTRY_MAX_UPLOAD_MB (25 by default)
    before = _state(client, review)
    big = b"%PDF-1.7\n" + b"0" * (27 << 20)
    response = _upload(client, board, review, "report", big)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert _state(client, review) == before


def test_uploads_follow_the_write_rules(client, board, review, token_for):
    content = pdfs.report("Press statement.")
    assert _upload(client, token_for("board", "north-wales"), review, "press-statement", content).status_code == 404
    assert _upload(client, {}, review, "press-statement", content).status_code == 404
    assert _upload(client, board, review, "minutes", content).status_code == 422  # not a document kind
    flows.put_plan(client, board, review)
    flows.submit(client, board, review)
    flows.publish(client, board, review)
    assert _upload(client, board, review, "press-statement", content).status_code == 409


def test_a_broken_multipart_body_is_a_clear_422(client, board, review):
    response = client.put(
        f"{API}/reviews/{review['id']}/documents/report",
        content=b"--x\r\nnot a proper part--x--\r\n",
        headers={**board, "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
