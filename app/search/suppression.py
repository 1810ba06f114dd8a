"""Small-number suppression for trends shown below the inspectorate.

Counts from 1 to 4 describe too few children to show. Hiding them is not enough when the other
cells of a row or column are shown, since a reader who knows (or can ask for) the line's total
gets the hidden cell by subtraction. So wherever a line would have exactly one hidden cell, the
smallest shown cell in it is hidden too, repeated until no line has a lone hidden cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any

SMALLEST_SHOWN = 5

Key = tuple[Any, ...]


def suppress(cells: Sequence[tuple[Key, int]]) -> set[Key]:
    """The keys whose counts must be hidden (primary and complementary suppression)."""
    counts = dict(cells)
    hidden = {key for key, count in counts.items() if 0 < count < SMALLEST_SHOWN}
    dimensions = len(next(iter(counts))) if counts else 0
    changed = True
    while changed:
        changed = False
        for line in _lines(counts, dimensions):
            lone = [key for key in line if key in hidden]
            shown = [key for key in line if key not in hidden]
            if len(lone) == 1 and shown:
                hidden.add(min(shown, key=lambda key: (counts[key], str(key))))
                changed = True
    return hidden


def _lines(counts: dict[Key, int], dimensions: int) -> list[list[Key]]:
    """Rows and columns of the table: the whole table for one dimension; for two, each value of
    either dimension with every cell that shares it."""
    if dimensions <= 1:
        return [list(counts)]
    lines: dict[tuple[int, Hashable], list[Key]] = defaultdict(list)
    for key in counts:
        for axis, value in enumerate(key):
            lines[(axis, value)].append(key)
    return list(lines.values())
