"""Regions and controlled vocabularies: data seeded by a migration, extended by admins."""

from datetime import datetime

from sqlalchemy import ForeignKeyConstraint
from sqlmodel import Field, SQLModel

from app.columns import UTCDateTime, utcnow


class Region(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VocabularyTerm(SQLModel, table=True):
    __tablename__ = "vocabulary_term"
    __table_args__ = (
        ForeignKeyConstraint(
            ["vocabulary", "parent"],
            ["vocabulary_term.vocabulary", "vocabulary_term.code"],
            name="fk_vocabulary_term_parent_vocabulary_term",
        ),
    )

    vocabulary: str = Field(primary_key=True, max_length=32)
    code: str = Field(primary_key=True, max_length=64)
    label: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    # A term's broader term in the same vocabulary (the learning themes' sub-themes): a code, or None.
    parent: str | None = Field(default=None, max_length=64)
