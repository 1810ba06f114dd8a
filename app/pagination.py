"""Opaque cursors for keyset pagination.

A cursor is base64 of the JSON of a `CursorPosition`: each list subclasses it with the fields its
order needs, and `decode_cursor` gives back an instance of that subclass, or refuses the cursor
with a 422. The position's types and ranges are checked there, once, strictly (no `"1"` for 1, no
`true` for 1, no number past what the database can compare), so a service never sees a value it
has to check again.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from app.errors import InvalidInput, ProblemItem
from app.schemas import SingleLine

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# The largest integer id a row can have: an INTEGER key on PostgreSQL (SQLite's go to 2**63 - 1,
# past which it cannot compare at all).
MAX_ROW_ID = 2**31 - 1


class CursorPosition(BaseModel):
    """Where a page ends. Subclass it with the fields of the order; JSON types only, exactly."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _in_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-14:00 is past the last instant Python has
        raise ValueError("out of range") from None


# Field types for positions: a row's integer id, a row's text id, an instant.
RowId = Annotated[int, Field(ge=0, le=MAX_ROW_ID)]
TextId = Annotated[SingleLine, Field(min_length=1, max_length=64)]
Instant = Annotated[AwareDatetime, AfterValidator(_in_utc)]


def encode_cursor(position: CursorPosition) -> str:
    return base64.urlsafe_b64encode(position.model_dump_json().encode()).decode().rstrip("=")


def decode_cursor[Position: CursorPosition](cursor: str, position: type[Position]) -> Position:
    """The position a cursor holds, or a 422 problem naming the `cursor` parameter."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return position.model_validate_json(raw)
    except (binascii.Error, ValueError, ValidationError):
        raise invalid_cursor() from None


def invalid_cursor() -> InvalidInput:
    return InvalidInput(
        "The cursor is not one this API gave out.",
        errors=[
            ProblemItem(
                code="invalid-cursor",
                detail="Use next_cursor from the previous page, unchanged.",
                location="query",
                field="cursor",
            )
        ],
    )
