"""Prometheus metrics: requests, latencies, and the search outbox's lag.

Requests are labelled by operation (`reviews:get`), never by a path with ids in it.
With several workers each process counts its own (scrape each, or run one worker per container).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import Scope

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter("registry_http_requests_total", "HTTP requests answered", ["method", "operation", "status"], registry=REGISTRY)
LATENCY = Histogram(
    "registry_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
OUTBOX_PENDING = Gauge("registry_search_outbox_pending", "Changes waiting to reach the search index", registry=REGISTRY)
OUTBOX_OLDEST = Gauge("registry_search_outbox_oldest_seconds", "How long the oldest waiting change has waited", registry=REGISTRY)


def observe_request(scope: Scope, status: int, seconds: float) -> None:
    route = scope.get("route")
    operation = getattr(route, "operation_id", None) or getattr(route, "name", None) or "unmatched"
    REQUESTS.labels(scope.get("method", ""), operation, str(status)).inc()
    LATENCY.labels(scope.get("method", ""), operation).observe(seconds)
