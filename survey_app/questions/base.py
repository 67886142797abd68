"""What a question type is: the hooks every step of the flow asks it, with defaults for the
hooks a type does not need (pure: no Flask, no storage; form hooks build WTForms fields).

A type is one subclass of QuestionType in survey_app/questions/<module>.py, one template
partial (``template``), at most one reader in static/survey.js (``reader``) and one line in
questions/registry.py. Code elsewhere asks a question's type through ``question.kind``
(the registry's entry for ``question.type``) and never compares type names.

The hooks, in the order of the flow (docs/architecture.md, "How to add a question type"):

definition   keys, parse                       the type's own keys in a definition file
branching    condition_operators, condition_value   what show_if may ask of its answers
form         fields, field_names, check, answer, form_input    page form <-> stored answer
analysis     summarize, key_numbers, indicators, changes
output       figure, breakdown_figure, columns, cells, value_labels, codebook_rows,
             value_codes, summary_record, answer_lines
demo data    random_answer
"""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from survey_app.analysis.distributions import Indicator
from survey_app.analysis.summaries import INVALID, MISSING
from survey_app.definitions.conditions import BadValue
from survey_app.definitions.loader import Collector
from survey_app.definitions.model import Question, Scale, Text, localized


@dataclass
class Context:
    """What the parts of one definition need from each other while it is read."""
    languages: tuple[str, ...] | None
    declared_scales: set[str] = field(default_factory=set)   # names, even of broken scales
    scales: dict[str, Scale] = field(default_factory=dict)    # the valid ones
    question_ids: dict[str, str] = field(default_factory=dict)  # id -> path of first use
    # For show_if: every question id in the file, and the questions parsed so far in order
    # (None for one that failed its checks).
    known_question_ids: frozenset[str] = frozenset()
    earlier: dict[str, Question | None] = field(default_factory=dict)


@dataclass(frozen=True)
class KeyNumber:
    """One of the few numbers that say how a question was answered, to put fieldings side by side."""
    key: tuple                 # the same row in both fieldings
    label: Text | None         # option or item; None for the question as a whole
    detail: Text | None        # the scale point, for scales without an order
    kind: str                  # "share", "mean", "median", "mean_rank" or "date"
    value: float | str | None


@dataclass(frozen=True)
class CodebookRow:
    """One column of the wide response table as the codebook describes it."""
    variable: str
    item: str | None = None
    item_text: Text | None = None
    construct: str | None = None


@dataclass(frozen=True)
class ValueCodes:
    """What the stored values in the question's columns mean, for labelled files (SPSS, R)."""
    labels: tuple[tuple[Any, Any], ...] = ()   # (stored value, label: Text or a Message), in order
    missing: tuple = ()                        # stored values that are no answer on the scale ("dk")
    measure: str = "nominal"                   # "nominal", "ordinal" or "scale" (SPSS's levels)


def scalar(value: Any):
    """A stored value as one table cell; anything but None/str/int/float (a list, a dict, a
    bool) as JSON text, so that a malformed value stays visible as such."""
    if value is None or isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value
    import json

    return json.dumps(value, ensure_ascii=False, default=str)


class QuestionType:
    """A question type with the defaults of a type that takes one answer in one field."""

    name: str = ""
    # Keys a definition gives (required) or may give (optional) for this type, on top of the
    # keys every question has (id, type, text, help, required, construct, show_if).
    required_keys: tuple[str, ...] = ()
    optional_keys: tuple[str, ...] = ()
    # False for a type that only shows text: no field, no answer, nothing to require.
    has_answer = True
    # Answers are free texts: read by the evaluator one by one (who may hide them), left out
    # of shared reports unless asked for, never summed up against the minimum group size.
    is_free_text = False
    # One answer per respondent from fixed options: respondents can be grouped by it.
    can_break_down = False
    # Results can be limited to the respondents who chose one of its options.
    can_filter = False
    # Its answer is chosen from the options: "one" or "several" (None: not a choice). Rare
    # choices are recoded in raw downloads (breakdown.py), groups are formed by them (disclosure/).
    chooses: str | None = None
    # Each item has its own n, so the minimum group size applies item by item.
    items_counted_apart = False
    # The page shows the errors of each item at the item and only the question's own above.
    errors_at_items = False
    # The partial with the macros `input` (the form) and `result` (the results table).
    template = "questions/text.html"
    # How static/survey.js reads the answer while the respondent types (READERS there).
    reader = "text"

    # ------------------------------------------------------------------ definition

    def parse(self, c: Collector, data: dict, loc: str, ctx: Context) -> dict:
        """The type's own Question fields from its keys in the definition (problems go to c)."""
        return {}

    # ------------------------------------------------------------------ branching

    def condition_operators(self, question: Question) -> tuple[str, ...]:
        """The show_if operators that can compare this question's answer."""
        return ("answered",)

    def condition_value(self, question: Question, operator: str, raw: object):
        """The checked value a show_if compares the answer with; raises BadValue."""
        raise BadValue(f'"{operator}" cannot be used with question "{question.id}"')

    # ------------------------------------------------------------------ form

    def fields(self, question: Question, lang: str, default: str) -> dict:
        """The WTForms fields of the question on a page, by field name."""
        return {}

    def field_names(self, question: Question) -> list[str]:
        return [question.id]

    def check(self, form, question: Question):
        """A message about the answer as a whole (beyond each field's own checks), or None."""
        return None

    def answer(self, form, question: Question):
        """The answer to store from the page's checked fields; None when there is none."""
        data = form[question.id].data
        return data if data not in ("", None) else None

    def form_input(self, question: Question, value) -> dict[str, list[str]]:
        """A stored answer as form input (field name -> values); nothing for a value of the wrong kind."""
        return {} if value is None else {question.id: [as_input(value)]}

    # ------------------------------------------------------------------ analysis

    def options(self, question: Question) -> tuple:
        """The options respondents choose from (choice types)."""
        return question.options

    def reader_settings(self, question: Question) -> dict:
        """What the reader in static/survey.js needs to accept answers as the server does
        (bounds and the like); written into the page with the question."""
        return {}

    def summarize(self, question: Question, responses: Sequence[Mapping]):
        """The aggregate of every response's answer (see analysis/summaries.py)."""
        raise NotImplementedError(f"no summary for question type {self.name!r}")

    def counts_answer(self, question: Question, value: Any) -> bool:
        """Does this stored value count as an answer in the summary (its n)? The release plan
        asks it for every response; the default asks `summarize` itself, a type whose summary
        reads values with a `read` of its own answers from that (ReadsValues)."""
        return self.summarize(question, [{"answers": {question.id: value}}]).n > 0

    def key_numbers(self, summary) -> list[KeyNumber]:
        """The numbers that compare fieldings (fieldings/fielding.py); free texts: none."""
        return []

    def indicators(self, question: Question, summary) -> list[Indicator]:
        """What the question says about each construct it measures (analysis/triangulation.py
        puts them next to other instruments' and suppresses those below the minimum)."""
        return []

    def changes(self, before: Question, after: Question) -> list[tuple[str, str]]:
        """(kind, detail) of the type's own changes that make earlier answers not comparable,
        on top of the ones every type has (definitions/versions.py)."""
        return []

    # ------------------------------------------------------------------ output

    def figure(self, summary, lang: str, gettext):
        """The plotly figure of a summary; None when the type has no chart."""
        return None

    def breakdown_figure(self, result, shown: list, lang: str, gettext):
        """One question across the groups of a breakdown (output/charts.py); None: no chart."""
        return None

    def columns(self, question: Question) -> list[str]:
        """Column names of the question in the wide response table."""
        return [question.id]

    def cells(self, question: Question, value) -> list:
        """Cells of one stored answer, matching `columns`."""
        return [scalar(value)]

    def value_labels(self, question: Question, lang: str) -> str:
        """What the stored values mean, for the codebook ("" when they speak for themselves)."""
        return ""

    def codebook_rows(self, question: Question) -> list[CodebookRow]:
        return [CodebookRow(question.id, construct=question.construct)]

    def value_codes(self, question: Question) -> ValueCodes | None:
        """The labels of the values in its columns (SPSS value labels, R factors); None when
        the values speak for themselves (numbers, dates, texts)."""
        return None

    def summary_record(self, summary, lang: str) -> dict:
        """The type's aggregates as plain data (JSON download, summary table)."""
        return {}

    def answer_lines(self, question: Question, value) -> list[str]:
        """The stored values as an admin reads them on the page of one response."""
        shown = []
        for column, cell in zip(self.columns(question), self.cells(question, value)):
            if cell is None:
                continue
            key = column.partition(".")[2]
            shown.append(f"{key}: {cell}" if key else str(cell))
        return shown

    # ------------------------------------------------------------------ demo data

    def random_answer(self, question: Question, rng: random.Random):
        """A plausible valid answer (synthetic.py); None for none."""
        return None


def as_input(value) -> str:
    """A stored value as typed: 12 for 12.0, as the form reads numbers back."""
    if isinstance(value, float) and value.is_integer():
        return format_number(value)
    return str(value)


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def labelled(value, label: Text, lang: str) -> dict:
    return {"value": value, "label": localized(label, lang)}


class ReadsValues:
    """For a question type whose summary reads each stored value with `self.read(question,
    value)` (a valid value, MISSING or INVALID): whether a value counts, from the same read."""

    def counts_answer(self, question: Question, value: Any) -> bool:
        return self.read(question, value) not in (MISSING, INVALID)
