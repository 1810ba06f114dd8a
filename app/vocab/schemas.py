"""Regions and vocabularies as the API shows them."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from app.language import Language
from app.schemas import Code, MultiLine, SingleLine, StrictInput

Label = Annotated[SingleLine, Field(min_length=1, max_length=200)]


class RegionNames(BaseModel):
    en: str
    cy: str | None = Field(description="The board's Welsh name; null for a region added without one.")


class RegionOut(BaseModel):
    code: str
    name: str = Field(description="The board's name in the language the request asked for (`Accept-Language`), else English.")
    names: RegionNames


class RegionCreate(StrictInput):
    code: Code
    name: Label
    name_cy: Label | None = Field(default=None, description="The board's Welsh name.")


class TermLabels(BaseModel):
    en: str
    cy: str | None = Field(description="The Welsh label; null for a term added without one.")


class Term(BaseModel):
    code: str
    label: str = Field(description="The label in the language the request asked for (`Accept-Language`), else English.")
    labels: TermLabels
    labels_awaiting_review: list[Language] = Field(
        description="The languages whose label no translator has reviewed yet (`cy` for a drafted Welsh label)."
    )
    welsh_label_etag: str = Field(
        description='The Welsh label\'s version: send it as `If-Match` to correct the label (`"0"` while it has none).'
    )
    description: str | None = None
    parent: str | None = Field(default=None, description="The broader term's code in the same vocabulary (learning themes).")


class TermCreate(StrictInput):
    code: Code
    label: Label
    label_cy: Label | None = Field(default=None, description="The term's Welsh label, if known.")
    description: Annotated[MultiLine, Field(max_length=2000)] | None = None
    parent: Code | None = Field(default=None, description="A code already in the same vocabulary: the new term sits under it.")


class WelshLabelIn(StrictInput):
    label: Label


class Vocabularies(BaseModel):
    """Every code a review, action or coding may use. The first seven are data an admin can extend;
    the rest are fixed by the review framework."""

    theme: list[Term]
    age_band: list[Term]
    abuse_category: list[Term]
    agency: list[Term]
    context_factor: list[Term]
    learning_theme: list[Term]
    perspective: list[Term]
    kind: list[Term]
    review_type: list[Term]
    susr_criterion: list[Term]
    trigger_outcome: list[Term]
    recommendation_level: list[Term]
    action_status: list[Term]
