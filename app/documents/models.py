"""Typed documents of a review: the report, its terms of reference, timeline, briefing, press
statement and action plan, each stored as a PDF with its checksum."""

from datetime import datetime

from sqlalchemy import Column, Integer
from sqlmodel import Field, SQLModel

from app.columns import UTCDateTime

_document_version = Column("version", Integer, nullable=False, default=1)


class ReviewDocument(SQLModel, table=True):
    __tablename__ = "review_document"
    __mapper_args__ = {"version_id_col": _document_version, "version_id_generator": False}

    review_id: str = Field(foreign_key="review.id", primary_key=True, max_length=36)
    kind: str = Field(primary_key=True, max_length=32)
    filename: str = Field(max_length=255)
    size: int
    sha256: str = Field(max_length=64)
    pages: int
    text_status: str = Field(max_length=16)
    version: int = Field(default=1, sa_column=_document_version)
    uploaded_at: datetime = Field(sa_type=UTCDateTime)
    uploaded_by: str = Field(max_length=200)
