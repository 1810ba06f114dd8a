"""The search outbox: one row per review whose search document must be (re)written."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.columns import UTCDateTime


class SearchOutbox(SQLModel, table=True):
    __tablename__ = "search_outbox"

    id: int | None = Field(default=None, primary_key=True)
    review_id: str = Field(max_length=36, index=True)
    enqueued_at: datetime = Field(sa_type=UTCDateTime)
    available_at: datetime = Field(sa_type=UTCDateTime, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=200)
