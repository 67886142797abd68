"""Today's rules (main before issue 10), one view at a time, behind the plan's questions, so
that the adversary can show what they let through."""
from __future__ import annotations

from dataclasses import dataclass

from survey_app.analysis.breakdown import NO_ANSWER, cells_to_suppress
from survey_app.analysis.disclosure.plan import Decision
from survey_app.analysis.summaries import options_of, raw_answer, summarize_question


# today's (main before issue 10) one-view-at-a-time rules, kept here only to show the attacks work
def filter_allowed(subset_size, total_size, minimum):
    rest = total_size - subset_size
    return subset_size >= minimum and (rest == 0 or rest >= minimum)


def filter_responses(responses, question, value):
    def matches(answer):
        return value in answer if isinstance(answer, list) else answer == value
    return [r for r in responses if matches(raw_answer(r, question.id))]


@dataclass(frozen=True)
class Group:
    key: object
    label: object
    size: int
    size_hidden: bool


def groups_of(by, responses, minimum):
    members = {o.value: [] for o in options_of(by)}
    members[NO_ANSWER] = []
    for response in responses:
        value = raw_answer(response, by.id)
        members[value if isinstance(value, str) and value in members else NO_ANSWER].append(response)
    hidden = cells_to_suppress({key: len(group) for key, group in members.items()}, minimum)
    groups = [Group(o.value, o.label, len(members[o.value]), o.value in hidden) for o in options_of(by)]
    if members[NO_ANSWER]:
        groups.append(Group(NO_ANSWER, None, len(members[NO_ANSWER]), NO_ANSWER in hidden))
    return groups, members


class TodaysRules:
    def __init__(self, questionnaire, responses, minimum):
        self.q, self.rs, self.k = questionnaire, list(responses), minimum

    def _selected(self, filter):
        if filter is None:
            return self.rs
        return filter_responses(self.rs, self.q.question(filter[0]), filter[1])

    def group(self, filter=None, by=None):
        if len(self.rs) < self.k:
            return Decision(False)
        selected = self._selected(filter)
        if filter is not None and not filter_allowed(len(selected), len(self.rs), self.k):
            return Decision(False)
        if by is None:
            return Decision(True, None, len(selected))
        groups, members = groups_of(self.q.question(by[0]), selected, self.k)
        group = next((g for g in groups if g.key == by[1]), None)
        if group is None:
            return Decision(True, None, 0)
        return Decision(not group.size_hidden, None, group.size)

    def count(self, filter=None, by=None, *, question_id, value):
        # a question's own table showed every count
        return self.group(filter, by)

    def answers(self, question_id, item_id=None, *, filter=None, by=None):
        decision = self.group(filter, by)
        if not decision.shown:
            return decision
        selected = self._selected(filter)
        if by is not None:
            selected = [r for r in selected if r.get("answers", {}).get(by[0]) == by[1]]
        summary = summarize_question(self.q.question(question_id), selected)
        texts = self.q.question(question_id).type in ("short_text", "long_text")
        return Decision(texts or summary.n >= self.k)
