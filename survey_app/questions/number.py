"""Numbers: a number question (min, max, step, whole numbers only), and the reading rule of
every number a respondent types (NumberField), which static/survey.js repeats exactly."""
from __future__ import annotations

import math
import random
import re
import reprlib
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
from wtforms import Field
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from survey_app.analysis.distributions import Indicator
from survey_app.analysis.stats import is_number
from survey_app.analysis.summaries import INVALID, MISSING, QuestionSummary, is_empty, read_answers
from survey_app.definitions.conditions import EQUALITY, ORDER, number_value
from survey_app.definitions.loader import Collector
from survey_app.definitions.model import Question, localized
from survey_app.messages import _l
from survey_app.output import charts
from survey_app.questions.base import Context, KeyNumber, QuestionType, format_number
from survey_app.questions.parts import presence

# A number as typed: an optional sign, digits with at most one decimal comma or point (as
# Germans write 2,5), an optional exponent. Spaces, tabs and no-break spaces anywhere are
# left out (1 000), Arabic-Indic digits read as 0-9. Nothing else: no "1_000", "0x10",
# "Infinity" or "NaN". static/survey.js (readNumber) reads numbers by the same rule.
NUMBER_TEXT = re.compile(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]+)?")
_LEFT_OUT = re.compile("[ \t\u00a0\u202f]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
NOT_A_NUMBER = _l("Please enter a number, e.g. 12 or 2,5.")


def read_number(text: str) -> int | float | None:
    """The number typed, None for nothing typed; ValueError (its message for the respondent)
    for anything else."""
    text = _LEFT_OUT.sub("", text).translate(_DIGITS)
    if not text:
        return None
    if not NUMBER_TEXT.fullmatch(text):
        raise ValueError(NOT_A_NUMBER)
    number = float(text.replace(",", "."))
    if not math.isfinite(number):      # e.g. 1e999
        raise ValueError(NOT_A_NUMBER)
    return int(number) if number.is_integer() else number


def on_step(value: float, start: float, step: float) -> bool:
    steps = (value - start) / step
    return math.isclose(steps, round(steps), rel_tol=1e-9, abs_tol=1e-9)


class NumberField(Field):
    """A number typed as text (read_number), then checked against its bounds and step."""

    widget = TextInput(input_type="text")

    def __init__(self, *args, integer: bool = False, minimum=None, maximum=None, step=None, step_from=0,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.integer = integer
        self.minimum = minimum
        self.maximum = maximum
        self.step = step
        self.step_from = step_from

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format_number(self.data)

    def process_formdata(self, valuelist):
        self.data = None
        number = read_number(valuelist[0] if valuelist else "")
        if number is not None and self.integer and not float(number).is_integer():
            raise ValueError(_l("Please enter a whole number."))
        self.data = number

    def pre_validate(self, form):
        if self.data is None:
            return
        if self.minimum is not None and self.data < self.minimum:
            raise ValidationError(_l("Please enter at least %(min)s.", min=format_number(self.minimum)))
        if self.maximum is not None and self.data > self.maximum:
            raise ValidationError(_l("Please enter at most %(max)s.", max=format_number(self.maximum)))
        if self.step is not None and not on_step(self.data, self.step_from, self.step):
            start = self.step_from
            raise ValidationError(_l(
                "Please enter a value in steps of %(step)s, e.g. %(first)s or %(second)s.",
                step=format_number(self.step), first=format_number(start),
                second=format_number(round(start + self.step, 10))))


@dataclass(frozen=True)
class NumberSummary(QuestionSummary):
    """Quartiles: ``statistics.quantiles(values, n=4, method="inclusive")``, i.e. linear
    interpolation between order statistics (R type 7, numpy's default); with a single
    value q1 = median = q3 = that value."""
    mean: float | None
    median: float | None
    sd: float | None      # sample SD (n-1), None when n < 2
    min: float | None
    max: float | None
    q1: float | None
    q3: float | None


# What a number answer may stand for beyond the question (`role:`), and who reads it:
# post_share: the respondent's share of a full-time post (decisions/staffing.py).
ROLES = ("post_share",)


def read_number_answer(question: Question, value):
    """A stored number answer as a valid number, MISSING or INVALID (outside the range,
    not a whole number where one is asked for, not a number)."""
    low, high = question.number_range
    if is_empty(value):
        return MISSING
    if not is_number(value) or not low <= value <= high or question.integer and value != int(value):
        return INVALID
    return value


def number_summary(question: Question, responses: Sequence[Mapping]) -> NumberSummary:
    values, missing, invalid = read_answers(question, responses, lambda value: read_number_answer(question, value))
    n = len(values)
    if not values:
        return NumberSummary(question, 0, missing, invalid, None, None, None, None, None, None, None)
    if n >= 2:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    else:
        q1 = q3 = values[0]
    return NumberSummary(question, n, missing, invalid, mean=statistics.fmean(values),
                         median=statistics.median(values), sd=statistics.stdev(values) if n >= 2 else None,
                         min=min(values), max=max(values), q1=q1, q3=q3)


def _box(summary: NumberSummary, name: str, color: str) -> go.Box:
    """A box from precomputed quartiles; the whiskers end at the quartiles, because minimum and
    maximum are single people's answers (disclosure/rules.py): no single raw value is embedded."""
    low = summary.min if summary.min is not None else summary.q1
    high = summary.max if summary.max is not None else summary.q3
    return go.Box(y=[name], q1=[summary.q1], median=[summary.median], q3=[summary.q3],
                  lowerfence=[low], upperfence=[high], mean=[summary.mean],
                  orientation="h", boxpoints=False, marker_color=color, name=name)


class Number(QuestionType):
    name = "number"
    optional_keys = ("min", "max", "integer", "unit", "step", "role")
    template = "questions/number.html"
    reader = "number"

    def read(self, question: Question, value):
        return read_number_answer(question, value)

    def parse(self, c: Collector, data: dict, loc: str, ctx: Context) -> dict:
        integer = bool(c.boolean(loc, "integer", data.get("integer")))
        low = c.number(loc, "min", data.get("min"))
        high = c.number(loc, "max", data.get("max"))
        if low is not None and high is not None and low >= high:
            c.add(loc, f'"min" ({low}) must be less than "max" ({high})')
        step = c.number(loc, "step", data.get("step"))
        if step is not None and step <= 0:
            c.add(loc, f'"step" must be more than 0, got {step}')
            step = None
        for key, value in (("min", low), ("max", high), ("step", step)):
            if integer and value is not None and value != int(value):
                c.add(loc, f'"{key}" ({value}) must be a whole number because "integer" is true')
        role = data.get("role")
        if role is not None and role not in ROLES:
            c.add(loc, f'"role" must be one of {", ".join(ROLES)}, got {reprlib.repr(role)}')
            role = None
        return {"min": low, "max": high, "integer": integer, "step": step, "role": role,
                "unit": c.text(loc, "unit", data.get("unit"), ctx.languages)}

    def condition_operators(self, question: Question) -> tuple[str, ...]:
        return (*EQUALITY, *ORDER, "answered")

    def condition_value(self, question: Question, operator: str, raw: object):
        return number_value(question, operator, raw)

    def reader_settings(self, question: Question) -> dict:
        return {"integer": question.integer}

    def fields(self, question: Question, lang: str, default: str) -> dict:
        low, high = question.number_range
        return {question.id: NumberField(localized(question.text, lang, default), integer=question.integer,
                                         minimum=low, maximum=high, step=question.step,
                                         step_from=question.min or 0, validators=presence(question.required))}

    def summarize(self, question: Question, responses: Sequence[Mapping]) -> NumberSummary:
        return number_summary(question, responses)

    def key_numbers(self, summary: NumberSummary) -> list[KeyNumber]:
        return [KeyNumber(("mean",), None, None, "mean", summary.mean),
                KeyNumber(("median",), None, None, "median", summary.median)]

    def indicators(self, question: Question, summary: NumberSummary) -> list[Indicator]:
        if not question.construct:
            return []
        return [Indicator(question.construct, question.text, "number", summary.n, mean=summary.mean)]

    def figure(self, summary: NumberSummary, lang: str, gettext):
        fig = go.Figure(layout=dict(title=charts.title(summary.question.text, lang, summary.n, gettext)))
        charts.layout(fig, ["", ""])
        if summary.n == 0:
            return charts.empty(fig, gettext)
        fig.add_trace(_box(summary, "", charts.BAR_COLOR))
        unit = localized(summary.question.unit, lang)
        fig.update_xaxes(title_text=charts.esc(unit) if unit else None)
        return fig

    def breakdown_figure(self, result, shown: list, lang: str, gettext):
        fig = charts.breakdown_title(result, shown, lang, gettext)
        names = charts.group_names(shown, lang, gettext)
        charts.layout(fig, names)
        for name, color, r in zip(names, charts.group_colors(shown), shown):
            fig.add_trace(_box(r.summary, name, color))
        fig.update_layout(showlegend=False)
        return fig

    def summary_record(self, summary: NumberSummary, lang: str) -> dict:
        return dict(mean=summary.mean, median=summary.median, sd=summary.sd, min=summary.min,
                    q1=summary.q1, q3=summary.q3, max=summary.max)

    def random_answer(self, question: Question, rng: random.Random):
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else low + 100
        value = rng.uniform(low, high)
        return round(value) if question.integer else round(value, 1)
