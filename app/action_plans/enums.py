"""The states an action moves through."""

from enum import StrEnum


class ActionStatus(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    completed = "completed"
