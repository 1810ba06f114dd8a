"""The coding table: one quoted passage of a review, coded with a learning theme from a perspective."""

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKeyConstraint, Index, Integer, Text
from sqlmodel import Field, SQLModel

from app.columns import UTCDateTime, utcnow

_coding_version = Column("version", Integer, nullable=False, default=1)


class Coding(SQLModel, table=True):
    __table_args__ = (
        ForeignKeyConstraint(
            ["theme_vocabulary", "theme"],
            ["vocabulary_term.vocabulary", "vocabulary_term.code"],
            name="fk_coding_theme_vocabulary_term",
        ),
        ForeignKeyConstraint(
            ["perspective_vocabulary", "perspective"],
            ["vocabulary_term.vocabulary", "vocabulary_term.code"],
            name="fk_coding_perspective_vocabulary_term",
        ),
        Index("ix_coding_review_coder", "review_id", "coder"),
        Index("ix_coding_theme", "theme", "review_id"),
    )
    __mapper_args__ = {"version_id_col": _coding_version, "version_id_generator": False}

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    review_id: str = Field(foreign_key="review.id", max_length=36)
    coder: str = Field(max_length=200, description="The subject of the token that made it")
    theme_vocabulary: str = Field(default="learning_theme", max_length=32)
    theme: str = Field(max_length=64)
    perspective_vocabulary: str = Field(default="perspective", max_length=32)
    perspective: str = Field(max_length=64)
    quote: str = Field(sa_type=Text)
    # Where the quote is: a field of the review (`title`, `summary`, `full_text`, `recommendations/R1`)
    # or a document kind (`report`), and its character offsets there (Python string indices).
    location_field: str | None = Field(default=None, max_length=40)
    location_document_kind: str | None = Field(default=None, max_length=32)
    start_offset: int
    end_offset: int
    note: str | None = Field(default=None, sa_type=Text)
    version: int = Field(default=1, sa_column=_coding_version)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
