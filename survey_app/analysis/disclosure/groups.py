"""The grouping questions and who is in which group: one definition for every output (pure).

An evaluator forms groups of respondents in two ways: a *filter* ("only respondents who
answered A = a") and a *breakdown* ("each question per answer to B"). Both are cells of tables
over *grouping variables*:

* a single-choice or yes/no question is one variable whose categories are its options plus
  NO_ANSWER (nothing, or a value the definition does not know);
* a multiple-choice question is one yes/no variable per option ("chose o": filters offer the
  chosen side) plus one variable "answered at all" (its no side are the respondents who
  chose nothing: the question's missing count).

Breakdowns are offered by single-choice and yes/no questions, filters by those and by the
options of multiple-choice questions. `group_members` is the one way to select the
respondents of a group, so that pages, downloads and the release plan agree on who is in it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from survey_app.analysis.summaries import Response, options_of, raw_answer
from survey_app.definitions.model import Question, Questionnaire

NO_ANSWER = None

# kinds of variables
CATEGORY = "category"   # single choice / yes-no: options + no answer
OPTION = "option"       # multiple choice: chose this option (True) or not (False)
ANSWERED = "answered"   # multiple choice: chose at least one known option (True) or not


@dataclass(frozen=True)
class Variable:
    kind: str
    question: Question
    option: str | None = None            # OPTION: the option value
    categories: tuple[Any, ...] = ()     # CATEGORY: option values then NO_ANSWER; else (True, False)

    @property
    def key(self) -> tuple:
        return (self.kind, self.question.id, self.option)

    @property
    def from_multiple_choice(self) -> bool:
        return self.kind != CATEGORY


def grouping_variables(questionnaire: Questionnaire) -> list[Variable]:
    """Every grouping variable, in the questionnaire's order."""
    out: list[Variable] = []
    for question in questionnaire.questions():
        if question.kind.can_break_down:
            out.append(Variable(CATEGORY, question,
                                categories=(*(o.value for o in options_of(question)), NO_ANSWER)))
        elif question.kind.chooses == "several":
            for option in question.options:
                out.append(Variable(OPTION, question, option.value, (True, False)))
            out.append(Variable(ANSWERED, question, None, (True, False)))
    return out


def _chosen(question: Question, raw: Any) -> set[str]:
    """The known options of a multiple-choice answer (as the question's counts read it)."""
    if not isinstance(raw, (list, tuple)):
        return set()
    known = {o.value for o in question.options}
    return {v for v in raw if isinstance(v, str) and v in known}


def category_of(variable: Variable, response: Response) -> Any:
    """The category of one response on a grouping variable."""
    raw = raw_answer(response, variable.question.id)
    if variable.kind == CATEGORY:
        return raw if isinstance(raw, str) and raw in variable.categories else NO_ANSWER
    chosen = _chosen(variable.question, raw)
    if variable.kind == OPTION:
        return variable.option in chosen
    return bool(chosen)


def codes(variables: Sequence[Variable], responses: Sequence[Response]) -> np.ndarray:
    """(responses x variables) matrix of category indices (each answer read once)."""
    out = np.zeros((len(responses), len(variables)), dtype=np.int64)
    by_question: dict[str, list[int]] = {}
    for j, variable in enumerate(variables):
        by_question.setdefault(variable.question.id, []).append(j)
    for columns in by_question.values():
        question = variables[columns[0]].question
        raws = [raw_answer(r, question.id) for r in responses]
        if question.kind.can_break_down:
            (j,) = columns
            index = {c: i for i, c in enumerate(variables[j].categories) if c is not NO_ANSWER}
            missing = len(variables[j].categories) - 1
            out[:, j] = [index.get(raw, missing) if isinstance(raw, str) else missing for raw in raws]
            continue
        chosen = [_chosen(question, raw) for raw in raws]
        for j in columns:
            variable = variables[j]
            if variable.kind == OPTION:
                out[:, j] = [0 if variable.option in c else 1 for c in chosen]
            else:
                out[:, j] = [0 if c else 1 for c in chosen]
    return out


Condition = tuple[str, Any]   # (question id, value): value an option, or NO_ANSWER for a breakdown group


def condition_variable(variables: Sequence[Variable], condition: Condition) -> tuple[int, int]:
    """(variable index, category index) of a filter or breakdown condition; KeyError when the
    question is no grouping question or the value is none of its categories."""
    question_id, value = condition
    for j, variable in enumerate(variables):
        if variable.question.id != question_id:
            continue
        if variable.kind == CATEGORY and value in variable.categories:
            return j, variable.categories.index(value)
        if variable.kind == OPTION and variable.option == value:
            return j, 0                       # chose the option
        if variable.kind == ANSWERED and value is NO_ANSWER:
            return j, 1                       # chose nothing
    raise KeyError(condition)


def group_members(questionnaire: Questionnaire, responses: Sequence[Response],
                  *conditions: Condition | None) -> list[Response]:
    """The responses in the group every given condition holds for (None conditions ignored)."""
    variables = grouping_variables(questionnaire)
    selected = list(responses)
    for condition in conditions:
        if condition is None:
            continue
        j, c = condition_variable(variables, condition)
        category = variables[j].categories[c]
        selected = [r for r in selected if category_of(variables[j], r) == category]
    return selected
