"""Start the servers the benchmark measures, each in its own process, served by uvicorn the same way.

`registry` is `registry serve` (one worker); `bare` is bench/bare.py run by `uvicorn.run` with the
options `registry serve` uses (`app.cli.uvicorn_options`), so only the application differs.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0

# `registry serve` in miniature: one worker, uvicorn's options taken from the registry's own CLI.
_BARE_LAUNCHER = (
    "import sys, uvicorn\n"
    "from app.cli import uvicorn_options\n"
    "from app.config import Settings\n"
    "uvicorn.run('bench.bare:app', host=sys.argv[1], port=int(sys.argv[2]), workers=1, **uvicorn_options(Settings()))\n"
)

ServerKind = Literal["registry", "bare"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A running server process: its pid, base url and log; stop it, or use it as a context manager."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
        self.process = process
        self.pid = process.pid
        self.url = url
        self.log_path = log_path
        self._peak_rss_mb: float | None = None

    def peak_rss_mb(self) -> float:
        """Peak resident set size (VmHWM) in MiB; after stop(), the value read just before stopping."""
        if self.process.poll() is not None:
            if self._peak_rss_mb is None:
                raise RuntimeError(f"server {self.pid} has exited; its peak RSS was not read")
            return self._peak_rss_mb
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # reported in kB
        raise RuntimeError(f"no VmHWM in /proc/{self.pid}/status")

    def log_tail(self, lines: int = 30) -> str:
        """The last lines the server wrote to stdout/stderr."""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Terminate (SIGTERM, uvicorn's graceful shutdown), then kill if it has not exited in time."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(OSError, RuntimeError):  # it may exit between poll() and the read
            self._peak_rss_mb = self.peak_rss_mb()
        self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def start_server(kind: ServerKind, port: int, env: dict[str, str] | None = None, *, cpu: int | None = None) -> Server:
    """Launch a server on 127.0.0.1:port and wait until it answers.

    `env` is added to this process's environment (e.g. REGISTRY_DATABASE_URL, or BENCH_BARE_DOCUMENT
    for `bare`); `cpu` pins the server to that core. Raises RuntimeError, with the tail of the
    server's log, if it exits or does not answer within 30 s.
    """
    host = "127.0.0.1"
    if kind == "registry":
        command = [str(Path(sys.executable).parent / "registry"), "serve", "--host", host, "--port", str(port)]
        probe = "/healthz"
    elif kind == "bare":
        command = [sys.executable, "-c", _BARE_LAUNCHER, host, str(port)]
        probe = "/api/v1/reviews/1"
    else:
        raise ValueError(f"unknown server kind {kind!r}")

    log_path = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-")) / "server.log"
    with log_path.open("wb") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
    if cpu is not None:
        os.sched_setaffinity(process.pid, {cpu})
    server = Server(process, f"http://{host}:{port}", log_path)
    try:
        _wait_until_answering(server, server.url + probe)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_answering(server: Server, probe_url: str) -> None:
    """Poll probe_url until it answers 2xx; raise if the process dies or the timeout passes."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with code {server.process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(probe_url, timeout=1.0) as response:
                if 200 <= response.status < 300:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass  # not answering yet
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer {probe_url} within {STARTUP_TIMEOUT:.0f} s:\n{server.log_tail()}")
