"""POST /imports: a board's archive through the API, imported by a job after the 202 with the CLI's
reader and importer (ADR 0035). Real zips, some crafted to attack the unpacking; real PDFs; the
real database."""

from __future__ import annotations

import struct
import zipfile
from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from app.audit.models import AuditEvent
from app.imports import jobs
from app.imports.enums import JobStatus
from app.imports.models import ImportJob
from app.reviews.models import Review
from tests import pdfs
from tests.archives import NDJSON, encoded, job_of, ndjson_of, review_file, upload, zip_of, zip_with_symlink
from tests.flows import API


def _reviews(session) -> int:
    return session.exec(select(func.count()).select_from(Review)).one()


def _jobs(session) -> int:
    return session.exec(select(func.count()).select_from(ImportJob)).one()


def _references(client, headers) -> list[str]:
    response = client.get(f"{API}/reviews", params={"limit": 100}, headers=headers)
    assert response.status_code == 200, response.text
    return sorted(item["reference"] for item in response.json()["items"])


def _archive(*references: str, **changes) -> bytes:
    return zip_of({f"review-{i}.json": encoded(review_file(ref, **changes)) for i, ref in enumerate(references)})


# --- importing -------------------------------------------------------------------------------------


def test_a_board_imports_its_archive_with_a_report_as_of_the_real_publication_dates(client, token_for, session):
    board = token_for("board", "gwent", subject="gwent-records")
    report = pdfs.report("Child C's review found that the Pentrebach chronologies were never shared between agencies.")
    archive = zip_of(
        {
            "archive/old.json": encoded(review_file("GWSB 1/2020")),
            "archive/old.report.pdf": report,
            "archive/recent.json": encoded(review_file("GWSB 3/2026", completed_on="2026-04-01", published_on="2026-05-20")),
        }
    )

    response = upload(client, board, archive)

    assert response.status_code == 202, response.text
    accepted = response.json()
    assert response.headers["Location"] == f"{API}/imports/{accepted['id']}"
    assert (accepted["status"], accepted["region"], accepted["format"], accepted["owner"]) == (
        "queued",
        "gwent",
        "zip",
        "gwent-records",
    )
    job = job_of(client, board, response)
    assert job["status"] == "succeeded", job
    assert job["problems"] == [] and job["done"] == job["total"] == 3 + 2  # 3 files checked, 2 reviews loaded
    imported = job["result"]["imported_ids"]
    assert len(imported) == 2 and job["result"]["already_present"] == 0

    old, recent = (client.get(f"{API}/reviews/{i}", headers=board).json() for i in imported)
    assert (old["reference"], old["status"], old["published_on"], old["public_until"]) == (
        "GWSB 1/2020",
        "published",
        "2020-01-10",
        "2020-04-03",
    )
    assert (recent["published_on"], recent["public_until"]) == ("2026-05-20", "2026-08-12")
    # The anonymous public window: the old review stays closed, the recent one is open (today is 2026-06-01).
    assert client.get(f"{API}/reviews/{old['id']}").status_code == 404
    assert client.get(f"{API}/reviews/{recent['id']}").status_code == 200
    assert [item["id"] for item in client.get(f"{API}/reviews").json()["items"]] == [recent["id"]]
    downloaded = client.get(f"{API}/reviews/{old['id']}/documents/report", headers=board)
    assert downloaded.status_code == 200 and downloaded.content == report
    found = client.get(f"{API}/search", params={"q": "Pentrebach"}, headers=board)
    assert [item["id"] for item in found.json()["items"]] == [old["id"]]  # the report's text, indexed

    # Who imported what: the audit and the history name the board's account, never the text.
    revisions = client.get(f"{API}/reviews/{old['id']}/revisions", headers=board).json()
    assert {(r["entity"], r["change"], r["changed_by"]) for r in revisions["items"]} == {
        ("review", "import", "gwent-records"),
        ("action_plan", "import", "gwent-records"),
    }
    events = session.exec(select(AuditEvent).where(col(AuditEvent.subject) == "gwent-records")).all()
    assert sorted((e.action, e.target_id) for e in events if e.action in ("import:create", "review:import")) == sorted(
        [("import:create", job["id"]), ("review:import", old["id"]), ("review:import", recent["id"])]
    )
    assert not any("Pentrebach" in str(e.model_dump()) for e in events)


def test_the_same_archive_uploaded_again_imports_nothing_and_says_so(client, token_for, session):
    board = token_for("board", "gwent")
    archive = _archive("GWSB 1/2019", "GWSB 2/2019")
    first = job_of(client, board, upload(client, board, archive))
    assert first["status"] == "succeeded" and len(first["result"]["imported_ids"]) == 2
    reviews = _reviews(session)

    again = job_of(client, board, upload(client, board, archive))

    assert again["status"] == "succeeded", again
    assert again["result"] == {"imported_ids": [], "already_present": 2}
    assert _reviews(session) == reviews


def test_ndjson_one_review_a_line_is_imported_in_its_order(client, token_for, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_SECONDS", 0)  # progress written at every step of the check
    admin = token_for("admin")
    lines = [encoded(review_file(f"NWSB {n}/2018", region="north-wales")) for n in (1, 2)]
    response = upload(client, admin, ndjson_of(lines[0], b"", lines[1]), filename="archive.ndjson", content_type=NDJSON)
    job = job_of(client, admin, response)
    assert (job["status"], job["format"], job["region"]) == ("succeeded", "ndjson", None), job
    assert job["done"] == job["total"] == 2 + 2
    references = [client.get(f"{API}/reviews/{i}", headers=admin).json()["reference"] for i in job["result"]["imported_ids"]]
    assert references == ["NWSB 1/2018", "NWSB 2/2018"]


# --- all or nothing: the job lists every problem, and imports nothing ---------------------------------


def _failed(client, headers, response, session, reviews_before: int) -> list[dict]:
    job = job_of(client, headers, response)
    assert job["status"] == "failed", job
    assert job["result"] is None
    assert _reviews(session) == reviews_before
    return sorted(
        [{k: p[k] for k in ("location", "field", "code")} for p in job["problems"]], key=lambda p: (p["location"], p["field"])
    )


def test_one_bad_file_fails_the_whole_archive_with_every_problem_listed(client, token_for, session):
    board = token_for("board", "gwent")
    reviews = _reviews(session)
    archive = zip_of(
        {
            "a-good.json": encoded(review_file("GWSB 1/2021")),
            "b-twice.json": encoded(review_file("GWSB 1/2021")),
            "c-elsewhere.json": encoded(review_file("NWSB 9/2021", region="north-wales")),
            "d-no-plan.json": encoded(review_file("GWSB 4/2021", action_plan=None)),
            "e-not-an-object.json": b"[1, 2]",
            "f-broken.json": b'{"region": "gwent",',
            "a-good.report.pdf": b"Dear colleagues, the report follows.",
        }
    )
    problems = _failed(client, board, upload(client, board, archive), session, reviews)
    assert problems == [
        {"location": "a-good.report.pdf", "field": "file", "code": "invalid-file"},
        {"location": "b-twice.json", "field": "reference", "code": "invalid-file"},
        {"location": "c-elsewhere.json", "field": "region", "code": "invalid-file"},
        {"location": "d-no-plan.json", "field": "action_plan", "code": "action-plan-required"},
        {"location": "e-not-an-object.json", "field": "json", "code": "invalid-file"},
        {"location": "f-broken.json", "field": "json", "code": "invalid-file"},
    ]
    assert _references(client, board) == []


def test_a_broken_ndjson_line_is_named_by_its_line(client, token_for, session):
    board = token_for("board", "gwent")
    reviews = _reviews(session)
    content = ndjson_of(encoded(review_file("GWSB 1/2022")), b'{"region": "gwent", "reference": ', b'"a string"')
    response = upload(client, board, content, filename="archive.jsonl", content_type="application/octet-stream")
    assert _failed(client, board, response, session, reviews) == [
        {"location": "line-000002.json", "field": "json", "code": "invalid-file"},
        {"location": "line-000003.json", "field": "json", "code": "invalid-file"},
    ]


def test_a_board_cannot_import_another_regions_review_and_an_admin_can(client, token_for, session):
    board = token_for("board", "gwent")
    archive = _archive("NWSB 1/2017", region="north-wales")
    reviews = _reviews(session)
    problems = _failed(client, board, upload(client, board, archive), session, reviews)
    assert problems == [{"location": "review-0.json", "field": "region", "code": "invalid-file"}]

    admin = token_for("admin")
    assert job_of(client, admin, upload(client, admin, archive))["status"] == "succeeded"
    assert _reviews(session) == reviews + 1


# --- refused at once: 422 (or 413), and nothing changed ------------------------------------------------


def _refused(client, headers, session, content: bytes, **kw) -> list[dict]:
    reviews, job_count = _reviews(session), _jobs(session)
    response = upload(client, headers, content, **kw)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["detail"]
    assert (_reviews(session), _jobs(session)) == (reviews, job_count)
    return [{"code": e["code"], "field": e["field"]} for e in problem["errors"]]


def _with_sizes_forged(content: bytes, declared: int) -> bytes:
    """The zip with its one entry's uncompressed size rewritten (local header and central directory)."""
    data = bytearray(content)
    local = data.index(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, declared)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


GOOD = encoded(review_file("GWSB 1/2016"))


@pytest.mark.parametrize(
    ("content", "kw", "code"),
    [
        pytest.param(
            b"%PDF-1.7 not an archive", {"filename": "a.pdf", "content_type": "application/pdf"}, "not-an-archive", id="pdf"
        ),
        pytest.param(b"PK\x03\x04 but truncated", {}, "not-a-zip", id="truncated-zip"),
        pytest.param(zip_of({}), {}, "empty-archive", id="empty-zip"),
        pytest.param(zip_of({"notes/": b"", "readme.json.txt": b"x"}), {}, "unexpected-file", id="other-file"),
        pytest.param(zip_of({"a.pdf": pdfs.report("only a document")}), {}, "empty-archive", id="no-review-files"),
        pytest.param(b"\n \n", {"filename": "a.ndjson", "content_type": NDJSON}, "empty-archive", id="empty-ndjson"),
        pytest.param(zip_of({"../escape.json": GOOD}), {}, "unsafe-path", id="traversal"),
        pytest.param(zip_of({"archive/../../escape.json": GOOD}), {}, "unsafe-path", id="traversal-inside"),
        pytest.param(zip_of({"/etc/escape.json": GOOD}), {}, "unsafe-path", id="absolute"),
        pytest.param(zip_of({"C:/escape.json": GOOD}), {}, "unsafe-path", id="drive"),
        pytest.param(zip_with_symlink("link.json", "/etc/passwd", {"a.json": GOOD}), {}, "unsafe-entry", id="symlink"),
        pytest.param(zip_of({"a/b/deep.json": GOOD}), {}, "nested-folders", id="nested"),
        pytest.param(zip_of({"a/one.json": GOOD, "b/two.json": GOOD}), {}, "nested-folders", id="two-folders"),
        pytest.param(zip_of({"a.json": GOOD, "x/a.json": GOOD}), {}, "nested-folders", id="same-name-twice"),
        pytest.param(_with_sizes_forged(zip_of({"a.json": GOOD + b" " * 100_000}), 40), {}, "not-a-zip", id="forged-size"),
    ],
)
def test_an_unsafe_or_unreadable_archive_is_refused_before_anything_is_extracted(client, token_for, session, content, kw, code):
    assert code in {e["code"] for e in _refused(client, token_for("board", "gwent"), session, content, **kw)}


def test_a_zip_bomb_and_too_many_files_are_refused_by_what_the_zip_declares(app_over, settings, token_for, session):
    from fastapi.testclient import TestClient

    small = settings.model_copy(update={"max_import_unpacked_mb": 1, "max_import_files": 3})
    with TestClient(app_over(settings=small)) as client:
        board = token_for("board", "gwent")
        bomb = zip_of({"a.json": GOOD, "a.report.pdf": b"%PDF-1.4" + b"\0" * (3 << 20)})
        assert len(bomb) < 100_000  # a few KB on the wire, 3 MB unpacked
        assert _refused(client, board, session, bomb) == [{"code": "too-large-uncompressed", "field": "archive"}]
        many = zip_of({f"r{n}.json": GOOD for n in range(4)})
        assert _refused(client, board, session, many) == [{"code": "too-many-files", "field": "archive"}]
        lines = ndjson_of(*[GOOD] * 4)
        assert _refused(client, board, session, lines, filename="a.ndjson", content_type=NDJSON) == [
            {"code": "too-many-files", "field": "archive"}
        ]


def test_an_upload_over_the_size_limit_is_a_413(app_over, settings, token_for, session):
    from fastapi.testclient import TestClient

    small = settings.model_copy(update={"max_import_mb": 1})
    with TestClient(app_over(settings=small)) as client:
        response = upload(
            client, token_for("board", "gwent"), zip_of({"a.json": GOOD}, compression=zipfile.ZIP_STORED) + b"\0" * (2 << 20)
        )
        assert response.status_code == 413, response.text
        assert response.json()["type"].endswith("/payload-too-large")
        assert _jobs(session) == 0


# --- reading jobs ------------------------------------------------------------------------------------


def test_a_job_is_read_by_its_regions_board_and_admins_only(client, token_for):
    board = token_for("board", "gwent")
    job = job_of(client, board, upload(client, board, _archive("GWSB 1/2015")))
    url = f"{API}/imports/{job['id']}"

    assert client.get(url, headers=token_for("board", "gwent", subject="another-gwent-account")).status_code == 200
    assert client.get(url, headers=token_for("admin")).status_code == 200
    hidden = client.get(url, headers=token_for("board", "north-wales"))
    missing = client.get(f"{API}/imports/no-such-job", headers=token_for("board", "north-wales"))
    assert hidden.status_code == missing.status_code == 404 and "GWSB" not in hidden.text
    assert client.get(url, headers=token_for("inspectorate")).status_code == 403
    assert client.get(url).status_code == 401


def test_jobs_are_listed_newest_first_per_region_and_paged(client, token_for, clock):
    gwent, north = token_for("board", "gwent"), token_for("board", "north-wales")
    made = []
    for n in range(3):
        made.append(job_of(client, gwent, upload(client, gwent, _archive(f"GWSB {n}/2014")))["id"])
        clock.advance(minutes=1)
    job_of(client, north, upload(client, north, _archive("NWSB 1/2014", region="north-wales")))

    first = client.get(f"{API}/imports", params={"limit": 2}, headers=gwent).json()
    second = client.get(f"{API}/imports", params={"limit": 2, "cursor": first["next_cursor"]}, headers=gwent).json()
    assert [j["id"] for j in first["items"] + second["items"]] == made[::-1]
    assert second["next_cursor"] is None
    assert len(client.get(f"{API}/imports", headers=token_for("admin")).json()["items"]) == 4
    bad = client.get(f"{API}/imports", params={"cursor": "not-a-cursor"}, headers=gwent)
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "invalid-cursor"


# --- a job whose process stopped ----------------------------------------------------------------------


def test_a_job_left_unfinished_by_a_stopped_process_is_failed_and_a_live_one_is_not(registry, session, clock):
    now = clock.now()

    def job(status: JobStatus, beat_ago: timedelta) -> ImportJob:
        row = ImportJob(
            owner_subject="board-gwent",
            owner_role="board",
            region="gwent",
            status=status,
            archive_format="zip",
            archive_sha256="0" * 64,
            archive_bytes=1,
            created_at=now - beat_ago,
            heartbeat_at=now - beat_ago,
        )
        session.add(row)
        return row

    stale_running = job(JobStatus.running, jobs.STALE_AFTER + timedelta(seconds=1))
    stale_queued = job(JobStatus.queued, jobs.STALE_AFTER * 3)
    live = job(JobStatus.running, jobs.STALE_AFTER - timedelta(seconds=1))
    done = job(JobStatus.succeeded, jobs.STALE_AFTER * 3)
    session.commit()

    assert jobs.fail_stale_jobs(registry) == 2

    for row in (stale_running, stale_queued, live, done):
        session.refresh(row)
    assert [r.status for r in (stale_running, stale_queued, live, done)] == ["failed", "failed", "running", "succeeded"]
    assert stale_running.problems[0]["code"] == "import-interrupted"
    assert jobs.fail_stale_jobs(registry) == 0


def test_a_review_the_load_refuses_rolls_the_whole_archive_back(client, token_for, session, monkeypatch):
    """A rule only the load applies (the registry changed after the check): the job fails with that
    review's problem, and the reviews loaded before it in the same archive are gone too."""
    from app.errors import Conflict
    from app.imports.service import Importer

    record = Importer._record

    def refuse_the_second(self, session, entry, *args, **kw):
        if entry.review.reference == "GWSB 2/2013":
            raise Conflict("A review with this reference was created meanwhile.")
        return record(self, session, entry, *args, **kw)

    monkeypatch.setattr(Importer, "_record", refuse_the_second)
    board = token_for("board", "gwent")
    reviews = _reviews(session)
    job = job_of(client, board, upload(client, board, _archive("GWSB 1/2013", "GWSB 2/2013", "GWSB 3/2013")))
    assert job["status"] == "failed" and job["result"] is None
    assert [(p["location"], p["code"]) for p in job["problems"]] == [("review-1.json", "invalid-file")]
    assert "created meanwhile" in job["problems"][0]["detail"]
    assert _reviews(session) == reviews
    assert _references(client, board) == []


def test_an_unexpected_failure_fails_the_job_never_the_worker_and_the_unpacked_files_go(
    client, token_for, session, monkeypatch, tmp_path, caplog
):
    import tempfile

    def broken(*args, **kw):
        raise RuntimeError("the disk went away")

    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(unpacked))
    monkeypatch.setattr(jobs, "check_folder", broken)
    board = token_for("board", "gwent")
    reviews = _reviews(session)
    job = job_of(client, board, upload(client, board, _archive("GWSB 1/2012")))
    assert (job["status"], [p["code"] for p in job["problems"]]) == ("failed", ["import-failed"])
    assert _reviews(session) == reviews
    assert list(unpacked.iterdir()) == []
    assert "RuntimeError" in caplog.text and "disk went away" not in caplog.text
    assert client.get(f"{API}/imports", headers=board).status_code == 200  # the server serves on


def test_a_zip_of_many_bad_entries_lists_a_hundred_and_counts_them_all(client, token_for, session):
    crafted = zip_of({f"../{n}.json": GOOD for n in range(150)})
    reviews, job_count = _reviews(session), _jobs(session)
    response = upload(client, token_for("board", "gwent"), crafted)
    assert response.status_code == 422, response.text
    assert len(response.json()["errors"]) == 100 and "150 problem(s)" in response.json()["detail"]
    assert (_reviews(session), _jobs(session)) == (reviews, job_count)
