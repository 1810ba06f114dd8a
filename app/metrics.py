"""Prometheus metrics: requests, latencies, and the search outbox's lag.

Requests are labelled by operation (`reviews:get`), never by a path with ids in it.
Several worker processes of one server add up: `registry serve --workers N` gives them one folder
(`PROMETHEUS_MULTIPROC_DIR`, Prometheus's multiprocess mode), where each process writes its own
counts, and a scrape sums them, whichever worker answers it.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import Scope

# Read by prometheus_client when it is first imported: set before a worker starts, never after.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter("registry_http_requests_total", "HTTP requests answered", ["method", "operation", "status"], registry=REGISTRY)
LATENCY = Histogram(
    "registry_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
# Set from the database at each scrape, so the latest scrape's value is the true one, whichever
# worker made it ("mostrecent"; outside multiprocess mode it is an ordinary gauge).
OUTBOX_PENDING = Gauge(
    "registry_search_outbox_pending",
    "Changes waiting to reach the search index",
    registry=REGISTRY,
    multiprocess_mode="mostrecent",
)
OUTBOX_OLDEST = Gauge(
    "registry_search_outbox_oldest_seconds",
    "How long the oldest waiting change has waited",
    registry=REGISTRY,
    multiprocess_mode="mostrecent",
)


def exposition() -> bytes:
    """The metrics in Prometheus's text format: this process's, or every worker's summed."""
    if not os.environ.get(MULTIPROCESS_DIR):
        return generate_latest(REGISTRY)
    every_worker = CollectorRegistry()
    MultiProcessCollector(every_worker)  # type: ignore[no-untyped-call]  # prometheus_client leaves it untyped
    return generate_latest(every_worker)


def observe_request(scope: Scope, status: int, seconds: float) -> None:
    route = scope.get("route")
    operation = getattr(route, "operation_id", None) or getattr(route, "name", None) or "unmatched"
    REQUESTS.labels(scope.get("method", ""), operation, str(status)).inc()
    LATENCY.labels(scope.get("method", ""), operation).observe(seconds)
