"""create_app(settings): the application, its state and its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from sqlalchemy import Engine

from app import __version__
from app.api import API_PREFIX, api_router
from app.auth.tokens import TokenService
from app.clock import Clock
from app.config import Settings
from app.db import build_engine, build_sessionmaker
from app.errors import PROBLEM_MEDIA_TYPE, install_problem_handlers
from app.health import router as health_router
from app.middleware import RequestIdMiddleware

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
        yield
        engine.dispose()

    app = FastAPI(
        title="Safeguarding Reviews Registry",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = build_sessionmaker(engine)
    app.state.tokens = TokenService(settings)
    app.state.clock = clock or Clock()

    install_problem_handlers(app)
    app.include_router(health_router)
    app.include_router(api_router)
    app.add_middleware(RequestIdMiddleware)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated document, with problem responses under application/problem+json only."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        for path in schema["paths"].values():
            for operation in path.values():
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    if PROBLEM_MEDIA_TYPE in content and "application/json" in content:
                        content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
        app.openapi_schema = schema
    return app.openapi_schema
