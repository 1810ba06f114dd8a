"""Small schema pieces shared by every domain: strict input types and the input base class."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    Strict,
    ValidationInfo,
    create_model,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from app.text import first_refused, schema_of_text

# The validation context of a record read back from the database: the rules below are about what
# a client may send now, and a row stored before a rule existed must still be shown (ADR 0019).
STORED = {"stored": True}


def _stored(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("stored"))


@dataclass(frozen=True)
class InDocument:
    """JSON Schema keywords for the OpenAPI document alone, saying what a validator of the model
    checks in Python (with its clearer message), so that what the document admits is taken."""

    keywords: tuple[tuple[str, Any], ...]

    def __get_pydantic_json_schema__(self, core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {**handler(core), **dict(self.keywords)}


def in_document(**keywords: Any) -> InDocument:
    return InDocument(tuple(keywords.items()))


# A text with no NUL: the whole rule for the free text of a query or a password.
NO_NUL = r"^[^\u0000]*$"

# A list that holds each item at most once (its model refuses a repeated one).
UniqueItems = in_document(uniqueItems=True)


# A code of a controlled vocabulary or a region: lower-case words joined by hyphens.
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]

# JSON true/false only: "yes", 1 or "false" are refused rather than guessed at.
StrictBool = Annotated[bool, Strict()]


def _integral_number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)  # JSON Schema's integer: 12.0 is 12
    return value


# After an int's constraints and Strict(): a JSON integer, 12 or 12.0 (JSON Schema's integer), and
# not "12", true or 12.5: Annotated[int, Field(ge=0), Strict(), JSON_INTEGER].
JSON_INTEGER = BeforeValidator(_integral_number)


def _iso_date_only(value: Any) -> Any:
    if isinstance(value, (date, str)):
        return value
    raise ValueError("a date must be a string like 2024-03-31")


# An ISO 8601 date string; a number is refused rather than read as seconds since 1970.
IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]

# The dates a review, an action or a publication can plausibly have (ADR 0019).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def _plausible(value: date, info: ValidationInfo) -> date:
    if not _stored(info) and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise PydanticCustomError(
            "date_out_of_range",
            "must be between {earliest} and {latest}",
            {"earliest": str(EARLIEST_DATE), "latest": str(LATEST_DATE)},
        )
    return value


def latest_past_date() -> date:
    """Today anywhere on earth: tomorrow in UTC, so a board east of Greenwich is never refused its today."""
    return datetime.now(UTC).date() + timedelta(days=1)


def _not_in_the_future(value: date, info: ValidationInfo) -> date:
    if not _stored(info) and value > latest_past_date():
        raise PydanticCustomError(
            "date_in_future", "must not be in the future (at most {latest})", {"latest": str(latest_past_date())}
        )
    return value


# A date between 1900-01-01 and 2100-12-31: a target date, say.
PlausibleDate = Annotated[IsoDate, AfterValidator(_plausible), in_document(pattern=r"^(19[0-9]{2}|20[0-9]{2}|2100)-")]
# A date something happened on (a review completed, published): also not after today.
PastDate = Annotated[PlausibleDate, AfterValidator(_not_in_the_future)]


def _iso_instant_only(value: Any) -> Any:
    if isinstance(value, datetime) or (isinstance(value, str) and "-" in value and not _NUMBER.fullmatch(value)):
        return value
    raise ValueError("an instant must be ISO 8601, like 2026-11-19T00:00:00Z")


_NUMBER = re.compile(r"[-+]?\d+(\.\d*)?([eE][-+]?\d+)?")

# An ISO 8601 date-time; a bare number is refused rather than read as seconds since 1970.
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_instant_only)]


def _text_checker(*, multiline: bool) -> AfterValidator:
    kind = "multi-line text" if multiline else "one-line text"

    def check(value: str, info: ValidationInfo) -> str:
        if not _stored(info) and (refused := first_refused(value, multiline=multiline)) is not None:
            raise PydanticCustomError(
                "forbidden_character",
                "{character} is not allowed in {kind}: format and control characters can hide or reorder what a reader sees",
                {"character": refused, "kind": kind},
            )
        return value

    return AfterValidator(check)


@dataclass(frozen=True)
class _DocumentedCharacters:
    """Puts the text check in the OpenAPI document (`pattern` and `not`), so that a schema-valid text is
    one the registry takes (the check itself stays in Python, with its clearer message)."""

    multiline: bool
    in_form: bool = False

    def __get_pydantic_json_schema__(self, core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core)
        minimum = schema.get("minLength", 0)
        return {**schema, **schema_of_text(multiline=self.multiline, min_length=minimum, in_form=self.in_form)}


# A title, a reference, a name, a label: one line of visible text (app/text.py says which
# characters that excludes). Give its length with Field: Annotated[SingleLine, Field(max_length=300)].
SingleLine = Annotated[str, _text_checker(multiline=False), _DocumentedCharacters(multiline=False)]
# A summary, a report, a recommendation, a note: lines, paragraphs and tabs, but nothing hidden.
MultiLine = Annotated[str, _text_checker(multiline=True), _DocumentedCharacters(multiline=True)]
# MultiLine as a form field (not stripped, documented for a multipart body).
MultiLineFormField = Annotated[str, _text_checker(multiline=True), _DocumentedCharacters(multiline=True, in_form=True)]


class StrictInput(BaseModel):
    """Request bodies: unknown fields are refused (a typo must not be silently dropped). Each text
    field is a SingleLine or MultiLine, which refuse NUL and the other hidden characters."""

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


def merge_patch_of(model: type[StrictInput], *, name: str, exclude: frozenset[str] = frozenset()) -> type[StrictInput]:
    """A JSON merge patch (RFC 7396) of `model`: every field but `exclude`, optional and typed as the
    model types it, so that the document admits only what the model may then hold. A field without
    a default cannot be cleared, so null is not offered for it; one with a default is nullable, and
    null sets it back to that default (the service merges, then validates `model`)."""
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        if field_name in exclude:
            continue
        typed = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        # The default None stands for "left out" and is never validated; a null sent is, and only a
        # field with a default takes it.
        patched = typed if info.is_required() else cast(Any, typed) | None
        fields[field_name] = (
            patched,
            Field(default=None, description=info.description, json_schema_extra=no_default_in_document),
        )
    return create_model(name, __base__=StrictInput, **fields)


def no_default_in_document(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # a member left out of a patch is left as it is: it has no default
