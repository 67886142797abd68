"""Branching: `show_if` conditions on questions and pages (pure: no Flask, no storage).

A condition is written in YAML (docs/questionnaire-format.md, "Branching") as

    {question: programme, equals: qfi}          a comparison with an earlier answer
    {all: [c1, c2]}  {any: [c1, c2]}  {not: c}  combinations

parse() checks one against the questions before it and returns an immutable Condition;
evaluate() decides it for a dict of stored answers; visibility() walks a whole
questionnaire and says which pages and questions are hidden. static/survey.js evaluates
the same conditions (as_data() and live_conditions() give the JSON it reads) with the same
rules, so the page changes live while the server stays the judge; tests/data/conditions/
vectors.json holds the cases both must agree on.

Rules, the same in Python and JavaScript:
- every comparison is false while its question is unanswered (None, "", [] or {}) -- also
  not_equals; wrap a comparison in `not` to include "no answer";
- numbers compare with numbers, texts with texts (true and false are neither), dates as
  "YYYY-MM-DD" texts; anything else compares as unequal and unordered;
- `all` of nothing is true, `any` of nothing is false (the file format asks for at least one).
"""
from __future__ import annotations

import difflib
import math
import re
import reprlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Union

# Comparison operators; each question type says which apply to its answers
# (condition_operators in survey_app/questions/).
EQUALITY = ("equals", "not_equals", "one_of")
ORDER = ("less_than", "at_most", "greater_than", "at_least")
OPERATORS = (*EQUALITY, "contains", *ORDER, "answered")
LOGICAL = ("all", "any", "not")

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_DEPTH = 12     # deeper nesting is surely a mistake, and would make evaluation recursive without end


@dataclass(frozen=True)
class Comparison:
    question: str
    operator: str    # one of OPERATORS
    value: object    # str | int | float | bool; a tuple of those for one_of


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    condition: Condition


Condition = Union[Comparison, AllOf, AnyOf, Not]


# --------------------------------------------------------------------------- evaluation

def is_answered(value: object) -> bool:
    return not (value is None or (isinstance(value, (str, list, tuple, dict)) and len(value) == 0))


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same(a: object, b: object) -> bool:
    if _is_number(a) and _is_number(b):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return False


def _order(a: object, b: object) -> int | None:
    """-1, 0 or 1 when a and b are comparable (two numbers, or two ISO dates), else None."""
    if _is_number(a) and _is_number(b):
        if math.isnan(a) or math.isnan(b):
            return None
        return (a > b) - (a < b)
    if isinstance(a, str) and isinstance(b, str) and ISO_DATE.fullmatch(a) and ISO_DATE.fullmatch(b):
        return (a > b) - (a < b)
    return None


_ORDER_TESTS = {
    "less_than": lambda o: o < 0,
    "at_most": lambda o: o <= 0,
    "greater_than": lambda o: o > 0,
    "at_least": lambda o: o >= 0,
}


def evaluate(condition: Condition, answers: Mapping[str, object]) -> bool:
    """Whether the condition holds for these stored answers; never raises on odd answers."""
    if isinstance(condition, AllOf):
        return all(evaluate(c, answers) for c in condition.conditions)
    if isinstance(condition, AnyOf):
        return any(evaluate(c, answers) for c in condition.conditions)
    if isinstance(condition, Not):
        return not evaluate(condition.condition, answers)
    answer = answers.get(condition.question)
    operator, value = condition.operator, condition.value
    if operator == "answered":
        return is_answered(answer) == value
    if not is_answered(answer):
        return False
    if operator == "equals":
        return _same(answer, value)
    if operator == "not_equals":
        return not _same(answer, value)
    if operator == "one_of":
        return any(_same(answer, v) for v in value)
    if operator == "contains":
        return isinstance(answer, list) and any(_same(a, value) for a in answer)
    order = _order(answer, value)
    return order is not None and _ORDER_TESTS[operator](order)


def references(condition: Condition) -> set[str]:
    """The ids of the questions a condition depends on."""
    if isinstance(condition, (AllOf, AnyOf)):
        return set().union(*(references(c) for c in condition.conditions))
    if isinstance(condition, Not):
        return references(condition.condition)
    return {condition.question}


def as_data(condition: Condition | None) -> dict | None:
    """The condition as plain JSON data, in the shape of the YAML file (read by survey.js)."""
    if condition is None:
        return None
    if isinstance(condition, AllOf):
        return {"all": [as_data(c) for c in condition.conditions]}
    if isinstance(condition, AnyOf):
        return {"any": [as_data(c) for c in condition.conditions]}
    if isinstance(condition, Not):
        return {"not": as_data(condition.condition)}
    value = list(condition.value) if isinstance(condition.value, tuple) else condition.value
    return {"question": condition.question, condition.operator: value}


@dataclass(frozen=True)
class Visibility:
    hidden_pages: frozenset[str]
    hidden_questions: frozenset[str]
    answers: dict      # the answers of visible questions only: what counts


def visibility(questionnaire, answers: Mapping[str, object]) -> Visibility:
    """Which pages and questions the answers hide, walking the questionnaire in order.

    A hidden question counts as unanswered for every later condition, so a chain of
    conditions never depends on an answer the respondent can no longer see.
    """
    counted: dict = {}
    hidden_pages, hidden_questions = set(), set()
    for page in questionnaire.pages:
        page_shown = page.show_if is None or evaluate(page.show_if, counted)
        if not page_shown:
            hidden_pages.add(page.id)
        for question in page.questions:
            if not page_shown or (question.show_if is not None and not evaluate(question.show_if, counted)):
                hidden_questions.add(question.id)
            elif question.id in answers:
                counted[question.id] = answers[question.id]
    return Visibility(frozenset(hidden_pages), frozenset(hidden_questions), counted)


def live_conditions(questionnaire, index: int, answers: Mapping[str, object]) -> dict:
    """What static/survey.js needs on page `index` to show and hide its questions while the
    respondent answers, and to say "Next" exactly when the server would show another page:

    * ``answers``: the counted answers of earlier pages that a condition here or later uses;
    * ``later_pages``: per later page its condition and, for the questions on it that a
      condition uses, each id with its own condition and stored answer, so that the page
      walks them as visibility() does: a later page hidden by this page's answers takes its
      stored answers with it.
    """
    pages = questionnaire.pages
    later = pages[index + 1:]
    used = [page.show_if for page in later] + [q.show_if for page in pages[index:] for q in page.questions]
    referenced = set().union(*(references(c) for c in used if c is not None))
    before = {q.id for page in pages[:index] for q in page.questions}
    counted = visibility(questionnaire, answers).answers
    return {
        "answers": {qid: counted[qid] for qid in sorted(referenced & before) if qid in counted},
        "later_pages": [{
            "show_if": as_data(page.show_if),
            "questions": [{"id": q.id, "show_if": as_data(q.show_if), "answer": answers.get(q.id)}
                          for q in page.questions if q.id in referenced and answers.get(q.id) is not None],
        } for page in later],
    }


# --------------------------------------------------------------------------- parsing

class BadValue(ValueError):
    """A show_if value that does not fit its question (a type's condition_value); the message says why."""


def describe(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return reprlib.repr(value)


class _Parser:
    """Parses one show_if; `earlier` maps the ids of the questions it may use to them
    (None for a question that is itself broken), `known` holds every question id."""

    def __init__(self, earlier: Mapping[str, object], known: Collection[str], not_before: str):
        self.earlier = earlier
        self.known = known
        self.not_before = not_before
        self.errors: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def condition(self, data: object, path: str, depth: int = 0) -> Condition | None:
        if depth > MAX_DEPTH:
            self.fail(path, f"conditions are nested more than {MAX_DEPTH} levels deep")
            return None
        if not isinstance(data, dict):
            self.fail(path, "must be a mapping such as {question: programme, equals: qfi}, "
                            f"got {describe(data)}")
            return None
        logical = [key for key in LOGICAL if key in data]
        if logical:
            if len(data) != 1:
                others = ", ".join(f'"{k}"' for k in data if k != logical[0])
                self.fail(path, f'"{logical[0]}" must stand alone in its mapping; move {others} '
                                f'into a condition of its own')
                return None
            return self._logical(logical[0], data[logical[0]], path, depth)
        return self._comparison(data, path)

    def _logical(self, key: str, value: object, path: str, depth: int) -> Condition | None:
        if key == "not":
            inner = self.condition(value, f"{path}.not", depth + 1)
            return Not(inner) if inner is not None else None
        if not isinstance(value, list) or not value:
            self.fail(path, f'"{key}" must be a list of at least one condition, got {describe(value)}')
            return None
        parts = [self.condition(item, f"{path}.{key}[{i}]", depth + 1) for i, item in enumerate(value)]
        if any(part is None for part in parts):
            return None
        return (AllOf if key == "all" else AnyOf)(tuple(parts))

    def _comparison(self, data: dict, path: str) -> Condition | None:
        unknown = [key for key in data if key != "question" and key not in OPERATORS]
        for key in unknown:
            hint = difflib.get_close_matches(str(key), (*OPERATORS, *LOGICAL, "question"), n=1)
            self.fail(path, f'unknown key "{key}"' + (f' (did you mean "{hint[0]}"?)' if hint else ""))
        operators = [key for key in data if key in OPERATORS]
        question_id = data.get("question")
        if question_id is None:
            self.fail(path, 'missing "question": the id of the earlier question it depends on')
        if len(operators) != 1:
            if not unknown:
                found = ", ".join(f'"{k}"' for k in operators) or "none"
                self.fail(path, f"needs exactly one comparison ({', '.join(OPERATORS)}); found {found}")
            return None
        if question_id is None or unknown:
            return None
        question = self._question(question_id, path)
        if question is None:
            return None
        operator = operators[0]
        allowed = question.kind.condition_operators(question)
        if operator not in allowed:
            self.fail(path, f'"{operator}" cannot be used with question "{question_id}" '
                            f'(type {question.type}); possible: {", ".join(allowed)}')
            return None
        value = self._value(question, operator, data[operator], path)
        return None if value is None else Comparison(question_id, operator, value)

    def _question(self, question_id: object, path: str):
        if not isinstance(question_id, str):
            self.fail(path, f'"question" must be a question id, got {describe(question_id)}')
            return None
        if question_id in self.earlier:
            question = self.earlier[question_id]
            if question is not None and not question.has_answer:
                self.fail(path, f'question "{question_id}" is a note and has no answer to depend on')
                return None
            return question          # None: broken, its own problems are reported there
        if question_id in self.known:
            self.fail(path, f'question "{question_id}" {self.not_before}')
        else:
            hint = difflib.get_close_matches(question_id, list(self.earlier), n=1)
            self.fail(path, f'unknown question "{question_id}"' + (f' (did you mean "{hint[0]}"?)' if hint else ""))
        return None

    def _value(self, question, operator: str, raw: object, path: str):
        if operator == "answered":
            if not isinstance(raw, bool):
                self.fail(path, f'"answered" must be true or false, got {describe(raw)}')
                return None
            return raw
        if operator == "one_of":
            if not isinstance(raw, list) or not raw:
                self.fail(path, f'"one_of" must be a non-empty list of values, got {describe(raw)}')
                return None
            values = [self._single(question, operator, v, path) for v in raw]
            return None if any(v is None for v in values) else tuple(values)
        return self._single(question, operator, raw, path)

    def _single(self, question, operator: str, raw: object, path: str):
        try:
            return question.kind.condition_value(question, operator, raw)
        except BadValue as error:
            self.fail(path, str(error))
            return None


def number_value(question, operator: str, raw: object):
    """A number to compare a number (or scale point) with; BadValue for anything else."""
    if not _is_number(raw) or not math.isfinite(raw):
        raise BadValue(f'"{operator}" on question "{question.id}" needs a number, got {describe(raw)}')
    return raw


def parse(data: object, earlier: Mapping[str, object], known: Collection[str],
          not_before: str = "does not come before this question; a condition can only use earlier answers",
          path: str = "show_if") -> tuple[Condition | None, list[str]]:
    """Check a show_if value. `earlier`: id -> question for every question it may refer to
    (None for one that failed its own checks); `known`: every question id in the file, so a
    reference to a later one gets its own message. Returns the condition, or None and the
    errors as "<path>: <message>" strings."""
    parser = _Parser(earlier, known, not_before)
    condition = parser.condition(data, path)
    if parser.errors:
        return None, parser.errors
    return condition, []
