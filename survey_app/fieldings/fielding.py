"""Surveys ("Erhebungen": one fielding of a questionnaire) and the respondent's way
through one: pure rules plus the few steps that combine them with storage.

A questionnaire can be fielded again (baseline, follow-up); each fielding has its own
link, opening and closing day, minimum group size and known group sizes, and the key
numbers of two fieldings can be put side by side.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from survey_app.analysis.summaries import QuestionSummary, Response, options_of
from survey_app.analysis.breakdown import Group, groups_of
from survey_app.definitions.conditions import visibility
from survey_app.analysis.findings import Findings
from survey_app.definitions.model import Question, Questionnaire, Text
from survey_app.definitions.questionnaire import Catalogue
from survey_app.questions.base import KeyNumber
from survey_app.storage.tinydb.store import DuplicateError, Store


def ensure_default_surveys(store: Store, catalogue: Catalogue) -> None:
    """Every valid questionnaire gets an open survey whose link is its id, so shipped
    definitions are ready to fill in right after install."""
    known = {survey["questionnaire_id"] for survey in store.list_surveys()}
    for questionnaire_id in catalogue.questionnaires:
        if questionnaire_id not in known:
            try:
                store.add_survey(questionnaire_id, slug=questionnaire_id, status="open")
            except DuplicateError:
                pass  # another worker created it at the same moment


SCHEDULED, OPEN, CLOSED = "scheduled", "open", "closed"

# Lower-case letters and digits without look-alikes (0/o, 1/l/i), so a link read aloud or
# typed from paper still works; 10 of 31 characters are about 50 bits, too many to guess.
SLUG_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SLUG_LENGTH = 10


def parse_day(value) -> dt.date | None:
    """An ISO date stored on a survey ("2026-12-01"), or None when unset or unreadable."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def fielding_state(survey: dict, today: dt.date) -> str:
    """SCHEDULED before the opening day, OPEN from it through the closing day (inclusive),
    CLOSED after that or whenever an admin closed the survey by hand."""
    if survey.get("status") != OPEN:
        return CLOSED
    opens_on, closes_on = parse_day(survey.get("opens_on")), parse_day(survey.get("closes_on"))
    if opens_on and today < opens_on:
        return SCHEDULED
    if closes_on and today > closes_on:
        return CLOSED
    return OPEN


def accepts_answers(survey: dict, today: dt.date) -> bool:
    return fielding_state(survey, today) == OPEN


def opening_changes(survey: dict, today: dt.date) -> dict:
    """The fields to store so that a survey takes answers from today on ("open now" and
    "reopen"): an opening day still ahead and a closing day already past are removed."""
    changes: dict = {"status": OPEN}
    opens_on, closes_on = parse_day(survey.get("opens_on")), parse_day(survey.get("closes_on"))
    if opens_on and opens_on > today:
        changes["opens_on"] = None
    if closes_on and closes_on < today:
        changes["closes_on"] = None
    return changes


def new_slug() -> str:
    return "".join(secrets.choice(SLUG_ALPHABET) for _ in range(SLUG_LENGTH))


def add_fielding(store: Store, questionnaire_id: str, **fields) -> dict:
    """A new survey of a questionnaire under a fresh random link."""
    while True:
        try:
            return store.add_survey(questionnaire_id, slug=new_slug(), **fields)
        except DuplicateError:
            continue  # the same ten characters were drawn before: draw again


def fieldings_of(store: Store, questionnaire_id: str) -> list[dict]:
    """All surveys of one questionnaire, oldest first."""
    return [s for s in store.list_surveys() if s["questionnaire_id"] == questionnaire_id]


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


def known_population(questionnaire: Questionnaire, survey: dict) -> tuple[Question | None, dict[str, int], int | None]:
    """The breakdown question, the known size per option and the known total of a survey.
    Without an entered total, the groups' sizes add up to it when every option has one."""
    entered = survey.get("group_sizes") or {}
    question = next((q for q in questionnaire.questions()
                     if q.id == entered.get("question") and q.kind.can_break_down), None)
    sizes = dict(entered.get("sizes") or {}) if question else {}
    population = survey.get("population")
    if not population and question and sizes and all(o.value in sizes for o in options_of(question)):
        population = sum(sizes.values())
    return question, sizes, population or None


def response_rates(questionnaire: Questionnaire, survey: dict, responses: Sequence[Response],
                   minimum: int) -> ResponseRates | None:
    """Responses per known group size, with the minimum group size applied as in every
    breakdown (a group too small to show, or one it could be derived from, shows no rate);
    None when no size is known."""
    question, sizes, population = known_population(questionnaire, survey)
    if question is None and population is None:
        return None
    groups = groups_of(question, responses, minimum)[0] if question else []
    rates = tuple(GroupRate(g, sizes[g.key]) for g in groups if g.key in sizes)
    return ResponseRates(question, rates, len(responses), population, minimum)


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


def visible_pages(questionnaire: Questionnaire, answers: dict) -> list[int]:
    """Indexes of the pages the answers do not hide, in order (the first page always shows)."""
    hidden = visibility(questionnaire, answers).hidden_pages
    return [index for index, page in enumerate(questionnaire.pages) if page.id not in hidden]


def next_page(questionnaire: Questionnaire, answers: dict, index: int) -> int | None:
    """The next page to show after page `index`, skipping hidden ones; None after the last."""
    return next((i for i in visible_pages(questionnaire, answers) if i > index), None)


def previous_page(questionnaire: Questionnaire, answers: dict, index: int) -> int:
    """The page "back" leads to from page `index`, skipping hidden ones."""
    return max((i for i in visible_pages(questionnaire, answers) if i < index), default=0)


def nearest_visible_page(questionnaire: Questionnaire, answers: dict, index: int) -> int:
    """Page `index` if it shows, else the next one that does, else the one before."""
    shown = visible_pages(questionnaire, answers)
    return next((i for i in shown if i >= index), shown[-1])


def build_response(survey: dict, questionnaire: Questionnaire, draft: dict, today: dt.date | None = None) -> dict:
    """The record stored for a completed questionnaire.

    Only the day is kept, never the time, and nothing about the respondent's device
    or address, so answers cannot be matched to people by when or where they came from.
    Answers to questions the respondent's other answers hide are left out.
    """
    known = {q.id for q in questionnaire.questions() if q.has_answer}
    shown = visibility(questionnaire, draft["answers"]).answers
    response = {
        "survey_id": survey["id"],
        "questionnaire_id": questionnaire.id,
        "version": questionnaire.content_hash,
        "language": draft["language"],
        "submitted_on": (today or dt.date.today()).isoformat(),
        "answers": {k: v for k, v in shown.items() if k in known and v is not None},
    }
    if draft.get("pseudonym"):  # the respondent's self-generated code, to pair fieldings
        response["pseudonym"] = draft["pseudonym"]
    return response
