"""How far a recommendation's actions have gone (ADR 0027)."""

from enum import StrEnum


class ActionStatusSummary(StrEnum):
    """One word for all the actions of a recommendation."""

    none = "none"  # no action addresses it
    not_started = "not_started"  # every action is not started
    in_progress = "in_progress"  # some have started or finished, not all are completed
    completed = "completed"  # every action is completed


class ActionStatusFilter(StrEnum):
    """The `action_status` filter: a summary, or `not_completed` (none, not_started or in_progress)."""

    none = "none"
    not_started = "not_started"
    in_progress = "in_progress"
    completed = "completed"
    not_completed = "not_completed"
