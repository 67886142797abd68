"""ranking: every option gets its own rank (1 = first); stored as the option values, best
first. Results order the options by Borda points (analysis/stats.py, one tie-break rule)."""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wtforms import SelectChoice, SelectField

from survey_app.analysis.distributions import RankedOption, ranked_options
from survey_app.analysis.summaries import INVALID, MISSING, QuestionSummary, is_empty, read_answers
from survey_app.definitions.loader import Collector
from survey_app.definitions.model import Question, localized
from survey_app.messages import _l
from survey_app.output import charts
from survey_app.questions.base import CodebookRow, Context, KeyNumber, QuestionType, ReadsValues, labelled, ValueCodes
from survey_app.questions.parts import (
    REQUIRED_MESSAGE,
    UNKNOWN_CHOICE_MESSAGE,
    NoChoice,
    item_field_name,
    parse_options,
)


@dataclass(frozen=True)
class RankingSummary(QuestionSummary):
    """Options ordered by Borda score (ties: mean rank, then definition order)."""
    options: tuple[RankedOption, ...]


def _complete(ranks: Sequence) -> bool:
    """Only a full set of distinct ranks 1..n is an answer."""
    return sorted(str(r) for r in ranks) == sorted(str(n) for n in range(1, len(ranks) + 1))


class Ranking(ReadsValues, QuestionType):
    name = "ranking"
    required_keys = ("options",)
    template = "questions/ranking.html"
    reader = "ranking"

    def parse(self, c: Collector, data: dict, loc: str, ctx: Context) -> dict:
        return {"options": parse_options(c, data.get("options"), loc, ctx, minimum=2)}

    def fields(self, question: Question, lang: str, default: str) -> dict:
        # One rank per option; the whole set is checked by `check`.
        ranks = [SelectChoice("", "–")] + [SelectChoice(str(n), str(n)) for n in range(1, len(question.options) + 1)]
        return {item_field_name(question, option.value): SelectField(
            localized(option.label, lang, default), choices=ranks, validators=[NoChoice()],
            invalid_choice_message=UNKNOWN_CHOICE_MESSAGE) for option in question.options}

    def field_names(self, question: Question) -> list[str]:
        return [item_field_name(question, option.value) for option in question.options]

    def check(self, form, question: Question):
        fields = [form[name] for name in self.field_names(question)]
        if any(field.errors for field in fields):
            return None
        ranks = [rank for rank in ((field.data or "").strip() for field in fields) if rank]
        if not ranks:
            return REQUIRED_MESSAGE if question.required else None
        if sorted(ranks) != sorted(str(n) for n in range(1, len(fields) + 1)):
            return _l("Please give each option its own rank from 1 to %(n)d.", n=len(fields))
        return None

    def rows(self, form, question: Question) -> list:
        """(option, rank field) pairs for the page, ranked ones first in rank order, then the others."""
        rows = [(option, form[item_field_name(question, option.value)]) for option in question.options]
        ranked = {option.value: int(field.data) for option, field in rows
                  if field.data and str(field.data).isdigit()}
        return sorted(rows, key=lambda row: ranked.get(row[0].value, len(rows) + 1))

    def answer(self, form, question: Question):
        ranks = {option.value: form[item_field_name(question, option.value)].data for option in question.options}
        if not _complete(list(ranks.values())):
            return None
        return sorted(ranks, key=lambda value: int(ranks[value]))

    def form_input(self, question: Question, value) -> dict[str, list[str]]:
        if not isinstance(value, list):
            return {}
        return {item_field_name(question, str(option)): [str(rank)] for rank, option in enumerate(value, start=1)}

    def read(self, question: Question, value: Any) -> Any:
        """A list of distinct known option values, best first (a partial ranking is allowed)."""
        if is_empty(value):
            return MISSING
        known = {o.value for o in question.options}
        if (not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v in known for v in value)
                or len(set(value)) != len(value)):
            return INVALID
        return list(value)

    def summarize(self, question: Question, responses: Sequence[Mapping]) -> RankingSummary:
        orders, missing, invalid = read_answers(question, responses, lambda value: self.read(question, value))
        return RankingSummary(question, len(orders), missing, invalid,
                              ranked_options(orders, [(o.value, o.label) for o in question.options]))

    def key_numbers(self, summary: RankingSummary) -> list[KeyNumber]:
        return [KeyNumber(("option", o.value), o.label, None, "mean_rank", o.mean_rank) for o in summary.options]

    def figure(self, summary: RankingSummary, lang: str, gettext):
        """Options ordered from most to least preferred: bars of the mean Borda points per
        respondent (k-1 for a first place, 0 for the last), mean rank in the label."""
        points = [o.borda / summary.n for o in summary.options] if summary.n else []
        texts = [gettext("mean rank %(rank)s") % {"rank": f"{o.mean_rank:.1f}" if o.mean_rank else "–"}
                 for o in summary.options]
        return charts.bar_figure(summary, charts.row_labels(summary.options, lang), points, texts,
                                 gettext("Mean points (Borda count)"), lang, gettext, margin_right=110)

    def breakdown_figure(self, result, shown: list, lang: str, gettext):
        first = shown[0].summary
        order = [o.value for o in first.options]
        values = [[next(o.borda for o in r.summary.options if o.value == v) / max(r.summary.n, 1) for v in order]
                  for r in shown]
        return charts.grouped_bars(result, shown, charts.row_labels(first.options, lang), values,
                                   gettext("Mean points (Borda count)"), lang, gettext)

    def columns(self, question: Question) -> list[str]:
        return [f"{question.id}.{o.value}" for o in question.options]

    def cells(self, question: Question, value) -> list:
        """Each option's rank (1 = first), empty when not ranked."""
        order = list(value) if isinstance(value, (list, tuple)) else []
        return [order.index(o.value) + 1 if o.value in order else None for o in question.options]

    def value_labels(self, question: Question, lang: str) -> str:
        return "rank of the option, 1 = first; empty = not ranked"

    def value_codes(self, question: Question) -> ValueCodes:
        return ValueCodes(measure="ordinal")

    def codebook_rows(self, question: Question) -> list[CodebookRow]:
        return [CodebookRow(f"{question.id}.{o.value}", o.value, o.label, question.construct)
                for o in question.options]

    def summary_record(self, summary: RankingSummary, lang: str) -> dict:
        return {"options": [{**labelled(o.value, o.label, lang), "mean_rank": o.mean_rank,
                             "borda": o.borda, "first": o.first} for o in summary.options]}

    def random_answer(self, question: Question, rng: random.Random):
        return [o.value for o in rng.sample(question.options, len(question.options))]
