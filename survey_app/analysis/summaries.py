"""Stored responses -> aggregates per question (pure: no Flask, no storage).

Conventions shared by every summary:

* ``n``       respondents who gave a valid answer to the question ("don't know" on a
              scale is an answer, so it is part of ``n``);
* ``missing`` respondents without a valid answer: key absent, ``None``, empty text, empty
              list/dict, or an invalid value; ``n + missing == len(responses)`` always;
* ``invalid`` how many of ``missing`` had a value that is not valid for the current
              definition (e.g. an option that no longer exists, a number out of range,
              a wrong type). Invalid values never raise; they are counted as missing.

Compound answers are checked part by part: in a multiple choice list unknown option values
are ignored (the known ones still count); in a matrix each item is checked on its own. An
allocation is all or nothing: it is valid only if every value is a number within the item
bounds and the values add up to ``question.total`` (absent items count as 0).

Shares are fractions (0..1), never percentages; a share whose base is 0 is 0.0 (the
accompanying n says so). Scale distributions and statistics use the valid scale answers
only ("don't know" excluded): ``n_valid = n - dk``.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

import datetime as dt

from survey_app.analysis.stats import adds_up, borda_order, borda_points, is_int, is_number, median_of_counts, share
from survey_app.definitions.model import (
    DONT_KNOW,
    NO,
    YES,
    Item,
    Option,
    Question,
    Questionnaire,
    Scale,
    Text,
)

Response = Mapping[str, Any]

CHOICE_TYPES = ("single_choice", "multiple_choice")
TEXT_TYPES = ("short_text", "long_text")


# --------------------------------------------------------------------------- dataclasses

@dataclass(frozen=True)
class OptionCount:
    value: str
    label: Text
    count: int
    share: float          # of respondents who answered the question


@dataclass(frozen=True)
class ChoiceSummary:
    question: Question
    n: int
    missing: int
    invalid: int
    options: tuple[OptionCount, ...]

    @property
    def multiple(self) -> bool:
        """Several answers per respondent: shares may add up to more than 1."""
        return self.question.type == "multiple_choice"


@dataclass(frozen=True)
class PointCount:
    value: int
    label: Text
    count: int
    share: float          # of valid scale answers (don't know excluded)


@dataclass(frozen=True)
class ItemScale:
    """Distribution and statistics of one scale question or one matrix item."""
    item: Item | None     # None for a plain scale question
    n: int                # answered, don't know included
    missing: int
    invalid: int
    dk: int               # "don't know" answers
    points: tuple[PointCount, ...]   # in the scale's definition order
    mean: float | None    # ordered scales only, None when n_valid == 0
    median: float | None  # ordered scales only, None when n_valid == 0
    sd: float | None      # sample SD (n-1); ordered scales only, None when n_valid < 2
    top2: float | None = None     # share of the two highest points; ordered scales of 4+ points
    bottom2: float | None = None  # share of the two lowest points; ordered scales of 4+ points

    @property
    def n_valid(self) -> int:
        """Answers on the scale itself: the base of shares, mean, median and SD."""
        return self.n - self.dk


@dataclass(frozen=True)
class ScaleSummary:
    """A scale question (one entry in ``items``) or a matrix question (one per item).

    For a matrix, ``n`` counts respondents with at least one valid item answer
    (don't know included); each item has its own n, dk and missing.
    """
    question: Question
    n: int
    missing: int
    invalid: int
    items: tuple[ItemScale, ...]

    @property
    def scale(self) -> Scale:
        assert self.question.scale is not None
        return self.question.scale


@dataclass(frozen=True)
class NumberSummary:
    """Quartiles: ``statistics.quantiles(values, n=4, method="inclusive")``, i.e. linear
    interpolation between order statistics (R type 7, numpy's default); with a single
    value q1 = median = q3 = that value."""
    question: Question
    n: int
    missing: int
    invalid: int
    mean: float | None
    median: float | None
    sd: float | None      # sample SD (n-1), None when n < 2
    min: float | None
    max: float | None
    q1: float | None
    q3: float | None


@dataclass(frozen=True)
class ItemMean:
    item: Item
    mean: float | None    # over respondents who answered the question (absent item = 0)
    share: float | None   # mean / question.total (or / sum of means when there is no total)


@dataclass(frozen=True)
class AllocationSummary:
    question: Question
    n: int
    missing: int
    invalid: int
    items: tuple[ItemMean, ...]


@dataclass(frozen=True)
class TextAnswer:
    response_id: str
    text: str


@dataclass(frozen=True)
class TextSummary:
    question: Question
    n: int
    missing: int
    invalid: int
    entries: tuple[TextAnswer, ...]   # non-empty answers, stripped, in response order

    @property
    def answers(self) -> tuple[str, ...]:
        return tuple(entry.text for entry in self.entries)


@dataclass(frozen=True)
class RankedOption:
    value: str
    label: Text
    mean_rank: float | None   # 1 = best; over respondents who ranked the option
    borda: int                # sum over respondents of (options - rank): higher = preferred
    first: int                # how often ranked first


@dataclass(frozen=True)
class RankingSummary:
    """Options ordered by Borda score (ties: mean rank, then definition order)."""
    question: Question
    n: int
    missing: int
    invalid: int
    options: tuple[RankedOption, ...]


@dataclass(frozen=True)
class DateSummary:
    question: Question
    n: int
    missing: int
    invalid: int
    earliest: str | None      # ISO dates
    median: str | None
    latest: str | None
    by_month: tuple[tuple[str, int], ...]   # ("2026-11", count), in calendar order


QuestionSummary = Union[ChoiceSummary, ScaleSummary, NumberSummary, AllocationSummary,
                        TextSummary, RankingSummary, DateSummary]

# What yes_no questions show when the definition gives no labels of its own.
DEFAULT_YES_NO_LABELS = ({"de": "Ja", "en": "Yes"}, {"de": "Nein", "en": "No"})


# --------------------------------------------------------------------------- helpers

_MISSING = object()   # nothing answered
_INVALID = object()   # something answered, but not valid for the question


def answers_of(response: Response) -> Mapping:
    """The stored answers of a response; empty for a malformed one."""
    answers = response.get("answers") if isinstance(response, Mapping) else None
    return answers if isinstance(answers, Mapping) else {}


def raw_answer(response: Response, question_id: str) -> Any:
    """The stored value for a question, None when absent (also for malformed responses)."""
    if response.__class__ is dict:  # fast path for stored responses (this runs per answer)
        answers = response.get("answers")
        if answers.__class__ is dict:
            return answers.get(question_id)
    answers = response.get("answers") if isinstance(response, Mapping) else None
    if not isinstance(answers, Mapping):
        return None
    return answers.get(question_id)


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, tuple, dict)) and not
                             (value.strip() if isinstance(value, str) else value))


class _ScaleReader:
    """Classifies stored scale answers; built once per question because it runs for every
    answer of every respondent (the hot loop of a large survey)."""

    def __init__(self, scale: Scale):
        self.points = frozenset(scale.values)
        self.dk_allowed = scale.dont_know is not None

    def __call__(self, value: Any) -> Any:
        """A valid scale answer (int point or DONT_KNOW), or _MISSING / _INVALID."""
        if value.__class__ is int:        # the common case; excludes bool
            return value if value in self.points else _INVALID
        if value is None or value == "" or value == [] or value == {}:
            return _MISSING
        if value == DONT_KNOW:
            return DONT_KNOW if self.dk_allowed else _INVALID
        if isinstance(value, str) and not value.strip():
            return _MISSING
        if is_int(value) and value in self.points:
            return value
        return _INVALID


class _ScaleTally:
    """Counts of one scale question or matrix item, fed one stored value at a time."""

    def __init__(self, scale: Scale, read: _ScaleReader):
        self.scale = scale
        self.read = read
        self.counts = {v: 0 for v in scale.values}
        self.dk = self.missing = self.invalid = 0

    def add(self, raw: Any) -> bool:
        """Count one value; True when it is an answer (a point or don't know)."""
        v = self.read(raw)
        if v is _MISSING:
            self.missing += 1
            return False
        if v is _INVALID:
            self.missing += 1
            self.invalid += 1
            return False
        if v == DONT_KNOW:
            self.dk += 1
        else:
            self.counts[v] += 1
        return True

    def result(self, item: Item | None) -> ItemScale:
        scale, counts = self.scale, self.counts
        n_valid = sum(counts.values())
        points = tuple(PointCount(p.value, p.label, counts[p.value], share(counts[p.value], n_valid))
                       for p in scale.points)
        mean = median = sd = top2 = bottom2 = None
        if scale.ordered and n_valid:
            # from the counts per point: exact, and independent of the number of respondents
            mean = sum(v * c for v, c in counts.items()) / n_valid
            median = median_of_counts(counts, n_valid)
            if n_valid >= 2:
                sd = math.sqrt(sum(c * (v - mean) ** 2 for v, c in counts.items()) / (n_valid - 1))
            if len(points) >= 4:
                top2 = points[-1].share + points[-2].share
                bottom2 = points[0].share + points[1].share
        return ItemScale(item=item, n=n_valid + self.dk, missing=self.missing, invalid=self.invalid,
                         dk=self.dk, points=points, mean=mean, median=median, sd=sd, top2=top2,
                         bottom2=bottom2)


def scale_distribution(scale: Scale, values: Iterable[Any],
                       item: Item | None = None) -> ItemScale:
    """The shared helper for scale questions and matrix items: raw stored values in
    (one per respondent, None when not answered), distribution and statistics out."""
    tally = _ScaleTally(scale, _ScaleReader(scale))
    for raw in values:
        tally.add(raw)
    return tally.result(item)


# --------------------------------------------------------------------------- per type

def options_of(question: Question) -> tuple[Option, ...]:
    """The choices of a question; yes_no questions have two fixed ones."""
    if question.type == "yes_no":
        yes, no = DEFAULT_YES_NO_LABELS
        return (Option(YES, question.yes_label or yes), Option(NO, question.no_label or no))
    return question.options


def choice_summary(question: Question, responses: Sequence[Response]) -> ChoiceSummary:
    """Single choice, multiple choice and yes/no questions."""
    all_options = options_of(question)
    known = [o.value for o in all_options]
    counts = {v: 0 for v in known}
    n = missing = invalid = 0
    for response in responses:
        raw = raw_answer(response, question.id)
        if _is_empty(raw):
            missing += 1
            continue
        if question.type == "multiple_choice":
            chosen = ({v for v in raw if isinstance(v, str) and v in counts}
                      if isinstance(raw, (list, tuple)) else set())
        else:
            chosen = {raw} if isinstance(raw, str) and raw in counts else set()
        if not chosen:
            missing += 1
            invalid += 1
            continue
        n += 1
        for v in chosen:
            counts[v] += 1
    options = tuple(OptionCount(o.value, o.label, counts[o.value], share(counts[o.value], n))
                    for o in all_options)
    return ChoiceSummary(question, n, missing, invalid, options)


def scale_summary(question: Question, responses: Sequence[Response]) -> ScaleSummary:
    """Scale and matrix questions."""
    scale = question.scale
    if scale is None:
        raise ValueError(f"question {question.id!r} has no scale")
    if question.type == "scale":
        item = scale_distribution(scale, (raw_answer(r, question.id) for r in responses))
        return ScaleSummary(question, item.n, item.missing, item.invalid, (item,))

    read = _ScaleReader(scale)
    tallies = [(it, _ScaleTally(scale, read)) for it in question.items]
    n = missing = invalid = 0
    for response in responses:
        raw = raw_answer(response, question.id)
        row = raw if isinstance(raw, Mapping) else {}
        answered = False
        for it, tally in tallies:
            answered = tally.add(row.get(it.id)) or answered
        if answered:
            n += 1
        else:
            missing += 1
            # invalid: something was stored, but no item holds a valid answer
            if isinstance(raw, Mapping):
                invalid += any(not _is_empty(v) for v in raw.values())
            else:
                invalid += not _is_empty(raw)
    items = tuple(tally.result(it) for it, tally in tallies)
    return ScaleSummary(question, n, missing, invalid, items)


def _number_value(question: Question, value: Any) -> Any:
    if _is_empty(value):
        return _MISSING
    if not is_number(value):
        return _INVALID
    low, high = question.number_range
    if not low <= value <= high:
        return _INVALID
    if question.integer and value != int(value):
        return _INVALID
    return value


def number_summary(question: Question, responses: Sequence[Response]) -> NumberSummary:
    values: list[float] = []
    missing = invalid = 0
    for response in responses:
        v = _number_value(question, raw_answer(response, question.id))
        if v is _MISSING or v is _INVALID:
            missing += 1
            invalid += v is _INVALID
        else:
            values.append(v)
    n = len(values)
    if not values:
        return NumberSummary(question, 0, missing, invalid, None, None, None, None, None,
                             None, None)
    if n >= 2:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    else:
        q1 = q3 = values[0]
    return NumberSummary(
        question, n, missing, invalid,
        mean=statistics.fmean(values),
        median=statistics.median(values),
        sd=statistics.stdev(values) if n >= 2 else None,
        min=min(values), max=max(values), q1=q1, q3=q3,
    )


def _allocation_value(question: Question, value: Any) -> Any:
    """{item_id: number} for every item (absent = 0), or _MISSING / _INVALID."""
    if _is_empty(value):
        return _MISSING
    if not isinstance(value, Mapping):
        return _INVALID
    out: dict[str, float] = {}
    low, high = question.min, question.max
    for it in question.items:
        v = value.get(it.id)
        if v is None:
            v = 0
        if v.__class__ is not int and (not is_number(v) or (question.integer and v != int(v))):
            return _INVALID
        if (low is not None and v < low) or (high is not None and v > high):
            return _INVALID
        out[it.id] = v
    if question.total is not None:
        if not adds_up(out.values(), question.total):
            return _INVALID
    return out


def allocation_summary(question: Question, responses: Sequence[Response]) -> AllocationSummary:
    rows: list[dict[str, float]] = []
    missing = invalid = 0
    for response in responses:
        v = _allocation_value(question, raw_answer(response, question.id))
        if v is _MISSING or v is _INVALID:
            missing += 1
            invalid += v is _INVALID
        else:
            rows.append(v)
    n = len(rows)
    means = {it.id: (math.fsum(r[it.id] for r in rows) / n if rows else None)
             for it in question.items}
    base = question.total if question.total else sum(m for m in means.values() if m)
    items = tuple(ItemMean(it, means[it.id],
                           None if means[it.id] is None else share(means[it.id], base))
                  for it in question.items)
    return AllocationSummary(question, n, missing, invalid, items)


def text_summary(question: Question, responses: Sequence[Response]) -> TextSummary:
    answers: list[TextAnswer] = []
    missing = invalid = 0
    for response in responses:
        raw = raw_answer(response, question.id)
        if _is_empty(raw):
            missing += 1
        elif not isinstance(raw, str):
            missing += 1
            invalid += 1
        else:
            answers.append(TextAnswer(str(response.get("id", "")), raw.strip()))
    return TextSummary(question, len(answers), missing, invalid, tuple(answers))


def _ranking_value(question: Question, value: Any) -> Any:
    """A list of distinct known option values, best first (a partial ranking is allowed)."""
    if _is_empty(value):
        return _MISSING
    known = {o.value for o in question.options}
    if (not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v in known for v in value)
            or len(set(value)) != len(value)):
        return _INVALID
    return list(value)


def ranking_summary(question: Question, responses: Sequence[Response]) -> RankingSummary:
    options = [o.value for o in question.options]
    ranks: dict[str, list[int]] = {value: [] for value in options}
    first = {value: 0 for value in options}
    orders = []
    n = missing = invalid = 0
    for response in responses:
        order = _ranking_value(question, raw_answer(response, question.id))
        if order is _MISSING or order is _INVALID:
            missing += 1
            invalid += order is _INVALID
            continue
        n += 1
        orders.append(order)
        for position, value in enumerate(order, start=1):
            ranks[value].append(position)
        first[order[0]] += 1
    borda = borda_points(orders, options)
    mean_ranks = {value: statistics.fmean(ranks[value]) if ranks[value] else None for value in options}
    labels = {o.value: o.label for o in question.options}
    ranked = tuple(RankedOption(value, labels[value], mean_ranks[value], borda[value], first[value])
                   for value in borda_order(options, borda, mean_ranks))
    return RankingSummary(question, n, missing, invalid, ranked)


def _date_value(value: Any) -> Any:
    if _is_empty(value):
        return _MISSING
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _INVALID
    except ValueError:
        return _INVALID


def date_summary(question: Question, responses: Sequence[Response]) -> DateSummary:
    dates: list[dt.date] = []
    missing = invalid = 0
    for response in responses:
        value = _date_value(raw_answer(response, question.id))
        if value is _MISSING or value is _INVALID:
            missing += 1
            invalid += value is _INVALID
        else:
            dates.append(value)
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


# --------------------------------------------------------------------------- entry points

def summarize_question(question: Question, responses: Sequence[Response]) -> QuestionSummary:
    if question.type in CHOICE_TYPES or question.type == "yes_no":
        return choice_summary(question, responses)
    if question.type in ("scale", "matrix"):
        return scale_summary(question, responses)
    if question.type == "number":
        return number_summary(question, responses)
    if question.type == "allocation":
        return allocation_summary(question, responses)
    if question.type in TEXT_TYPES:
        return text_summary(question, responses)
    if question.type == "ranking":
        return ranking_summary(question, responses)
    if question.type == "date":
        return date_summary(question, responses)
    raise ValueError(f"unknown question type {question.type!r}")


def summarize(questionnaire: Questionnaire,
              responses: Sequence[Response]) -> list[QuestionSummary]:
    """One summary per question that takes answers (notes only show text), in questionnaire
    order. Responses of every version are read against the current definition (values it
    no longer accepts count as invalid)."""
    responses = list(responses)
    return [summarize_question(q, responses) for q in questionnaire.questions() if q.type != "note"]

