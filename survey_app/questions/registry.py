"""Every question type by the name a definition gives it (``type: ...``), in the order the
documentation lists them. ``question.kind`` is the entry of a question's type."""
from __future__ import annotations

from survey_app.questions.allocation import Allocation
from survey_app.questions.base import QuestionType
from survey_app.questions.choice import MultipleChoice, SingleChoice, YesNo
from survey_app.questions.date import Date
from survey_app.questions.note import Note
from survey_app.questions.number import Number
from survey_app.questions.ranking import Ranking
from survey_app.questions.scale import Matrix, ScaleType
from survey_app.questions.text import LongText, ShortText
from survey_app.questions.time import Time

TYPES: dict[str, QuestionType] = {
    "single_choice": SingleChoice(),
    "multiple_choice": MultipleChoice(),
    "scale": ScaleType(),
    "matrix": Matrix(),
    "number": Number(),
    "allocation": Allocation(),
    "short_text": ShortText(),
    "long_text": LongText(),
    "ranking": Ranking(),
    "date": Date(),
    "time": Time(),
    "yes_no": YesNo(),
    "note": Note(),
}

QUESTION_TYPES = tuple(TYPES)
