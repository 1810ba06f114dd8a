"""create_app(settings): the application, its state and its lifespan."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import Engine

from app import __version__, openapi
from app.api import API_PREFIX, api_router
from app.audit.recorder import AuditRecorder
from app.auth.throttle import LoginLimits
from app.auth.tokens import TokenService
from app.clock import Clock
from app.config import Settings
from app.db import build_engine, build_sessionmaker
from app.docs_pages import install_docs_pages
from app.documents.recovery import recover_pending
from app.documents.service import PdfLimits, extract_report_text
from app.documents.storage import DocumentStore
from app.errors import install_problem_handlers
from app.health import router as health_router
from app.middleware import BodyLimitMiddleware, RequestIdMiddleware
from app.problem_pages import router as problems_router
from app.search.factory import build_search_backend
from app.search.outbox import drain

logger = logging.getLogger("app.search")

DESCRIPTION = """\
The national registry of child safeguarding reviews: Child Practice Reviews and Single Unified
Safeguarding Reviews, with their action plans, kept for as long as they are needed and visible to
the people entitled to them.

Every error is an RFC 9457 `application/problem+json` document. Writes to an existing resource need
`If-Match` with the ETag you read. Get a token at `POST /api/v1/auth/token`.
"""


def create_app(settings: Settings | None = None, *, clock: Clock | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = engine or build_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stopping = threading.Event()
        recovery = None
        if settings.recover_extractions_on_startup:
            # In the background: start-up does not wait for PDFs to be read, nor for a database that is down.
            recovery = threading.Thread(target=recover_quietly, args=(app, stopping), name="extraction-recovery", daemon=True)
            recovery.start()
        yield
        stopping.set()
        if recovery is not None:
            recovery.join(timeout=5)  # an extraction cut off here stays pending for the next start
        app.state.audit_recorder.close()
        engine.dispose()

    app = FastAPI(
        title="Safeguarding Reviews Registry",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by install_docs_pages, from this package
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.search = build_search_backend(settings, engine)
    app.state.sessionmaker = build_sessionmaker(engine, search_outbox=not app.state.search.indexes_in_transaction)
    app.state.audit_recorder = AuditRecorder(lambda: app.state.sessionmaker())
    app.state.tokens = TokenService(settings)
    app.state.clock = clock or Clock()
    app.state.login_limits = LoginLimits(
        per_account=settings.login_failures_per_account,
        per_address=settings.login_failures_per_address,
        window=timedelta(minutes=settings.login_window_minutes),
    )
    app.state.drain_search_outbox = lambda: drain_quietly(app)
    app.state.documents = DocumentStore(settings.documents_dir)
    app.state.pdf_limits = PdfLimits.of(settings)
    app.state.extract_report_text = lambda **job: extract_then_index(app, **job)

    install_problem_handlers(app)
    app.include_router(health_router)
    app.include_router(problems_router)
    app.include_router(api_router)
    install_docs_pages(app, openapi_url=f"{API_PREFIX}/openapi.json")
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
        BodyLimitMiddleware, json_limit=settings.max_body_mb << 20, upload_limit=(settings.max_upload_mb + 1) << 20
    )
    app.add_middleware(RequestIdMiddleware)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def extract_then_index(app: FastAPI, *, review_id: str, sha256: str) -> None:
    """After an upload's response: the report's text into the review, then into search."""
    try:
        extract_report_text(
            app.state.sessionmaker,
            review_id=review_id,
            sha256=sha256,
            store=app.state.documents,
            limits=app.state.pdf_limits,
            clock=app.state.clock,
        )
    except Exception as exc:  # noqa: BLE001 - a background task must never take the worker down
        logger.warning("report text extraction failed: %s", type(exc).__name__)
    drain_quietly(app)


def recover_quietly(app: FastAPI, stop: threading.Event) -> None:
    """At start-up: extract the reports left pending when a process stopped mid-extraction."""
    try:
        recovered = recover_pending(app.state.sessionmaker, extract=app.state.extract_report_text, stop=stop)
        if recovered:
            logger.info("report text extraction: %d pending report(s) recovered at start-up", recovered)
    except Exception as exc:  # noqa: BLE001 - the server serves on; /readyz shows what is still pending
        logger.warning("pending report extraction recovery failed: %s", type(exc).__name__)


def drain_quietly(app: FastAPI) -> None:
    """The after-commit drain: a failure here only delays search; `registry search drain` and the
    next write retry it."""
    try:
        drain(app.state.sessionmaker, app.state.search, now=app.state.clock.now)
    except Exception as exc:  # noqa: BLE001 - a background task must never take the worker down
        logger.warning("search outbox drain failed: %s", type(exc).__name__)


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        app.openapi_schema = openapi.build(app)
    return app.openapi_schema
