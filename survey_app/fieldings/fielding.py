"""Fieldings of a questionnaire: new ones under random links, response rates from known
group sizes, and the key numbers of two fieldings side by side.

A questionnaire can be fielded again (baseline, follow-up); each fielding (model.Fielding)
has its own link, opening and closing day, minimum group size and known group sizes.
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from survey_app.analysis.summaries import QuestionSummary, Response, options_of
from survey_app.analysis.breakdown import Group
from survey_app.analysis.disclosure.plan import ReleasePlan
from survey_app.analysis.findings import Findings
from survey_app.definitions.model import Question, Questionnaire, Text
from survey_app.definitions.questionnaire import Catalogue
from survey_app.fieldings.model import Fielding
from survey_app.questions.base import KeyNumber
from survey_app.storage.interface import DuplicateError, Surveys


def ensure_default_surveys(store: Surveys, catalogue: Catalogue) -> None:
    """Every valid questionnaire gets an open survey whose link is its id, so shipped
    definitions are ready to fill in right after install."""
    known = {survey.questionnaire_id for survey in store.list_surveys()}
    for questionnaire_id in catalogue.questionnaires:
        if questionnaire_id not in known:
            try:
                store.add_survey(Fielding.new(questionnaire_id, questionnaire_id))
            except DuplicateError:
                pass  # another worker created it at the same moment


# Lower-case letters and digits without look-alikes (0/o, 1/l/i), so a link read aloud or
# typed from paper still works; 10 of 31 characters are about 50 bits, too many to guess.
SLUG_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SLUG_LENGTH = 10


def new_slug() -> str:
    return "".join(secrets.choice(SLUG_ALPHABET) for _ in range(SLUG_LENGTH))


def add_fielding(store: Surveys, questionnaire_id: str, **settings) -> Fielding:
    """A new survey of a questionnaire under a fresh random link."""
    while True:
        try:
            return store.add_survey(Fielding.new(questionnaire_id, new_slug(), **settings))
        except DuplicateError:
            continue  # the same ten characters were drawn before: draw again


def fieldings_of(store: Surveys, questionnaire_id: str) -> list[Fielding]:
    """All surveys of one questionnaire, oldest first."""
    return [s for s in store.list_surveys() if s.questionnaire_id == questionnaire_id]


# -- response rates from known group sizes ---------------------------------------------------
# Stored on the survey: "group_sizes" = {"question": <single-choice question id>,
# "sizes": {<option value>: <people>}} and "population" = <people in all>.

@dataclass(frozen=True)
class GroupRate:
    group: Group          # responses in the group, hidden as in every breakdown
    known: int            # people in the group, as the evaluator entered it

    @property
    def rate(self) -> float | None:
        """None when the group's responses are too few to show (or nobody is in it)."""
        return None if self.group.size_hidden or not self.known else self.group.size / self.known


@dataclass(frozen=True)
class ResponseRates:
    question: Question | None
    groups: tuple[GroupRate, ...]
    responses: int
    population: int | None
    minimum: int

    @property
    def rate(self) -> float | None:
        if not self.population or self.responses < self.minimum:
            return None
        return self.responses / self.population


def known_population(questionnaire: Questionnaire, survey: Fielding) -> tuple[Question | None, dict[str, int], int | None]:
    """The breakdown question, the known size per option and the known total of a survey.
    Without an entered total, the groups' sizes add up to it when every option has one."""
    entered = survey.group_sizes or {}
    question = next((q for q in questionnaire.questions()
                     if q.id == entered.get("question") and q.kind.can_break_down), None)
    sizes = dict(entered.get("sizes") or {}) if question else {}
    population = survey.population
    if not population and question and sizes and all(o.value in sizes for o in options_of(question)):
        population = sum(sizes.values())
    return question, sizes, population or None


def response_rates(questionnaire: Questionnaire, survey: Fielding, plan: ReleasePlan) -> ResponseRates | None:
    """Responses per known group size, each group as the release plan shows it (a group too
    small to show, or one it could be derived from, shows no rate); None when no size is known."""
    question, sizes, population = known_population(questionnaire, survey)
    if question is None and population is None:
        return None
    groups = []
    for option in options_of(question) if question else ():
        decision = plan.count(question_id=question.id, value=option.value)
        groups.append(Group(option.value, option.label, decision.n if decision.shown else None,
                            not decision.shown, decision.reason))
    rates = tuple(GroupRate(g, sizes[g.key]) for g in groups if g.key in sizes)
    return ResponseRates(question, rates, plan.total, population, plan.minimum)


# -- two fieldings side by side ------------------------------------------------------------

def key_numbers(summary: QuestionSummary | None) -> list[KeyNumber]:
    """The few numbers that say how a question was answered (each type says which: shares
    of options, means of ordered scales and numbers, mean ranks, the median date; free
    texts: none, only their n); none for a summary not shown."""
    return summary.question.kind.key_numbers(summary) if summary is not None else []


@dataclass(frozen=True)
class ComparedRow:
    label: Text | None
    detail: Text | None
    kind: str
    values: tuple              # one per fielding; None where that fielding shows nothing


@dataclass(frozen=True)
class ComparedQuestion:
    question: Question
    n: tuple                   # one per fielding; None where the question is not shown
    rows: tuple[ComparedRow, ...]


def compare_findings(*sides: Findings) -> list[ComparedQuestion]:
    """Key numbers of fieldings of one questionnaire next to each other, question by
    question. Each side keeps what its own findings suppressed (its own minimum group
    size), so putting them together reveals nothing that either hides."""
    shown = [{section.question.id: section.summary for section in side.sections} for side in sides]
    compared = []
    for question in sides[0].questionnaire.questions():
        if not question.has_answer:
            continue
        summaries = [summaries.get(question.id) for summaries in shown]
        numbers = [{k.key: k for k in key_numbers(s)} if s else {} for s in summaries]
        keys = list(dict.fromkeys(key for side in numbers for key in side))
        rows = []
        for key in keys:
            reference = next(side[key] for side in numbers if key in side)
            rows.append(ComparedRow(reference.label, reference.detail, reference.kind,
                                    tuple(side[key].value if key in side else None for side in numbers)))
        compared.append(ComparedQuestion(question, tuple(s.n if s else None for s in summaries), tuple(rows)))
    return compared
