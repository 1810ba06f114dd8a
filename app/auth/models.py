"""Accounts that may ask for tokens: people (password grant) and systems (client credentials)."""

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from app.columns import UTCDateTime, utcnow


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    username: str = Field(unique=True, max_length=150)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=32)
    region: str | None = Field(default=None, foreign_key="region.code", max_length=64)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiClient(SQLModel, table=True):
    __tablename__ = "api_client"

    client_id: str = Field(primary_key=True, max_length=150)
    secret_hash: str = Field(max_length=255)
    role: str = Field(max_length=32)
    region: str | None = Field(default=None, foreign_key="region.code", max_length=64)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SignInAttempts(SQLModel, table=True):
    """How many sign-ins one account name or one address has tried in its current window
    (app/auth/throttle.py). Counted before the password is checked, one atomic upsert per key."""

    __tablename__ = "sign_in_attempts"

    key: str = Field(primary_key=True, max_length=300)  # "account:NAME" or "address:IP"
    window_started: datetime = Field(sa_type=UTCDateTime)
    attempts: int
