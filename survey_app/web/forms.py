"""WTForms built at run time from one questionnaire page, and the mapping between
form fields and stored answers (see docs/questionnaire-format.md for answer values).

Field names: a question's id, or "<question>-<item>" for matrix and allocation items and
"<question>-<option>" for the rank of each option of a ranking question. A note has no field.

Questions hidden by a show_if condition (given the stored answers and what was posted
on the page) are neither checked nor stored: see PageFormBase.hidden.
"""
from __future__ import annotations

import datetime as dt
import math
import re

from flask_babel import format_date, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from werkzeug.datastructures import MultiDict
from wtforms.validators import DataRequired, InputRequired, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from survey_app.definitions.conditions import visibility
from survey_app.fieldings.navigation import visible_pages
from survey_app.analysis.stats import adds_up
from survey_app.definitions.model import DONT_KNOW, NO, YES, Question, Questionnaire, localized

REQUIRED_MESSAGE = _l("Please answer this question.")
REQUIRED_ITEM_MESSAGE = _l("Please answer this line.")
# For a value that is none of the options (blanks, an old or a made-up value).
UNKNOWN_CHOICE_MESSAGE = _l("Please choose one of the options shown.")


def item_field_name(question: Question, item_id: str) -> str:
    """The field of a matrix or allocation item, or of a ranking option's rank."""
    return f"{question.id}-{item_id}"


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class NumberField(Field):
    """A number typed as text: accepts a decimal comma, as German users write it."""

    widget = TextInput(input_type="text")

    def __init__(self, *args, integer: bool = False, minimum=None, maximum=None, step=None, step_from=0,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.integer = integer
        self.minimum = minimum
        self.maximum = maximum
        self.step = step
        self.step_from = step_from

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else _format_number(self.data)

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().replace(" ", "")
        if not text:
            return
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise ValueError(_l("Please enter a number, e.g. 12 or 2,5.")) from None
        if not math.isfinite(number):
            raise ValueError(_l("Please enter a number, e.g. 12 or 2,5."))
        if self.integer and not number.is_integer():
            raise ValueError(_l("Please enter a whole number."))
        self.data = int(number) if number.is_integer() else number

    def pre_validate(self, form):
        if self.data is None:
            return
        if self.minimum is not None and self.data < self.minimum:
            raise ValidationError(_l("Please enter at least %(min)s.", min=_format_number(self.minimum)))
        if self.maximum is not None and self.data > self.maximum:
            raise ValidationError(_l("Please enter at most %(max)s.", max=_format_number(self.maximum)))
        if self.step is not None and not _on_step(self.data, self.step_from, self.step):
            start = self.step_from
            raise ValidationError(_l(
                "Please enter a value in steps of %(step)s, e.g. %(first)s or %(second)s.",
                step=_format_number(self.step), first=_format_number(start),
                second=_format_number(round(start + self.step, 10))))


def _on_step(value: float, start: float, step: float) -> bool:
    steps = (value - start) / step
    return math.isclose(steps, round(steps), rel_tol=1e-9, abs_tol=1e-9)


class DateField(Field):
    """A date: the browser's date picker sends YYYY-MM-DD; typed by hand (where there is no
    picker) DD.MM.YYYY works too, as Germans write it. The data is a datetime.date."""

    widget = TextInput(input_type="date")

    def __init__(self, *args, earliest: str | None = None, latest: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.earliest = dt.date.fromisoformat(earliest) if earliest else None
        self.latest = dt.date.fromisoformat(latest) if latest else None

    def _value(self) -> str:
        # A date picker shows only YYYY-MM-DD; text that is no date is shown as typed.
        if self.data:
            return self.data.isoformat()
        return self.raw_data[0] if self.raw_data else ""

    def process_data(self, value):
        self.data = dt.date.fromisoformat(value) if isinstance(value, str) and value else None

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        match = GERMAN_DATE.fullmatch(text)
        try:
            if match:
                day, month, year = (int(part) for part in match.groups())
                self.data = dt.date(year, month, day)
            elif ISO_DATE.fullmatch(text):
                self.data = dt.date.fromisoformat(text)
        except ValueError:
            pass
        if self.data is None:
            raise ValueError(_l("Please enter a date, e.g. 31.03.2017."))

    def pre_validate(self, form):
        if self.data is None:
            return
        if self.earliest and self.data < self.earliest:
            raise ValidationError(_l("Please enter a date on or after %(date)s.", date=format_date(self.earliest)))
        if self.latest and self.data > self.latest:
            raise ValidationError(_l("Please enter a date on or before %(date)s.", date=format_date(self.latest)))


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
GERMAN_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")


def _choice_count(minimum: int | None, maximum: int | None):
    def check(form, field):
        count = len(field.data or [])
        if minimum and count < minimum:
            raise ValidationError(_l("Please choose at least %(n)d options.", n=minimum))
        if maximum and count > maximum:
            raise ValidationError(_l("Please choose at most %(n)d options.", n=maximum))

    return check


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


def _scale_choices(question: Question, lang: str, default: str) -> list[SelectChoice]:
    choices = [SelectChoice(str(p.value), localized(p.label, lang, default)) for p in question.scale.points]
    if question.scale.dont_know:
        choices.append(SelectChoice(DONT_KNOW, localized(question.scale.dont_know, lang, default)))
    return choices


def _presence(required: bool, message=REQUIRED_MESSAGE):
    return [InputRequired(message=message)] if required else [Optional()]


class _NoChoice(Optional):
    """Like Optional, for choices: only nothing sent counts as no answer. A value made of
    spaces or other blanks is a value, and one that is no option is refused at the field
    (UNKNOWN_CHOICE_MESSAGE), whether the question is required or not."""

    def __call__(self, form, field):
        if not any(field.raw_data or ()):
            field.errors[:] = []
            raise StopValidation()


def _choice_presence(required: bool, message=REQUIRED_MESSAGE):
    return [InputRequired(message=message)] if required else [_NoChoice()]


def _radio(label, choices, required: bool, message=REQUIRED_MESSAGE) -> RadioField:
    return RadioField(label, choices=choices, invalid_choice_message=UNKNOWN_CHOICE_MESSAGE,
                      validators=_choice_presence(required, message))


def _fields_for(question: Question, lang: str, default: str) -> dict[str, Field]:
    label = localized(question.text, lang, default)
    kind = question.type
    if kind == "single_choice":
        choices = [SelectChoice(o.value, localized(o.label, lang, default)) for o in question.options]
        return {question.id: _radio(label, choices, question.required)}
    if kind == "yes_no":
        choices = [
            SelectChoice(YES, localized(question.yes_label, lang, default) or _l("Yes")),
            SelectChoice(NO, localized(question.no_label, lang, default) or _l("No")),
        ]
        return {question.id: _radio(label, choices, question.required)}
    if kind == "multiple_choice":
        choices = [SelectChoice(o.value, localized(o.label, lang, default)) for o in question.options]
        validators = _choice_presence(question.required)
        if question.min_choices or question.max_choices:
            validators.append(_choice_count(question.min_choices, question.max_choices))
        return {
            question.id: SelectMultipleField(
                label,
                choices=choices,
                validators=validators,
                invalid_choice_message=UNKNOWN_CHOICE_MESSAGE,
                widget=ListWidget(prefix_label=False),
                option_widget=CheckboxInput(),
            )
        }
    if kind == "scale":
        choices = _scale_choices(question, lang, default)
        return {question.id: _radio(label, choices, question.required)}
    if kind == "matrix":
        choices = _scale_choices(question, lang, default)
        return {
            item_field_name(question, item.id): _radio(localized(item.label, lang, default), choices,
                                                       question.required, REQUIRED_ITEM_MESSAGE)
            for item in question.items
        }
    if kind == "number":
        return {
            question.id: NumberField(
                label,
                integer=question.integer,
                minimum=question.number_range[0],
                maximum=question.number_range[1],
                step=question.step,
                step_from=question.min or 0,
                validators=_presence(question.required),
            )
        }
    if kind == "date":
        return {question.id: DateField(label, earliest=question.min_date, latest=question.max_date,
                                       validators=_presence(question.required))}
    if kind == "ranking":
        # One rank per option; the whole set is checked per question (PageFormBase.validate).
        ranks = [SelectChoice("", "–")] + [SelectChoice(str(n), str(n)) for n in range(1, len(question.options) + 1)]
        return {
            item_field_name(question, option.value): SelectField(
                localized(option.label, lang, default), choices=ranks, validators=[_NoChoice()],
                invalid_choice_message=UNKNOWN_CHOICE_MESSAGE)
            for option in question.options
        }
    if kind == "note":
        return {}
    if kind == "allocation":
        # Items left empty count as 0 once any item is filled in; the sum is checked per question.
        return {
            item_field_name(question, item.id): NumberField(
                localized(item.label, lang, default),
                integer=question.integer,
                minimum=question.min if question.min is not None else 0,
                maximum=question.max if question.max is not None else question.total,
            )
            for item in question.items
        }
    if kind in ("short_text", "long_text"):
        field_class = StringField if kind == "short_text" else TextAreaField
        # Blanks alone are no answer (stored texts are stripped): DataRequired, not InputRequired.
        presence = [DataRequired(message=REQUIRED_MESSAGE)] if question.required else [Optional()]
        validators = [*presence, _text_checks(question, lang, default)]
        return {question.id: field_class(label, validators=validators)}
    raise ValueError(f"unknown question type {kind!r}")


class PageFormBase(FlaskForm):
    """Adds per-question errors (allocation sums, rankings) to the per-field errors of
    WTForms, and leaves out the questions that show_if conditions hide."""

    questionnaire: Questionnaire
    page_index: int

    class Meta:
        # The page template carries the token; CSRFProtect checks it on every POST, so a
        # page can also be checked again from the stored draft, where no token is.
        csrf = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.question_errors: dict[str, list[str]] = {}
        self.hidden: frozenset[str] = frozenset()   # ids of this page's hidden questions

    @property
    def page(self):
        return self.questionnaire.pages[self.page_index]

    def validate(self, extra_validators=None) -> bool:
        self.question_errors = {}
        super().validate(extra_validators)
        for question in self.page.questions:
            if question.id in self.hidden:
                for name in field_names(question):
                    self[name].errors = []
                continue
            check = QUESTION_CHECKS.get(question.type)
            message = check(self, question) if check else None
            if message:
                self.question_errors[question.id] = [message]
        self._errors = None   # WTForms caches the errors dict; fields were changed above
        return not self.question_errors and not any(field.errors for field in self)

    def _ranking_error(self, question: Question):
        fields = [self[item_field_name(question, option.value)] for option in question.options]
        if any(field.errors for field in fields):
            return None
        ranks = [rank for rank in ((field.data or "").strip() for field in fields) if rank]
        if not ranks:
            return REQUIRED_MESSAGE if question.required else None
        if sorted(ranks) != sorted(str(n) for n in range(1, len(fields) + 1)):
            return _l("Please give each option its own rank from 1 to %(n)d.", n=len(fields))
        return None

    def ranking_rows(self, question: Question) -> list:
        """(option, rank field) pairs, ranked ones first in rank order, then the others."""
        rows = [(option, self[item_field_name(question, option.value)]) for option in question.options]
        ranked = {option.value: int(field.data) for option, field in rows
                  if field.data and str(field.data).isdigit()}
        return sorted(rows, key=lambda row: ranked.get(row[0].value, len(rows) + 1))

    def visible_question_ids(self) -> list[str]:
        return [q.id for q in self.page.questions if q.id not in self.hidden]

    def _allocation_error(self, question: Question):
        fields = [self[item_field_name(question, item.id)] for item in question.items]
        if any(field.errors for field in fields):
            return None
        values = [field.data for field in fields if field.data is not None]
        if not values:
            return REQUIRED_MESSAGE if question.required else None
        total = math.fsum(values)
        if not adds_up(values, question.total):
            return _l(
                "The numbers add up to %(sum)s; they must add up to %(total)s.",
                sum=_format_number(total),
                total=_format_number(question.total),
            )
        return None

    def errors_for(self, question: Question) -> list[str]:
        """Every error of a question, for the summary at the top of the page."""
        messages = list(self.question_errors.get(question.id, []))
        for name in field_names(question):
            messages.extend(self[name].errors)
        return messages


QUESTION_CHECKS = {
    "allocation": PageFormBase._allocation_error,
    "ranking": PageFormBase._ranking_error,
}


def field_names(question: Question) -> list[str]:
    if question.type in ("matrix", "allocation"):
        return [item_field_name(question, item.id) for item in question.items]
    if question.type == "ranking":
        return [item_field_name(question, option.value) for option in question.options]
    if question.type == "note":
        return []
    return [question.id]


def page_form(questionnaire: Questionnaire, page_index: int, lang: str, answers: dict,
              formdata=None, entered: dict | None = None) -> PageFormBase:
    """The form for one page: from the posted formdata, or else from the draft: the input as
    typed (`entered`, see draft_changes) where there is some, else the stored answers.

    Its `hidden` questions follow from the stored answers together with what was posted on
    this page, so a condition on an earlier question of the same page counts as answered now.
    """
    page = questionnaire.pages[page_index]
    fields: dict[str, Field] = {}
    for question in page.questions:
        fields.update(_fields_for(question, lang, questionnaire.default_language))
    form_class = type("PageForm", (PageFormBase,), {
        "questionnaire": questionnaire, "page_index": page_index, **fields})
    if formdata is None:
        formdata = draft_formdata(page, answers, entered or {})
    # Posted data alone decides; mixing in stored answers would resurrect cleared ones.
    form = form_class(formdata=formdata)
    answers = {**answers, **{q.id: _answer(form, q) for q in page.questions if q.has_answer}}
    on_page = {q.id for q in page.questions}
    form.hidden = visibility(questionnaire, answers).hidden_questions & on_page
    return form


def draft_formdata(page, answers: dict, entered: dict) -> MultiDict:
    """A page's fields as a browser would send them again: what the respondent typed
    (`entered`), else the stored answer written as form input."""
    data = MultiDict()
    for question in page.questions:
        if not question.has_answer:
            continue
        typed = entered.get(question.id)
        fields = typed if isinstance(typed, dict) else _answer_fields(question, answers.get(question.id))
        names = set(field_names(question))
        for name, values in fields.items():
            if name in names and isinstance(values, list):
                for value in values:
                    data.add(name, str(value))
    return data


def _answer_fields(question: Question, value) -> dict[str, list[str]]:
    """A stored answer as form input (field name -> values); nothing for a value of the wrong kind."""
    if value is None:
        return {}
    if question.type in ("matrix", "allocation"):
        if not isinstance(value, dict):
            return {}
        return {item_field_name(question, item_id): [_as_input(item_value)] for item_id, item_value in value.items()
                if isinstance(item_value, (int, float, str))}
    if question.type in ("ranking", "multiple_choice"):
        if not isinstance(value, list):
            return {}
        if question.type == "multiple_choice":
            return {question.id: [str(v) for v in value]}
        return {item_field_name(question, str(option)): [str(rank)] for rank, option in enumerate(value, start=1)}
    return {question.id: [_as_input(value)]}


def _as_input(value) -> str:
    """A stored value as typed: 12 for 12.0, as the form reads numbers back."""
    if isinstance(value, float) and value.is_integer():
        return _format_number(value)
    return str(value)


def draft_changes(form: PageFormBase) -> tuple[dict, dict]:
    """What a posted page changes in the draft (call after form.validate()), as
    (answers, entered): per question the answer when it passes every check, else None
    (which deletes it), and the input exactly as typed, complete or not, valid or not, so
    that the page shows it again after "Back", "Save" or resuming on another device.
    Hidden questions keep neither."""
    answers: dict = {}
    entered: dict = {}
    for question in form.page.questions:
        if not question.has_answer:
            continue
        hidden = question.id in form.hidden
        valid = not hidden and not form.errors_for(question)
        answers[question.id] = _answer(form, question) if valid else None
        typed = {} if hidden else {name: list(form[name].raw_data) for name in field_names(question)
                                   if form[name].raw_data}
        entered[question.id] = typed or None
    return answers, entered


def check_draft(questionnaire: Questionnaire, lang: str, draft: dict) -> tuple[int | None, dict]:
    """Every page the draft's answers show, checked again from the draft exactly as "Next"
    checks it: (index of the first page with a problem or None, the answers of the pages
    checked). A response is built only from answers that passed this."""
    answers = {k: v for k, v in (draft.get("answers") or {}).items() if v is not None}
    entered = draft.get("entered") or {}
    checked: set[int] = set()
    while True:  # an answer may show a further page; check until none is left
        pending = [i for i in visible_pages(questionnaire, answers) if i not in checked]
        if not pending:
            return None, answers
        form = page_form(questionnaire, pending[0], lang, answers, entered=entered)
        if not form.validate():
            return pending[0], answers
        for question_id, value in answers_from_form(form).items():
            if value is None:
                answers.pop(question_id, None)
            else:
                answers[question_id] = value
        checked.add(pending[0])


def _scale_value(raw: str | None):
    """The stored point (or "dk"); None for no or an unknown choice, which validation reports."""
    if raw == DONT_KNOW:
        return raw
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def answers_from_form(form: PageFormBase) -> dict:
    """Stored answers for the page's questions; None marks an unanswered question, and
    hidden questions are marked unanswered too, so that nothing is kept for them."""
    return {question.id: None if question.id in form.hidden else _answer(form, question)
            for question in form.page.questions if question.has_answer}


def _answer(form: PageFormBase, question: Question):
    kind = question.type
    if kind == "matrix":
        values = {
            item.id: _scale_value(form[item_field_name(question, item.id)].data) for item in question.items
        }
        values = {k: v for k, v in values.items() if v is not None}
        return values or None
    if kind == "allocation":
        values = {item.id: form[item_field_name(question, item.id)].data for item in question.items}
        if all(v is None for v in values.values()):
            return None
        return {k: (v if v is not None else 0) for k, v in values.items()}
    if kind == "ranking":
        # Best first; only a complete set of distinct ranks is an answer.
        ranks = {option.value: form[item_field_name(question, option.value)].data for option in question.options}
        if sorted(str(r) for r in ranks.values()) != sorted(str(n) for n in range(1, len(ranks) + 1)):
            return None
        return sorted(ranks, key=lambda value: int(ranks[value]))
    data = form[question.id].data
    if kind == "scale":
        return _scale_value(data)
    if kind == "date":
        return data.isoformat() if isinstance(data, dt.date) else None
    if kind == "multiple_choice":
        return list(data) if data else None
    if kind in ("short_text", "long_text"):
        return data.strip() or None if data else None
    return data if data not in ("", None) else None
