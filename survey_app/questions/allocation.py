"""allocation: numbers per item that must add up to a total (e.g. shares of working time that
add up to 100 %). All or nothing: an answer counts only when every item holds a number within
0 and the total (an item left empty counts as 0) and the numbers add up to the total."""
from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from survey_app.analysis.distributions import Indicator
from survey_app.analysis.stats import adds_up, is_number, share
from survey_app.analysis.summaries import INVALID, MISSING, QuestionSummary, is_empty, read_answers
from survey_app.definitions.loader import Collector
from survey_app.definitions.model import Item, Question, localized
from survey_app.definitions.versions import TOTAL_CHANGED
from survey_app.messages import _l
from survey_app.output import charts
from survey_app.questions.base import Context, KeyNumber, QuestionType, ReadsValues, format_number
from survey_app.questions.number import NumberField
from survey_app.questions.parts import REQUIRED_MESSAGE, PerItem, item_field_name, parse_items


@dataclass(frozen=True)
class ItemMean:
    item: Item
    mean: float | None    # over respondents who answered the question (absent item = 0)
    share: float | None   # mean / question.total (or / sum of means when there is no total)


@dataclass(frozen=True)
class AllocationSummary(QuestionSummary):
    items: tuple[ItemMean, ...]


class Allocation(ReadsValues, PerItem, QuestionType):
    name = "allocation"
    required_keys = ("items", "total")
    optional_keys = ("integer", "unit")
    template = "questions/allocation.html"
    reader = "sum"
    errors_at_items = True

    def parse(self, c: Collector, data: dict, loc: str, ctx: Context) -> dict:
        integer = bool(c.boolean(loc, "integer", data.get("integer")))
        total = c.number(loc, "total", data.get("total"))
        if total is not None and total <= 0:
            c.add(loc, f'"total" must be more than 0, got {total}')
            total = None
        if integer and total is not None and total != int(total):
            c.add(loc, f'"total" ({total}) must be a whole number because "integer" is true')
        return {"items": parse_items(c, data.get("items"), loc, ctx), "total": total,
                "min": 0, "max": total, "integer": integer,
                "unit": c.text(loc, "unit", data.get("unit"), ctx.languages)}

    def reader_settings(self, question: Question) -> dict:
        return {"integer": question.integer}

    def fields(self, question: Question, lang: str, default: str) -> dict:
        # Items left empty count as 0 once any item is filled in; the sum is checked by `check`.
        return {item_field_name(question, item.id): NumberField(
            localized(item.label, lang, default), integer=question.integer,
            minimum=question.min if question.min is not None else 0,
            maximum=question.max if question.max is not None else question.total)
            for item in question.items}

    def check(self, form, question: Question):
        fields = [form[name] for name in self.field_names(question)]
        if any(field.errors for field in fields):
            return None
        values = [field.data for field in fields if field.data is not None]
        if not values:
            return REQUIRED_MESSAGE if question.required else None
        if not adds_up(values, question.total):
            return _l("The numbers add up to %(sum)s; they must add up to %(total)s.",
                      sum=format_number(math.fsum(values)), total=format_number(question.total))
        return None

    def answer(self, form, question: Question):
        values = {item.id: form[item_field_name(question, item.id)].data for item in question.items}
        if all(v is None for v in values.values()):
            return None
        return {k: (v if v is not None else 0) for k, v in values.items()}

    def read(self, question: Question, value: Any) -> Any:
        """{item_id: number} for every item (absent = 0), or MISSING / INVALID."""
        if is_empty(value):
            return MISSING
        if not isinstance(value, Mapping):
            return INVALID
        out: dict[str, float] = {}
        low, high = question.min, question.max
        for it in question.items:
            v = value.get(it.id)
            if v is None:
                v = 0
            if v.__class__ is not int and (not is_number(v) or (question.integer and v != int(v))):
                return INVALID
            if (low is not None and v < low) or (high is not None and v > high):
                return INVALID
            out[it.id] = v
        if question.total is not None and not adds_up(out.values(), question.total):
            return INVALID
        return out

    def summarize(self, question: Question, responses: Sequence[Mapping]) -> AllocationSummary:
        rows, missing, invalid = read_answers(question, responses, lambda value: self.read(question, value))
        n = len(rows)
        means = {it.id: (math.fsum(r[it.id] for r in rows) / n if rows else None) for it in question.items}
        base = question.total if question.total else sum(m for m in means.values() if m)
        items = tuple(ItemMean(it, means[it.id], None if means[it.id] is None else share(means[it.id], base))
                      for it in question.items)
        return AllocationSummary(question, n, missing, invalid, items)

    def key_numbers(self, summary: AllocationSummary) -> list[KeyNumber]:
        return [KeyNumber(("item", i.item.id), i.item.label, None, "mean", i.mean) for i in summary.items]

    def indicators(self, question: Question, summary: AllocationSummary) -> list[Indicator]:
        """Per item with a construct: its mean and its share of the total."""
        return [Indicator(i.item.construct, i.item.label, "share", summary.n, mean=i.mean, share=i.share)
                for i in summary.items if i.item.construct]

    def changes(self, before: Question, after: Question) -> list[tuple[str, str]]:
        if before.total != after.total:
            return [(TOTAL_CHANGED, f"{before.total:g} -> {after.total:g}")]
        return []

    def figure(self, summary: AllocationSummary, lang: str, gettext):
        """Bars of the mean share of the total per item."""
        shares = [(i.share or 0.0) * 100 for i in summary.items]
        texts = charts.percents([i.share for i in summary.items], lang)
        return charts.bar_figure(summary, charts.row_labels([i.item for i in summary.items], lang), shares, texts,
                                 gettext("Mean share of the total (%)"), lang, gettext,
                                 axis=charts.percent_axis(max(shares, default=0), symmetric=False), margin_right=60)

    def breakdown_figure(self, result, shown: list, lang: str, gettext):
        first = shown[0].summary
        return charts.grouped_bars(result, shown, charts.row_labels([i.item for i in first.items], lang),
                                   [[(i.share or 0) * 100 for i in r.summary.items] for r in shown],
                                   gettext("Mean share of the total (%)"), lang, gettext)

    def summary_record(self, summary: AllocationSummary, lang: str) -> dict:
        return {"items": [{"item": i.item.id, "label": localized(i.item.label, lang),
                           "construct": i.item.construct, "mean": i.mean, "share": i.share}
                          for i in summary.items]}

    def random_answer(self, question: Question, rng: random.Random):
        # Whole units spread over the items so that they add up exactly to the total.
        total = int(question.total)
        cuts = sorted(rng.randint(0, total) for _ in range(len(question.items) - 1))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, total])]
        return {item.id: share for item, share in zip(question.items, shares)}
