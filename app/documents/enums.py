"""The kinds of document a review carries, and how far its text extraction got."""

from enum import StrEnum


class DocumentKind(StrEnum):
    report = "report"
    terms_of_reference = "terms-of-reference"
    timeline = "timeline"
    briefing = "briefing"
    press_statement = "press-statement"
    action_plan = "action-plan"


class TextStatus(StrEnum):
    pending = "pending"
    extracted = "extracted"
    failed = "failed"
    not_needed = "not-needed"
