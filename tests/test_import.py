"""`registry import DIR` and the synthetic corpus, run as a board migrating its archive would run
them: real processes, a real database (a temporary SQLite file, or a fresh PostgreSQL database in the
PostgreSQL pass), then read back through the API."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from app.auth.principals import Principal, Role
from app.config import Settings
from app.imports.reader import ReviewFile, parse
from app.main import create_app
from app.migrations import upgrade
from app.reviews.models import Review
from app.reviews.rules import submission_problems
from tests import pdfs
from tests.conftest import REGISTRY, TEST_SECRET, fresh_postgres_database, issued_token, subprocess_env

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "corpus.py"


def _run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([REGISTRY, *args], check=False, env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def _corpus(out: Path, count: int, *, pdf_every: int = 0, seed: int = 2026) -> list[Path]:
    subprocess.run(
        [
            sys.executable,
            str(CORPUS),
            "--count",
            str(count),
            "--out",
            str(out),
            "--seed",
            str(seed),
            "--pdf-every",
            str(pdf_every),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return sorted(out.glob("*.json"))


@pytest.fixture
def import_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a `registry` process on a database of the suite's kind, migrated here (the
    migrate command has tests of its own in tests/test_cli.py)."""
    env = subprocess_env(documents_dir=str(tmp_path / "documents"))
    suite_url = os.environ.get("REGISTRY_TEST_DATABASE_URL", "")
    if suite_url.startswith("postgresql"):
        with fresh_postgres_database(suite_url) as url:
            env["REGISTRY_DATABASE_URL"] = url
            upgrade(url)
            yield env
    else:
        env["REGISTRY_DATABASE_URL"] = f"sqlite:///{tmp_path / 'import.db'}"
        upgrade(env["REGISTRY_DATABASE_URL"])
        yield env


def _count(env: dict[str, str], sql: str) -> int:
    engine = create_engine(env["REGISTRY_DATABASE_URL"], poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


@pytest.fixture
def api(import_env: dict[str, str]) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The registry's API over the imported database, and an inspector's headers."""
    settings = Settings(
        database_url=import_env["REGISTRY_DATABASE_URL"],
        jwt_secret=TEST_SECRET,
        documents_dir=Path(import_env["REGISTRY_DOCUMENTS_DIR"]),
    )
    app = create_app(settings)
    token = issued_token(app.state.registry, Principal(subject="inspector", role=Role.inspectorate))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, {"Authorization": f"Bearer {token}"}


def test_an_archive_is_imported_published_searchable_and_a_second_run_changes_nothing(import_env, api, tmp_path):
    folder = tmp_path / "archive"
    files = _corpus(folder, 12, pdf_every=6)
    with_pdf = {f.name for f in files if (folder / f"{f.stem}.report.pdf").exists()}
    assert len(with_pdf) == 2

    first = _run(import_env, "import", str(folder), "--as", "gwent-archive", "--batch-size", "5")
    assert "checked 12 review(s): 12 to import, 0 already present" in first.stdout
    assert "imported 5/12" in first.stdout and "imported 12/12" in first.stdout  # progress, without a terminal
    assert "imported 12, 0 already present" in first.stdout
    # Ten arrive without their report: allowed for an archive (ADR 0035), and named for the board.
    assert "10 published review(s) come without their report" in first.stderr

    client, inspector = api
    listed = client.get("/api/v1/reviews", params={"limit": 50}, headers=inspector).json()["items"]
    by_reference = {item["reference"]: item for item in listed}
    assert len(by_reference) == 12 and {item["status"] for item in listed} == {"published"}
    for path in files:
        source = json.loads(path.read_text())
        review = client.get(
            f"/api/v1/reviews/{by_reference[source['reference']]['id']}?include=full_text", headers=inspector
        ).json()
        assert review["region"] == source["region"] and review["themes"] == sorted(source["themes"])
        # Published on the archive's own date, so its public window closed long ago.
        assert review["published_on"] == source["published_on"]
        assert review["public_until"] == (date.fromisoformat(source["published_on"]) + timedelta(days=84)).isoformat()
        plan = client.get(f"/api/v1/reviews/{review['id']}/action-plan", headers=inspector).json()
        assert len(plan["actions"]) == len(source["action_plan"]["actions"])
        if path.name in with_pdf:
            assert "full_text" not in source
            assert "methodology" in review["full_text"]  # read from the PDF report
            documents = client.get(f"/api/v1/reviews/{review['id']}/documents", headers=inspector).json()
            assert [(d["kind"], d["text_status"]) for d in documents] == [("report", "extracted")]
        revisions = client.get(f"/api/v1/reviews/{review['id']}/revisions", headers=inspector).json()["items"]
        # Recorded in one step, as the archive gives it: one revision of the review and one of its plan.
        assert [(r["entity"], r["change"]) for r in revisions] == [("review", "import"), ("action_plan", "import")]
        assert revisions[0]["snapshot"]["status"] == "published"
        assert revisions[0]["snapshot"]["full_text"] == review["full_text"]
        assert {r["changed_by"] for r in revisions} == {"import:gwent-archive"}

    # "methodology" is only in the reports' text (never in a title, summary or recommendation), so
    # every review is found by it, the two whose text came out of a PDF too.
    found = client.get("/api/v1/search", params={"q": "methodology", "limit": 50}, headers=inspector).json()
    assert found["total"] == 12
    audit = client.get("/api/v1/audit", params={"action": "review:import", "limit": 50}, headers=inspector).json()
    assert len(audit["items"]) == 12 and {e["subject"] for e in audit["items"]} == {"import:gwent-archive"}

    versions = {item["id"]: item["version"] for item in listed}
    again = _run(import_env, "import", str(folder), "--as", "gwent-archive")
    assert "checked 12 review(s): 0 to import, 12 already present" in again.stdout
    assert "imported 0, 12 already present" in again.stdout
    relisted = client.get("/api/v1/reviews", params={"limit": 50}, headers=inspector).json()["items"]
    assert {item["id"]: item["version"] for item in relisted} == versions
    assert _count(import_env, "SELECT count(*) FROM audit_event WHERE action = 'review:import'") == 12


def test_a_folder_with_problems_is_refused_whole_with_every_problem_listed(import_env, tmp_path):
    folder = tmp_path / "archive"
    files = _corpus(folder, 6)
    unknown_theme, no_plan, bad_pdf, active_pdf, duplicate, fine = files
    data = json.loads(unknown_theme.read_text())
    data["themes"].append("astrology")
    unknown_theme.write_text(json.dumps(data))
    data = json.loads(no_plan.read_text())
    del data["action_plan"]
    no_plan.write_text(json.dumps(data))
    (folder / f"{bad_pdf.stem}.report.pdf").write_bytes(b"PK\x03\x04 a Word document, renamed")
    (folder / f"{active_pdf.stem}.report.pdf").write_bytes(pdfs.ACTIVE["a launch action"][0]())
    original = json.loads(unknown_theme.read_text())
    data = json.loads(duplicate.read_text())
    data["region"], data["reference"] = original["region"], original["reference"]
    duplicate.write_text(json.dumps(data))

    result = _run(import_env, "import", str(folder), check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    problems = result.stderr.splitlines()
    assert f"{unknown_theme.name}: themes.{len(original['themes']) - 1}: 'astrology' is not a known theme" in result.stderr
    assert any(line.startswith(f"{no_plan.name}: action_plan: ") and "[action-plan-required]" in line for line in problems)
    assert f"{bad_pdf.stem}.report.pdf: file: not a PDF" in result.stderr
    assert f"{active_pdf.stem}.report.pdf: file: the PDF carries active content (/Launch, /OpenAction)" in result.stderr
    assert any(line.startswith(f"{duplicate.name}: reference: ") and unknown_theme.name in line for line in problems)
    assert not any(line.startswith(fine.name) for line in problems)
    assert "5 problem(s) in 5 file(s); nothing was imported." in result.stderr
    assert "Traceback" not in result.stderr
    assert _count(import_env, "SELECT count(*) FROM review") == 0
    assert not Path(import_env["REGISTRY_DOCUMENTS_DIR"]).exists() or not any(
        Path(import_env["REGISTRY_DOCUMENTS_DIR"]).rglob("*.pdf")
    )


def test_an_archive_with_deceiving_text_or_impossible_dates_is_refused_like_the_api_refuses_it(import_env, tmp_path):
    """The import reads files through the API's schemas: the same hidden characters and dates are
    refused, each named by file, field and code point, and nothing is imported."""
    folder = tmp_path / "archive"
    deceiving, dated = _corpus(folder, 2)
    data = json.loads(deceiving.read_text())
    data["title"] = "Child \u202eA gnp.exe\u202c"
    data["reference"] = data["reference"] + "\r\nStatus: published"
    data["summary"] = "Nothing \u200bhidden here."
    data["action_plan"]["actions"][0]["description"] = "\ufeffShare chronologies."
    deceiving.write_text(json.dumps(data))
    data = json.loads(dated.read_text())
    data["completed_on"] = "0001-01-01"
    data["status"], data["published_on"] = "published", "9999-12-31"
    data["action_plan"]["actions"][0]["target_date"] = "9999-12-31"
    dated.write_text(json.dumps(data))

    result = _run(import_env, "import", str(folder), check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    problems = result.stderr.splitlines()
    for file, field, words in [
        (deceiving, "title", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        (deceiving, "reference", "U+000D CARRIAGE RETURN"),
        (deceiving, "summary", "U+200B ZERO WIDTH SPACE"),
        (deceiving, "action_plan.actions.0.description", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        (dated, "completed_on", "between 1900-01-01 and 2100-12-31"),
        (dated, "published_on", "between 1900-01-01 and 2100-12-31"),
        (dated, "action_plan.actions.0.target_date", "between 1900-01-01 and 2100-12-31"),
    ]:
        assert any(line.startswith(f"{file.name}: {field}: ") and words in line for line in problems), (field, problems)
    assert "Traceback" not in result.stderr
    assert _count(import_env, "SELECT count(*) FROM review") == 0


def test_an_import_carries_on_where_an_earlier_one_stopped(import_env, tmp_path):
    whole = tmp_path / "archive"
    files = _corpus(whole, 10, pdf_every=4)
    half = tmp_path / "first-half"
    half.mkdir()
    for path in files[:5]:
        for part in whole.glob(f"{path.stem}.*"):
            shutil.copy(part, half / part.name)

    assert "imported 5, 0 already present" in _run(import_env, "import", str(half)).stdout
    rest = _run(import_env, "import", str(whole), "--batch-size", "2")
    assert "checked 10 review(s): 5 to import, 5 already present" in rest.stdout
    assert "imported 2/5" in rest.stdout and "imported 5/5" in rest.stdout
    assert "imported 5, 5 already present" in rest.stdout
    assert _count(import_env, "SELECT count(*) FROM review WHERE status = 'published'") == 10
    assert _count(import_env, "SELECT count(*) FROM review_document WHERE text_status = 'extracted'") == 2


def test_a_file_may_bring_a_draft_a_submitted_or_an_undated_published_review(import_env, api, tmp_path):
    folder = tmp_path / "archive"
    draft, submitted, undated = _corpus(folder, 3)
    data = json.loads(draft.read_text())
    data.update(status="draft", reviewers=[])  # a draft need not meet the submission rules yet
    del data["action_plan"], data["published_on"]
    draft.write_text(json.dumps(data))
    data = json.loads(submitted.read_text())
    data["status"] = "submitted"
    del data["published_on"]
    submitted.write_text(json.dumps(data))
    data = json.loads(undated.read_text())
    del data["published_on"]  # published, on no given day: published on the day of the import
    undated.write_text(json.dumps(data))

    assert "imported 3, 0 already present" in _run(import_env, "import", str(folder)).stdout
    sources = [json.loads(p.read_text()) for p in (draft, submitted, undated)]
    statuses = {source["reference"]: source.get("status", "published") for source in sources}
    client, inspector = api
    listed = client.get("/api/v1/reviews", params={"limit": 50}, headers=inspector).json()["items"]
    # The inspectorate sees submitted and published reviews, not a board's drafts.
    assert {item["reference"]: item["status"] for item in listed} == {
        ref: status for ref, status in statuses.items() if status != "draft"
    }
    assert _count(import_env, "SELECT count(*) FROM review WHERE status = 'draft' AND published_on IS NULL") == 1
    published = next(item for item in listed if item["reference"] == sources[2]["reference"])
    review = client.get(f"/api/v1/reviews/{published['id']}", headers=inspector).json()
    today = datetime.now(UTC).date()  # the importer's clock is UTC
    assert review["published_on"] == today.isoformat()
    assert review["public_until"] == (today + timedelta(days=84)).isoformat()


def test_the_region_option_refuses_another_boards_reviews(import_env, tmp_path):
    folder = tmp_path / "archive"
    files = _corpus(folder, 8)
    regions = {json.loads(p.read_text())["region"] for p in files}
    assert len(regions) > 1
    result = _run(import_env, "import", str(folder), "--region", "gwent", "--check", check=False)
    assert result.returncode == 1
    assert "is not gwent, the region this import is for" in result.stderr
    assert _count(import_env, "SELECT count(*) FROM review") == 0


@pytest.mark.database_independent
def test_the_corpus_is_deterministic(tmp_path):
    one = _corpus(tmp_path / "one", 6, pdf_every=3, seed=7)
    two = _corpus(tmp_path / "two", 6, pdf_every=3, seed=7)
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "two").iterdir()) and len(names) == 8
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    # A smaller corpus is the start of a bigger one; another seed is another corpus.
    three = _corpus(tmp_path / "three", 3, pdf_every=3, seed=7)
    assert [p.read_bytes() for p in three] == [p.read_bytes() for p in one[:3]]
    other = _corpus(tmp_path / "other", 6, pdf_every=3, seed=8)
    assert [p.read_bytes() for p in other] != [p.read_bytes() for p in two]


def _seeded_vocabularies() -> tuple[set[str], dict[str, set[str]]]:
    spec = importlib.util.spec_from_file_location("registry_core", ROOT / "alembic" / "versions" / "0001_registry_core.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    terms: dict[str, set[str]] = {}
    for vocabulary, code, _label, _description in module.TERMS:
        terms.setdefault(vocabulary, set()).add(code)
    return {code for code, _ in module.REGIONS}, terms


@pytest.mark.database_independent
def test_every_generated_review_passes_the_submission_rules(tmp_path):
    files = _corpus(tmp_path / "corpus", 150)
    regions, terms = _seeded_vocabularies()
    seen_regions, kinds, years = set(), set(), set()
    for path in files:
        entry, problems = parse(ReviewFile(path))
        assert problems == [] and entry is not None, problems
        review, plan = entry.review, entry.plan
        assert plan is not None
        unsaved = Review(**review.model_dump(exclude={"abuse_categories", "agencies", "themes", "context_factors"}))
        assert submission_problems(unsaved, {a.recommendation_ref for a in plan.actions}) == []
        assert review.region in regions and review.age_band in terms["age_band"]
        for field, vocabulary in (
            ("themes", "theme"),
            ("agencies", "agency"),
            ("abuse_categories", "abuse_category"),
            ("context_factors", "context_factor"),
        ):
            assert set(getattr(review, field)) <= terms[vocabulary]
        assert {a.lead_agency for a in plan.actions} <= terms["agency"]
        assert 2 <= len(review.recommendations) <= 6
        assert review.completed_on is not None and date(2008, 1, 1) <= review.completed_on <= date(2026, 12, 31)
        if review.kind == "susr":
            assert review.completed_on >= date(2024, 10, 1) and "cpr" in review.susr_criteria
        assert review.full_text is not None and 20_000 <= len(review.full_text.encode()) <= 60_000
        assert "Child " in review.full_text
        seen_regions.add(review.region)
        kinds.add((review.kind, review.review_type))
        years.add(review.completed_on.year)
    assert seen_regions == regions
    assert kinds == {("cpr", "concise"), ("cpr", "extended"), ("susr", None)}
    assert len(years) >= 12
