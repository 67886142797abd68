"""WTForms built at run time from one questionnaire page, and the mapping between
form fields and stored answers (see docs/questionnaire-format.md for answer values).

Field names: a question's id, or "<question>-<item>" for matrix and allocation items.
"""
from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from .questionnaire import DONT_KNOW, Page, Question, localized

REQUIRED_MESSAGE = _l("Please answer this question.")
REQUIRED_ITEM_MESSAGE = _l("Please answer this line.")


def item_field_name(question: Question, item_id: str) -> str:
    return f"{question.id}-{item_id}"


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class NumberField(Field):
    """A number typed as text: accepts a decimal comma, as German users write it."""

    widget = TextInput(input_type="text")

    def __init__(self, *args, integer: bool = False, minimum=None, maximum=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.integer = integer
        self.minimum = minimum
        self.maximum = maximum

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


def _max_choices(limit: int):
    def check(form, field):
        if field.data and len(field.data) > limit:
            raise ValidationError(_l("Please choose at most %(n)d options.", n=limit))

    return check


def _scale_choices(question: Question, lang: str, default: str) -> list[SelectChoice]:
    choices = [SelectChoice(str(p.value), localized(p.label, lang, default)) for p in question.scale.points]
    if question.scale.dont_know:
        choices.append(SelectChoice(DONT_KNOW, localized(question.scale.dont_know, lang, default)))
    return choices


def _presence(required: bool, message=REQUIRED_MESSAGE):
    return [InputRequired(message=message)] if required else [Optional()]


def _fields_for(question: Question, lang: str, default: str) -> dict[str, Field]:
    label = localized(question.text, lang, default)
    kind = question.type
    if kind == "single_choice":
        choices = [SelectChoice(o.value, localized(o.label, lang, default)) for o in question.options]
        return {question.id: RadioField(label, choices=choices, validators=_presence(question.required))}
    if kind == "multiple_choice":
        choices = [SelectChoice(o.value, localized(o.label, lang, default)) for o in question.options]
        validators = _presence(question.required)
        if question.max_choices:
            validators.append(_max_choices(question.max_choices))
        return {
            question.id: SelectMultipleField(
                label,
                choices=choices,
                validators=validators,
                widget=ListWidget(prefix_label=False),
                option_widget=CheckboxInput(),
            )
        }
    if kind == "scale":
        choices = _scale_choices(question, lang, default)
        return {question.id: RadioField(label, choices=choices, validators=_presence(question.required))}
    if kind == "matrix":
        choices = _scale_choices(question, lang, default)
        return {
            item_field_name(question, item.id): RadioField(
                localized(item.label, lang, default),
                choices=choices,
                validators=_presence(question.required, REQUIRED_ITEM_MESSAGE),
            )
            for item in question.items
        }
    if kind == "number":
        return {
            question.id: NumberField(
                label,
                integer=question.integer,
                minimum=question.min,
                maximum=question.max,
                validators=_presence(question.required),
            )
        }
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
        validators = _presence(question.required)
        if question.max_length:
            validators.append(Length(max=question.max_length))
        return {question.id: field_class(label, validators=validators)}
    raise ValueError(f"unknown question type {kind!r}")


class PageFormBase(FlaskForm):
    """Adds per-question errors (allocation sums) to the per-field errors of WTForms."""

    page: Page

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.question_errors: dict[str, list[str]] = {}

    def validate(self, extra_validators=None) -> bool:
        self.question_errors = {}
        valid = super().validate(extra_validators)
        for question in self.page.questions:
            if question.type == "allocation":
                message = self._allocation_error(question)
                if message:
                    self.question_errors[question.id] = [message]
                    valid = False
        return valid

    def _allocation_error(self, question: Question):
        fields = [self[item_field_name(question, item.id)] for item in question.items]
        if any(field.errors for field in fields):
            return None
        values = [field.data for field in fields if field.data is not None]
        if not values:
            return REQUIRED_MESSAGE if question.required else None
        total = sum(values)
        if not math.isclose(total, question.total, abs_tol=1e-9):
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


def field_names(question: Question) -> list[str]:
    if question.type in ("matrix", "allocation"):
        return [item_field_name(question, item.id) for item in question.items]
    return [question.id]


def page_form(page: Page, lang: str, default_lang: str, answers: dict, formdata=None) -> PageFormBase:
    """The form for one page: from the posted formdata, or else filled from the stored answers."""
    fields: dict[str, Field] = {}
    for question in page.questions:
        fields.update(_fields_for(question, lang, default_lang))
    form_class = type("PageForm", (PageFormBase,), {"page": page, **fields})
    if formdata is not None:
        # Posted data alone decides; mixing in stored answers would resurrect cleared ones.
        return form_class(formdata=formdata)
    return form_class(formdata=None, data=form_data_from_answers(page, answers))


def form_data_from_answers(page: Page, answers: dict) -> dict:
    data = {}
    for question in page.questions:
        value = answers.get(question.id)
        if value is None:
            continue
        if question.type in ("matrix", "allocation"):
            for item_id, item_value in value.items():
                data[f"{question.id}-{item_id}"] = str(item_value) if question.type == "matrix" else item_value
        elif question.type == "scale":
            data[question.id] = str(value)
        else:
            data[question.id] = value
    return data


def _scale_value(raw: str | None):
    if raw in (None, ""):
        return None
    return raw if raw == DONT_KNOW else int(raw)


def answers_from_form(form: PageFormBase, only_valid: bool = False) -> dict:
    """Stored answers for the page's questions; None marks an unanswered question.

    With only_valid, questions with an error are left out (used by "back", which
    keeps what is valid without insisting on the rest).
    """
    answers: dict = {}
    for question in form.page.questions:
        if only_valid and form.errors_for(question):
            continue
        answers[question.id] = _answer(form, question)
    return answers


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
    data = form[question.id].data
    if kind == "scale":
        return _scale_value(data)
    if kind == "multiple_choice":
        return list(data) if data else None
    if kind in ("short_text", "long_text"):
        return data.strip() or None if data else None
    return data if data not in ("", None) else None
