"""Today's rules (main before issue 10), one view at a time, behind the plan's questions, so
that the adversary can show what they let through."""
from __future__ import annotations

from survey_app.analysis.breakdown import cells_to_suppress, filter_allowed, filter_responses, groups_of
from survey_app.analysis.disclosure.plan import Decision
from survey_app.analysis.summaries import summarize_question


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
