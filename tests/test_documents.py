"""Documents: real PDFs in, their words searchable; anything else refused clearly, changing nothing."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date

import pytest
from fastapi.testclient import TestClient

from app.documents.storage import BucketStore
from app.operations.verify import verify
from tests import flows, pdfs
from tests.conftest import free_port, issued_token
from tests.flows import API

REPORT_PAGES = [
    "Child Practice Review GWSB 2/2023. Child A. Terms of reference and methodology.",
    "Practitioners did not compile chronologies. Each agency held a partial picture.",
    "The father was never invited to the core group. Recommendation: agencies record every adult in the household.",
]


@pytest.fixture(params=["folder", "s3"])
def settings(request, settings):
    """Every test here runs on both document stores: the folder, and a bucket of S3-compatible
    object storage (moto in server mode as the stand-in, tests/conftest.py)."""
    if request.param == "folder":
        return settings
    return settings.model_copy(update=request.getfixturevalue("bucket_settings"))


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
    stored = client.get(f"{API}/reviews/{review['id']}?include=full_text", headers=board).json()
    assert "chronologies" in stored["full_text"] and "core group" in stored["full_text"]
    assert stored["version"] == review["version"] + 1
    listed = client.get(f"{API}/reviews/{review['id']}/documents", headers=board).json()
    assert [(d["kind"], d["text_status"]) for d in listed] == [("report", "extracted")]

    found = client.get(f"{API}/search", params={"q": '"never invited to the core group"'}, headers=board).json()
    assert [item["id"] for item in found["items"]] == [review["id"]]


def test_hidden_characters_in_a_report_are_dropped_from_its_text_and_the_review_can_still_be_edited(client, board, review):
    """A report's soft hyphens, zero-width spaces and direction overrides are the PDF's, not the
    board's to correct (ADR 0019): its text is stored without them, so the review stays editable."""
    response = _upload(
        client, board, review, "report", pdfs.report_in_unicode("Chi\u00adld A: neg\u200blect, \u202eexe.png\u202c.")
    )
    assert response.status_code == 201, response.text
    stored = client.get(f"{API}/reviews/{review['id']}?include=full_text", headers=board)
    assert stored.json()["full_text"] == "Child A: neglect, exe.png."
    edited = client.patch(
        f"{API}/reviews/{review['id']}", json={"title": "Child A (edited)"}, headers={**board, "If-Match": stored.headers["etag"]}
    )
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


def _damage(store, sha256: str) -> None:
    """Other bytes where the document's are: in the folder, or in the bucket with no cached copy."""
    if isinstance(store, BucketStore):
        store.client.put_object(Bucket=store.bucket, Key=store.key_of(sha256), Body=b"%PDF-1.7 not the bytes uploaded")
        store.cache.remove(sha256)
    else:
        store.path_of(sha256).write_bytes(b"%PDF-1.7 not the bytes uploaded")


def test_a_damaged_file_is_never_served_as_the_document(client, board, review, registry, session):
    content = pdfs.report("Seven-minute briefing, as uploaded.")
    sha256 = _upload(client, board, review, "briefing", content).json()["sha256"]
    _damage(registry.documents, sha256)
    download = client.get(f"{API}/reviews/{review['id']}/documents/briefing", headers=board)
    assert download.status_code == 500 and download.headers["content-type"] == "application/problem+json"
    assert download.json()["type"].endswith("/problems/document-damaged") and b"not the bytes" not in download.content
    assert verify(session, registry.documents).problems[0].startswith("corrupted: ")


def test_in_a_bucket_each_document_is_one_object_and_the_folder_only_a_cache(client, board, review, registry, settings):
    store = registry.documents
    if not isinstance(store, BucketStore):
        pytest.skip("the folder store keeps its files in the folder itself")
    content = pdfs.report("Timeline, kept in the bucket.")
    sha256 = _upload(client, board, review, "timeline", content).json()["sha256"]
    kept = store.client.get_object(Bucket=store.bucket, Key=f"documents/{sha256[:2]}/{sha256}")
    assert kept["Body"].read() == content
    url = f"{API}/reviews/{review['id']}/documents/timeline"
    shutil.rmtree(settings.documents_dir)  # a new replica, or a lost cache
    assert client.get(url, headers=board).content == content
    store.cache.path_of(sha256).write_bytes(b"damaged in the cache only")
    assert client.get(url, headers=board).content == content  # read again from the bucket
    assert store.cache.fetch(sha256).read_bytes() == content


def test_a_bucket_that_does_not_answer_is_a_503_and_changes_nothing(settings, app_over, token_for):
    if settings.documents_store != "s3":
        pytest.skip("the folder store has no service to be away")
    away = settings.model_copy(update={"s3_endpoint_url": f"http://127.0.0.1:{free_port()}"})
    with TestClient(app_over(settings=away), raise_server_exceptions=False) as client:
        board = token_for("board", "gwent")
        review = flows.create(client, board, full_text=None)
        answer = _upload(client, board, review, "briefing", pdfs.report("Seven-minute briefing."))
        assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
        assert answer.json()["type"].endswith("/problems/service-unavailable")
        assert client.get(f"{API}/reviews/{review['id']}/documents", headers=board).json() == []
    assert [p for p in settings.documents_dir.rglob("*") if p.is_file()] == []  # the upload's temporary file too


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


def test_a_pdf_bomb_is_read_within_limits_and_the_server_stays_up(client, board, review):
    # The file itself is a small, valid PDF, so it is kept. Inflating its 2 GB page stream is what must
    # not happen: the extraction runs in a subprocess capped in memory and time (pypdf also caps what
    # one stream may inflate to), so it ends, extracted or failed, and the server answers on.
    response = _upload(client, board, review, "report", pdfs.bomb(2048))
    assert response.status_code == 201, response.text
    documents = client.get(f"{API}/reviews/{review['id']}/documents", headers=board).json()
    assert documents[0]["text_status"] in ("failed", "extracted")
    assert client.get("/readyz").status_code == 200


def test_an_oversize_upload_is_refused_before_it_is_read(client, board, review, app):
    # The limit comes from REGISTRY_MAX_UPLOAD_MB (25 by default).
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
    assert _upload(client, board, review, "press-statement", content).status_code == 201  # a kind it lacked
    withdrawn = client.post(f"{API}/reviews/{review['id']}/withdraw", json={"reason": "Named a child."}, headers=board)
    assert withdrawn.status_code == 200, withdrawn.text
    assert _upload(client, token_for("admin"), review, "briefing", content).status_code == 409


def test_a_broken_multipart_body_is_a_clear_422(client, board, review):
    response = client.put(
        f"{API}/reviews/{review['id']}/documents/report",
        content=b"--x\r\nnot a proper part--x--\r\n",
        headers={**board, "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("name", list(pdfs.ACTIVE))
def test_a_pdf_with_active_content_is_refused_naming_what_was_found(client, board, review, name, settings):
    """Scripts, launch actions, attached files, rich media, XFA: refused by default, however the names
    are spelt (escapes) or hidden (a compressed object stream), and nothing is kept."""
    make, found = pdfs.ACTIVE[name]
    before = _state(client, review)
    response = _upload(client, board, review, "report", make())
    assert response.status_code == 422, (name, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["code"] == "pdf-active-content" and error["field"] == "file"
    assert all(marker in error["detail"] for marker in found), error["detail"]
    assert _state(client, review) == before
    assert not settings.documents_dir.exists() or [p for p in settings.documents_dir.rglob("*") if p.is_file()] == []


def test_clean_pdfs_are_not_taken_for_active_ones(client, board, review):
    assert _upload(client, board, review, "report", pdfs.clean_handmade()).status_code == 201
    assert _upload(client, board, review, "briefing", pdfs.report("Seven-minute briefing.")).status_code == 201


def test_an_admin_setting_lets_active_content_through(settings, app_over):
    """REGISTRY_PDF_ALLOW_ACTIVE_CONTENT=true: the registry stores and serves such a PDF unchanged."""
    from fastapi.testclient import TestClient

    from app.auth.principals import Principal, Role

    app = app_over(settings=settings.model_copy(update={"pdf_allow_active_content": True}))
    content = pdfs.ACTIVE["JavaScript run on opening"][0]()
    with TestClient(app) as client:
        board = {"Authorization": "Bearer " + issued_token(app.state.registry, Principal("board-gwent", Role.board, "gwent"))}
        review = flows.create(client, board, full_text=None)
        assert _upload(client, board, review, "report", content).status_code == 201
        assert client.get(f"{API}/reviews/{review['id']}/documents/report", headers=board).content == content


# --- Finding 8: the report's text is never lost to a concurrent write or a crash ---------------


def _board_of(app):
    from app.auth.principals import Principal, Role

    return {"Authorization": "Bearer " + issued_token(app.state.registry, Principal("board-gwent", Role.board, "gwent"))}


@pytest.mark.parametrize(
    ("hold_seconds", "busy_timeout"),
    [(1.0, 5.0), (1.2, 0.8)],
    ids=["within-the-busy-timeout", "longer-than-the-busy-timeout-so-tried-again"],
)
def test_a_report_extraction_waits_for_a_concurrent_writer_and_completes(
    isolated_engine, settings, clock, monkeypatch, caplog, is_postgres, hold_seconds, busy_timeout
):
    """Another writer holds the write lock (SQLite) or the review's row (PostgreSQL) while the
    extraction commits, then commits its own edit: both land, and the text is extracted. Held longer
    than SQLite's busy timeout, the first write attempt gives up and the next one succeeds."""
    import threading

    from fastapi.testclient import TestClient

    from app.auth.principals import Principal, Role
    from app.db import begin_writing, build_engine, build_sessionmaker
    from app.documents import service as documents
    from app.main import create_app
    from app.registry import Registry
    from app.reviews import service as reviews

    url = isolated_engine.url.render_as_string(hide_password=False)
    engine = build_engine(settings.model_copy(update={"database_url": url, "database_timeout_seconds": busy_timeout}))
    app = create_app(registry=Registry.from_settings(settings, clock=clock, engine=engine))
    board = _board_of(app)
    holding, holders = threading.Event(), []

    def hold_the_lock(review_id: str) -> None:
        with build_sessionmaker(isolated_engine)() as session:
            begin_writing(session)
            principal = Principal("board-gwent", Role.board, "gwent")
            reviews.update_review(
                session,
                principal=principal,
                review_id=review_id,
                patch={"title": "Edited meanwhile"},
                if_match='"1"',
                clock=clock,
            )
            holding.set()
            threading.Event().wait(hold_seconds)  # the extraction tries to commit now
            session.commit()

    real_read_pdf = documents.read_pdf

    def read_then_overlap(path, *, max_pages, **limits):
        contents = real_read_pdf(path, max_pages=max_pages, **limits)
        if max_pages:  # the extraction, not the upload's check
            holders.append(threading.Thread(target=hold_the_lock, args=(review["id"],)))
            holders[0].start()
            assert holding.wait(10)
        return contents

    monkeypatch.setattr(documents, "read_pdf", read_then_overlap)
    with TestClient(app) as client:
        review = flows.create(client, board, full_text=None)
        assert _upload(client, board, review, "report", pdfs.report(*REPORT_PAGES)).status_code == 201
        holders[0].join(10)
        stored = client.get(f"{API}/reviews/{review['id']}?include=full_text", headers=board).json()
        listed = client.get(f"{API}/reviews/{review['id']}/documents", headers=board).json()
    assert [d["text_status"] for d in listed] == ["extracted"]
    assert stored["title"] == "Edited meanwhile" and "core group" in stored["full_text"]
    if not is_postgres:  # (PostgreSQL waits for the row lock however long, then retries its stale version)
        assert ("write attempt 1 met another writer" in caplog.text) == (hold_seconds > busy_timeout)


@pytest.fixture
def crashed_extraction(isolated_engine, settings, clock):
    """A report uploaded and stored (its bytes on disk, its row `pending`) by a process that stopped
    before its extraction ran. Returns the review and a client of that registry."""
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.registry import Registry

    app = create_app(registry=Registry.from_settings(settings, clock=clock, engine=isolated_engine))
    app.state.registry.extract_then_index = lambda **job: None  # the process died before the background task
    board = _board_of(app)
    with TestClient(app) as client:
        review = flows.create(client, board, full_text=None)
        assert _upload(client, board, review, "report", pdfs.report(*REPORT_PAGES)).status_code == 201
        assert [d["text_status"] for d in client.get(f"{API}/reviews/{review['id']}/documents", headers=board).json()] == [
            "pending"
        ]
        assert client.get("/readyz").json()["reports_pending_text"] == 1
        yield review, client, board


def _extracted(client, board, review) -> bool:
    documents = client.get(f"{API}/reviews/{review['id']}/documents", headers=board).json()
    text = client.get(f"{API}/reviews/{review['id']}?include=full_text", headers=board).json().get("full_text", "")
    return [d["text_status"] for d in documents] == ["extracted"] and "core group" in text


def test_a_report_left_pending_is_extracted_when_the_registry_starts_again(crashed_extraction, isolated_engine, settings, clock):
    import time

    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.registry import Registry

    review, _, board = crashed_extraction
    restarted = create_app(
        registry=Registry.from_settings(
            settings.model_copy(update={"recover_extractions_on_startup": True}), clock=clock, engine=isolated_engine
        )
    )
    with TestClient(restarted) as client:
        deadline = time.monotonic() + 60
        while client.get("/readyz").json()["reports_pending_text"] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.get("/readyz").json()["reports_pending_text"] == 0
        assert _extracted(client, board, review)


def test_registry_documents_recover_extracts_reports_left_pending(crashed_extraction, isolated_engine, settings):
    import subprocess

    from tests.conftest import REGISTRY, subprocess_env

    review, client, board = crashed_extraction
    env = subprocess_env(
        database_url=isolated_engine.url.render_as_string(hide_password=False), documents_dir=str(settings.documents_dir)
    )
    done = subprocess.run([REGISTRY, "documents", "recover"], check=False, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 pending report(s); 0 still pending" in done.stdout
    assert _extracted(client, board, review)
    assert client.get("/readyz").json()["reports_pending_text"] == 0


def test_uploads_and_downloads_are_audited_as_document_events_with_their_kind(client, board, review, token_for):
    content = pdfs.report("Terms of reference for Child A: the scope of the review.")
    assert _upload(client, board, review, "terms-of-reference", content).status_code == 201
    replaced = _upload(client, board, review, "terms-of-reference", content, **{"If-Match": '"1"'})
    assert replaced.status_code == 200, replaced.text
    url = f"{API}/reviews/{review['id']}/documents/terms-of-reference"
    assert client.get(url, headers=board).status_code == 200
    assert client.get(url, headers=token_for("practitioner")).status_code == 404  # a draft's: refused, and recorded
    assert _upload(client, token_for("inspectorate"), review, "timeline", content).status_code == 404

    events = client.get(f"{API}/audit", params={"target_id": review["id"]}, headers=client.admin).json()["items"]
    documents = [(e["action"], e["document_kind"], e["outcome"], e["status"]) for e in events if e["action"] != "review:create"]
    assert documents == [
        ("document:upload", "timeline", "denied", 404),
        ("document:download", "terms-of-reference", "denied", 404),
        ("document:download", "terms-of-reference", "success", 200),
        ("document:upload", "terms-of-reference", "success", 200),
        ("document:upload", "terms-of-reference", "success", 201),
    ]
    assert "scope of the review" not in str(events) and "Child A" not in str(events)  # the kind, never the content


def test_a_download_inside_the_public_window_is_not_audited_but_one_after_it_is(client, board, review, clock):
    assert _upload(client, board, review, "report", pdfs.report(*REPORT_PAGES)).status_code == 201
    flows.put_plan(client, board, review)
    current = client.get(f"{API}/reviews/{review['id']}", headers=board).json()
    flows.submit(client, board, current)
    published = client.post(f"{API}/reviews/{review['id']}/publish", headers=board).json()  # its report is there
    url = f"{API}/reviews/{review['id']}/documents/report"
    assert client.get(url).status_code == 200  # anyone may read it today: nothing to account for
    clock.advance(days=(date.fromisoformat(published["public_until"]) - clock.today()).days + 1)
    assert client.get(url, headers=client.admin).status_code == 200
    events = client.get(f"{API}/audit", params={"action": "document:download"}, headers=client.admin).json()["items"]
    assert [(e["role"], e["document_kind"], e["status"]) for e in events] == [("admin", "report", 200)]
