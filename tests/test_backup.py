"""The drill an operator practises (docs/operating.md, "Backups"): load a registry, back it up, wipe
it, restore it, verify it, and find every review, revision, audit row, document byte and search
answer as it was. Real processes (`registry backup|restore|verify`), a real database of the suite's
kind (a temporary SQLite file, or a fresh PostgreSQL database in the PostgreSQL pass)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.auth.principals import Principal, Role
from app.config import Settings
from app.main import create_app
from app.migrations import head_revision, upgrade
from app.models import metadata
from app.operations.verify import verify
from tests import flows, pdfs
from tests.conftest import REGISTRY, ROOT, S3_CREDENTIALS, TEST_SECRET, fresh_postgres_database, issued_token, subprocess_env
from tests.flows import API

QUESTION = {"q": "methodology", "limit": 50}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([REGISTRY, *args], check=False, env=env, capture_output=True, text=True, timeout=300)


class Site:
    """A registry's database and document store (its folder, or a bucket with the folder as its
    cache), which a test can wipe as a disaster would."""

    def __init__(self, env: dict[str, str], bucket: dict[str, Any] | None = None) -> None:
        self.env = env
        self.url = env["REGISTRY_DATABASE_URL"]
        self.documents = Path(env["REGISTRY_DOCUMENTS_DIR"])
        self.bucket = bucket or {}
        self.env.update({f"REGISTRY_{name.upper()}": value for name, value in self.bucket.items()})
        if self.bucket:
            self.env.update(S3_CREDENTIALS)

    def settings(self) -> Settings:
        return Settings(database_url=self.url, jwt_secret=TEST_SECRET, documents_dir=self.documents, **self.bucket)

    def _objects(self) -> tuple[Any, list[str]]:
        import boto3

        client = boto3.client("s3", endpoint_url=self.bucket["s3_endpoint_url"])
        listed = client.list_objects_v2(Bucket=self.bucket["s3_bucket"]).get("Contents", [])
        return client, sorted(item["Key"] for item in listed)

    def wipe(self) -> None:
        """The database dropped and created again, empty; the documents folder (and bucket) emptied."""
        if self.bucket:
            client, keys = self._objects()
            for key in keys:
                client.delete_object(Bucket=self.bucket["s3_bucket"], Key=key)
        url = make_url(self.url)
        if url.get_backend_name() == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{url.database}{suffix}").unlink(missing_ok=True)
        else:
            admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{url.database}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{url.database}"'))
            admin.dispose()
        shutil.rmtree(self.documents)

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, in key order."""
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                return {
                    table.name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key.columns))]
                    for table in metadata.sorted_tables
                }
        finally:
            engine.dispose()

    def files(self) -> dict[str, bytes]:
        if self.bucket:
            client, keys = self._objects()
            return {
                key.removeprefix("documents/"): client.get_object(Bucket=self.bucket["s3_bucket"], Key=key)["Body"].read()
                for key in keys
            }
        return {
            p.relative_to(self.documents).as_posix(): p.read_bytes() for p in sorted(self.documents.rglob("*")) if p.is_file()
        }


@pytest.fixture(params=["folder"])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    """The folder store unless a test asks for "s3" (a bucket of the moto stand-in)."""
    bucket = request.getfixturevalue("bucket_settings") if request.param == "s3" else None
    env = subprocess_env(documents_dir=str(tmp_path / "documents"))
    suite_url = os.environ.get("REGISTRY_TEST_DATABASE_URL", "")
    if suite_url.startswith("postgresql"):
        with fresh_postgres_database(suite_url) as url:
            env["REGISTRY_DATABASE_URL"] = url
            upgrade(url)
            yield Site(env, bucket)
    else:
        env["REGISTRY_DATABASE_URL"] = f"sqlite:///{tmp_path / 'registry.db'}"
        upgrade(env["REGISTRY_DATABASE_URL"])
        yield Site(env, bucket)


def _load(site: Site, tmp_path: Path) -> dict[str, Any]:
    """Published reviews from an archive (reports among them), and reviews written through the API:
    edited, planned, submitted, published, with documents. Answers a search made over the API."""
    archive = tmp_path / "archive"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "corpus.py"), "--count", "6", "--out", str(archive), "--pdf-every", "3"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    imported = _run(site.env, "import", str(archive), "--as", "drill")
    assert imported.returncode == 0, imported.stderr

    app = create_app(site.settings())
    board = {
        "Authorization": f"Bearer {issued_token(app.state.registry, Principal(subject='board', role=Role.board, region='gwent'))}"
    }
    inspector = {"Authorization": f"Bearer {issued_token(app.state.registry, Principal(subject='insp', role=Role.inspectorate))}"}
    with TestClient(app, raise_server_exceptions=False) as client:
        for n, status in enumerate(("draft", "submitted", "published")):
            review = flows.create(client, board, reference=f"DRILL/{n}")
            edited = client.patch(
                f"{API}/reviews/{review['id']}",
                json={"summary": f"Edited summary {n}."},
                headers={**board, "If-Match": f'"{review["version"]}"'},
            )
            assert edited.status_code == 200, edited.text
            etags = {}
            for kind, words in (("report", f"The drill report {n} and its methodology."), ("timeline", f"Timeline {n}.")):
                uploaded = client.put(
                    f"{API}/reviews/{review['id']}/documents/{kind}",
                    files={"file": (f"{kind}.pdf", pdfs.report(words), "application/pdf")},
                    headers=board,
                )
                assert uploaded.status_code == 201, uploaded.text
                etags[kind] = uploaded.headers["ETag"]
            if status != "draft":
                review = client.get(f"{API}/reviews/{review['id']}", headers=board).json()
                flows.put_plan(client, board, review)
                review = flows.submit(client, board, review)
            if status == "published":
                published = client.post(f"{API}/reviews/{review['id']}/publish", headers=board)  # its report is there
                assert published.status_code == 200, published.text
                # A correction replaces the timeline: the earlier file stays, named by its revision.
                replaced = client.put(
                    f"{API}/reviews/{review['id']}/documents/timeline",
                    files={"file": ("timeline.pdf", pdfs.report("The corrected timeline."), "application/pdf")},
                    data={"reason": "The first timeline had the wrong dates."},
                    headers={**board, "If-Match": etags["timeline"]},
                )
                assert replaced.status_code in (200, 201), replaced.text
        answer = client.get(f"{API}/search", params=QUESTION, headers=inspector)
        assert answer.status_code == 200 and answer.json()["total"] >= 3, answer.text
    return answer.json()


def _search(site: Site) -> dict[str, Any]:
    app = create_app(site.settings())
    with TestClient(app, raise_server_exceptions=False) as client:
        token = issued_token(app.state.registry, Principal(subject="insp", role=Role.inspectorate))
        return client.get(f"{API}/search", params=QUESTION, headers={"Authorization": f"Bearer {token}"}).json()


@pytest.mark.parametrize("site", ["folder", "s3"], indirect=True)
def test_the_drill_back_up_wipe_restore_verify_finds_everything_as_it_was(site, tmp_path):
    searched = _load(site, tmp_path)
    rows, files = site.rows(), site.files()
    assert len(rows["review"]) == 9 and len(rows["review_document"]) >= 8 and rows["audit_event"] and len(files) >= 8

    verified = _run(site.env, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "checked" in verified.stdout and "all present" in verified.stdout

    folder = tmp_path / "backup"
    backed_up = _run(site.env, "backup", str(folder))
    assert backed_up.returncode == 0, backed_up.stderr
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"]["review"] == 9 and manifest["counts"]["revision"] == len(rows["revision"])
    assert manifest["alembic_revision"] == head_revision() and len(manifest["documents"]) == len(files)

    site.wipe()
    lost = _run(site.env, "verify")  # nothing there: the database is not even migrated
    assert lost.returncode == 1 and lost.stderr.startswith("error: the database failed") and "Traceback" not in lost.stderr

    restored = _run(site.env, "restore", str(folder))
    assert restored.returncode == 0, restored.stderr
    assert "restored 9 review(s)" in restored.stdout

    verified = _run(site.env, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert site.rows() == rows  # every review, revision, audit row, account, plan, document row...
    assert site.files() == files  # every byte
    assert _search(site) == searched

    again = _run(site.env, "restore", str(folder))
    assert again.returncode == 1 and again.stderr.startswith("error: the database is not empty"), again.stderr
    assert "Traceback" not in again.stderr


def test_verify_names_a_corrupted_a_missing_and_an_unreferenced_file(site, tmp_path):
    _load(site, tmp_path)
    assert _run(site.env, "verify").returncode == 0
    engine = create_engine(site.url, poolclass=NullPool)
    with engine.connect() as connection:
        documents = connection.execute(text("SELECT review_id, kind, sha256 FROM review_document ORDER BY sha256")).all()
    engine.dispose()
    (corrupt_review, corrupt_kind, corrupt), (missing_review, missing_kind, missing) = documents[0], documents[1]
    corrupted_path = site.documents / corrupt[:2] / corrupt
    corrupted_path.write_bytes(corrupted_path.read_bytes() + b"\n%tampered")
    (site.documents / missing[:2] / missing).unlink()
    stray = site.documents / "ab" / ("ab" + "0" * 62)
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(b"%PDF-1.4 a file no row refers to")

    result = _run(site.env, "verify")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("corrupted:")] == [
        f"corrupted: review {corrupt_review}, {corrupt_kind} document: {corrupted_path} holds content of SHA-256 "
        f"{hashlib.sha256(corrupted_path.read_bytes()).hexdigest()}, not {corrupt}"
    ]
    assert [line for line in lines if line.startswith("missing:")] == [
        f"missing: review {missing_review}, {missing_kind} document has no file ({site.documents / missing[:2] / missing} does not exist)"
    ]
    assert [line for line in lines if line.startswith("unreferenced:")] == [
        f"unreferenced: {stray} is referenced by no document row"
    ]
    assert lines[-1].endswith("3 problem(s)")


def test_verify_checks_the_files_a_correction_replaced(site, tmp_path):
    _load(site, tmp_path)
    engine = create_engine(site.url, poolclass=NullPool)
    with engine.connect() as connection:
        current = set(connection.execute(text("SELECT sha256 FROM review_document")).scalars())
        uploads = connection.execute(text("SELECT review_id, version, snapshot FROM revision WHERE entity = 'document'")).all()
    engine.dispose()
    earlier = [
        (review_id, version, json.loads(snapshot) if isinstance(snapshot, str) else snapshot)
        for review_id, version, snapshot in uploads
    ]
    [(review_id, version, snapshot)] = [e for e in earlier if e[2].get("sha256") and e[2]["sha256"] not in current]
    assert _run(site.env, "verify").returncode == 0  # the replaced file is referenced by its revision
    (site.documents / snapshot["sha256"][:2] / snapshot["sha256"]).unlink()
    result = _run(site.env, "verify")
    assert result.returncode == 1
    assert f"missing: review {review_id}, timeline document version {version} has no file" in result.stdout


def test_a_backup_that_was_damaged_is_refused_before_anything_is_restored(site, tmp_path):
    _load(site, tmp_path)
    folder = tmp_path / "backup"
    assert _run(site.env, "backup", str(folder)).returncode == 0
    assert _run(site.env, "backup", str(folder)).stderr.startswith("error: ")  # never into a used folder
    manifest = json.loads((folder / "manifest.json").read_text())
    damaged = folder / "documents" / next(iter(manifest["documents"]))
    damaged.write_bytes(b"not what was backed up")
    site.wipe()
    result = _run(site.env, "restore", str(folder))
    assert result.returncode == 1 and "the backup is damaged" in result.stderr and "Traceback" not in result.stderr
    assert not site.documents.exists()


def test_postgresql_tools_missing_or_of_another_version_are_named(site, tmp_path):
    if not site.url.startswith("postgresql"):
        pytest.skip("SQLite is backed up by its own library, with no tools to find")
    tools = tmp_path / "bin"
    tools.mkdir()
    nowhere = _run(site.env | {"PATH": str(tools)}, "backup", str(tmp_path / "first"))
    assert nowhere.returncode == 1 and nowhere.stderr.startswith("error: pg_dump is not on PATH"), nowhere.stderr
    old = tools / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    mismatch = _run(site.env | {"PATH": str(tools)}, "backup", str(tmp_path / "second"))
    assert mismatch.returncode == 1 and "pg_dump (PostgreSQL) 9.6.24" in mismatch.stderr, mismatch.stderr
    assert "the server is PostgreSQL" in mismatch.stderr and "Traceback" not in mismatch.stderr
    assert not (tmp_path / "first").exists() and not (tmp_path / "second").exists()  # a backup is whole, or is not there


def test_verify_names_a_review_whose_history_has_a_gap(client, token_for, session, registry):
    board = token_for("board", "gwent")
    _intact, skipped, unrecorded = (flows.create(client, board, reference=f"HISTORY/{n}") for n in range(3))
    assert verify(session, registry.documents).ok
    # A revision that skips a version (inserting is allowed), and a change that left no revision.
    session.execute(
        text(
            "INSERT INTO revision (review_id, entity, entity_id, version, change, changed_fields, snapshot, changed_at, "
            "changed_by) VALUES (:id, 'review', :id, 3, 'update', '[]', '{}', CURRENT_TIMESTAMP, 'someone')"
        ),
        {"id": skipped["id"]},
    )
    session.execute(text("UPDATE review SET version = version + 1 WHERE id = :id"), {"id": unrecorded["id"]})
    assert set(verify(session, registry.documents).problems) == {
        f"history: review {skipped['id']} has revisions of versions [1, 3]: some are missing",
        f"history: review {unrecorded['id']} is at version 2 but its last revision is of version 1",
    }


def test_verify_expects_no_file_for_a_redacted_version_but_still_every_other(client, token_for, session, registry):
    board, admin = token_for("board", "gwent"), token_for("admin")
    review = flows.review_in(client, board, "submitted", summary="Zebulon Quarry died aged nine months.")
    flows.upload_report(client, board, review, text="Zebulon Quarry lived in Newport.")
    timeline = client.put(
        f"{API}/reviews/{review['id']}/documents/timeline",
        files={"file": ("timeline.pdf", pdfs.report("A timeline that names nobody."), "application/pdf")},
        headers=board,
    )
    assert timeline.status_code == 201, timeline.text
    etag = client.get(f"{API}/reviews/{review['id']}", headers=admin).headers["ETag"]
    redacted = client.post(
        f"{API}/reviews/{review['id']}/redactions",
        json={"text": "Zebulon Quarry", "reason": "The child's name."},
        headers={**admin, "If-Match": etag},
    )
    assert redacted.status_code == 201 and redacted.json()["documents_to_replace"] == ["report"], redacted.text
    assert verify(session, registry.documents).ok  # the report's file is gone on purpose
    registry.documents.path_of(timeline.json()["sha256"]).unlink()
    assert verify(session, registry.documents).problems == [
        f"missing: review {review['id']}, timeline document has no file "
        f"({registry.documents.path_of(timeline.json()['sha256'])} does not exist)"
    ]
