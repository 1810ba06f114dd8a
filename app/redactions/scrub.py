"""Finding and replacing a redacted text: in a string, or in any JSON value, however deep."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

MARKER = "[redacted]"


def pattern_of(text: str) -> re.Pattern[str]:
    """The text, in any letter case, where it stands as whole words: `Ann` is not found in `Annual`
    (a redaction must not maim the rest of the record), but is in `Ann's` and `(Ann)`. Runs of
    whitespace in the text match any run of whitespace (a name broken over lines of a report)."""
    words = [re.escape(word) for word in text.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def scrub(value: Any, pattern: re.Pattern[str]) -> tuple[Any, int]:
    """The value with every match replaced by MARKER, and how many there were. Keys of objects are
    left alone: they are the record's own names, never what a person wrote."""
    if isinstance(value, str):
        return pattern.subn(MARKER, value)
    if isinstance(value, list):
        items = [scrub(item, pattern) for item in value]
        return [item for item, _ in items], sum(n for _, n in items)
    if isinstance(value, dict):
        entries = {key: scrub(item, pattern) for key, item in value.items()}
        return {key: item for key, (item, _) in entries.items()}, sum(n for _, n in entries.values())
    return value, 0


def offsets_after(text: str, pattern: re.Pattern[str]) -> Callable[[int, bool], int]:
    """Where an offset into `text` lands once every match is replaced by MARKER: after a match it
    moves by the difference in length; inside one it goes to the marker's start (a start) or end
    (an end), so that a quote that held part of the text holds all of the marker."""
    matches = [(found.start(), found.end()) for found in pattern.finditer(text)]

    def moved(offset: int, is_end: bool) -> int:
        shift = 0
        for start, end in matches:
            if offset >= end:
                shift += len(MARKER) - (end - start)
            elif offset > start:
                return start + shift + (len(MARKER) if is_end else 0)
            else:
                break
        return offset + shift

    return moved
