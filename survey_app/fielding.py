"""Surveys ("Erhebungen": one fielding of a questionnaire) and the respondent's way
through one: pure rules plus the few steps that combine them with storage.
"""
from __future__ import annotations

import datetime as dt

from .conditions import visibility
from .questionnaire import Catalogue, Question, Questionnaire
from .store import DuplicateError, Store


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


def is_answered(question: Question, value) -> bool:
    if value is None or value == [] or value == {}:
        return False
    if question.type == "matrix":
        return all(item.id in value for item in question.items)
    return True


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


def first_incomplete_page(questionnaire: Questionnaire, answers: dict) -> int | None:
    """Index of the first shown page with a required, shown question left open, or None
    when complete. Hidden questions are never required."""
    seen = visibility(questionnaire, answers)
    for index, page in enumerate(questionnaire.pages):
        for question in page.questions:
            if question.id in seen.hidden_questions:
                continue
            if question.required and not is_answered(question, answers.get(question.id)):
                return index
    return None


def build_response(survey: dict, questionnaire: Questionnaire, draft: dict, today: dt.date | None = None) -> dict:
    """The record stored for a completed questionnaire.

    Only the day is kept, never the time, and nothing about the respondent's device
    or address, so answers cannot be matched to people by when or where they came from.
    Answers to questions the respondent's other answers hide are left out.
    """
    known = {q.id for q in questionnaire.questions() if q.has_answer}
    shown = visibility(questionnaire, draft["answers"]).answers
    return {
        "survey_id": survey["id"],
        "questionnaire_id": questionnaire.id,
        "version": questionnaire.content_hash,
        "language": draft["language"],
        "submitted_on": (today or dt.date.today()).isoformat(),
        "answers": {k: v for k, v in shown.items() if k in known and v is not None},
    }
