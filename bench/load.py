"""A small, fast HTTP/1.1 keep-alive load generator on asyncio (uvloop when importable).

Each of `concurrency` connections sends GET requests back-to-back (one in flight per connection, no
pipelining) from pre-built request bytes, reads each response in full and records its latency.
Raw streams instead of an HTTP client keep the generator's own cost low enough for one core to
saturate a one-worker server.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any
from urllib.parse import urlsplit

try:
    import uvloop
except ImportError:  # plain asyncio still works, only slower
    uvloop = None  # type: ignore[assignment]

CONNECT_RETRY_DELAY = 0.05  # seconds; keeps a refused connection from spinning the loop
GRACE = 30.0  # seconds past the end after which in-flight requests are abandoned


@dataclass
class _Stats:
    """What the connections record: only for requests that finish inside the measured window."""

    count_from: float  # perf_counter() at the end of warmup
    stop_at: float  # perf_counter() at the end of the run
    latencies: list[float] = field(default_factory=list)  # seconds
    statuses: Counter[int] = field(default_factory=Counter)
    failures: int = 0  # no response: connection refused/reset/closed mid-response, unparsable response

    def measuring(self, now: float) -> bool:
        return self.count_from <= now <= self.stop_at

    def fail(self, now: float) -> None:
        if self.measuring(now):
            self.failures += 1


def _build_requests(host: str, paths: list[str], headers: dict[str, str]) -> list[bytes]:
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return [f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode("latin-1") for path in paths]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response in full; return its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head[:-4].split(b"\r\n")
    version, status = lines[0].split(b" ", 2)[:2]
    keep_alive = version == b"HTTP/1.1"  # HTTP/1.0 closes unless told otherwise
    length: int | None = None
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = value.endswith(b"chunked")
        elif name == b"connection":
            keep_alive = b"close" not in value and (keep_alive or b"keep-alive" in value)
    code = int(status)
    if chunked:  # chunked wins over Content-Length (RFC 9112 6.3)
        while size := int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16):  # ;extensions
            await reader.readexactly(size + 2)  # the chunk and its CRLF
        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailer fields, then the final CRLF
            pass
    elif length is not None:
        await reader.readexactly(length)
    elif code >= 200 and code not in (204, 304):  # no framing: the body runs to the connection's end
        await reader.read()
        keep_alive = False
    return code, keep_alive


async def _connection(host: str, port: int, requests: list[bytes], first: int, stats: _Stats) -> None:
    """One client connection: send requests back-to-back until the end, reconnecting when closed."""
    writer: asyncio.StreamWriter | None = None
    reader: asyncio.StreamReader | None = None
    index = first
    try:
        while perf_counter() < stats.stop_at:
            if writer is None:
                try:
                    reader, writer = await asyncio.open_connection(host, port)
                except OSError:
                    stats.fail(perf_counter())
                    await asyncio.sleep(CONNECT_RETRY_DELAY)
                    continue
            assert reader is not None
            request = requests[index % len(requests)]
            index += 1
            started = perf_counter()  # after any (re)connect: latency is the request's alone
            try:
                writer.write(request)
                status, keep_alive = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                stats.fail(perf_counter())
                writer.close()
                writer = None
                continue
            finished = perf_counter()
            if stats.measuring(finished):
                stats.latencies.append(finished - started)
                stats.statuses[status] += 1
            if not keep_alive:
                writer.close()
                writer = None
    finally:
        if writer is not None:
            writer.close()


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list, in milliseconds (0 when empty)."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))] * 1000


async def hammer(
    url: str,
    *,
    headers: dict[str, str],
    concurrency: int,
    seconds: float,
    warmup: float = 1.0,
    paths: list[str] | None = None,
) -> dict[str, Any]:
    """Load `url`'s server for warmup + seconds with `concurrency` keep-alive connections.

    Requests go round-robin over `paths` (each connection starting at its own offset), else to
    `url`'s path. Only requests finishing after the warmup count. `errors` is non-2xx responses
    plus failed requests (no response).
    """
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"need an http:// url, not {url!r}")
    port = parts.port or 80
    host_header = parts.netloc
    default_path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    requests = _build_requests(host_header, paths or [default_path], headers)

    now = perf_counter()
    stats = _Stats(count_from=now + warmup, stop_at=now + warmup + seconds)
    tasks = [asyncio.create_task(_connection(parts.hostname, port, requests, i, stats)) for i in range(concurrency)]
    _, pending = await asyncio.wait(tasks, timeout=warmup + seconds + GRACE)
    for task in pending:  # a server that stopped answering: give up on its requests
        task.cancel()
    for outcome in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(outcome, Exception):  # a bug, not a server failure: don't hide it
            raise outcome

    ordered = sorted(stats.latencies)
    non_2xx = sum(n for status, n in stats.statuses.items() if not 200 <= status < 300)
    return {
        "requests": len(ordered),
        "errors": non_2xx + stats.failures + len(pending),
        "seconds": seconds,
        "rps": len(ordered) / seconds,
        "p50_ms": percentile(ordered, 0.50),
        "p95_ms": percentile(ordered, 0.95),
        "p99_ms": percentile(ordered, 0.99),
        "status_counts": dict(sorted(stats.statuses.items())),
    }


def run_hammer(
    url: str,
    *,
    headers: dict[str, str],
    concurrency: int,
    seconds: float,
    warmup: float = 1.0,
    paths: list[str] | None = None,
) -> dict[str, Any]:
    """hammer() in a fresh event loop (uvloop's when available)."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop if uvloop else None) as runner:
        return runner.run(hammer(url, headers=headers, concurrency=concurrency, seconds=seconds, warmup=warmup, paths=paths))
