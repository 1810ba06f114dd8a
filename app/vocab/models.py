"""Regions and controlled vocabularies: data seeded by a migration, extended by admins."""

from datetime import datetime

from sqlalchemy import Column, ForeignKeyConstraint, Integer
from sqlmodel import Field, SQLModel

from app.columns import UTCDateTime, utcnow


class Region(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    name_cy: str | None = Field(default=None, max_length=200)  # the board's Welsh name
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


_label_version = Column("version", Integer, nullable=False, default=1)


class TermLabel(SQLModel, table=True):
    """A term's label in a language other than English (Welsh), for every vocabulary, the fixed ones
    too. Awaiting a translator's review until `reviewed_at` is set (ADR 0045)."""

    __tablename__ = "term_label"
    # Optimistic locking, as on a review: two translators correcting one label cannot both win.
    __mapper_args__ = {"version_id_col": _label_version, "version_id_generator": False}

    vocabulary: str = Field(primary_key=True, max_length=32)
    code: str = Field(primary_key=True, max_length=64)
    language: str = Field(primary_key=True, max_length=2)
    label: str = Field(max_length=200)
    reviewed_by: str | None = Field(default=None, max_length=200)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_label_version)
