"""Stored responses -> aggregates per question (pure: no Flask, no storage).

Each question type summarises its own answers (``question.kind.summarize``, the summary
dataclasses live with the types in survey_app/questions/); this module holds the entry points
and what every summary shares.

Conventions shared by every summary:

* ``n``       respondents who gave a valid answer to the question ("don't know" on a
              scale is an answer, so it is part of ``n``);
* ``missing`` respondents without a valid answer: key absent, ``None``, empty text, empty
              list/dict, or an invalid value; ``n + missing == len(responses)`` always;
* ``invalid`` how many of ``missing`` had a value that is not valid for the current
              definition (e.g. an option that no longer exists, a number out of range,
              a wrong type). Invalid values never raise; they are counted as missing.

Compound answers are checked part by part where each part stands alone (the known options
among several chosen, each item answered on a scale) and as a whole where the parts belong
together (numbers that must add up to a total, an order of options).

Shares are fractions (0..1), never percentages; a share whose base is 0 is 0.0 (the
accompanying n says so).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from survey_app.definitions.model import Option, Question, Questionnaire

Response = Mapping[str, Any]


@dataclass(frozen=True)
class QuestionSummary:
    """What every summary has; each type's summary adds its own aggregates (questions/<type>.py)."""
    question: Question
    n: int
    missing: int
    invalid: int


MISSING = object()   # nothing answered
INVALID = object()   # something answered, but not valid for the question


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


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, tuple, dict)) and not
                             (value.strip() if isinstance(value, str) else value))


def read_answers(question: Question, responses: Sequence[Response],
                 read: Callable[[Any], Any]) -> tuple[list, int, int]:
    """(valid values in response order, missing, invalid) of a question: `read` turns a
    stored value into a valid one, MISSING or INVALID; an invalid value counts as missing too."""
    values: list = []
    missing = invalid = 0
    for response in responses:
        value = read(raw_answer(response, question.id))
        if value is MISSING:
            missing += 1
        elif value is INVALID:
            missing += 1
            invalid += 1
        else:
            values.append(value)
    return values, missing, invalid


def options_of(question: Question) -> tuple[Option, ...]:
    """The choices of a question (a yes/no question has two fixed ones)."""
    return question.kind.options(question)


def summarize_question(question: Question, responses: Sequence[Response]) -> QuestionSummary:
    return question.kind.summarize(question, responses)


def summarize(questionnaire: Questionnaire,
              responses: Sequence[Response]) -> list[QuestionSummary]:
    """One summary per question that takes answers (notes only show text), in questionnaire
    order. Responses of every version are read against the current definition (values it
    no longer accepts count as invalid)."""
    responses = list(responses)
    return [summarize_question(q, responses) for q in questionnaire.questions() if q.has_answer]
