"""Statistics shared by questionnaire summaries and workshop tallies (pure).

One place for each rule: what counts as a number, how a share of nothing is written, the
median of counted values, Borda points and their tie-break, spread and agreement measures, and
when numbers that must add up to a total do.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Hashable

# Numbers that must add up to a total do when their sum differs from it by no more than
# this (relative to the total): what typing 33.3 + 33.3 + 33.4 in floating point leaves over.
SUM_TOLERANCE = 1e-9


def is_int(value: Any) -> bool:
    """A whole number as stored (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """int or float, not bool, finite (also after conversion to float)."""
    if value.__class__ is float:
        return math.isfinite(value)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def share(count: float, base: float) -> float:
    """count / base as a fraction; 0.0 when the base is 0 (the n shown with it says so)."""
    return count / base if base else 0.0


def adds_up(values: Iterable[float], total: float) -> bool:
    """The values add up to `total`, up to floating-point rounding."""
    return math.isclose(math.fsum(values), total, rel_tol=SUM_TOLERANCE, abs_tol=SUM_TOLERANCE)


def median_of_counts(counts: Mapping[int, int], n: int) -> float:
    """The median of n values given as {value: count}: the mean of the two middle values."""
    lower_index, upper_index = (n - 1) // 2, n // 2
    lower = upper = None
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if lower is None and seen > lower_index:
            lower = value
        if seen > upper_index:
            upper = value
            break
    return (lower + upper) / 2


def borda_points(orders: Iterable[Sequence[Hashable]], options: Sequence[Hashable]) -> dict[Hashable, int]:
    """Borda points of each option: k - rank per ranking it appears in (k options: the first
    gets k - 1, the last 0); an option a ranking leaves out gets nothing from it."""
    k = len(options)
    points = {option: 0 for option in options}
    for order in orders:
        for position, option in enumerate(order, start=1):
            points[option] += k - position
    return points


def borda_order(options: Sequence[Hashable], points: Mapping[Hashable, int],
                mean_ranks: Mapping[Hashable, float | None]) -> list[Hashable]:
    """The options by preference: most Borda points first; on a tie the better (lower) mean
    rank, an option nobody ranked after those that were; then the order of the definition."""
    position = {option: i for i, option in enumerate(options)}

    def key(option):
        mean = mean_ranks.get(option)
        return (-points[option], math.inf if mean is None else mean, position[option])

    return sorted(options, key=key)


def normalised_entropy(counts: Sequence[float]) -> float | None:
    """0 = everyone chose the same, 1 = evenly spread over all categories; None without data."""
    total = sum(counts)
    if total <= 0 or len(counts) < 2:
        return None
    entropy = -sum(c / total * math.log(c / total) for c in counts if c > 0)
    return entropy / math.log(len(counts))


def kendalls_w(rankings: Sequence[Sequence[Hashable]], options: Sequence[Hashable]) -> float | None:
    """Kendall's coefficient of concordance for complete rankings without ties:
    0 = no agreement, 1 = everyone ranked alike; None with no ranking or fewer than 2 options."""
    m, k = len(rankings), len(options)
    if m == 0 or k < 2:
        return None
    sums = {option: 0 for option in options}
    for ranking in rankings:
        for rank, option in enumerate(ranking, start=1):
            sums[option] += rank
    mean = m * (k + 1) / 2
    spread = sum((total - mean) ** 2 for total in sums.values())
    return 12 * spread / (m ** 2 * (k ** 3 - k))
