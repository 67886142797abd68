"""time: a time of day, stored as "HH:MM" on the 24-hour clock (between min_time and max_time
when given), e.g. when a meeting centre opens. Typed by hand, 9:30 and 9.30 work too;
static/survey.js reads times by the same rule (readTime)."""
from __future__ import annotations

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
from survey_app.definitions.loader import Collector
from survey_app.definitions.model import Question, localized
from survey_app.messages import _l
from survey_app.output import charts
from survey_app.questions.base import Context, QuestionType
from survey_app.questions.parts import presence

TIME_TEXT = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})")
STORED = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def read_time(text: str) -> str | None:
    """"HH:MM" for a time typed as H:MM, HH:MM or HH.MM (surrounding spaces left out), None for
    nothing typed; ValueError for anything else, also for 24:00 or 9:60."""
    text = text.strip()
    if not text:
        return None
    match = TIME_TEXT.fullmatch(text)
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return f"{int(match.group(1)):02d}:{match.group(2)}"
    raise ValueError(_l("Please enter a time, e.g. 09:30."))


class TimeField(Field):
    """A time of day: the browser's time picker sends HH:MM; typed by hand read_time applies."""

    widget = TextInput(input_type="time")

    def __init__(self, *args, earliest: str | None = None, latest: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.earliest, self.latest = earliest, latest

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else (self.data or "")

    def process_formdata(self, valuelist):
        self.data = None
        self.data = read_time(valuelist[0] if valuelist else "")

    def pre_validate(self, form):
        if self.data and self.earliest and self.data < self.earliest:
            raise ValidationError(_l("Please enter a time at or after %(time)s.", time=self.earliest))
        if self.data and self.latest and self.data > self.latest:
            raise ValidationError(_l("Please enter a time at or before %(time)s.", time=self.latest))


@dataclass(frozen=True)
class TimeSummary(QuestionSummary):
    earliest: str | None      # "HH:MM"
    median: str | None        # the lower middle answer: a time somebody gave
    latest: str | None
    by_hour: tuple[tuple[str, int], ...]   # ("09", count), from early to late


def _stored_time(value: Any) -> Any:
    if is_empty(value):
        return MISSING
    return value if isinstance(value, str) and STORED.fullmatch(value) else INVALID


class Time(QuestionType):
    name = "time"
    optional_keys = ("min_time", "max_time")
    template = "questions/time.html"
    reader = "time"

    def parse(self, c: Collector, data: dict, loc: str, ctx: Context) -> dict:
        bounds = {}
        for key in self.optional_keys:
            value = data.get(key)
            if value is not None and not (isinstance(value, str) and STORED.fullmatch(value)):
                # YAML reads an unquoted 10:30 as the number 630 (minutes): hence the quotes.
                c.add(loc, f'"{key}" must be a time written as "HH:MM" in quotes, e.g. "09:30", '
                           f"got {reprlib.repr(value)}")
                value = None
            bounds[key] = value
        if None not in bounds.values() and bounds["min_time"] >= bounds["max_time"]:
            c.add(loc, f'"min_time" ({bounds["min_time"]}) must be before "max_time" ({bounds["max_time"]})')
        return bounds

    def fields(self, question: Question, lang: str, default: str) -> dict:
        return {question.id: TimeField(localized(question.text, lang, default), earliest=question.min_time,
                                       latest=question.max_time, validators=presence(question.required))}

    def summarize(self, question: Question, responses: Sequence[Mapping]) -> TimeSummary:
        times, missing, invalid = read_answers(question, responses, _stored_time)
        if not times:
            return TimeSummary(question, 0, missing, invalid, None, None, None, ())
        times.sort()
        hours: dict[str, int] = {}
        for time in times:
            hours[time[:2]] = hours.get(time[:2], 0) + 1
        return TimeSummary(question, len(times), missing, invalid, times[0], times[(len(times) - 1) // 2],
                           times[-1], tuple(hours.items()))

    def figure(self, summary: TimeSummary, lang: str, gettext):
        """Answers per hour of the day."""
        return charts.bar_figure(summary, [f"{hour}:00" for hour, _ in summary.by_hour],
                                 [count for _, count in summary.by_hour],
                                 [str(count) for _, count in summary.by_hour], gettext("Answers"), lang, gettext,
                                 hover=False)

    def value_labels(self, question: Question, lang: str) -> str:
        return "time of day, HH:MM on the 24-hour clock"

    def summary_record(self, summary: TimeSummary, lang: str) -> dict:
        return dict(earliest=summary.earliest, median=summary.median, latest=summary.latest)

    def random_answer(self, question: Question, rng: random.Random):
        def minutes(time: str) -> int:
            return int(time[:2]) * 60 + int(time[3:])

        first, last = minutes(question.min_time or "07:00"), minutes(question.max_time or "20:00")
        chosen = first + 5 * rng.randint(0, (last - first) // 5)
        return f"{chosen // 60:02d}:{chosen % 60:02d}"
