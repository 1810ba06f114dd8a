"""The `registry` command, run as a newcomer would run it: a real process, a real server, real HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

REGISTRY = str(Path(sys.executable).with_name("registry"))


def _run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([REGISTRY, *args], env=env, capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env["REGISTRY_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    env["REGISTRY_DOCUMENTS_DIR"] = str(tmp_path / "documents")
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_export_openapi_prints_the_committed_document(cli_env):
    printed = _run(cli_env, "export-openapi").stdout
    committed = (Path(__file__).resolve().parent.parent / "openapi" / "openapi.json").read_text()
    assert json.loads(printed) == json.loads(committed)


def test_create_user_refuses_bad_input_clearly(cli_env):
    _run(cli_env, "migrate")
    result = _run(cli_env, "create-user", "--username", "x", "--password", "long enough pass", "--role", "board", check=False)
    assert result.returncode == 1
    assert "region" in result.stderr and "Traceback" not in result.stderr


def test_production_refuses_to_start_without_a_real_secret(cli_env):
    result = _run({**cli_env, "REGISTRY_ENV": "production"}, "migrate", check=False)
    assert result.returncode == 2
    assert "REGISTRY_JWT_SECRET" in result.stderr and "Traceback" not in result.stderr


def test_serve_after_migrate_answers_real_http_with_two_workers(cli_env):
    _run(cli_env, "migrate")
    _run(cli_env, "create-user", "--username", "inspector", "--password", "a long passphrase", "--role", "inspectorate")
    created = _run(cli_env, "create-client", "--client-id", "gwent-system", "--role", "board", "--region", "gwent").stdout
    secret = dict(line.split("=", 1) for line in created.split())["client_secret"]

    port = _free_port()
    server = subprocess.Popen(
        [REGISTRY, "serve", "--port", str(port), "--workers", "2"],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.2)
        assert httpx.get(f"{base}/docs").status_code == 200
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"grant_type": "password", "username": "inspector", "password": "a long passphrase"}
        ).json()["access_token"]
        client_token = httpx.post(
            f"{base}/api/v1/auth/token",
            data={"grant_type": "client_credentials", "client_id": "gwent-system", "client_secret": secret},
        ).json()["access_token"]
        # Whichever worker answers, each token verifies: the workers share one secret.
        for _ in range(10):
            assert httpx.get(f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).json()["role"] == "inspectorate"
            assert httpx.get(f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {client_token}"}).json()["region"] == "gwent"
        response = httpx.get(f"{base}/api/v1/reviews/nope", headers={"X-Request-ID": "trace-me-123"})
        assert response.status_code == 404 and response.headers["x-request-id"] == "trace-me-123"
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "a long passphrase" not in output and token not in output
