"""A redaction's request and its answer: what was rewritten, never the text that was removed."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from app.schemas import MultiLine, StrictInput


class RedactionIn(StrictInput):
    text: Annotated[
        MultiLine,
        Field(
            min_length=3,
            max_length=1000,
            description="The text to remove (a name, an address), found in any letter case where it stands as whole words. "
            "Never stored, logged or audited.",
        ),
    ]
    reason: Annotated[
        MultiLine, Field(min_length=3, max_length=2000, description="Why the text is removed; kept in the audit and the history.")
    ]


class RewrittenPlace(BaseModel):
    entity: str = Field(description="`review`, `action`, `coding` or `revision`")
    entity_id: str
    fields: list[str] = Field(description="The fields where the text was replaced by `[redacted]`")
    occurrences: int


class RedactionOut(BaseModel):
    review_id: str
    version: int = Field(description="The review's version after the redaction (its new ETag)")
    marker: str = Field(description="What each occurrence was replaced with")
    occurrences: int = Field(description="How many occurrences were replaced, everywhere")
    revisions_rewritten: int = Field(description="How many of the review's earlier revisions held the text")
    places: list[RewrittenPlace]
    documents_to_replace: list[str] = Field(
        description="The document kinds whose extracted text held the text: their files still do. Replace each with a "
        "redacted upload (PUT /reviews/{id}/documents/{kind} with a reason)."
    )
