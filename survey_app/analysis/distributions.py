"""How often each option, point or rank was given: the shapes questionnaire summaries and
workshop tallies both report, the one way rankings are counted, and what either says about a
construct (Indicator, which triangulation turns into a cell) (pure).

``value`` is the option's stored value (a questionnaire option's value, a poll option's id),
``label`` its text in every language; shares are fractions of ``n`` (0.0 when n is 0).
"""
from __future__ import annotations

import statistics
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from survey_app.analysis.stats import borda_order, borda_points, share
from survey_app.definitions.model import Text

Labelled = Sequence[tuple[Hashable, Text]]   # (value, label) of each option, in the definition's order


@dataclass(frozen=True)
class OptionCount:
    value: str
    label: Text
    count: int
    share: float          # of those who answered (several options each: shares add up to more than 1)


@dataclass(frozen=True)
class PointCount:
    value: int
    label: Text | None    # None where the app names the points itself (fist to five)
    count: int
    share: float          # of the answers on the scale


@dataclass(frozen=True)
class RankedOption:
    value: str
    label: Text
    mean_rank: float | None   # 1 = best; over those who ranked the option
    borda: int                # sum over rankings of (options - rank): higher = preferred
    first: int                # how often ranked first


@dataclass(frozen=True)
class Indicator:
    """What a question or a poll says about one construct (triangulation turns it into a cell)."""
    construct: str
    label: Text
    kind: str                     # "rating", "nominal", "share", "choice", "number", "priority", "rank", "lead"
    n: int
    mean: float | None = None
    share: float | None = None
    top: Text | None = None


def option_counts(options: Labelled, counts: Mapping[Hashable, int], n: int) -> tuple[OptionCount, ...]:
    """Each option's count and share of `n`, in the definition's order."""
    return tuple(OptionCount(value, label, counts.get(value, 0), share(counts.get(value, 0), n))
                 for value, label in options)


def ranked_options(orders: Sequence[Sequence[Hashable]], options: Labelled) -> tuple[RankedOption, ...]:
    """Valid rankings (each an order of option values, best first) -> the options by preference:
    Borda points, with the one tie-break of analysis/stats.py (better mean rank, then definition order)."""
    values = [value for value, _label in options]
    ranks: dict[Hashable, list[int]] = {value: [] for value in values}
    first = {value: 0 for value in values}
    for order in orders:
        for position, value in enumerate(order, start=1):
            ranks[value].append(position)
        if order:
            first[order[0]] += 1
    borda = borda_points(orders, values)
    mean_ranks = {value: statistics.fmean(ranks[value]) if ranks[value] else None for value in values}
    labels = dict(options)
    return tuple(RankedOption(value, labels[value], mean_ranks[value], borda[value], first[value])
                 for value in borda_order(values, borda, mean_ranks))
