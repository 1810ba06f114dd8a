"""The composition root: everything the registry is built from, built once from its settings.

The app (`app.main`), the CLI, the import, the benchmark and the tests all start from
`Registry.from_settings`, so none of them wires an engine, a sessionmaker or a search backend
differently from production. Request handlers reach it through `RegistryDep`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from app.audit.recorder import AuditRecorder
from app.auth.throttle import LoginLimits
from app.auth.tokens import TokenService
from app.clock import Clock
from app.config import Settings
from app.db import build_engine, build_sessionmaker
from app.documents.recovery import recover_pending
from app.documents.service import PdfLimits, extract_report_text
from app.documents.storage import DocumentStore, build_document_store
from app.search.backend import SearchBackend
from app.search.factory import build_search_backend
from app.search.outbox import drain

logger = logging.getLogger("app.registry")


@dataclass
class Registry:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    search: SearchBackend
    audit: AuditRecorder
    tokens: TokenService
    clock: Clock
    login_limits: LoginLimits
    documents: DocumentStore
    pdf_limits: PdfLimits
    # Whether close() disposes the engine: only an engine built here. A caller that passed its own
    # (a test's engine, shared by many registries) disposes it itself.
    owns_engine: bool = True

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        engine: Engine | None = None,
        bind: Connection | None = None,
        search: SearchBackend | None = None,
    ) -> Registry:
        """`bind`: sessions on this connection instead of the engine's pool (a test's transaction,
        rolled back at its end). `search`: a backend built elsewhere (a test's own index)."""
        owns_engine = engine is None
        engine = engine or build_engine(settings)
        search = search or build_search_backend(settings, engine)
        sessions = build_sessionmaker(bind or engine, search_outbox=not search.indexes_in_transaction)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            search=search,
            audit=AuditRecorder(lambda: sessions()),
            tokens=TokenService(settings),
            clock=clock or Clock(),
            login_limits=LoginLimits(
                per_pair=settings.login_failures_per_pair,
                per_address=settings.login_failures_per_address,
                window=timedelta(minutes=settings.login_window_minutes),
            ),
            documents=build_document_store(settings),
            pdf_limits=PdfLimits.of(settings),
            owns_engine=owns_engine,
        )

    def drain_search_outbox(self) -> None:
        """The after-commit drain: a failure here only delays search; `registry search drain` and the
        next write retry it."""
        try:
            drain(self.sessions, self.search, now=self.clock.now)
        except Exception as exc:  # noqa: BLE001 - a background task must never take the worker down
            logger.warning("search outbox drain failed: %s", type(exc).__name__)

    def extract_then_index(self, *, review_id: str, sha256: str) -> None:
        """After an upload's response: the report's text into the review, then into search."""
        try:
            extract_report_text(
                self.sessions, review_id=review_id, sha256=sha256, store=self.documents, limits=self.pdf_limits, clock=self.clock
            )
        except Exception as exc:  # noqa: BLE001 - a background task must never take the worker down
            logger.warning("report text extraction failed: %s", type(exc).__name__)
        self.drain_search_outbox()

    def recover_extractions(self, stop: threading.Event | None = None) -> int:
        """The reports left pending when a process stopped mid-extraction, extracted now."""
        return recover_pending(self.sessions, extract=self.extract_then_index, stop=stop)

    def close(self) -> None:
        self.audit.close()
        if self.owns_engine:
            self.engine.dispose()


async def get_registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


RegistryDep = Annotated[Registry, Depends(get_registry)]


async def get_clock(registry: RegistryDep) -> Clock:
    return registry.clock


ClockDep = Annotated[Clock, Depends(get_clock)]
