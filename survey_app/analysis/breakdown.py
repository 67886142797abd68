"""Breakdowns: one question's results per group of a single-choice or yes/no question, and
the suppression of cells in a table (pure: no Flask, no storage).

Which group of a breakdown may be shown is the release plan's decision
(analysis/disclosure/plan.py, asked by analysis/findings.py); this module holds the shapes
of a breakdown and the one complementary-suppression step every table uses: a cell with
fewer than `minimum` respondents is hidden, then the next smallest until the hidden cells
together hold 0 or at least `minimum`, so that "total minus the others" gives nobody away.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from survey_app.analysis.summaries import QuestionSummary
from survey_app.definitions.model import Question, Questionnaire, Text

NO_ANSWER = None  # the group of respondents who did not answer the breakdown question


def cells_to_suppress(counts: Mapping[Hashable, int], minimum: int,
                      already_hidden: Iterable[Hashable] = ()) -> set[Hashable]:
    """Keys of the cells to hide: those already hidden, every non-empty cell below the
    minimum, then the next smallest cells until the hidden ones together reach the minimum."""
    hidden = set(already_hidden) | {key for key, count in counts.items() if 0 < count < minimum}
    while 0 < sum(counts[key] for key in hidden) < minimum:
        rest = [key for key in counts if key not in hidden and counts[key] > 0]
        if not rest:
            break
        hidden.add(min(rest, key=lambda key: counts[key]))
    return hidden


def breakdown_questions(questionnaire: Questionnaire) -> list[Question]:
    return [q for q in questionnaire.questions() if q.kind.can_break_down]


@dataclass(frozen=True)
class Group:
    key: str | None              # option value; None for "no answer"
    label: Text | None           # None for "no answer" (the view names it)
    size: int | None             # respondents in the group; None when it may not be shown
    size_hidden: bool            # the plan does not show the group
    reason: str | None = None    # why not: plan.TOO_FEW (1 .. minimum-1 people) or plan.PROTECTS


@dataclass(frozen=True)
class GroupResult:
    group: Group
    summary: QuestionSummary | None   # None when not shown
    reason: str | None = None         # why not (plan.TOO_FEW, PROTECTS, NOT_OFFERED)

    @property
    def suppressed(self) -> bool:
        return self.summary is None


@dataclass(frozen=True)
class Breakdown:
    by: Question
    question: Question
    total: QuestionSummary
    groups: tuple[GroupResult, ...]

    @property
    def any_suppressed(self) -> bool:
        return any(result.suppressed for result in self.groups)
