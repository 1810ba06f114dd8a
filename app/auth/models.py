"""Accounts that may ask for tokens: people (password grant) and systems (client credentials).

Each account's `token_generation` is carried in every token issued to it and compared on every
request: a change that must end the account's tokens (deactivation, a new role or region, a new
password or secret) adds one to it, and every token issued before is refused (ADR 0034)."""

import uuid
from datetime import datetime

from sqlalchemy import Column, Integer
from sqlmodel import Field, SQLModel

from app.columns import UTCDateTime, utcnow

_user_version = Column("version", Integer, nullable=False, default=1)
_client_version = Column("version", Integer, nullable=False, default=1)


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    __mapper_args__ = {"version_id_col": _user_version, "version_id_generator": False}

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    username: str = Field(unique=True, max_length=150)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=32)
    region: str | None = Field(default=None, foreign_key="region.code", max_length=64)
    active: bool = True
    token_generation: int = 0
    version: int = Field(default=1, sa_column=_user_version)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiClient(SQLModel, table=True):
    __tablename__ = "api_client"
    __mapper_args__ = {"version_id_col": _client_version, "version_id_generator": False}

    client_id: str = Field(primary_key=True, max_length=150)
    secret_hash: str = Field(max_length=255)
    role: str = Field(max_length=32)
    region: str | None = Field(default=None, foreign_key="region.code", max_length=64)
    active: bool = True
    token_generation: int = 0
    version: int = Field(default=1, sa_column=_client_version)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SignInAttempts(SQLModel, table=True):
    """How many sign-ins one account name from one address, or one address, has tried in its
    current window (app/auth/throttle.py). Counted before the password is checked, one atomic
    upsert per key."""

    __tablename__ = "sign_in_attempts"

    key: str = Field(primary_key=True, max_length=300)  # "pair:NAME|IP" or "address:IP"
    window_started: datetime = Field(sa_type=UTCDateTime)
    attempts: int
