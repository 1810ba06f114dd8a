"""Small schema pieces shared by every domain: strict input types and the input base class."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, ValidationInfo, field_validator

# A code of a controlled vocabulary or a region: lower-case words joined by hyphens.
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]

# JSON true/false only: "yes", 1 or "false" are refused rather than guessed at.
StrictBool = Annotated[bool, Strict()]


def _iso_date_only(value: Any) -> Any:
    if isinstance(value, date) or (isinstance(value, str)):
        return value
    raise ValueError("a date must be a string like 2024-03-31")


# An ISO 8601 date string; a number is refused rather than read as seconds since 1970.
IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


def _iso_instant_only(value: Any) -> Any:
    if isinstance(value, datetime) or (isinstance(value, str) and "-" in value and not _NUMBER.fullmatch(value)):
        return value
    raise ValueError("an instant must be ISO 8601, like 2026-11-19T00:00:00Z")


_NUMBER = re.compile(r"[-+]?\d+(\.\d*)?([eE][-+]?\d+)?")

# An ISO 8601 date-time; a bare number is refused rather than read as seconds since 1970.
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_instant_only)]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


class StrictInput(BaseModel):
    """Request bodies: unknown fields are refused (a typo must not be silently dropped), and so is
    a NUL character, which PostgreSQL cannot store and no real text contains."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _within_the_documented_length(cls, value: Any, info: ValidationInfo) -> Any:
        # Whitespace is stripped before pydantic checks max_length, but the OpenAPI document's
        # maxLength is about the text sent: hold the text sent to it too.
        if isinstance(value, str) and info.field_name is not None:
            limits = [m.max_length for m in cls.model_fields[info.field_name].metadata if getattr(m, "max_length", None)]
            if limits and len(value) > min(limits):
                raise ValueError(f"at most {min(limits)} characters")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("text must not contain NUL characters")
        return value
