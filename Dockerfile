# syntax=docker/dockerfile:1
# The registry's image: `registry migrate`, then uvicorn with two workers on port 8000. The same image
# runs the search-outbox worker (`registry search drain --follow`, see deploy/compose.yaml).
# Build from the repository root:  docker build -t safeguarding-registry .
# (Written without a Docker engine at hand: see deploy/README.md for what was and was not tried.)

# --- builder: the package and its dependencies, installed into a virtualenv ------------------------
FROM python:3.12-slim AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /build
# pyproject.toml names README.md as the package's readme, so the build needs it.
COPY pyproject.toml README.md ./
COPY app ./app
RUN /opt/venv/bin/pip install .

# --- runtime -----------------------------------------------------------------------------------------
FROM python:3.12-slim AS runtime
# app/migrations.py finds alembic.ini and alembic/ beside the `app` package, so the source tree is
# copied too and put first on the path: `import app` loads /srv/registry/app, next to its migrations.
# PDFs are read in a child process, `python -m app.documents.extract` with the same interpreter
# (/opt/venv/bin/python, where pypdf is installed): it inherits PYTHONPATH, so it imports this `app` too.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/srv/registry \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    REGISTRY_DATABASE_URL=sqlite:////var/lib/registry/registry.db \
    REGISTRY_DOCUMENTS_DIR=/var/lib/registry/documents

RUN groupadd --system --gid 10001 registry \
 && useradd --system --uid 10001 --gid registry --home-dir /var/lib/registry --shell /usr/sbin/nologin registry \
 && mkdir -p /var/lib/registry/documents \
 && chown -R registry:registry /var/lib/registry

COPY --from=builder /opt/venv /opt/venv
WORKDIR /srv/registry
COPY alembic.ini ./
COPY alembic ./alembic
COPY app ./app

# The user `registry`, by number, so that runAsNonRoot-style checks can tell it is not root.
USER 10001:10001
# The embedded SQLite database (the default above) and the documents live under /var/lib/registry:
# mount a volume there (deploy/compose.yaml mounts one for the documents and uses PostgreSQL).
# Uploads over 1 MB are spooled to /tmp while they are received, and the workers keep their metrics
# in a folder of /tmp (ADR 0042): with a read-only root filesystem, mount a tmpfs there.
EXPOSE 8000

# Liveness only (the slim image has no curl). /readyz also checks the database and the migrations.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# Migrating is a no-op when the schema is already at head.
CMD ["sh", "-c", "registry migrate && exec registry serve --host 0.0.0.0 --port 8000 --workers 2"]
