"""Group comparisons and filters that never expose single people (pure: no Flask, no storage).

The minimum group size rule, applied to every cell that is shown anywhere (page, chart,
download): a group with fewer than `minimum` respondents is suppressed. Because the total
is shown too, the suppressed groups together must also hold at least `minimum`
respondents; otherwise subtracting the shown groups from the total would reveal them,
so the next smallest groups are suppressed as well. A filter (a subset of respondents)
is shown only when both the subset and the rest hold at least `minimum` respondents
(or the rest is empty), so that comparing filtered and unfiltered results cannot
single out anybody either.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from survey_app.analysis.summaries import (
    QuestionSummary,
    Response,
    answers_of,
    options_of,
    raw_answer,
    summarize_question,
)
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


def filter_allowed(subset_size: int, total_size: int, minimum: int) -> bool:
    rest = total_size - subset_size
    return subset_size >= minimum and (rest == 0 or rest >= minimum)


def items_apart(summary: QuestionSummary) -> bool:
    """Each item of the question has its own n: the minimum applies item by item."""
    return summary.question.kind.items_counted_apart


def without_items(summary: QuestionSummary, hidden: set[str]) -> QuestionSummary | None:
    """The summary without the hidden items; None when no item is left."""
    kept = tuple(row for row in summary.items if row.item.id not in hidden)
    return replace(summary, items=kept) if kept else None


def small_items(summary: QuestionSummary, minimum: int) -> set[str]:
    """Items answered by some, but fewer than `minimum`, respondents. Items counted apart
    are not summed to a total, so hiding them needs no complementary suppression."""
    return {row.item.id for row in summary.items if 0 < row.n < minimum}


def breakdown_questions(questionnaire: Questionnaire) -> list[Question]:
    return [q for q in questionnaire.questions() if q.kind.can_break_down]


@dataclass(frozen=True)
class Group:
    key: str | None              # option value; None for "no answer"
    label: Text | None           # None for "no answer" (the view names it)
    size: int                    # respondents in the group
    size_hidden: bool            # the group itself is too small to name its size


def groups_of(by: Question, responses: Sequence[Response], minimum: int) -> tuple[list[Group], dict]:
    """The groups a breakdown question forms, and the responses in each."""
    members: dict[str | None, list[Response]] = {o.value: [] for o in options_of(by)}
    members[NO_ANSWER] = []
    for response in responses:
        value = raw_answer(response, by.id)
        members[value if isinstance(value, str) and value in members else NO_ANSWER].append(response)
    hidden = cells_to_suppress({key: len(group) for key, group in members.items()}, minimum)
    groups = [Group(o.value, o.label, len(members[o.value]), o.value in hidden) for o in options_of(by)]
    if members[NO_ANSWER]:
        groups.append(Group(NO_ANSWER, None, len(members[NO_ANSWER]), NO_ANSWER in hidden))
    return groups, members


@dataclass(frozen=True)
class GroupResult:
    group: Group
    summary: QuestionSummary | None   # None when suppressed

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


def breakdown(question: Question, by: Question, responses: Sequence[Response], minimum: int) -> Breakdown:
    """One question's results per group of `by`, with small groups suppressed."""
    groups, members = groups_of(by, responses, minimum)
    summaries = {g.key: summarize_question(question, members[g.key]) for g in groups}
    total = summarize_question(question, responses)
    too_small = {g.key for g in groups if g.size_hidden}

    def hidden_groups(counts: dict, total_count: int) -> set:
        if total_count < minimum:
            return set(counts)  # nothing to compare when the whole is already too small
        return cells_to_suppress(counts, minimum, already_hidden=too_small)

    if items_apart(total):
        # each item is its own table of cells: hide per item, then drop emptied groups
        hidden_items: dict = {g.key: set() for g in groups}
        for index, row in enumerate(total.items):
            counts = {g.key: summaries[g.key].items[index].n for g in groups}
            for key in hidden_groups(counts, row.n):
                hidden_items[key].add(row.item.id)
        shown = {g.key: _items_shown(summaries[g.key], hidden_items[g.key]) for g in groups}
    else:
        hidden = hidden_groups({g.key: summaries[g.key].n for g in groups}, total.n)
        shown = {g.key: None if g.key in hidden else summaries[g.key] for g in groups}
    return Breakdown(by, question, total, tuple(GroupResult(g, shown[g.key]) for g in groups))


def _items_shown(summary: QuestionSummary, hidden: set[str]) -> QuestionSummary | None:
    """A group's summary without its hidden items; None (suppressed) when answers were
    given but every answered item is hidden."""
    if summary.n and not any(row.n and row.item.id not in hidden for row in summary.items):
        return None
    return without_items(summary, hidden)


def filter_responses(responses: Sequence[Response], question: Question, value: Any) -> list[Response]:
    """Responses whose answer to `question` is `value` (or contains it, for multiple choice)."""
    def matches(answer) -> bool:
        if isinstance(answer, list):
            return value in answer
        return answer == value

    return [r for r in responses if matches(raw_answer(r, question.id))]


SUPPRESSED = "suppressed"  # stands in for a single choice whose group is too small to name


def recode_rare_choices(questionnaire: Questionnaire, responses: Sequence[Response],
                        minimum: int) -> tuple[list[Response], dict[str, list[str]]]:
    """Copies of the responses for raw downloads, in which choices made by fewer than
    `minimum` respondents do not appear (the rare-category rule of disclosure control):
    a single choice becomes "suppressed" (with the next smallest categories, so that the
    suppressed together are at least `minimum`), a rare option of a multiple choice is
    removed from every answer. Returns the copies and, per question, the values removed."""
    removed: dict[str, list[str]] = {}
    for question in questionnaire.questions():
        if question.kind.chooses is None:
            continue
        counts = {o.value: 0 for o in options_of(question)}
        for response in responses:
            value = raw_answer(response, question.id)
            for chosen in (value if isinstance(value, list) else [value]):
                if isinstance(chosen, str) and chosen in counts:
                    counts[chosen] += 1
        if question.kind.chooses == "several":
            # options are counted independently: nothing can be derived from a sum
            rare = {value for value, count in counts.items() if 0 < count < minimum}
        else:
            rare = cells_to_suppress(counts, minimum)
        if rare:
            removed[question.id] = [o.value for o in options_of(question) if o.value in rare]
    if not removed:
        return list(responses), removed
    protected = []
    for response in responses:
        answers = dict(answers_of(response))
        for question_id, rare in removed.items():
            value = answers.get(question_id)
            if isinstance(value, list):
                answers[question_id] = [v for v in value if not (isinstance(v, str) and v in rare)]
            elif isinstance(value, str) and value in rare:
                answers[question_id] = SUPPRESSED
        protected.append({**response, "answers": answers})
    return protected, removed
