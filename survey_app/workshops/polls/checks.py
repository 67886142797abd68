"""Reading the keys of a poll definition: the rules and messages a poll type's parser uses (pure).

A poll mapping comes from a template file, from a stored workshop or from the in-app poll
editor, and the same rules check all three. A rule that the editor's user can break refuses
with a translatable Message tied to the poll key (and language) it concerns, so that the
editor shows it at its own field; a template file's problem list shows the same message in
English after the key. Structural problems (a list where a mapping belongs, a bad id) are the
shared definitions toolkit's (definitions/loader.py) and cannot come from the editor.
"""
from __future__ import annotations

import reprlib
from dataclasses import dataclass

from survey_app.analysis.stats import is_int
from survey_app.definitions.loader import CONSTRUCT, Collector, Problem, named, unique
from survey_app.definitions.model import Text
from survey_app.workshops.messages import Message, _
from survey_app.workshops.model import Choice

MAX_OPTIONS = 20      # options of a poll, organisation types of a workshop


@dataclass(frozen=True)
class Refusal:
    """A broken rule of a poll definition, for the editor: which key, which language, why."""
    key: str                      # the poll key: "text", "options", "points", ...
    message: Message
    language: str | None = None   # the language whose text is wrong, if it is one
    problem: Problem | None = None   # the same refusal in a file's problem list


class PollCollector(Collector):
    """A Collector that also keeps the refusals by key (see the module docstring)."""

    def __init__(self, file: str):
        super().__init__(file)
        self.refusals: list[Refusal] = []

    def refuse(self, loc: str, key: str, message: Message, detail: str = "", *, name: str | None = None,
               language: str | None = None) -> None:
        """Record that `key` breaks a rule; `name` is the key named in the file's message
        (an entry's "label" for the poll key "options"), `detail` what the file said."""
        self.add(loc, f'"{name or key}": {message.render()}' + (f" ({detail})" if detail else ""))
        self.refusals.append(Refusal(key, message, language, self.problems[-1]))


def text(c: PollCollector, loc: str, key: str, value: object, languages: tuple[str, ...] | None,
         *, name: str | None = None) -> Text | None:
    """A text in every language of the workshop (polls have no fallback to another language)."""
    if isinstance(value, dict) and languages:
        blank = [lang for lang in languages
                 if value.get(lang) is None or isinstance(value[lang], str) and not value[lang].strip()]
        for lang in blank:
            c.refuse(loc, key, Message(_("Please enter the text in every language.")), f"missing: {lang}",
                     name=name, language=lang)
        if blank:
            return None
    return c.text(loc, name or key, value, languages)


def whole_number(c: PollCollector, loc: str, key: str, value: object, low: int, high: int,
                 default: int | None = None) -> int | None:
    """A whole number from `low` to `high`; `default` when the key is absent."""
    if value is None:
        return default
    if not is_int(value) or not low <= value <= high:
        c.refuse(loc, key, Message(_("Enter a whole number from %(low)d to %(high)d."), {"low": low, "high": high}),
                 f"got {reprlib.repr(value)}")
        return None
    return value


def at_most(c: PollCollector, loc: str, key: str, value: int | None, limit: int, message: Message) -> int | None:
    """`value` (already checked on its own) may not be above `limit`, which another key sets."""
    if value is not None and value > limit:
        c.refuse(loc, key, message, f"at most {limit}, got {value}")
        return None
    return value


def entries(c: PollCollector, loc: str, key: str, value: object, low: int, high: int) -> list:
    """A list of `low` to `high` entries (empty when absent or not a list)."""
    items = c.sequence(loc, key, value, 0)
    if value is not None and isinstance(value, list) and not low <= len(items) <= high:
        message = Message(_("Enter exactly %(n)d entries."), {"n": low}) if low == high else \
            Message(_("Enter between %(low)d and %(high)d entries."), {"low": low, "high": high})
        c.refuse(loc, key, message, f"got {len(items)}")
    return items


def construct(c: PollCollector, loc: str, value: object, key: str = "construct") -> str | None:
    """A construct key such as task.networking (links polls with questionnaire items)."""
    if value is None:
        return None
    if not isinstance(value, str) or not CONSTRUCT.fullmatch(value):
        c.refuse(loc, key, Message(_("Use lower-case letters, digits and _, parts separated by dots.")),
                 f"got {reprlib.repr(value)}", name="construct")
        return None
    return value


def choices(c: PollCollector, value: object, loc: str, key: str, languages, low: int, high: int,
            reserved: tuple[str, ...] = ()) -> tuple[Choice, ...]:
    """Options, tasks, actors or organisation types: entries with an id, a label and maybe a construct."""
    result, seen = [], set()
    for i, data in enumerate(entries(c, loc, key, value, low, high)):
        entry_loc = f"{loc} " + named(data, "id", key.rstrip("s"), f"{key}[{i}]")
        if not c.mapping(entry_loc, data):
            continue
        c.check_keys(data, entry_loc, ("id", "label"), ("construct",))
        choice_id = c.slug(entry_loc, "id", data.get("id"))
        if choice_id in reserved:
            c.add(entry_loc, f'"{choice_id}" is reserved (it is added automatically)')
            choice_id = None
        unique(c, entry_loc, seen, choice_id, f"{key.rstrip('s')} id")
        label = text(c, entry_loc, key, data.get("label"), languages, name="label")
        entry_construct = construct(c, entry_loc, data.get("construct"), key)
        if choice_id is not None and label is not None:
            result.append(Choice(choice_id, label, entry_construct))
    return tuple(result)


def texts(c: PollCollector, value: object, loc: str, key: str, languages, count: int) -> tuple[Text, ...]:
    """Exactly `count` texts, e.g. the labels of the points of a scale."""
    return tuple(text(c, f"{loc} {key}[{i}]", key, entry, languages, name="label")
                 for i, entry in enumerate(entries(c, loc, key, value, count, count)))
