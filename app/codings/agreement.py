"""Agreement between coders, as pure functions (no database): Cohen's kappa for two coders,
Fleiss' kappa for more coders who all rated every unit, Krippendorff's alpha (nominal) for any
number of coders with missing ratings. Each answers None when it is undefined: when the agreement
expected by chance is already complete (every rating in one category), kappa and alpha are 0/0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence


def cohen_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen (1960): two coders' categories for the same units, one pair per unit.
    kappa = (p_o - p_e) / (1 - p_e), p_e from each coder's own marginal proportions."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in first) / (n * n)
    if expected >= 1 - 1e-12:
        return None
    return (observed - expected) / (1 - expected)


def fleiss_kappa(counts: Sequence[Sequence[int]]) -> float | None:
    """Fleiss (1971): `counts[i][j]` raters put unit i in category j; every unit has the same number
    of raters (at least two). kappa = (P_bar - P_e) / (1 - P_e)."""
    if not counts:
        return None
    raters = sum(counts[0])
    if raters < 2 or any(sum(row) != raters for row in counts):
        raise ValueError("Fleiss' kappa needs the same number (two or more) of raters for every unit")
    units = len(counts)
    per_unit = [(sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in counts]
    observed = sum(per_unit) / units
    categories = len(counts[0])
    shares = [sum(row[j] for row in counts) / (units * raters) for j in range(categories)]
    expected = sum(p * p for p in shares)
    if expected >= 1 - 1e-12:
        return None
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(units: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha for nominal data: `units[u]` holds each coder's value for unit u, None
    where that coder gave none. Units with fewer than two values are not pairable and drop out.
    alpha = 1 - D_o / D_e, from the coincidence matrix (Krippendorff 2011)."""
    coincidences: dict[tuple[Hashable, Hashable], float] = {}
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, a in enumerate(values):
            for j, b in enumerate(values):
                if i != j:
                    coincidences[(a, b)] = coincidences.get((a, b), 0.0) + 1 / (m - 1)
    n = sum(coincidences.values())
    if n == 0:
        return None
    marginals: dict[Hashable, float] = {}
    for (a, _), weight in coincidences.items():
        marginals[a] = marginals.get(a, 0.0) + weight
    observed = sum(weight for (a, b), weight in coincidences.items() if a != b) / n  # D_o
    expected = (n * n - sum(v * v for v in marginals.values())) / (n * (n - 1))  # D_e
    if expected <= 1e-12:
        return None  # every value in one category: no disagreement could be expected
    return 1 - observed / expected
