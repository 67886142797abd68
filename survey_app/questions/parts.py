"""Building blocks several question types share (pure): options, items and scales in a
definition, the messages and presence checks of form fields, and answers given per item.
"""
from __future__ import annotations

from collections.abc import Mapping

from wtforms import RadioField
from wtforms.validators import InputRequired, Optional, StopValidation

from survey_app.definitions.loader import Collector, kind, named, unique
from survey_app.definitions.model import Item, Option, Question, Scale
from survey_app.messages import _l
from survey_app.questions.base import CodebookRow, Context, as_input, scalar

# ------------------------------------------------------------------ definition parts


def parse_options(c: Collector, value: object, loc: str, ctx: Context, minimum: int) -> tuple[Option, ...]:
    options, seen = [], set()
    for i, data in enumerate(c.sequence(loc, "options", value, minimum)):
        option_loc = f"{loc} " + named(data, "value", "option", f"options[{i}]")
        if not c.mapping(option_loc, data):
            continue
        c.check_keys(data, option_loc, ("value", "label"))
        option_value = c.slug(option_loc, "value", data.get("value"))
        unique(c, option_loc, seen, option_value, "option value")
        label = c.text(option_loc, "label", data.get("label"), ctx.languages)
        if option_value is not None and label is not None:
            options.append(Option(option_value, label))
    return tuple(options)


def parse_items(c: Collector, value: object, loc: str, ctx: Context) -> tuple[Item, ...]:
    items, seen = [], set()
    for i, data in enumerate(c.sequence(loc, "items", value)):
        item_loc = f"{loc} " + named(data, "id", "item", f"items[{i}]")
        if not c.mapping(item_loc, data):
            continue
        c.check_keys(data, item_loc, ("id", "label"), ("construct",))
        item_id = c.slug(item_loc, "id", data.get("id"))
        unique(c, item_loc, seen, item_id, "item id")
        label = c.text(item_loc, "label", data.get("label"), ctx.languages)
        construct = c.construct(item_loc, data.get("construct"))
        if item_id is not None and label is not None:
            items.append(Item(item_id, label, construct))
    return tuple(items)


def parse_scale_ref(c: Collector, value: object, loc: str, ctx: Context) -> Scale | None:
    if value is None:
        return None
    if not isinstance(value, str):
        c.add(loc, f'"scale" must name a scale defined under "scales", got {kind(value)}')
        return None
    if value not in ctx.declared_scales:
        known = ", ".join(sorted(ctx.declared_scales)) or "none"
        c.add(loc, f'unknown scale "{value}" (defined scales: {known})')
    return ctx.scales.get(value)


# ------------------------------------------------------------------ form fields

REQUIRED_MESSAGE = _l("Please answer this question.")
REQUIRED_ITEM_MESSAGE = _l("Please answer this line.")
# For a value that is none of the options (blanks, an old or a made-up value).
UNKNOWN_CHOICE_MESSAGE = _l("Please choose one of the options shown.")


def item_field_name(question: Question, item_id: str) -> str:
    """The field of one item of a question (or of a ranking option's rank): "<question>-<item>"."""
    return f"{question.id}-{item_id}"


def presence(required: bool, message=REQUIRED_MESSAGE) -> list:
    return [InputRequired(message=message)] if required else [Optional()]


class NoChoice(Optional):
    """Like Optional, for choices: only nothing sent counts as no answer. A value made of
    spaces or other blanks is a value, and one that is no option is refused at the field
    (UNKNOWN_CHOICE_MESSAGE), whether the question is required or not."""

    def __call__(self, form, field):
        if not any(field.raw_data or ()):
            field.errors[:] = []
            raise StopValidation()


def choice_presence(required: bool, message=REQUIRED_MESSAGE) -> list:
    return [InputRequired(message=message)] if required else [NoChoice()]


def radio(label, choices, required: bool, message=REQUIRED_MESSAGE) -> RadioField:
    return RadioField(label, choices=choices, invalid_choice_message=UNKNOWN_CHOICE_MESSAGE,
                      validators=choice_presence(required, message))


# ------------------------------------------------------------------ answers per item

class PerItem:
    """For a type that asks the same about each of its items: a field "<question>-<item>"
    per item, the answer {item: value}, and a column "<question>.<item>" per item."""

    def field_names(self, question: Question) -> list[str]:
        return [item_field_name(question, item.id) for item in question.items]

    def form_input(self, question: Question, value) -> dict[str, list[str]]:
        if not isinstance(value, dict):
            return {}
        return {item_field_name(question, item_id): [as_input(item_value)] for item_id, item_value in value.items()
                if isinstance(item_value, (int, float, str))}

    def columns(self, question: Question) -> list[str]:
        return [f"{question.id}.{i.id}" for i in question.items]

    def cells(self, question: Question, value) -> list:
        row = value if isinstance(value, Mapping) else {}
        return [scalar(row.get(i.id)) for i in question.items]

    def codebook_rows(self, question: Question) -> list[CodebookRow]:
        return [CodebookRow(f"{question.id}.{i.id}", i.id, i.label, i.construct or question.construct)
                for i in question.items]
