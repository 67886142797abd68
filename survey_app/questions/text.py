"""Free texts: short_text (one line) and long_text (several lines), with optional length and
pattern checks. Stored without surrounding spaces; read by the evaluator answer by answer."""
from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError

from survey_app.analysis.summaries import QuestionSummary, is_empty, raw_answer
from survey_app.definitions.loader import Collector
from survey_app.definitions.model import Question, localized
from survey_app.definitions.patterns import check_pattern
from survey_app.messages import _l
from survey_app.questions.base import Context, QuestionType
from survey_app.questions.parts import REQUIRED_MESSAGE

SAMPLE_TEXTS = (
    "Mehr Zeit für Netzwerkarbeit.",
    "Die Abgrenzung zum Sozialdienst ist im Alltag oft unklar.",
    "Gute Zusammenarbeit mit dem Begegnungszentrum.",
    "Räume für Initiativen fehlen.",
)


@dataclass(frozen=True)
class TextAnswer:
    response_id: str
    text: str


@dataclass(frozen=True)
class TextSummary(QuestionSummary):
    entries: tuple[TextAnswer, ...]   # non-empty answers, stripped, in response order

    @property
    def answers(self) -> tuple[str, ...]:
        return tuple(entry.text for entry in self.entries)


class ShortText(QuestionType):
    name = "short_text"
    optional_keys = ("min_length", "max_length", "pattern", "pattern_message")
    is_free_text = True
    default_max_length = 200
    field_class = StringField
    multiline = False

    def parse(self, c: Collector, data: dict, loc: str, ctx: Context) -> dict:
        min_length = c.integer(loc, "min_length", data.get("min_length"), minimum=1)
        max_length = c.integer(loc, "max_length", data.get("max_length"), minimum=1) or self.default_max_length
        if min_length is not None and min_length > max_length:
            c.add(loc, f'"min_length" ({min_length}) is more than "max_length" ({max_length})')
        pattern = check_pattern(c, loc, data.get("pattern"))
        pattern_message = c.text(loc, "pattern_message", data.get("pattern_message"), ctx.languages)
        if data.get("pattern") is not None and data.get("pattern_message") is None:
            c.add(loc, '"pattern" needs a "pattern_message" that tells respondents what to write, '
                       'e.g. {de: "Bitte fünf Ziffern", en: "Please enter five digits"}')
        if data.get("pattern_message") is not None and data.get("pattern") is None:
            c.add(loc, '"pattern_message" is only used together with "pattern"')
        return {"min_length": min_length, "max_length": max_length,
                "pattern": pattern, "pattern_message": pattern_message}

    def fields(self, question: Question, lang: str, default: str) -> dict:
        # Blanks alone are no answer (stored texts are stripped): DataRequired, not InputRequired.
        presence = [DataRequired(message=REQUIRED_MESSAGE)] if question.required else [Optional()]
        return {question.id: self.field_class(localized(question.text, lang, default),
                                              validators=[*presence, _text_checks(question, lang, default)])}

    def answer(self, form, question: Question):
        data = form[question.id].data
        return data.strip() or None if data else None

    def summarize(self, question: Question, responses: Sequence[Mapping]) -> TextSummary:
        answers: list[TextAnswer] = []
        missing = invalid = 0
        for response in responses:
            raw = raw_answer(response, question.id)
            if is_empty(raw):
                missing += 1
            elif not isinstance(raw, str):
                missing += 1
                invalid += 1
            else:
                answers.append(TextAnswer(str(response.get("id", "")), raw.strip()))
        return TextSummary(question, len(answers), missing, invalid, tuple(answers))

    def summary_record(self, summary: TextSummary, lang: str) -> dict:
        return {"answers": list(summary.answers)}

    def random_answer(self, question: Question, rng: random.Random):
        return rng.choice(SAMPLE_TEXTS) if rng.random() < 0.5 else None


class LongText(ShortText):
    name = "long_text"
    default_max_length = 5000
    field_class = TextAreaField
    multiline = True


def _text_checks(question: Question, lang: str, default: str):
    """Length and pattern, checked on the text as stored (without surrounding spaces)."""
    pattern = re.compile(question.pattern) if question.pattern else None

    def check(form, field):
        text = (field.data or "").strip()
        if question.min_length and len(text) < question.min_length:
            raise ValidationError(_l("Please write at least %(n)d characters.", n=question.min_length))
        if question.max_length and len(text) > question.max_length:
            raise ValidationError(_l("Please write at most %(n)d characters.", n=question.max_length))
        if pattern and not pattern.fullmatch(text):
            raise ValidationError(localized(question.pattern_message, lang, default))

    return check
