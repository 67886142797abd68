"""note: text between the questions (an explanation, a heading); no field and no answer."""
from __future__ import annotations

from survey_app.definitions.model import Question
from survey_app.questions.base import QuestionType


class Note(QuestionType):
    name = "note"
    has_answer = False
    template = "questions/note.html"
    reader = None

    def field_names(self, question: Question) -> list[str]:
        return []

    def columns(self, question: Question) -> list[str]:
        return []

    def cells(self, question: Question, value) -> list:
        return []

    def codebook_rows(self, question: Question) -> list:
        return []
