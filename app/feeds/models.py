"""Saved searches: a query and filters an account keeps, and the hash of its feed's token."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from app.columns import UTCDateTime, utcnow


class SavedSearch(SQLModel, table=True):
    __tablename__ = "saved_search"
    __table_args__ = (Index("ix_saved_search_owner", "owner_subject", "created_at"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    # Whose it is, as their token said when they saved it: the feed is read with this role and region.
    owner_subject: str = Field(max_length=200)
    owner_role: str = Field(max_length=16)
    owner_region: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=200)
    q: str = Field(max_length=500)
    filters: dict[str, Any] = Field(default={}, sa_type=JSON)
    # sha256 of the feed's token, hex; None once revoked. The token itself is never stored.
    token_hash: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    token_issued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
