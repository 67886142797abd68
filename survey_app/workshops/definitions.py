"""A poll as a mapping (template file, stored workshop, poll editor) and back (pure).

``parse_poll`` checks the keys every poll has and hands the rest to its poll type's ``parse``
(polls/), so a template file, a stored workshop and the editor follow one set of rules.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from survey_app.definitions.loader import Problem, named
from survey_app.workshops.messages import Message, _
from survey_app.workshops.model import Choice, Poll
from survey_app.workshops.polls import checks
from survey_app.workshops.polls.checks import PollCollector, Refusal
from survey_app.workshops.polls.registry import POLL_TYPES

COMMON_REQUIRED = ("id", "type", "text")
COMMON_OPTIONAL = ("help", "construct")
# The settings in the order stored workshops have always written them.
DUMP_ORDER = ("max_choices", "points", "max_per_option", "max_items", "max_length", "options", "tasks", "actors",
              "labels", "supporting")
ANY_TYPE_KEYS = tuple(dict.fromkeys(key for kind in POLL_TYPES.values() for key in kind.required + kind.optional))


def parse_poll(c: PollCollector, data: object, loc: str, languages: tuple[str, ...] | None) -> Poll | None:
    """Validate one poll mapping (template entry or stored poll); problems go to `c`."""
    if not c.mapping(loc, data):
        return None
    before = len(c.problems)
    name = data.get("type")
    kind = POLL_TYPES.get(name) if isinstance(name, str) else None
    if name is not None and kind is None:
        c.add(loc, f'unknown poll type {name!r} (known: {", ".join(POLL_TYPES)})')
    # With an unknown type, any type's keys pass: the type is the one problem to report.
    required, optional = (kind.required, kind.optional) if kind else ((), ANY_TYPE_KEYS)
    for key in COMMON_REQUIRED + required:
        if data.get(key) is None:
            c.refuse(loc, key, Message(_("This is required.")), "the key is missing")
    c.check_keys(data, loc, (), COMMON_REQUIRED + required + COMMON_OPTIONAL + optional)
    fields: dict[str, Any] = {
        "id": c.slug(loc, "id", data.get("id")),
        "type": kind.name if kind else None,
        "text": checks.text(c, loc, "text", data.get("text"), languages),
        "help": checks.text(c, loc, "help", data.get("help"), languages),
        "construct": checks.construct(c, loc, data.get("construct")),
    }
    if kind is not None:
        fields.update(kind.parse(c, data, loc, languages))
    if len(c.problems) > before:
        return None
    return Poll(**fields)


def poll_problems(data: object, languages: Sequence[str], source: str = "poll") -> tuple[Poll | None, list[Problem]]:
    """Validate one poll mapping on its own."""
    poll, problems, _refusals = check_poll(data, languages, source)
    return poll, problems


def check_poll(data: object, languages: Sequence[str],
               source: str = "poll") -> tuple[Poll | None, list[Problem], list[Refusal]]:
    """Validate one poll mapping (e.g. built by the in-app editor): the poll, every problem,
    and the refusals among them by key, for the editor's fields."""
    c = PollCollector(source)
    poll = parse_poll(c, data, named(data, "id", "poll", "poll"), tuple(languages))
    return poll, c.problems, c.refusals


def parse_organisation_types(c: PollCollector, value: object, loc: str, languages) -> tuple[Choice, ...]:
    return checks.choices(c, value, loc, "organisation_types", languages, 0, checks.MAX_OPTIONS)


def check_organisation_types(value: object, languages: Sequence[str]
                             ) -> tuple[tuple[Choice, ...], list[Problem], list[Refusal]]:
    """The organisation types of a workshop as its settings page gives them: the types, every
    problem, and the refusals among them."""
    c = PollCollector("workshop")
    types = parse_organisation_types(c, value, "workshop", tuple(languages))
    return types, c.problems, c.refusals


def choice_dict(choice: Choice) -> dict:
    data = {"id": choice.id, "label": dict(choice.label)}
    if choice.construct:
        data["construct"] = choice.construct
    return data


def poll_dict(poll: Poll) -> dict:
    """The poll as a plain mapping in the template format (None and empty parts left out)."""
    kind = POLL_TYPES[poll.type]
    data: dict[str, Any] = {"id": poll.id, "type": poll.type, "text": dict(poll.text)}
    if poll.help:
        data["help"] = dict(poll.help)
    if poll.construct:
        data["construct"] = poll.construct
    keys = kind.required + kind.optional
    for key in sorted(keys, key=lambda k: DUMP_ORDER.index(k) if k in DUMP_ORDER else len(DUMP_ORDER)):
        value = getattr(poll, key)
        if value is None or value == ():
            continue
        if isinstance(value, tuple):
            value = [choice_dict(v) if isinstance(v, Choice) else dict(v) for v in value]
        data[key] = value
    return data
