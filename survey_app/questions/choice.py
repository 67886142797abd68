"""Choices from fixed options: single_choice (one option), multiple_choice (several, each a
column of 1/0 in downloads) and yes_no (two fixed options, "yes" and "no")."""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wtforms import SelectChoice, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from survey_app.analysis.distributions import Indicator, OptionCount, option_counts
from survey_app.analysis.summaries import QuestionSummary, is_empty, raw_answer
from survey_app.definitions.conditions import EQUALITY, BadValue, describe
from survey_app.definitions.loader import Collector
from survey_app.definitions.model import NO, YES, Option, Question, localized
from survey_app.messages import _l
from survey_app.output import charts
from survey_app.questions.base import CodebookRow, Context, KeyNumber, QuestionType, ValueCodes, labelled
from survey_app.questions.parts import UNKNOWN_CHOICE_MESSAGE, choice_presence, parse_options, radio

# What yes_no questions show when the definition gives no labels of its own.
DEFAULT_YES_NO_LABELS = ({"de": "Ja", "en": "Yes"}, {"de": "Nein", "en": "No"})


@dataclass(frozen=True)
class ChoiceSummary(QuestionSummary):
    options: tuple[OptionCount, ...]

    @property
    def multiple(self) -> bool:
        """Several answers per respondent: shares may add up to more than 1."""
        return self.question.kind.chooses == "several"


class SingleChoice(QuestionType):
    """One option of a list; the base of the other choice types."""
    name = "single_choice"
    required_keys = ("options",)
    template = "questions/choice.html"
    reader = "choice"
    can_break_down = True
    can_filter = True
    chooses = "one"
    minimum_options = 2

    def parse(self, c: Collector, data: dict, loc: str, ctx: Context) -> dict:
        return {"options": parse_options(c, data.get("options"), loc, ctx, minimum=self.minimum_options)}

    def condition_operators(self, question: Question) -> tuple[str, ...]:
        return (*EQUALITY, "answered")

    def condition_value(self, question: Question, operator: str, raw: object):
        values = [option.value for option in question.options]
        if raw not in values or not isinstance(raw, str):
            raise BadValue(f'question "{question.id}" has no option {describe(raw)} (options: {", ".join(values)})')
        return raw

    def choices(self, question: Question, lang: str, default: str) -> list[SelectChoice]:
        return [SelectChoice(o.value, localized(o.label, lang, default)) for o in self.options(question)]

    def fields(self, question: Question, lang: str, default: str) -> dict:
        label = localized(question.text, lang, default)
        return {question.id: radio(label, self.choices(question, lang, default), question.required)}

    def chosen(self, raw, known: Mapping) -> set:
        """The known options a stored answer holds (empty for an invalid one)."""
        return {raw} if isinstance(raw, str) and raw in known else set()

    def summarize(self, question: Question, responses: Sequence[Mapping]) -> ChoiceSummary:
        all_options = self.options(question)
        counts = {o.value: 0 for o in all_options}
        n = missing = invalid = 0
        for response in responses:
            raw = raw_answer(response, question.id)
            if is_empty(raw):
                missing += 1
                continue
            chosen = self.chosen(raw, counts)
            if not chosen:
                missing += 1
                invalid += 1
                continue
            n += 1
            for v in chosen:
                counts[v] += 1
        return ChoiceSummary(question, n, missing, invalid,
                             option_counts([(o.value, o.label) for o in all_options], counts, n))

    def key_numbers(self, summary: ChoiceSummary) -> list[KeyNumber]:
        return [KeyNumber(("option", o.value), o.label, None, "share", o.share) for o in summary.options]

    def indicators(self, question: Question, summary: ChoiceSummary) -> list[Indicator]:
        """The answer given most often, with its share."""
        if not question.construct or summary.n is None or any(o.count is None for o in summary.options):
            return []          # counts the release plan hides: no "most often" either
        top = max(summary.options, key=lambda o: o.count)
        return [Indicator(question.construct, question.text, "choice", summary.n, share=top.share, top=top.label)]

    def figure(self, summary: ChoiceSummary, lang: str, gettext):
        note = gettext("multiple answers possible, shares of respondents") if summary.multiple else None
        # options whose count the release plan hides are left out of the chart
        options = [o for o in summary.options if o.count is not None and o.share is not None]
        if len(options) < len(summary.options) or summary.n is None:
            if not options or summary.n is None:
                return None
            shown = charts.percents([o.share for o in options], lang, whole=False)   # not the whole
            return charts.bar_figure(
                summary, charts.row_labels(options, lang), [o.share * 100 for o in options],
                [gettext("%(percent)s (n=%(count)d)") % {"percent": share, "count": o.count}
                 for share, o in zip(shown, options)], gettext("Share of respondents (%)"), lang, gettext,
                note=gettext("some options hidden to protect small groups"),
                axis=charts.percent_axis(100, symmetric=False), margin_right=110)
        shares = charts.percents([o.share for o in summary.options], lang, whole=not summary.multiple)
        texts = [gettext("%(percent)s (n=%(count)d)") % {"percent": share, "count": o.count}
                 for share, o in zip(shares, summary.options)]
        return charts.bar_figure(summary, charts.row_labels(summary.options, lang),
                                 [o.share * 100 for o in summary.options], texts,
                                 gettext("Share of respondents (%)"), lang, gettext, note=note,
                                 axis=charts.percent_axis(100, symmetric=False), margin_right=110)

    def breakdown_figure(self, result, shown: list, lang: str, gettext):
        shown = [r for r in shown if r.summary.n is not None]
        if not shown:
            return None
        first = shown[0].summary
        return charts.grouped_bars(result, shown, charts.row_labels(first.options, lang),
                                   [[None if o.share is None else o.share * 100 for o in r.summary.options]
                                    for r in shown],
                                   gettext("Share of respondents (%)"), lang, gettext)

    def value_labels(self, question: Question, lang: str) -> str:
        return "; ".join(f"{o.value} = {localized(o.label, lang)}" for o in self.options(question))

    def value_codes(self, question: Question) -> ValueCodes:
        return ValueCodes(tuple((o.value, o.label) for o in self.options(question)))

    def summary_record(self, summary: ChoiceSummary, lang: str) -> dict:
        return {"options": [{**labelled(o.value, o.label, lang), "count": o.count, "share": o.share}
                            for o in summary.options]}

    def random_answer(self, question: Question, rng: random.Random):
        return rng.choice(self.options(question)).value


class YesNo(SingleChoice):
    """Yes or no, with the interface's labels unless the definition gives its own."""
    name = "yes_no"
    required_keys = ()
    optional_keys = ("yes_label", "no_label")

    def parse(self, c: Collector, data: dict, loc: str, ctx: Context) -> dict:
        return {key: c.text(loc, key, data.get(key), ctx.languages) for key in ("yes_label", "no_label")}

    def options(self, question: Question) -> tuple[Option, ...]:
        yes, no = DEFAULT_YES_NO_LABELS
        return (Option(YES, question.yes_label or yes), Option(NO, question.no_label or no))

    def condition_value(self, question: Question, operator: str, raw: object):
        if isinstance(raw, bool):        # YAML reads an unquoted yes/no as true/false
            raw = YES if raw else NO
        if raw not in (YES, NO):
            raise BadValue(f'question "{question.id}" is answered "yes" or "no", got {describe(raw)}')
        return raw

    def choices(self, question: Question, lang: str, default: str) -> list[SelectChoice]:
        return [SelectChoice(YES, localized(question.yes_label, lang, default) or _l("Yes")),
                SelectChoice(NO, localized(question.no_label, lang, default) or _l("No"))]


class MultipleChoice(SingleChoice):
    """Any number of options (between min_choices and max_choices when given)."""
    name = "multiple_choice"
    optional_keys = ("min_choices", "max_choices")
    reader = "choices"
    can_break_down = False
    chooses = "several"
    minimum_options = 1

    def parse(self, c: Collector, data: dict, loc: str, ctx: Context) -> dict:
        options = super().parse(c, data, loc, ctx)["options"]
        min_choices = c.integer(loc, "min_choices", data.get("min_choices"), minimum=1)
        max_choices = c.integer(loc, "max_choices", data.get("max_choices"), minimum=1)
        for key, value in (("min_choices", min_choices), ("max_choices", max_choices)):
            if value is not None and options and value > len(options):
                c.add(loc, f'"{key}" ({value}) is more than the number of options ({len(options)})')
        if min_choices is not None and max_choices is not None and min_choices > max_choices:
            c.add(loc, f'"min_choices" ({min_choices}) is more than "max_choices" ({max_choices})')
        return {"options": options, "min_choices": min_choices, "max_choices": max_choices}

    def condition_operators(self, question: Question) -> tuple[str, ...]:
        return ("contains", "answered")

    def fields(self, question: Question, lang: str, default: str) -> dict:
        validators = choice_presence(question.required)
        if question.min_choices or question.max_choices:
            validators.append(_choice_count(question.min_choices, question.max_choices))
        return {question.id: SelectMultipleField(
            localized(question.text, lang, default), choices=self.choices(question, lang, default),
            validators=validators, invalid_choice_message=UNKNOWN_CHOICE_MESSAGE,
            widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())}

    def answer(self, form, question: Question):
        data = form[question.id].data
        return list(data) if data else None

    def form_input(self, question: Question, value) -> dict[str, list[str]]:
        return {question.id: [str(v) for v in value]} if isinstance(value, list) else {}

    def chosen(self, raw, known: Mapping) -> set:
        return {v for v in raw if isinstance(v, str) and v in known} if isinstance(raw, (list, tuple)) else set()

    def columns(self, question: Question) -> list[str]:
        return [f"{question.id}.{o.value}" for o in question.options]

    def cells(self, question: Question, value) -> list:
        if not isinstance(value, (list, tuple)) or not value:
            return [None] * len(question.options)
        return [1 if o.value in value else 0 for o in question.options]

    def value_labels(self, question: Question, lang: str) -> str:
        return "1 = chosen; 0 = not chosen; empty = question not answered"

    def value_codes(self, question: Question) -> ValueCodes:
        return ValueCodes(((1, _l("chosen")), (0, _l("not chosen"))))

    def codebook_rows(self, question: Question) -> list[CodebookRow]:
        return [CodebookRow(f"{question.id}.{o.value}", o.value, o.label, question.construct)
                for o in question.options]

    def answer_lines(self, question: Question, value) -> list[str]:
        """The chosen options."""
        return [column.partition(".")[2] for column, cell in zip(self.columns(question), self.cells(question, value))
                if cell == 1]

    def random_answer(self, question: Question, rng: random.Random):
        limit = question.max_choices or len(question.options)
        return [o.value for o in rng.sample(question.options, rng.randint(1, limit))]


def _choice_count(minimum: int | None, maximum: int | None):
    def check(form, field):
        count = len(field.data or [])
        if minimum and count < minimum:
            raise ValidationError(_l("Please choose at least %(n)d options.", n=minimum))
        if maximum and count > maximum:
            raise ValidationError(_l("Please choose at most %(n)d options.", n=maximum))

    return check
