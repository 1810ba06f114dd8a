"""What a trend measures in each bucket: pure arithmetic over facts read from the database.

`reviews` is counted by the search backend (SQL or OpenSearch); every other measure is computed
here, on either backend, from the reviews' and actions' rows (ADR 0028): the index holds no action
data, and one computation means both backends give the same answers.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

Key = tuple[Any, ...]


class Measure(StrEnum):
    reviews = "reviews"
    recommendations = "recommendations"
    actions = "actions"
    actions_completed = "actions_completed"
    actions_overdue = "actions_overdue"
    actions_on_time_share = "actions_on_time_share"
    days_to_publication_median = "days_to_publication_median"
    complete_context_share = "complete_context_share"


# Measures whose bucket holds a share or a median of `denominator` things, besides their count.
RATIOS = frozenset({Measure.actions_on_time_share, Measure.days_to_publication_median, Measure.complete_context_share})
ACTION_MEASURES = frozenset({Measure.actions, Measure.actions_completed, Measure.actions_overdue, Measure.actions_on_time_share})


@dataclass(frozen=True)
class ReviewFacts:
    recommendations: int
    submitted: bool
    completed_on: date | None
    published_on: date | None
    complete_context: bool  # no learning-context warnings now


@dataclass(frozen=True)
class ActionFacts:
    target_date: date
    completed_on: date | None  # None while the action is open
    overdue: bool


@dataclass(frozen=True)
class Cell:
    """One bucket: `count` is what it counts (for a share or a median, how many were measured: the
    denominator); `value` is the share (0 to 1) or the median, for those measures only."""

    key: Key
    count: int
    value: float | None = None


def cells(
    measure: Measure,
    keyed: Iterable[tuple[str, Key]],
    reviews: Mapping[str, ReviewFacts],
    actions: Mapping[str, list[ActionFacts]],
) -> list[Cell]:
    """`keyed`: (review id, bucket key), a review once per bucket it falls in (once per theme...).
    Buckets with nothing to count have no cell, as a combination with no reviews has none."""
    members: dict[Key, list[str]] = defaultdict(list)
    for review_id, key in keyed:
        members[key].append(review_id)
    result = []
    for key, ids in members.items():
        cell = _cell(measure, key, [reviews[i] for i in ids], [a for i in ids for a in actions.get(i, [])])
        if cell.count > 0:
            result.append(cell)
    return sorted(result, key=lambda cell: (-cell.count, tuple(str(v) for v in cell.key)))


def _cell(measure: Measure, key: Key, reviews: list[ReviewFacts], actions: list[ActionFacts]) -> Cell:
    if measure is Measure.reviews:
        return Cell(key, len(reviews))
    if measure is Measure.recommendations:
        return Cell(key, sum(r.recommendations for r in reviews))
    if measure is Measure.actions:
        return Cell(key, len(actions))
    if measure is Measure.actions_completed:
        return Cell(key, sum(1 for a in actions if a.completed_on is not None))
    if measure is Measure.actions_overdue:
        return Cell(key, sum(1 for a in actions if a.overdue))
    if measure is Measure.actions_on_time_share:
        done = [a for a in actions if a.completed_on is not None]
        on_time = sum(1 for a in done if a.completed_on is not None and a.completed_on <= a.target_date)
        return Cell(key, len(done), _share(on_time, len(done)))
    if measure is Measure.days_to_publication_median:
        days = [(r.published_on - r.completed_on).days for r in reviews if r.published_on and r.completed_on]
        return Cell(key, len(days), float(statistics.median(days)) if days else None)
    submitted = [r for r in reviews if r.submitted]
    complete = sum(1 for r in submitted if r.complete_context)
    return Cell(key, len(submitted), _share(complete, len(submitted)))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
