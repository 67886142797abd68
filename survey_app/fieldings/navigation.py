"""The respondent's way through the pages of a questionnaire: which pages the answers show,
which one comes next and which one "back" leads to (pure)."""
from __future__ import annotations

from survey_app.definitions.conditions import visibility
from survey_app.definitions.model import Questionnaire


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
