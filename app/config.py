"""Settings: one pydantic-settings object, read from REGISTRY_* environment variables."""

from __future__ import annotations

import ipaddress
import secrets
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Secrets that must never protect a real deployment: they appear in docs and examples.
KNOWN_DEFAULT_SECRETS = frozenset({"", "secret", "changeme", "change-me", "development", "dev-secret"})
MIN_SECRET_BYTES = 32


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    env: Environment = Environment.development
    database_url: str = "sqlite:///./registry.db"
    opensearch_url: str | None = None
    opensearch_index_prefix: str = Field(default="registry-reviews", pattern=r"^[a-z0-9][a-z0-9-]{0,60}$")
    # Each new index's primary shards and replicas (deploy/README.md, "Index settings by size");
    # unset, the cluster's defaults.
    opensearch_shards: int | None = Field(default=None, ge=1, le=64)
    opensearch_replicas: int | None = Field(default=None, ge=0, le=8)
    # How long a search waits for the cluster before answering 503.
    opensearch_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    documents_dir: Path = Path("./documents")
    # Where document bytes live (ADR 0043): the folder above, or a bucket of S3-compatible object
    # storage with the folder as its local cache. Credentials come from boto3's usual chain
    # (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, an instance role), never from here.
    documents_store: Literal["folder", "s3"] = "folder"
    s3_bucket: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    s3_prefix: str = Field(default="documents/", pattern=r"^([A-Za-z0-9._-]+/)*$")
    s3_endpoint_url: str | None = None  # another S3-compatible service than AWS's
    s3_region: str | None = None
    public_window_days: int = Field(default=84, ge=0, le=36500)
    max_upload_mb: int = Field(default=25, ge=1, le=1024)
    max_body_mb: int = Field(default=8, ge=1, le=256)
    # An archive uploaded to POST /imports (ADR 0035): its size as sent, its files, its size unpacked.
    max_import_mb: int = Field(default=200, ge=1, le=4096)
    max_import_files: int = Field(default=2000, ge=1, le=100_000)
    max_import_unpacked_mb: int = Field(default=1024, ge=1, le=16_384)
    pdf_max_pages: int = Field(default=500, ge=1, le=10_000)
    pdf_check_seconds: float = Field(default=15, gt=0)
    pdf_extract_seconds: float = Field(default=120, gt=0)
    # PDFs with JavaScript, launch actions, attached files and the like are refused unless this is on.
    pdf_allow_active_content: bool = False
    # Each process extracts, in the background, the reports left `pending` by an earlier one (and fails
    # the import jobs a stopped process left unfinished). Turn it off to run `registry documents
    # recover` once per deployment instead.
    recover_extractions_on_startup: bool = True

    # Tokens. HS256 signs with jwt_secret; RS256 signs with a private key and verifies with the public one.
    jwt_algorithm: str = Field(default="HS256", pattern="^(HS256|RS256)$")
    jwt_secret: str | None = None
    jwt_private_key_file: Path | None = None
    jwt_public_key_file: Path | None = None
    jwt_issuer: str = "safeguarding-registry"
    jwt_audience: str = "safeguarding-registry-api"
    jwt_ttl_seconds: int = Field(default=900, ge=60, le=3600)

    # Refused sign-ins allowed per account and per address within the window before a 429.
    login_failures_per_pair: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    # Proxies (comma-separated addresses or networks) whose X-Forwarded-For names the client; none
    # by default, so the peer address is the client and a forged header changes nothing.
    trusted_proxies: str = ""
    # Origins (comma-separated, exact) whose browser pages may call the API; none by default.
    cors_origins: str = ""

    # How long a request may wait for a database connection before it is answered 503.
    database_timeout_seconds: float = Field(default=5.0, gt=0)
    # Connections each process keeps open, and how many more it may open when busy. The default is one
    # for each of the server's request threads (anyio runs at most 40 at once), so that no request
    # waits for one; size them so that every process of every replica fits the database's
    # max_connections.
    database_pool_size: int = Field(default=20, ge=1)
    database_max_overflow: int = Field(default=20, ge=0)

    @model_validator(mode="after")
    def _a_bucket_is_named(self) -> Settings:
        if self.documents_store == "s3" and not self.s3_bucket:
            raise ValueError("REGISTRY_DOCUMENTS_STORE=s3 needs REGISTRY_S3_BUCKET")
        return self

    @model_validator(mode="after")
    def _secrets_fit_the_environment(self) -> Settings:
        if self.jwt_algorithm == "RS256":
            if not (self.jwt_private_key_file and self.jwt_public_key_file):
                raise ValueError("RS256 needs REGISTRY_JWT_PRIVATE_KEY_FILE and REGISTRY_JWT_PUBLIC_KEY_FILE")
            return self
        if self.env == Environment.production:
            secret = self.jwt_secret or ""
            if secret.lower() in KNOWN_DEFAULT_SECRETS or len(secret.encode()) < MIN_SECRET_BYTES:
                raise ValueError(f"REGISTRY_ENV=production needs REGISTRY_JWT_SECRET of at least {MIN_SECRET_BYTES} random bytes")
        elif not self.jwt_secret:
            # Development only: a fresh secret per run, so no token outlives the process.
            self.jwt_secret = secrets.token_urlsafe(48)
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for proxy in _comma_list(value):
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"REGISTRY_TRUSTED_PROXIES: {proxy!r} is not an IP address or network") from None
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        return _comma_list(self.trusted_proxies)

    @property
    def allowed_origins(self) -> list[str]:
        return _comma_list(self.cors_origins)


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]
