"""Review tables. A review is never deleted; its status and version only move forward."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKeyConstraint, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from app.columns import UTCDateTime, utcnow
from app.language import Language
from app.reviews.enums import ReviewStatus

_version_column = Column("version", Integer, nullable=False, default=1)


class Review(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("region", "reference"),
        Index("ix_review_listing", "created_at", "id"),
        Index("ix_review_region_status", "region", "status"),
    )
    # Optimistic locking: services bump `version` on every change, and every UPDATE says
    # WHERE version = <the version read>, so a lost race fails loudly instead of overwriting.
    __mapper_args__ = {"version_id_col": _version_column, "version_id_generator": False}

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    region: str = Field(foreign_key="region.code", max_length=64)
    reference: str = Field(max_length=100)
    kind: str = Field(max_length=8)
    review_type: str | None = Field(default=None, max_length=16)
    # `default=[]`, not `default_factory=list`: pydantic copies the empty default for each object,
    # and SQLModel's constructor inspects a factory's signature every time (0.2 ms for `list`).
    susr_criteria: list[str] = Field(default=[], sa_type=JSON)
    trigger_outcome: str = Field(max_length=40)
    on_cp_register_6m: bool = False
    looked_after_6m: bool = False
    historic: bool = False
    multiple_abuse: bool = False
    reviewers: list[dict[str, Any]] = Field(default=[], sa_type=JSON)
    title: str = Field(max_length=300)
    summary: str | None = Field(default=None, sa_type=Text)
    # Welsh beside English (issue 15): the original language, and the Welsh title and summary if given;
    # a recommendation's Welsh text is its `text_cy`. The report's text is in the original language.
    language: str = Field(default=Language.en, max_length=2)
    title_cy: str | None = Field(default=None, max_length=300)
    summary_cy: str | None = Field(default=None, sa_type=Text)
    age_band: str | None = Field(default=None, max_length=64)
    completed_on: date | None = None
    recommendations: list[dict[str, Any]] = Field(default=[], sa_type=JSON)
    full_text: str | None = Field(default=None, sa_type=Text)

    status: str = Field(default=ReviewStatus.draft, max_length=16)
    version: int = Field(default=1, sa_column=_version_column)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(max_length=200)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: str = Field(max_length=200)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_on: date | None = None
    public_until: date | None = None
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_reason: str | None = Field(default=None, max_length=2000)
    withdrawn_from: str | None = Field(default=None, max_length=16)

    tags: list["ReviewTag"] = Relationship(
        back_populates="review",
        sa_relationship_kwargs={"lazy": "selectin", "cascade": "all, delete-orphan"},
    )

    def tag_codes(self, vocabulary: str) -> list[str]:
        return sorted(tag.code for tag in self.tags if tag.vocabulary == vocabulary)

    def field_text(self, name: str) -> str | None:
        """The text of one of its fields (`recommendations/<ref>` names a recommendation's, and
        `recommendations_cy/<ref>` its Welsh), or None."""
        field, _, ref = name.partition("/")
        if field in RECOMMENDATION_TEXTS:
            key = RECOMMENDATION_TEXTS[field]
            return next((r.get(key) for r in self.recommendations or [] if r.get("ref") == ref), None)
        value = getattr(self, name, None)
        return value if isinstance(value, str) else None


class ReviewTag(SQLModel, table=True):
    """A review's codes from a multi-valued vocabulary (themes, agencies, ...): one row each, for filters."""

    __tablename__ = "review_tag"
    __table_args__ = (
        ForeignKeyConstraint(
            ["vocabulary", "code"],
            ["vocabulary_term.vocabulary", "vocabulary_term.code"],
            name="fk_review_tag_term_vocabulary_term",
        ),
        Index("ix_review_tag_term", "vocabulary", "code"),
    )

    review_id: str = Field(foreign_key="review.id", primary_key=True, max_length=36)
    vocabulary: str = Field(primary_key=True, max_length=32)
    code: str = Field(primary_key=True, max_length=64)

    review: "Review" = Relationship(back_populates="tags")


# How a location names a recommendation's text (`recommendations/R1`), and the key it is under.
RECOMMENDATION_TEXTS = {"recommendations": "text", "recommendations_cy": "text_cy"}

# Review fields that hold several codes of one vocabulary, and the vocabulary each draws on.
TAG_FIELDS: dict[str, str] = {
    "abuse_categories": "abuse_category",
    "agencies": "agency",
    "themes": "theme",
    "context_factors": "context_factor",
}
