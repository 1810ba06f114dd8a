"""The `registry` command, run as a newcomer would run it: a real process, a real server, real HTTP."""

from __future__ import annotations

import getpass
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from alembic.script import ScriptDirectory

from app.migrations import alembic_config, downgrade, head_revision
from app.search.opensearch import MAPPING_VERSION
from tests.conftest import REGISTRY, free_port, requests_total, running_server, subprocess_env

ROOT = Path(__file__).resolve().parent.parent

# Each test's `registry` processes run on a SQLite file of their own, whatever the suite's database: once is enough.
pytestmark = pytest.mark.database_independent


def _run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([REGISTRY, *args], check=False, env=env, capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    return subprocess_env(database_url=f"sqlite:///{tmp_path / 'cli.db'}", documents_dir=str(tmp_path / "documents"))


def test_serve_refuses_a_database_whose_schema_is_not_at_head(cli_env):
    port = str(free_port())
    never_migrated = _run(cli_env, "serve", "--port", port, check=False)
    assert never_migrated.returncode == 1
    assert "empty (never migrated)" in never_migrated.stderr and "run `registry migrate`" in never_migrated.stderr
    _run(cli_env, "migrate")
    downgrade(cli_env["REGISTRY_DATABASE_URL"], "-1")
    behind = _run(cli_env, "serve", "--port", port, check=False)
    assert behind.returncode == 1
    assert f"at revision {_previous_revision()}, not at {head_revision()}" in behind.stderr


def _previous_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return str(script.get_revision(head_revision()).down_revision)


def test_export_openapi_prints_the_committed_document(cli_env):
    printed = _run(cli_env, "export-openapi").stdout
    committed = (ROOT / "openapi" / "openapi.json").read_text()
    assert json.loads(printed) == json.loads(committed)


def test_create_user_refuses_bad_input_clearly(cli_env):
    _run(cli_env, "migrate")
    result = _run(cli_env, "create-user", "--username", "x", "--password", "long enough pass", "--role", "board", check=False)
    assert result.returncode == 1
    assert "region" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("proxies", ["*", "the-load-balancer", "10.0.0.300"])
def test_a_trusted_proxy_that_is_not_an_address_is_refused_at_start(cli_env, proxies):
    result = _run({**cli_env, "REGISTRY_TRUSTED_PROXIES": f"10.0.0.5,{proxies}"}, "serve", check=False)
    assert result.returncode == 2
    assert "REGISTRY_TRUSTED_PROXIES" in result.stderr and "Traceback" not in result.stderr


def test_production_refuses_to_start_without_a_real_secret(cli_env):
    result = _run({**cli_env, "REGISTRY_ENV": "production"}, "migrate", check=False)
    assert result.returncode == 2
    assert "REGISTRY_JWT_SECRET" in result.stderr and "Traceback" not in result.stderr


def test_serve_after_migrate_answers_real_http_with_two_workers(cli_env):
    _run(cli_env, "migrate")
    _run(cli_env, "create-user", "--username", "inspector", "--password", "a long passphrase", "--role", "inspectorate")
    created = _run(cli_env, "create-client", "--client-id", "gwent-system", "--role", "board", "--region", "gwent").stdout
    secret = dict(line.split("=", 1) for line in created.split())["client_secret"]

    with running_server(cli_env, workers=2) as (base, log):
        assert httpx.get(f"{base}/docs").status_code == 200
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"grant_type": "password", "username": "inspector", "password": "a long passphrase"}
        ).json()["access_token"]
        client_token = httpx.post(
            f"{base}/api/v1/auth/token",
            data={"grant_type": "client_credentials", "client_id": "gwent-system", "client_secret": secret},
        ).json()["access_token"]
        # Accounts made from the shell are in the audit trail, as the operator who ran the command.
        events = httpx.get(
            f"{base}/api/v1/audit", params={"action": "account:create"}, headers={"Authorization": f"Bearer {token}"}
        )
        made = {(e["subject"], e["target_id"]) for e in events.json()["items"]}
        assert {subject for subject, _ in made} == {f"cli:{getpass.getuser()}"} and (
            "cli:" + getpass.getuser(),
            "gwent-system",
        ) in made
        # Whichever worker answers, each token verifies: the workers share one secret.
        for _ in range(10):
            assert (
                httpx.get(f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).json()["role"] == "inspectorate"
            )
            assert (
                httpx.get(f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {client_token}"}).json()["region"]
                == "gwent"
            )
        # Whichever worker answers the scrape, it counts both workers' requests (the folder they
        # share is made by `serve` itself here).
        assert requests_total(httpx.get(f"{base}/metrics").text, "get_me", "200") == 20
        response = httpx.get(f"{base}/api/v1/reviews/nope", headers={"X-Request-ID": "trace-me-123"})
        assert response.status_code == 404 and response.headers["x-request-id"] == "trace-me-123"
    output = log.read_text()
    assert '"status": 404' in output  # the access log is there...
    assert "a long passphrase" not in output and token not in output


WALKTHROUGH_DOC = "docs/integrating.md"


def _documented_walkthrough() -> str:
    """The bash blocks of the walk-through section of docs/integrating.md, in order."""
    document = (ROOT / WALKTHROUGH_DOC).read_text()
    assert "\n## Walk-through" in document, f"{WALKTHROUGH_DOC} has no walk-through section"
    section = document.split("\n## Walk-through", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    return "\n".join(b for b in blocks if not b.lstrip().startswith("bash docs/walkthrough.sh"))


WALKTHROUGH_SCRIPT = "docs/walkthrough.sh"


def _commands(script: str) -> list[str]:
    """A shell script's lines but its comments and blank lines; `set -euo pipefail`, which the doc
    leaves to the shell the reader pastes into, aside."""
    lines = (line.rstrip() for line in script.splitlines())
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#") and line != "set -euo pipefail"]


def test_the_documented_walkthrough_is_the_script_line_for_line():
    """What docs/integrating.md tells a reader to paste is, command for command, the script run below:
    so running the script once proves both."""
    assert _commands(_documented_walkthrough()) == _commands((ROOT / WALKTHROUGH_SCRIPT).read_text())


def test_the_documented_walkthrough_works_when_pasted_into_a_shell(cli_env, tmp_path):
    _run(cli_env, "migrate")
    workdir = tmp_path / "newcomer"
    workdir.mkdir()
    (workdir / ".venv").symlink_to(Path(sys.executable).parent.parent)  # the walk-through says .venv/bin/registry
    script = (ROOT / WALKTHROUGH_SCRIPT).read_text()
    with running_server(cli_env) as (base, _log):
        port = base.rsplit(":", 1)[1]
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            check=False,
            cwd=workdir,
            env={**cli_env, "PORT": port},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "-> 412" in result.stdout and "-> 422" in result.stdout


def test_a_drain_sidecar_indexes_what_the_server_could_not(cli_env, osmem):
    """The server's OpenSearch is unreachable; its writes wait in the outbox until a
    `registry search drain` process that can reach a cluster takes them."""
    from opensearchpy import OpenSearch

    down = {
        **cli_env,
        "REGISTRY_OPENSEARCH_URL": f"http://127.0.0.1:{free_port()}",
        "REGISTRY_OPENSEARCH_INDEX_PREFIX": "cli-test",
    }
    _run(down, "migrate")
    _run(down, "create-user", "--username", "gwent", "--password", "a long passphrase", "--role", "board", "--region", "gwent")
    with running_server(down) as (base, _log):
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"grant_type": "password", "username": "gwent", "password": "a long passphrase"}
        ).json()["access_token"]
        from tests import factories

        created = httpx.post(
            f"{base}/api/v1/reviews", json=factories.review(), headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        assert created.status_code == 201
        ready = httpx.get(f"{base}/readyz").json()
        assert ready["search_outbox"]["pending"] == 1 and "unreachable" in ready["search"]

    up = {**down, "REGISTRY_OPENSEARCH_URL": osmem.url}
    assert _run(down, "search", "drain", check=False).returncode == 1  # still down: says so, keeps the rows
    assert "indexed 1, waiting 0" in _run(up, "search", "drain").stdout
    assert f"rebuilt: cli-test-v{MAPPING_VERSION}-" in _run(up, "search", "reindex").stdout
    client = OpenSearch(hosts=[osmem.url])
    assert client.get(index="cli-test-read", id=created.json()["id"])["_source"]["reference"] == "GWSB 2/2023"
    client.indices.delete(index="cli-test-*")


def test_an_upload_cut_off_midway_leaves_the_review_as_it_was(cli_env):
    """A real socket closes halfway through a multipart upload: nothing is stored, the server carries on."""
    import socket as sockets

    from tests import factories, pdfs

    _run(cli_env, "migrate")
    _run(cli_env, "create-user", "--username", "gwent", "--password", "a long passphrase", "--role", "board", "--region", "gwent")
    with running_server(cli_env) as (base, _log):
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"grant_type": "password", "username": "gwent", "password": "a long passphrase"}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        sent = factories.review()
        review = httpx.post(f"{base}/api/v1/reviews", json=sent, headers=auth, timeout=30).json()

        content = pdfs.report(*["Practitioners did not compile chronologies. " * 40] * 20)
        boundary = "cut-off-boundary"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="report.pdf"\r\n'
                f"Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        host, port = base.removeprefix("http://").split(":")
        with sockets.create_connection((host, int(port))) as raw:
            raw.sendall(
                (
                    f"PUT /api/v1/reviews/{review['id']}/documents/report HTTP/1.1\r\nHost: {host}\r\n"
                    f"Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
                + body[: len(body) // 2]
            )
        time.sleep(1)  # the server notices the disconnect

        documents = httpx.get(f"{base}/api/v1/reviews/{review['id']}/documents", headers=auth)
        assert documents.status_code == 200 and documents.json() == []
        after = httpx.get(f"{base}/api/v1/reviews/{review['id']}?include=full_text", headers=auth).json()
        assert after["version"] == review["version"] and after.get("full_text") == sent.get("full_text")
        stored = Path(cli_env["REGISTRY_DOCUMENTS_DIR"])
        assert not stored.exists() or not [p for p in stored.rglob("*") if p.is_file()]
        assert httpx.get(f"{base}/readyz").status_code == 200
