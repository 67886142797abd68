"""The questionnaire model: validated, immutable dataclasses (pure: no Flask, no storage).

Definitions are read and checked by definitions/questionnaire.py; the file format is described
in docs/questionnaire-format.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # conditions and question types read this model; it only names them
    from survey_app.definitions.conditions import Condition
    from survey_app.questions.base import QuestionType

# Text in several languages: {"de": "...", "en": "..."}. Every text has the default
# language; another language may be missing, and then the default text is shown.
Text = dict[str, str]

# Stored answer value for "don't know" on a scale (also of each item answered on one).
DONT_KNOW = "dk"
# Stored answers of a yes/no question.
YES, NO = "yes", "no"
# Easy-to-read German ("Leichte Sprache") is a language of its own in a definition.
EASY_GERMAN = "de-x-easy"


def localized(text: Text | None, lang: str, default_lang: str = "de") -> str:
    """The text in `lang`, falling back to the default language, then any language."""
    if not text:
        return ""
    return text.get(lang) or text.get(default_lang) or next(iter(text.values()), "")


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: Text


@dataclass(frozen=True)
class Scale:
    id: str
    points: tuple[ScalePoint, ...]
    # Label of the "don't know" choice, kept apart from the scale points; None = not offered.
    dont_know: Text | None = None
    # False for nominal "scales" (e.g. a list of actors): no mean, no diverging bars.
    ordered: bool = True

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(p.value for p in self.points)


@dataclass(frozen=True)
class Item:
    """One row of a question that asks the same about several items."""
    id: str
    label: Text
    construct: str | None = None


# Number answers and the numbers of a definition (min, max, step, total) stay within ±10^12:
# larger ones are typing slips, and every statistic and format of them stays exact.
NUMBER_LIMIT = 10**12


@dataclass(frozen=True)
class Question:
    """One question of a definition. Which of the fields after `show_if` a question has
    depends on its type: survey_app/questions/<type>.py reads them (its `parse`)."""
    id: str
    type: str                                 # a name in questions/registry.py
    text: Text
    number: int | None = None                 # shown before the text; None when numbering is off or a note
    help: Text | None = None
    required: bool = False
    construct: str | None = None
    options: tuple[Option, ...] = ()          # the options to choose from or to rank
    max_choices: int | None = None            # at most this many options chosen
    scale: Scale | None = None                # the scale answers are given on
    items: tuple[Item, ...] = ()              # the items each answered on its own
    min: float | None = None                  # the smallest number (of the answer or of each item)
    max: float | None = None                  # the largest number (of the answer or of each item)
    integer: bool = False                     # whole numbers only
    total: float | None = None                # the numbers of the items add up to this
    unit: Text | None = None                  # of the numbers, e.g. {"de": "%", "en": "%"}
    max_length: int | None = None             # of a text
    show_if: Condition | None = None          # any type: shown only when this holds
    min_choices: int | None = None            # at least this many options chosen
    step: float | None = None                 # numbers are min (or 0) + k * step
    min_length: int | None = None             # of a text
    pattern: str | None = None                # regex the whole text matches
    pattern_message: Text | None = None       # what to tell a respondent whose text does not match
    min_date: str | None = None               # "YYYY-MM-DD", earliest allowed answer
    max_date: str | None = None               # "YYYY-MM-DD", latest allowed answer
    min_time: str | None = None               # "HH:MM", earliest allowed answer
    max_time: str | None = None               # "HH:MM", latest allowed answer
    yes_label: Text | None = None             # instead of the interface's "Yes"
    no_label: Text | None = None              # instead of the interface's "No"
    role: str | None = None                   # number: what the answer stands for elsewhere, e.g. "post_share"

    @property
    def kind(self) -> QuestionType:
        """What the question's type does: its entry in questions/registry.py."""
        from survey_app.questions.registry import TYPES   # the types import this module

        return TYPES[self.type]

    @property
    def has_answer(self) -> bool:
        """False for a type that only shows text and never stores anything."""
        return self.kind.has_answer

    @property
    def number_range(self) -> tuple[float, float]:
        """The answers a number question takes: `min` to `max`, and within ±NUMBER_LIMIT
        where the definition sets no bound (so that no typed 10^30 reaches the results)."""
        return (-NUMBER_LIMIT if self.min is None else self.min,
                NUMBER_LIMIT if self.max is None else self.max)


@dataclass(frozen=True)
class Page:
    id: str
    title: Text
    questions: tuple[Question, ...]
    intro: Text | None = None
    show_if: Condition | None = None          # shown only when this holds (earlier pages' answers)


@dataclass(frozen=True)
class Questionnaire:
    id: str
    source: str                  # file name it was loaded from
    title: Text
    intro: Text                  # purpose, shown on the start page
    anonymity: Text              # anonymity statement, shown on the start page
    duration_minutes: int | None
    languages: tuple[str, ...]   # first one is the default language
    pages: tuple[Page, ...]
    scales: dict[str, Scale] = field(default_factory=dict)
    content_hash: str = ""       # sha256 of the file content, identifies the version
    partial_languages: tuple[str, ...] = ()   # translations known to be incomplete
    numbering: bool = True                    # questions carry their number (Question.number)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def questions(self) -> list[Question]:
        return [q for page in self.pages for q in page.questions]

    def question(self, question_id: str) -> Question:
        for q in self.questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)
