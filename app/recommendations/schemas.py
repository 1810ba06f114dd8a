"""Recommendations as the API answers them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.recommendations.enums import ActionStatusSummary
from app.reviews.enums import RecommendationLevel


class ReviewBrief(BaseModel):
    id: str
    reference: str
    title: str
    region: str
    year: int | None = Field(description="The year the review was completed")


class ActionCounts(BaseModel):
    total: int = Field(description="Actions of the review's action plan that address this recommendation")
    completed: int
    overdue: int = Field(description="Not completed, and past their target date")


class RecommendationItem(BaseModel):
    review: ReviewBrief
    ref: str
    text: str
    level: RecommendationLevel
    actions: ActionCounts
    action_status: ActionStatusSummary = Field(
        description="none: no action; not_started: every action not started; completed: every action completed; "
        "in_progress: anything between."
    )


class SimilarRecommendation(RecommendationItem):
    score: float = Field(
        description="The Dice coefficient of the two recommendations' terms (lower-cased words without stopwords), "
        "0 to 1. Depends on the pair alone; ties come newest first, then by review id and position."
    )


class SimilarRecommendations(BaseModel):
    source: RecommendationItem
    items: list[SimilarRecommendation]


class RecommendationResults(BaseModel):
    total: int
    items: list[RecommendationItem]
    next_cursor: str | None = None
