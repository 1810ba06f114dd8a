"""Liveness and readiness, outside /api/v1."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.documents import repository as documents
from app.errors import ServiceUnavailable
from app.metrics import OUTBOX_OLDEST, OUTBOX_PENDING, exposition
from app.migrations import current_revision, schema_behind
from app.registry import RegistryDep
from app.search.outbox import lag as outbox_lag

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class OutboxLag(BaseModel):
    pending: int
    oldest_seconds: float


class Readiness(BaseModel):
    status: str
    database: str
    migrations: str
    search: str = Field(description="The search backend and its health; search being down does not stop writes.")
    search_outbox: OutboxLag
    reports_pending_text: int = Field(
        description="Reports whose text is not extracted yet. Uploads pass through this for seconds; a number that "
        "stays up means extractions were cut off: they are retried at start-up and by `registry documents recover`."
    )


@router.get("/healthz", operation_id="get_liveness", summary="The process is alive")
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    operation_id="get_readiness",
    summary="The database answers and its schema is at the latest migration",
)
def readyz(registry: RegistryDep) -> Readiness:
    try:
        with registry.sessions() as session:
            session.execute(text("SELECT 1"))
            if behind := schema_behind(session.connection()):
                raise ServiceUnavailable(behind, headers={"Retry-After": "30"})
            revision = current_revision(session.connection()) or ""
            lag = outbox_lag(session, registry.clock.now())
            pending_text = documents.count_pending_reports(session)
    except SQLAlchemyError:
        raise ServiceUnavailable("The database is not answering.", headers={"Retry-After": "5"}) from None
    backend = registry.search
    return Readiness(
        status="ready",
        database="ok",
        migrations=revision,
        search=f"{backend.name}: {backend.health()}",
        search_outbox=OutboxLag(**lag),
        reports_pending_text=pending_text,
    )


@router.get(
    "/metrics",
    operation_id="get_metrics",
    summary="Prometheus metrics: requests, latencies, search outbox lag",
    response_class=PlainTextResponse,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format"}},
)
def metrics(registry: RegistryDep) -> PlainTextResponse:
    try:
        with registry.sessions() as session:
            lag = outbox_lag(session, registry.clock.now())
        OUTBOX_PENDING.set(lag["pending"])
        OUTBOX_OLDEST.set(lag["oldest_seconds"])
    except SQLAlchemyError:
        pass  # the request metrics still answer while the database is away
    return PlainTextResponse(exposition().decode(), media_type=CONTENT_TYPE_LATEST)
