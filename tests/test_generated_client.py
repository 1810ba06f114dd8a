"""The contract third parties build on (issue 10): a Python client generated from the committed
openapi/openapi.json by openapi-python-client, imported and used alone against a live `registry
serve`, through a review's whole life. No HTTP is written by hand here: every call, body, header and
answer goes through the generated functions and models, as an integrator's code would."""

from __future__ import annotations

import hashlib
import importlib
import inspect
import io
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any, get_type_hints

import pytest

from tests import factories, pdfs
from tests.conftest import REGISTRY, fresh_postgres_database, running_server, subprocess_env

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "openapi" / "openapi.json"
GENERATOR = str(Path(sys.executable).with_name("openapi-python-client"))
PACKAGE = "registry_client"
INSPECTOR = ("inspector", "a long passphrase for the inspectorate")
BOARD_SYSTEM = "gwent-board-system"


@pytest.fixture(scope="module")
def generation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The client generated into a temporary folder and imported, with what the generator said."""
    folder = tmp_path_factory.mktemp("generated")
    config = folder / "config.yaml"
    # No formatter run: the generated code is used as it comes. openapi-python-client reads only
    # JSON, text and application/octet-stream answers; its documented setting has it read the PDF as
    # bytes, and an Atom feed as text.
    config.write_text(
        "post_hooks: []\ncontent_type_overrides:\n  application/pdf: application/octet-stream\n  application/atom+xml: text/plain\n"
    )
    result = subprocess.run(
        [GENERATOR, "generate", "--path", str(DOCUMENT), "--meta", "none", "--config", str(config),
         "--output-path", str(folder / PACKAGE)],
        check=False, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        client = importlib.import_module(PACKAGE)
        for part in ("models", "types"):
            importlib.import_module(f"{PACKAGE}.{part}")
        yield SimpleNamespace(client=client, said=result.stdout + result.stderr)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def live(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """`registry serve` on a database of the suite's kind of its own, with an inspector (password
    grant) and a Gwent board system (client-credentials grant) made by the operator's commands."""
    folder = tmp_path_factory.mktemp("live")
    env = subprocess_env(documents_dir=str(folder / "documents"))
    with _server_database(database_url, folder) as url:
        env["REGISTRY_DATABASE_URL"] = url
        _registry(env, "migrate")
        _registry(env, "create-user", "--username", INSPECTOR[0], "--password", INSPECTOR[1], "--role", "inspectorate")
        created = _registry(env, "create-client", "--client-id", BOARD_SYSTEM, "--role", "board", "--region", "gwent")
        secret = dict(line.split("=", 1) for line in created.split())["client_secret"]
        with running_server(env) as (base, _log):
            yield SimpleNamespace(base=base, client_secret=secret)


def _server_database(database_url: str, folder: Path) -> AbstractContextManager[str]:
    if database_url.startswith("postgresql"):
        return fresh_postgres_database(database_url)
    return nullcontext(f"sqlite:///{folder / 'live.db'}")


def _registry(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([REGISTRY, *args], env=env, check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


# --- Reading the generated package (how an integrator's IDE would) ---------------------------


def operations(client: ModuleType) -> dict[str, ModuleType]:
    """Every generated operation module by its operationId, whatever tag it is filed under."""
    found: dict[str, ModuleType] = {}
    api = importlib.import_module(f"{client.__name__}.api")
    for tag in pkgutil.iter_modules(api.__path__):
        package = importlib.import_module(f"{api.__name__}.{tag.name}")
        for operation in pkgutil.iter_modules(package.__path__):
            found[operation.name] = importlib.import_module(f"{package.__name__}.{operation.name}")
    return found


def body_model(operation: ModuleType) -> Any:
    """The model a form operation takes, by whatever name the document gives its body."""
    return get_type_hints(operation.sync_detailed)["body"]


def requires_if_match(operation: ModuleType) -> bool:
    return inspect.signature(operation.sync_detailed).parameters["if_match"].default is inspect.Parameter.empty


@pytest.mark.database_independent
def test_the_generator_understands_every_operation(generation):
    """A warning means a piece of the API is missing from every generated client."""
    assert "Warning" not in generation.said and "WARNING" not in generation.said, generation.said


def test_a_third_party_runs_a_reviews_whole_life_through_the_generated_client_alone(generation, live):
    rc = generation.client
    models, File = rc.models, rc.types.File
    ops = operations(rc)
    anonymous = rc.Client(base_url=live.base, raise_on_unexpected_status=True)

    # Both grants: a person with a password, a board's system with client credentials.
    def sign_in(**form: str) -> Any:
        answer = ops["issue_token"].sync_detailed(client=anonymous, body=body_model(ops["issue_token"]).from_dict(form))
        assert answer.status_code == 200 and isinstance(answer.parsed, models.TokenOut), answer.content
        return rc.AuthenticatedClient(base_url=live.base, token=answer.parsed.access_token, raise_on_unexpected_status=True)

    inspectorate = sign_in(grant_type="password", username=INSPECTOR[0], password=INSPECTOR[1])
    board = sign_in(grant_type="client_credentials", client_id=BOARD_SYSTEM, client_secret=live.client_secret)
    me = ops["get_me"].sync(client=board)
    assert isinstance(me, models.MeOut) and me.role == models.Role.BOARD and me.region == "gwent"

    # Create: an extended review with one reviewer, and no plan yet.
    content = factories.review(reference="GWSB 9/2026", reviewers=[{"name": "A. Reviewer"}])
    created = ops["create_review"].sync_detailed(client=board, body=models.ReviewCreate.from_dict(content))
    assert created.status_code == 201 and isinstance(created.parsed, models.ReviewOut), created.content
    review_id = created.parsed.id

    # A refused submission, read as typed problem items: every broken rule at once.
    refused = ops["submit_review"].sync_detailed(review_id, client=board)
    assert refused.status_code == 422 and isinstance(refused.parsed, models.Problem)
    assert all(isinstance(item, models.ProblemItem) for item in refused.parsed.errors)
    assert {"action-plan-required", "reviewer-count"} <= {item.code for item in refused.parsed.errors}

    # Put right: a second reviewer (If-Match is the ETag read), then the plan, one action overdue.
    assert requires_if_match(ops["update_review"])
    patched = ops["update_review"].sync_detailed(
        review_id,
        client=board,
        body=models.ReviewPatch.from_dict({"reviewers": [{"name": "A. Reviewer"}, {"name": "B. Reviewer"}]}),
        if_match=created.headers["etag"],
    )
    assert patched.status_code == 200 and len(patched.parsed.reviewers) == 2, patched.content
    plan = factories.action_plan("R1", "R2", target_date=(date.today() + timedelta(days=365)).isoformat())
    plan["actions"][1]["target_date"] = (date.today() - timedelta(days=60)).isoformat()
    put = ops["put_action_plan"].sync_detailed(review_id, client=board, body=models.ActionPlanIn.from_dict(plan))
    assert put.status_code == 201 and isinstance(put.parsed, models.ActionPlanOut), put.content

    # The report: a real PDF, uploaded as a file.
    report = pdfs.report("Child Practice Review: Child A", "Learning for agencies in Gwent.")
    uploaded = ops["upload_document"].sync_detailed(
        review_id,
        models.DocumentKind.REPORT,
        client=board,
        body=body_model(ops["upload_document"])(
            file=File(payload=io.BytesIO(report), file_name="report.pdf", mime_type="application/pdf")
        ),
    )
    assert uploaded.status_code == 201 and isinstance(uploaded.parsed, models.DocumentOut), uploaded.content
    assert uploaded.parsed.sha256 == hashlib.sha256(report).hexdigest()

    # Submit, then publish, each with the ETag last read.
    submitted = ops["submit_review"].sync_detailed(review_id, client=board, if_match=patched.headers["etag"])
    assert submitted.status_code == 200 and submitted.parsed.status == models.ReviewStatus.SUBMITTED, submitted.content
    published = ops["publish_review"].sync_detailed(review_id, client=board, if_match=submitted.headers["etag"])
    assert published.status_code == 200 and published.parsed.status == models.ReviewStatus.PUBLISHED, published.content

    # Anonymous, inside the public window: the review and its report, with no token. (The document
    # says the token is optional there; openapi-python-client 0.29 still types `client` as an
    # AuthenticatedClient for any operation with security, but a plain Client works: ADR 0025.)
    public = ops["get_review"].sync(review_id, client=anonymous)
    assert isinstance(public, models.ReviewOut) and public.status == models.ReviewStatus.PUBLISHED
    downloaded = ops["download_document"].sync_detailed(review_id, models.DocumentKind.REPORT, client=anonymous)
    assert downloaded.status_code == 200 and isinstance(downloaded.parsed, File), downloaded.parsed
    assert downloaded.parsed.payload.read() == report and downloaded.headers["etag"]

    # Search and trends, with typed keys.
    found = ops["search_reviews"].sync(client=inspectorate, q="chronologies")
    assert isinstance(found, models.SearchResults) and review_id in {item.id for item in found.items}
    trends = ops["get_trends"].sync(client=inspectorate, group_by=[models.TrendDimension.REGION])
    assert isinstance(trends, models.Trends)
    assert {bucket.key.region: bucket.count for bucket in trends.buckets}["gwent"] >= 1

    # Overdue actions: the board's own region, by lead agency.
    overdue = ops["list_overdue_actions"].sync(client=board)
    assert isinstance(overdue, models.OverdueActions) and overdue.total >= 1
    assert ("gwent", "police") in {(group.region, group.lead_agency) for group in overdue.groups}

    # Action progress with If-Match, then the same stale ETag again: a 412 problem.
    assert requires_if_match(ops["update_action"])
    action = ops["get_action_plan"].sync(review_id, client=board).actions[0]
    progress = models.ActionPatch.from_dict({"status": "in_progress", "progress_note": {"note": "Chronology template agreed."}})
    moved = ops["update_action"].sync_detailed(review_id, action.id, client=board, body=progress, if_match=action.etag)
    assert moved.status_code == 200 and moved.parsed.status == models.ActionStatus.IN_PROGRESS, moved.content
    assert len(moved.parsed.progress_notes) == 1
    stale = ops["update_action"].sync_detailed(review_id, action.id, client=board, body=progress, if_match=action.etag)
    assert stale.status_code == 412 and isinstance(stale.parsed, models.Problem) and stale.parsed.status == 412

    # Cursor paging: two more drafts, then the board's list one review a page.
    others = [
        ops["create_review"]
        .sync(client=board, body=models.ReviewCreate.from_dict(factories.review(reference=f"GWSB {n}/2026")))
        .id
        for n in (10, 11)
    ]
    seen: list[str] = []
    cursor: Any = rc.types.UNSET
    while True:
        page = ops["list_reviews"].sync(client=board, limit=1, cursor=cursor)
        assert isinstance(page, models.ReviewPage) and len(page.items) <= 1
        seen += [item.id for item in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) and {review_id, *others} <= set(seen)
