"""create_app(settings): the application over a `Registry` (app/registry.py), and its lifespan."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import __version__, openapi
from app.api import API_PREFIX, api_router
from app.config import Settings
from app.dashboard import install_dashboard
from app.docs_pages import install_docs_pages
from app.errors import install_problem_handlers
from app.guards import reject_unknown_query_parameters
from app.health import router as health_router
from app.imports.jobs import fail_stale_jobs
from app.middleware import BodyLimitMiddleware, RequestIdMiddleware
from app.problem_pages import router as problems_router
from app.registry import Registry

logger = logging.getLogger("app.registry")

DESCRIPTION = """\
The national registry of child safeguarding reviews: Child Practice Reviews and Single Unified
Safeguarding Reviews, with their action plans, kept for as long as they are needed and visible to
the people entitled to them.

Every error is an RFC 9457 `application/problem+json` document. Writes to an existing resource need
`If-Match` with the ETag you read. Get a token at `POST /api/v1/auth/token`.
"""


def create_app(settings: Settings | None = None, *, registry: Registry | None = None) -> FastAPI:
    """The application over `registry`, or over one built from `settings` (the environment's by default)."""
    registry = registry or Registry.from_settings(settings or Settings())
    settings = registry.settings

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stopping = threading.Event()
        recovery = None
        if settings.recover_extractions_on_startup:
            # In the background: start-up does not wait for PDFs to be read, nor for a database that is down.
            recovery = threading.Thread(
                target=recover_quietly, args=(registry, stopping), name="extraction-recovery", daemon=True
            )
            recovery.start()
        yield
        stopping.set()
        if recovery is not None:
            recovery.join(timeout=5)  # an extraction cut off here stays pending for the next start
        registry.close()

    app = FastAPI(
        title="Safeguarding Reviews Registry",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by install_docs_pages, from this package
        redoc_url=None,
    )
    app.state.registry = registry  # read through app.registry.RegistryDep

    install_problem_handlers(app)
    # The documented operations outside /api/v1 refuse unknown query parameters too; the docs pages,
    # their assets and the OpenAPI document are not operations and take whatever a browser adds.
    strict = [Depends(reject_unknown_query_parameters)]
    app.include_router(health_router, dependencies=strict)
    app.include_router(problems_router, dependencies=strict)
    app.include_router(api_router)
    install_docs_pages(app, openapi_url=f"{API_PREFIX}/openapi.json")
    install_dashboard(app)
    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "X-Request-ID"],
            expose_headers=["ETag", "Location", "X-Request-ID", "Retry-After"],
            max_age=600,
        )
    app.add_middleware(
        BodyLimitMiddleware,
        json_limit=settings.max_body_mb << 20,
        upload_limit=(settings.max_upload_mb + 1) << 20,
        archive_limit=settings.max_import_mb << 20,
        archive_path=f"{API_PREFIX}/imports",
    )
    app.add_middleware(RequestIdMiddleware)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def recover_quietly(registry: Registry, stop: threading.Event) -> None:
    """At start-up: fail the import jobs a stopped process left unfinished (ADR 0035), and extract
    the reports left pending when a process stopped mid-extraction."""
    try:
        failed = fail_stale_jobs(registry)
        if failed:
            logger.info("import jobs: %d left unfinished by a stopped process marked failed", failed)
    except Exception as exc:  # noqa: BLE001 - the server serves on; the next upload tries again
        logger.warning("failing stale import jobs failed: %s", type(exc).__name__)
    try:
        recovered = registry.recover_extractions(stop)
        if recovered:
            logger.info("report text extraction: %d pending report(s) recovered at start-up", recovered)
    except Exception as exc:  # noqa: BLE001 - the server serves on; /readyz shows what is still pending
        logger.warning("pending report extraction recovery failed: %s", type(exc).__name__)


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        app.openapi_schema = openapi.build(app)
    return app.openapi_schema
