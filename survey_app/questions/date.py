"""date: a day, stored as "YYYY-MM-DD" (between min_date and max_date when given). Typed by
hand, DD.MM.YYYY works too, as Germans write it; static/survey.js reads dates by the same rule."""
from __future__ import annotations

import datetime as dt
import random
import re
import reprlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wtforms import Field
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from survey_app.analysis.summaries import INVALID, MISSING, QuestionSummary, is_empty, read_answers
from survey_app.definitions.conditions import EQUALITY, BadValue, ISO_DATE, ORDER, describe
from survey_app.definitions.loader import Collector
from survey_app.definitions.model import Question, localized
from survey_app.messages import _l
from survey_app.output import charts
from survey_app.questions.base import Context, KeyNumber, QuestionType
from survey_app.questions.parts import presence

GERMAN_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")


def read_date(text: str) -> dt.date | None:
    """The day typed as YYYY-MM-DD or DD.MM.YYYY (surrounding spaces left out), None for
    nothing typed; ValueError for anything else, also for a day that does not exist (31.02.)."""
    text = text.strip()
    if not text:
        return None
    match = GERMAN_DATE.fullmatch(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return dt.date(year, month, day)
        if ISO_DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(_l("Please enter a date, e.g. 31.03.2017."))


class DateField(Field):
    """A date: the browser's date picker sends YYYY-MM-DD; typed by hand (where there is no
    picker) DD.MM.YYYY works too (read_date). The data is a datetime.date."""

    widget = TextInput(input_type="date")

    def __init__(self, *args, earliest: str | None = None, latest: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.earliest = dt.date.fromisoformat(earliest) if earliest else None
        self.latest = dt.date.fromisoformat(latest) if latest else None

    def _value(self) -> str:
        # A date picker shows only YYYY-MM-DD; text that is no date is shown as typed.
        if self.data:
            return self.data.isoformat()
        return self.raw_data[0] if self.raw_data else ""

    def process_data(self, value):
        self.data = dt.date.fromisoformat(value) if isinstance(value, str) and value else None

    def process_formdata(self, valuelist):
        self.data = None
        self.data = read_date(valuelist[0] if valuelist else "")

    def pre_validate(self, form):
        if self.data is None:
            return
        if self.earliest and self.data < self.earliest:
            raise ValidationError(_l("Please enter a date on or after %(date)s.", date=self.earliest))
        if self.latest and self.data > self.latest:
            raise ValidationError(_l("Please enter a date on or before %(date)s.", date=self.latest))


@dataclass(frozen=True)
class DateSummary(QuestionSummary):
    earliest: str | None      # ISO dates
    median: str | None
    latest: str | None
    by_month: tuple[tuple[str, int], ...]   # ("2026-11", count), in calendar order


def _stored_date(value: Any) -> Any:
    if is_empty(value):
        return MISSING
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else INVALID
    except ValueError:
        return INVALID


def iso_date(value: object) -> str | None:
    """A date given in a definition as "YYYY-MM-DD": YAML reads 2017-03-31 as a date, a quoted
    "2017-03-31" is accepted too; None for anything else (also for 2017-02-30)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    return None


def definition_date(c: Collector, loc: str, key: str, value: object) -> str | None:
    if value is None:
        return None
    if iso_date(value) is None:
        c.add(loc, f'"{key}" must be a date written as YYYY-MM-DD, got {reprlib.repr(value)}')
    return iso_date(value)


class Date(QuestionType):
    name = "date"
    optional_keys = ("min_date", "max_date")
    template = "questions/date.html"
    reader = "date"

    def parse(self, c: Collector, data: dict, loc: str, ctx: Context) -> dict:
        bounds = {key: definition_date(c, loc, key, data.get(key)) for key in ("min_date", "max_date")}
        if None not in bounds.values() and bounds["min_date"] >= bounds["max_date"]:
            c.add(loc, f'"min_date" ({bounds["min_date"]}) must be before "max_date" ({bounds["max_date"]})')
        return bounds

    def condition_operators(self, question: Question) -> tuple[str, ...]:
        return (*EQUALITY, *ORDER, "answered")

    def condition_value(self, question: Question, operator: str, raw: object):
        if iso_date(raw) is not None:
            return iso_date(raw)
        raise BadValue(f'question "{question.id}" is a date; write the value as YYYY-MM-DD, got {describe(raw)}')

    def fields(self, question: Question, lang: str, default: str) -> dict:
        return {question.id: DateField(localized(question.text, lang, default), earliest=question.min_date,
                                       latest=question.max_date, validators=presence(question.required))}

    def answer(self, form, question: Question):
        data = form[question.id].data
        return data.isoformat() if isinstance(data, dt.date) else None

    def summarize(self, question: Question, responses: Sequence[Mapping]) -> DateSummary:
        dates, missing, invalid = read_answers(question, responses, _stored_date)
        if not dates:
            return DateSummary(question, 0, missing, invalid, None, None, None, ())
        dates.sort()
        months: dict[str, int] = {}
        for day in dates:
            months[day.strftime("%Y-%m")] = months.get(day.strftime("%Y-%m"), 0) + 1
        # The median of dates is the lower middle one: a real date, never one between two answers.
        median = dates[(len(dates) - 1) // 2]
        return DateSummary(question, len(dates), missing, invalid, dates[0].isoformat(), median.isoformat(),
                           dates[-1].isoformat(), tuple(months.items()))

    def key_numbers(self, summary: DateSummary) -> list[KeyNumber]:
        return [KeyNumber(("median",), None, None, "date", summary.median)]

    def figure(self, summary: DateSummary, lang: str, gettext):
        """Answers per month."""
        return charts.bar_figure(summary, [month for month, _ in summary.by_month],
                                 [count for _, count in summary.by_month],
                                 [str(count) for _, count in summary.by_month], gettext("Answers"), lang, gettext,
                                 hover=False)

    def summary_record(self, summary: DateSummary, lang: str) -> dict:
        return dict(earliest=summary.earliest, median=summary.median, latest=summary.latest)

    def random_answer(self, question: Question, rng: random.Random):
        first = dt.date.fromisoformat(question.min_date) if question.min_date else dt.date(2017, 1, 1)
        last = dt.date.fromisoformat(question.max_date) if question.max_date else first + dt.timedelta(days=365)
        return (first + dt.timedelta(days=rng.randint(0, (last - first).days))).isoformat()
