"""Document metadata as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.documents.enums import DocumentKind, TextStatus
from app.documents.models import ReviewDocument
from app.schemas import MultiLineFormField

# Why a document is replaced after submission (a correction): every reader of the review sees it.
Reason = Annotated[MultiLineFormField, Field(min_length=3, max_length=2000)]


class DocumentOut(BaseModel):
    kind: DocumentKind
    filename: str
    size: int
    sha256: str
    pages: int
    text_status: TextStatus = Field(
        description="For the report: whether its text has been extracted into the review's full text."
    )
    version: int
    uploaded_at: datetime
    uploaded_by: str

    @classmethod
    def from_model(cls, document: ReviewDocument) -> DocumentOut:
        return cls.model_validate(document.model_dump())
