"""Per-statistic rules: no single person's value, versions, free texts (pure).

They apply within a group (and question) that the release plan shows; the plan decides which
groups those are. `n` is always the number of answers the statistic rests on: for scales and
matrix items the answers on the scale, without "don't know".
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace

from survey_app.analysis.breakdown import cells_to_suppress

OTHER_VERSION = "other"   # the pooled questionnaire versions answered by fewer than the minimum

# Statistics that are one person's answer whatever the group size.
NEVER = frozenset({"min", "max", "earliest", "latest"})
# Statistics computed from the answers of several people: shown when they rest on >= minimum.
FROM_SEVERAL = frozenset({"mean", "median", "sd", "q1", "q3", "top2", "bottom2", "shares", "mean_rank",
                          "borda"})


def statistic_shown(statistic: str, n: int, minimum: int) -> bool:
    """May this statistic of a question be shown in a group where n answers count?

    * minimum and maximum (earliest and latest date) are single people's answers: never;
    * mean, median, standard deviation, quartiles, top-2/bottom-2 shares, mean ranks: only
      when at least `minimum` answers count (so a scale with 6 answers of which 5 are "don't
      know" shows no mean: it would be one person's answer);
    * anything else is a distribution and follows the question's own decision in the plan.
    """
    if statistic in NEVER:
        return False
    if statistic in FROM_SEVERAL:
        return n >= minimum
    raise ValueError(f"unknown statistic {statistic!r}")


def shown_statistics(values: Mapping[str, float | None], n: int, minimum: int) -> dict[str, float | None]:
    """The statistics that may be shown, None for the others (e.g. of a NumberSummary:
    {"mean": ..., "median": ..., "sd": ..., "q1": ..., "q3": ..., "min": ..., "max": ...})."""
    return {name: value if statistic_shown(name, n, minimum) else None for name, value in values.items()}


def pooled_versions(counts: Mapping[str, int], minimum: int) -> dict[str, int]:
    """Responses per questionnaire version as they may be shown: versions answered by fewer than
    `minimum` are counted together as OTHER_VERSION, with the next smallest until the pooled
    ones hold at least `minimum` (or none), never as "(n = 1)"."""
    pooled = cells_to_suppress(dict(counts), minimum)
    out = {version: count for version, count in counts.items() if version not in pooled and count}
    other = sum(counts[version] for version in pooled)
    if other:
        out[OTHER_VERSION] = out.get(OTHER_VERSION, 0) + other
    return out


def version_label(version: str, counts: Mapping[str, int], minimum: int) -> str:
    """The version as a response-level file may carry it (OTHER_VERSION when pooled)."""
    return version if version in pooled_versions(counts, minimum) and version != OTHER_VERSION \
        else OTHER_VERSION


def texts_shown(asked_for: bool, question_shown: bool) -> bool:
    """Free-text answers are listed only when the evaluator asked for them (off by default on
    every page, report and download) and the plan shows the text question in that group (so
    it has at least `minimum` answers there, and no combination of lists narrows it down)."""
    return asked_for and question_shown


STATISTICS = NEVER | FROM_SEVERAL


def without_single_values(values, n: int, minimum: int):
    """A copy of a summary (or one of its rows: an item, an option) whose statistics that may
    not be shown (statistic_shown) are None; every other field stays."""
    hidden = {f.name: None for f in fields(values)
              if f.name in STATISTICS and getattr(values, f.name) is not None
              and not statistic_shown(f.name, n, minimum)}
    return replace(values, **hidden) if hidden else values
