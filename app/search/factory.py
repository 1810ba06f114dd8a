"""Which search backend this deployment uses: OpenSearch when REGISTRY_OPENSEARCH_URL is set."""

from __future__ import annotations

from sqlalchemy import Engine

from app.config import Settings
from app.search.backend import SearchBackend
from app.search.sql import SqlSearchBackend


def build_search_backend(settings: Settings, engine: Engine) -> SearchBackend:
    if settings.opensearch_url:
        from app.search.opensearch import OpenSearchBackend

        return OpenSearchBackend.from_settings(settings)
    return SqlSearchBackend(engine.dialect.name)
