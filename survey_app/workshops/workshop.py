"""Live workshops: polls, their live state, vote validation and tallies (pure: no Flask, no storage).

A workshop is stored as one record (a dict, see ``workshop_record``): its polls in the same
shape as in a template file (docs/workshops.md), plus the live state the facilitator
controls (current poll, voting open, results shown, rounds). Votes are stored apart, one per
participant and run; a *run* is the vote collection of one round of one poll, and resetting
a round starts a new run (the old one is kept on disk but no longer counted).

User-facing messages are returned as ``Message`` objects holding an English msgid (marked
with ``_`` for extraction) and its parameters; the web layer translates them.

Conventions of the tallies: ``n`` is the number of participants with a valid vote; shares
are fractions (0..1), and a share whose base is 0 is 0.0 (n says so).
"""
from __future__ import annotations

import json
import re
import secrets
import statistics
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Union

import yaml

from survey_app.analysis.breakdown import cells_to_suppress
from survey_app.analysis.stats import borda_order, borda_points, is_int, kendalls_w, normalised_entropy, share
from survey_app.codes import new_code, normalize_code
from survey_app.output.export import to_csv
from survey_app.definitions.loader import (
    CONSTRUCT,
    QUESTIONNAIRE_ID,
    Problem,
    Collector,
    parse_languages,
    named,
    StrictLoader,
    unique,
    yaml_problem,
)
from survey_app.definitions.model import Text, localized
from survey_app.messages import Message


def _(msgid: str) -> str:
    """Marks a message for extraction (pybabel); the web layer translates it when shown."""
    return msgid


class WorkshopError(Exception):
    """A facilitator's action cannot be done; ``message`` says why."""

    def __init__(self, msgid: str, **params):
        super().__init__(msgid % params if params else msgid)
        self.message = Message(msgid, params)


# --------------------------------------------------------------------------- definitions

POLL_TYPES = ("single_choice", "multiple_choice", "scale", "fist_to_five", "dot_voting",
              "ranking", "role_matrix", "open_text")
UNCLEAR = "unclear"                   # the role-matrix answer "nobody / unclear"
SCALE_VALUES = (1, 2, 3, 4, 5)
FIST_TO_FIVE_VALUES = (0, 1, 2, 3, 4, 5)
OBJECTION_VALUES = (0, 1)             # fist-to-five: 0 and 1 fingers object
MAX_OPTIONS = 20
MAX_RANKING_OPTIONS = 10              # ranking more than this on a phone is guesswork
MAX_TASKS = 20
MAX_ACTORS = 12
MAX_POINTS = 100
MAX_IDEAS = 10
MAX_IDEA_LENGTH = 500
DEFAULT_IDEAS = 3
DEFAULT_IDEA_LENGTH = 200

COMMON_REQUIRED = ("id", "type", "text")
COMMON_OPTIONAL = ("help", "construct")
TYPE_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "single_choice": (("options",), ()),
    "multiple_choice": (("options",), ("max_choices",)),
    "scale": (("labels",), ()),
    "fist_to_five": ((), ()),
    "dot_voting": (("options", "points"), ("max_per_option",)),
    "ranking": (("options",), ()),
    "role_matrix": (("tasks", "actors"), ("supporting",)),
    "open_text": ((), ("max_items", "max_length")),
}
TEMPLATE_REQUIRED = ("id", "languages", "title", "polls")
TEMPLATE_OPTIONAL = ("description", "organisation_types")


@dataclass(frozen=True)
class Choice:
    """An option, a role-matrix task (row) or actor (column), or an organisation type."""
    id: str
    label: Text
    construct: str | None = None


@dataclass(frozen=True)
class Poll:
    id: str
    type: str
    text: Text
    help: Text | None = None
    construct: str | None = None            # compares the poll with questionnaire items
    options: tuple[Choice, ...] = ()        # single/multiple choice, dot voting, ranking
    max_choices: int | None = None          # multiple_choice
    labels: tuple[Text, ...] = ()           # scale: one label per point 1..5
    points: int | None = None               # dot_voting: each participant's budget
    max_per_option: int | None = None       # dot_voting
    tasks: tuple[Choice, ...] = ()          # role_matrix rows
    actors: tuple[Choice, ...] = ()         # role_matrix columns ("unclear" is added)
    supporting: bool = False                # role_matrix: supporting actors may be named
    max_items: int | None = None            # open_text: ideas per participant
    max_length: int | None = None           # open_text: characters per idea

    @property
    def scale_values(self) -> tuple[int, ...]:
        return FIST_TO_FIVE_VALUES if self.type == "fist_to_five" else SCALE_VALUES


@dataclass(frozen=True)
class Template:
    id: str
    source: str
    languages: tuple[str, ...]
    title: Text
    description: Text | None
    organisation_types: tuple[Choice, ...]
    polls: tuple[Poll, ...]


@dataclass
class TemplateCatalogue:
    templates: dict[str, Template] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _bounded(c: Collector, loc: str, key: str, value: object, minimum: int, maximum: int) -> int | None:
    number = c.integer(loc, key, value, minimum)
    if number is not None and number > maximum:
        c.add(loc, f'"{key}" must be at most {maximum}, got {number}')
        return None
    return number


def _choices(c: Collector, value: object, loc: str, key: str, languages, minimum: int,
             maximum: int, reserved: tuple[str, ...] = ()) -> tuple[Choice, ...]:
    choices, seen = [], set()
    entries = c.sequence(loc, key, value, minimum)
    if len(entries) > maximum:
        c.add(loc, f'"{key}" may have at most {maximum} entries, got {len(entries)}')
    for i, data in enumerate(entries):
        entry_loc = f"{loc} " + named(data, "id", key.rstrip("s"), f"{key}[{i}]")
        if not c.mapping(entry_loc, data):
            continue
        c.check_keys(data, entry_loc, ("id", "label"), ("construct",))
        choice_id = c.slug(entry_loc, "id", data.get("id"))
        if choice_id in reserved:
            c.add(entry_loc, f'"{choice_id}" is reserved (it is added automatically)')
            choice_id = None
        unique(c, entry_loc, seen, choice_id, f"{key.rstrip('s')} id")
        label = c.text(entry_loc, "label", data.get("label"), languages)
        construct = c.slug(entry_loc, "construct", data.get("construct"), CONSTRUCT)
        if choice_id is not None and label is not None:
            choices.append(Choice(choice_id, label, construct))
    return tuple(choices)


def _poll(c: Collector, data: object, loc: str, languages: tuple[str, ...] | None) -> Poll | None:
    """Validate one poll mapping (template entry or stored poll); problems go to `c`."""
    if not c.mapping(loc, data):
        return None
    before = len(c.problems)
    poll_type = data.get("type")
    if poll_type is not None and poll_type not in POLL_TYPES:
        c.add(loc, f'unknown poll type {poll_type!r} (known: {", ".join(POLL_TYPES)})')
        poll_type = None
    # With an unknown type, any type's keys pass: the type is the one problem to report.
    required, optional = TYPE_KEYS.get(poll_type, ((), tuple(k for r, o in TYPE_KEYS.values() for k in r + o)))
    c.check_keys(data, loc, COMMON_REQUIRED + required, COMMON_OPTIONAL + optional)
    fields: dict[str, Any] = {
        "id": c.slug(loc, "id", data.get("id")),
        "type": poll_type,
        "text": c.text(loc, "text", data.get("text"), languages),
        "help": c.text(loc, "help", data.get("help"), languages),
        "construct": c.slug(loc, "construct", data.get("construct"), CONSTRUCT),
    }
    if poll_type in ("single_choice", "multiple_choice", "dot_voting", "ranking"):
        maximum = MAX_RANKING_OPTIONS if poll_type == "ranking" else MAX_OPTIONS
        fields["options"] = _choices(c, data.get("options"), loc, "options", languages, 2, maximum)
    if poll_type == "multiple_choice" and data.get("max_choices") is not None:
        fields["max_choices"] = _bounded(c, loc, "max_choices", data.get("max_choices"), 1,
                                         max(len(fields["options"]), 1))
    if poll_type == "scale":
        labels = c.sequence(loc, "labels", data.get("labels"), len(SCALE_VALUES))
        if len(labels) > len(SCALE_VALUES):
            c.add(loc, f'"labels" must have exactly {len(SCALE_VALUES)} entries (points 1 to 5), got {len(labels)}')
        fields["labels"] = tuple(c.text(f"{loc} labels[{i}]", "label", text, languages)
                                 for i, text in enumerate(labels))
    if poll_type == "dot_voting":
        points = _bounded(c, loc, "points", data.get("points"), 1, MAX_POINTS)
        fields["points"] = points
        if data.get("max_per_option") is not None:
            fields["max_per_option"] = _bounded(c, loc, "max_per_option", data.get("max_per_option"), 1,
                                                points or MAX_POINTS)
    if poll_type == "role_matrix":
        fields["tasks"] = _choices(c, data.get("tasks"), loc, "tasks", languages, 1, MAX_TASKS)
        fields["actors"] = _choices(c, data.get("actors"), loc, "actors", languages, 2, MAX_ACTORS,
                                    reserved=(UNCLEAR,))
        fields["supporting"] = bool(c.boolean(loc, "supporting", data.get("supporting")))
    if poll_type == "open_text":
        fields["max_items"] = _bounded(c, loc, "max_items", data.get("max_items", DEFAULT_IDEAS), 1, MAX_IDEAS)
        fields["max_length"] = _bounded(c, loc, "max_length", data.get("max_length", DEFAULT_IDEA_LENGTH),
                                        1, MAX_IDEA_LENGTH)
    if len(c.problems) > before:
        return None
    return Poll(**fields)


def poll_problems(data: object, languages: Sequence[str], source: str = "poll") -> tuple[Poll | None, list[Problem]]:
    """Validate one poll mapping on its own (e.g. built by the in-app editor)."""
    c = Collector(source)
    poll = _poll(c, data, named(data, "id", "poll", "poll"), tuple(languages))
    return poll, c.problems


def _choice_dict(choice: Choice) -> dict:
    data = {"id": choice.id, "label": dict(choice.label)}
    if choice.construct:
        data["construct"] = choice.construct
    return data


def poll_dict(poll: Poll) -> dict:
    """The poll as a plain mapping in the template format (None and empty parts left out)."""
    data: dict[str, Any] = {"id": poll.id, "type": poll.type, "text": dict(poll.text)}
    if poll.help:
        data["help"] = dict(poll.help)
    for key in ("construct", "max_choices", "points", "max_per_option", "max_items", "max_length"):
        if getattr(poll, key) is not None:
            data[key] = getattr(poll, key)
    for key in ("options", "tasks", "actors"):
        if getattr(poll, key):
            data[key] = [_choice_dict(choice) for choice in getattr(poll, key)]
    if poll.labels:
        data["labels"] = [dict(label) for label in poll.labels]
    if poll.type == "role_matrix":
        data["supporting"] = poll.supporting
    return data


# --------------------------------------------------------------------------- templates

def parse_template(data: object, source: str) -> tuple[Template | None, list[Problem]]:
    c = Collector(source)
    if data is None:
        c.add("file", "the file is empty")
        return None, c.problems
    if not c.mapping("top level", data):
        return None, c.problems
    loc = "top level"
    c.check_keys(data, loc, TEMPLATE_REQUIRED, TEMPLATE_OPTIONAL)
    template_id = c.slug(loc, "id", data.get("id"), QUESTIONNAIRE_ID)
    languages = parse_languages(c, data.get("languages"))
    title = c.text(loc, "title", data.get("title"), languages)
    description = c.text(loc, "description", data.get("description"), languages)
    organisation_types = _choices(c, data.get("organisation_types"), loc, "organisation_types",
                                  languages, 0, MAX_OPTIONS)
    polls, seen = [], set()
    for i, poll_data in enumerate(c.sequence(loc, "polls", data.get("polls"))):
        poll_loc = named(poll_data, "id", "poll", f"polls[{i}]")
        if isinstance(poll_data, dict) and isinstance(poll_data.get("id"), str):
            unique(c, poll_loc, seen, poll_data["id"], "poll id")
        poll = _poll(c, poll_data, poll_loc, languages)
        if poll is not None:
            polls.append(poll)
    if c.problems:
        return None, c.problems
    return Template(template_id, source, languages, title, description, organisation_types, tuple(polls)), []


def load_template_file(path: str | Path) -> tuple[Template | None, list[Problem]]:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(path.name, "file", f"cannot read the file: {exc.strerror}")]
    try:
        data = yaml.load(raw, Loader=StrictLoader)
    except yaml.YAMLError as exc:
        return None, [yaml_problem(path.name, raw, exc)]
    return parse_template(data, path.name)


def load_templates(folder: str | Path) -> TemplateCatalogue:
    """Every *.yaml / *.yml workshop template in `folder`; a broken file never hides the others."""
    folder = Path(folder)
    catalogue = TemplateCatalogue()
    if not folder.is_dir():
        return catalogue
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()):
        template, problems = load_template_file(path)
        catalogue.problems.extend(problems)
        if template is None:
            continue
        if template.id in catalogue.templates:
            catalogue.problems.append(Problem(path.name, "id", f'template id "{template.id}" is already used by '
                                                              f"{catalogue.templates[template.id].source}"))
            continue
        catalogue.templates[template.id] = template
    return catalogue


# --------------------------------------------------------------------------- join codes

JOIN_CODE_LENGTH = 6


def new_join_code(randbelow=secrets.randbelow) -> str:
    return new_code(JOIN_CODE_LENGTH, randbelow)


def normalize_join_code(text: str) -> str | None:
    return normalize_code(text, JOIN_CODE_LENGTH)


# --------------------------------------------------------------------------- workshop and live state

@dataclass(frozen=True)
class Round:
    number: int
    run: str                      # where this round's votes are stored
    opened_at: str | None = None  # first opening of voting in this round
    closed_at: str | None = None  # last closing
    discarded: tuple[str, ...] = ()  # runs thrown away by resets of this round


@dataclass(frozen=True)
class Workshop:
    id: str
    title: str
    date: str
    join_code: str
    languages: tuple[str, ...]
    organisation_types: tuple[Choice, ...] = ()
    polls: tuple[Poll, ...] = ()
    current_poll: str | None = None
    voting_open: bool = False
    results_shown: bool = False
    rounds: Mapping[str, tuple[Round, ...]] = field(default_factory=dict)
    hidden_items: frozenset[str] = frozenset()   # open-text ideas the facilitator hid
    min_group_size: int | None = None
    template: str | None = None
    version: int = 0
    demo: bool = False                         # made by `flask demo`, removed by `demo --remove`

    def poll(self, poll_id: str | None) -> Poll | None:
        return next((p for p in self.polls if p.id == poll_id), None)

    def poll_index(self, poll_id: str | None) -> int | None:
        return next((i for i, p in enumerate(self.polls) if p.id == poll_id), None)

    def rounds_of(self, poll_id: str) -> tuple[Round, ...]:
        return tuple(self.rounds.get(poll_id, ()))

    def current_round(self, poll_id: str | None = None) -> Round | None:
        rounds = self.rounds_of(poll_id or self.current_poll or "")
        return rounds[-1] if rounds else None

    @property
    def opened_polls(self) -> frozenset[str]:
        """Polls that were ever opened for voting (and so may have votes)."""
        return frozenset(poll_id for poll_id, rounds in self.rounds.items() if rounds)


def workshop_from_record(record: Mapping[str, Any]) -> Workshop:
    languages = tuple(record["languages"])
    c = Collector(f"workshop {record.get('id')}")
    polls = tuple(_poll(c, data, f"polls[{i}]", languages) for i, data in enumerate(record.get("polls", ())))
    organisation_types = _choices(c, record.get("organisation_types") or [], "workshop", "organisation_types",
                                  languages, 0, MAX_OPTIONS)
    if c.problems:
        raise ValueError("stored workshop is not valid: " + "; ".join(map(str, c.problems)))
    rounds = {poll_id: tuple(Round(r["number"], r["run"], r.get("opened_at"), r.get("closed_at"),
                                   tuple(r.get("discarded", ()))) for r in entries)
              for poll_id, entries in (record.get("rounds") or {}).items()}
    return Workshop(
        id=record.get("id", ""), title=record["title"], date=record.get("date", ""),
        join_code=record["join_code"], languages=languages, organisation_types=organisation_types,
        polls=polls, current_poll=record.get("current_poll"), voting_open=bool(record.get("voting_open")),
        results_shown=bool(record.get("results_shown")), rounds=rounds,
        hidden_items=frozenset(record.get("hidden_items", ())), min_group_size=record.get("min_group_size"),
        template=record.get("template"), version=record.get("version", 0),
        demo=record.get("demo") is True,
    )


def workshop_record(workshop: Workshop) -> dict:
    """The workshop as a plain, JSON-ready mapping (the stored form)."""
    return {
        "id": workshop.id, "title": workshop.title, "date": workshop.date, "join_code": workshop.join_code,
        "languages": list(workshop.languages),
        "organisation_types": [_choice_dict(c) for c in workshop.organisation_types],
        "polls": [poll_dict(p) for p in workshop.polls],
        "current_poll": workshop.current_poll, "voting_open": workshop.voting_open,
        "results_shown": workshop.results_shown,
        "rounds": {poll_id: [{"number": r.number, "run": r.run, "opened_at": r.opened_at,
                              "closed_at": r.closed_at, "discarded": list(r.discarded)} for r in rounds]
                   for poll_id, rounds in workshop.rounds.items()},
        "hidden_items": sorted(workshop.hidden_items), "min_group_size": workshop.min_group_size,
        "template": workshop.template, "version": workshop.version,
        **({"demo": True} if workshop.demo else {}),
    }


def new_workshop(title: str, date: str, join_code: str, languages: Sequence[str],
                 template: Template | None = None) -> Workshop:
    """A workshop with the template's polls and organisation types, or an empty one."""
    if template is None:
        return Workshop(id="", title=title, date=date, join_code=join_code, languages=tuple(languages))
    return Workshop(id="", title=title, date=date, join_code=join_code, languages=template.languages,
                    organisation_types=template.organisation_types, polls=template.polls,
                    current_poll=template.polls[0].id, template=template.id)


def participant_view(workshop: Workshop) -> str:
    """Changes exactly when a participant's screen must change (poll, round or voting open/closed)."""
    current = workshop.current_round()
    return f"{workshop.current_poll or '-'}|{current.run if current else '-'}|{int(workshop.voting_open)}"


def _new_run() -> str:
    return str(uuid.uuid4())


def _with_round(workshop: Workshop, poll_id: str, rounds: tuple[Round, ...]) -> Workshop:
    return replace(workshop, rounds={**workshop.rounds, poll_id: rounds})


def _require_current(workshop: Workshop) -> Poll:
    poll = workshop.poll(workshop.current_poll)
    if poll is None:
        raise WorkshopError(_("Choose a poll first."))
    return poll


def open_voting(workshop: Workshop, now: str) -> Workshop:
    """Open voting on the current poll (its first round if it has none). Results start hidden."""
    poll = _require_current(workshop)
    rounds = workshop.rounds_of(poll.id) or (Round(1, _new_run()),)
    last = rounds[-1]
    if last.opened_at is None:
        last = replace(last, opened_at=now)
    return replace(_with_round(workshop, poll.id, rounds[:-1] + (last,)), voting_open=True, results_shown=False)


def close_voting(workshop: Workshop, now: str) -> Workshop:
    poll = _require_current(workshop)
    if not workshop.voting_open:
        raise WorkshopError(_("Voting is not open."))
    rounds = workshop.rounds_of(poll.id)
    return replace(_with_round(workshop, poll.id, rounds[:-1] + (replace(rounds[-1], closed_at=now),)),
                   voting_open=False)


def show_results(workshop: Workshop, shown: bool) -> Workshop:
    _require_current(workshop)
    return replace(workshop, results_shown=shown)


def go_to_poll(workshop: Workshop, poll_id: str, now: str) -> Workshop:
    """Make `poll_id` the current poll; voting on the previous one closes, results start hidden."""
    if workshop.poll(poll_id) is None:
        raise WorkshopError(_("This poll does not exist (any more)."))
    if workshop.voting_open:
        workshop = close_voting(workshop, now)
    return replace(workshop, current_poll=poll_id, results_shown=False)


def next_poll(workshop: Workshop, now: str) -> Workshop:
    index = workshop.poll_index(workshop.current_poll)
    following = 0 if index is None else index + 1
    if following >= len(workshop.polls):
        raise WorkshopError(_("This is the last poll."))
    return go_to_poll(workshop, workshop.polls[following].id, now)


def new_round(workshop: Workshop, now: str) -> Workshop:
    """Run the current poll again: a new round with its own votes, voting open, results hidden.
    Earlier rounds are kept, so before and after a discussion can be compared."""
    poll = _require_current(workshop)
    rounds = workshop.rounds_of(poll.id)
    if not rounds:
        raise WorkshopError(_("Open voting first; a new round starts after the first one."))
    if workshop.voting_open:
        rounds = rounds[:-1] + (replace(rounds[-1], closed_at=now),)
    rounds += (Round(rounds[-1].number + 1, _new_run(), opened_at=now),)
    return replace(_with_round(workshop, poll.id, rounds), voting_open=True, results_shown=False)


def reset_round(workshop: Workshop, confirmed: bool) -> Workshop:
    """Discard the votes of the current round (kept on disk, no longer counted); voting closes."""
    poll = _require_current(workshop)
    if not confirmed:
        raise WorkshopError(_("Tick the box to confirm that this round's votes are discarded."))
    rounds = workshop.rounds_of(poll.id)
    if not rounds:
        raise WorkshopError(_("This poll has no votes to reset."))
    last = rounds[-1]
    fresh = Round(last.number, _new_run(), discarded=last.discarded + (last.run,))
    return replace(_with_round(workshop, poll.id, rounds[:-1] + (fresh,)), voting_open=False,
                   results_shown=False)


def set_item_hidden(workshop: Workshop, item_key: str, hidden: bool) -> Workshop:
    items = workshop.hidden_items | {item_key} if hidden else workshop.hidden_items - {item_key}
    return replace(workshop, hidden_items=frozenset(items))


# -- editing the poll list

def _unused_poll_id(workshop: Workshop, wanted: str) -> str:
    taken = {p.id for p in workshop.polls}
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted}_{number}" in taken:
        number += 1
    return f"{wanted}_{number}"


def add_poll(workshop: Workshop, poll: Poll) -> Workshop:
    poll = replace(poll, id=_unused_poll_id(workshop, poll.id))
    return replace(workshop, polls=workshop.polls + (poll,),
                   current_poll=workshop.current_poll or poll.id)


def replace_poll(workshop: Workshop, poll: Poll) -> Workshop:
    """Change a poll that has no votes yet (changed options would make stored votes meaningless)."""
    if workshop.poll(poll.id) is None:
        raise WorkshopError(_("This poll does not exist (any more)."))
    if poll.id in workshop.opened_polls:
        raise WorkshopError(_("This poll has already been opened for voting; duplicate it to change it."))
    return replace(workshop, polls=tuple(poll if p.id == poll.id else p for p in workshop.polls))


def duplicate_poll(workshop: Workshop, poll_id: str) -> Workshop:
    index = workshop.poll_index(poll_id)
    if index is None:
        raise WorkshopError(_("This poll does not exist (any more)."))
    copy = replace(workshop.polls[index], id=_unused_poll_id(workshop, f"{poll_id}_copy"))
    return replace(workshop, polls=workshop.polls[:index + 1] + (copy,) + workshop.polls[index + 1:])


def move_poll(workshop: Workshop, poll_id: str, step: int) -> Workshop:
    index = workshop.poll_index(poll_id)
    if index is None:
        raise WorkshopError(_("This poll does not exist (any more)."))
    target = index + step
    if not 0 <= target < len(workshop.polls):
        raise WorkshopError(_("The poll cannot move further."))
    polls = list(workshop.polls)
    polls[index], polls[target] = polls[target], polls[index]
    return replace(workshop, polls=tuple(polls))


def delete_poll(workshop: Workshop, poll_id: str) -> Workshop:
    if workshop.poll(poll_id) is None:
        raise WorkshopError(_("This poll does not exist (any more)."))
    if poll_id in workshop.opened_polls:
        raise WorkshopError(_("This poll has already been opened for voting; it is kept with its votes."))
    polls = tuple(p for p in workshop.polls if p.id != poll_id)
    current = workshop.current_poll if workshop.current_poll != poll_id else (polls[0].id if polls else None)
    return replace(workshop, polls=polls, current_poll=current)


# --------------------------------------------------------------------------- votes

Errors = dict[str, list[Message]]   # form field name ("" = the poll as a whole) -> messages


def vote_refusal(workshop: Workshop, poll_id: str, run: str) -> Message | None:
    """Why a vote for `poll_id` in run `run` (as shown on the participant's form) is not taken now."""
    if workshop.current_poll != poll_id:
        return Message(_("The facilitator has moved on to another poll. Please look at the current one."))
    current = workshop.current_round(poll_id)
    if current is None or not workshop.voting_open:
        return Message(_("Voting on this poll is closed."))
    if current.run != run:
        return Message(_("This poll has started a new round (or the round was reset). Please vote again."))
    return None


def _error(errors: Errors, key: str, msgid: str, **params) -> None:
    errors.setdefault(key, []).append(Message(msgid, params))


def validate_vote(poll: Poll, value: Any) -> Errors:
    """Errors of a vote value in its stored form (empty when valid). Never raises."""
    errors: Errors = {}
    check = _VALIDATORS[poll.type]
    check(poll, value, errors)
    return errors


def _check_single(poll: Poll, value: Any, errors: Errors) -> None:
    if value is None or value == "":
        _error(errors, "choice", _("Please choose an option."))
    elif not isinstance(value, str) or value not in {o.id for o in poll.options}:
        _error(errors, "choice", _("This option does not exist: %(value)s."), value=str(value)[:40])


def _check_multiple(poll: Poll, value: Any, errors: Errors) -> None:
    if not isinstance(value, list) or not value:
        _error(errors, "choice", _("Please choose at least one option."))
        return
    known = {o.id for o in poll.options}
    unknown = [v for v in value if not isinstance(v, str) or v not in known]
    if unknown:
        _error(errors, "choice", _("This option does not exist: %(value)s."), value=str(unknown[0])[:40])
    elif len(set(value)) != len(value):
        _error(errors, "choice", _("Each option can be chosen only once."))
    elif poll.max_choices and len(value) > poll.max_choices:
        _error(errors, "choice", _("Choose at most %(k)d options."), k=poll.max_choices)


def _check_scale(poll: Poll, value: Any, errors: Errors) -> None:
    if value is None or value == "":
        _error(errors, "value", _("Please choose a point on the scale."))
    elif not is_int(value) or value not in poll.scale_values:
        _error(errors, "value", _("Choose a whole number from %(low)d to %(high)d."),
               low=poll.scale_values[0], high=poll.scale_values[-1])


def _check_dots(poll: Poll, value: Any, errors: Errors) -> None:
    if not isinstance(value, dict):
        _error(errors, "", _("Please give at least one point."))
        return
    known = {o.id for o in poll.options}
    for key, points in value.items():
        if key not in known:
            _error(errors, "", _("This option does not exist: %(value)s."), value=str(key)[:40])
        elif not is_int(points) or points < 0:
            _error(errors, f"points-{key}", _("Please enter a whole number of points (0 or more)."))
        elif poll.max_per_option and points > poll.max_per_option:
            _error(errors, f"points-{key}", _("At most %(max)d points per option."), max=poll.max_per_option)
    if errors:
        return
    used = sum(value.values())
    if used > poll.points:
        _error(errors, "", _("You gave %(used)d points but have only %(budget)d. Please take some away."),
               used=used, budget=poll.points)
    elif used == 0:
        _error(errors, "", _("Please give at least one point."))


def _check_ranking(poll: Poll, value: Any, errors: Errors) -> None:
    known = [o.id for o in poll.options]
    if not isinstance(value, list) or not value:
        _error(errors, "", _("Please rank the options."))
    elif any(not isinstance(v, str) or v not in known for v in value):
        unknown = next(v for v in value if not isinstance(v, str) or v not in known)
        _error(errors, "", _("This option does not exist: %(value)s."), value=str(unknown)[:40])
    elif len(set(value)) != len(value) or len(value) != len(known):
        _error(errors, "", _("Give each option a different rank from 1 to %(k)d."), k=len(known))


def _check_roles(poll: Poll, value: Any, errors: Errors) -> None:
    if not isinstance(value, dict) or not value:
        _error(errors, "", _("Please choose who should lead at least one task."))
        return
    tasks = {t.id for t in poll.tasks}
    actors = {a.id for a in poll.actors}
    for task_id, answer in value.items():
        if task_id not in tasks:
            _error(errors, "", _("This task does not exist: %(value)s."), value=str(task_id)[:40])
            continue
        if not isinstance(answer, dict) or set(answer) - {"lead", "support"}:
            _error(errors, f"lead-{task_id}", _("Please choose who should lead this task."))
            continue
        lead = answer.get("lead")
        support = answer.get("support", [])
        if not isinstance(lead, str) or lead not in actors | {UNCLEAR}:
            _error(errors, f"lead-{task_id}", _("Please choose who should lead this task."))
        if not isinstance(support, list) or any(not isinstance(s, str) or s not in actors for s in support) \
                or len(set(support)) != len(support):
            _error(errors, f"support-{task_id}", _("Choose supporting actors from the list, each once."))
        elif support and not poll.supporting:
            _error(errors, f"support-{task_id}", _("This poll asks only for the lead."))
        elif lead in support:
            _error(errors, f"support-{task_id}", _("The lead cannot also be a supporting actor."))
        elif lead == UNCLEAR and support:
            _error(errors, f"support-{task_id}", _("Name supporting actors only together with a lead."))


def _check_text(poll: Poll, value: Any, errors: Errors) -> None:
    if not isinstance(value, list) or not value or any(not isinstance(v, str) or not v.strip() for v in value):
        _error(errors, "idea-1", _("Please write at least one idea."))
    elif len(value) > poll.max_items:
        _error(errors, "", _("At most %(k)d ideas."), k=poll.max_items)
    else:
        for number, idea in enumerate(value, start=1):
            if len(idea) > poll.max_length:
                _error(errors, f"idea-{number}", _("At most %(n)d characters per idea."), n=poll.max_length)


_VALIDATORS = {
    "single_choice": _check_single,
    "multiple_choice": _check_multiple,
    "scale": _check_scale,
    "fist_to_five": _check_scale,
    "dot_voting": _check_dots,
    "ranking": _check_ranking,
    "role_matrix": _check_roles,
    "open_text": _check_text,
}

Form = Mapping[str, Sequence[str]]   # field name -> submitted values (request.form.to_dict(flat=False))


def _first(form: Form, key: str) -> str:
    values = form.get(key) or [""]
    return values[0].strip()


def _whole_number(text: str) -> int | None:
    return int(text) if re.fullmatch(r"[+-]?\d{1,6}", text) else None


def read_vote(poll: Poll, form: Form) -> tuple[Any, Errors]:
    """The vote value from a submitted vote form, and its errors (empty when valid)."""
    errors: Errors = {}
    value: Any
    if poll.type == "single_choice":
        value = _first(form, "choice") or None
    elif poll.type == "multiple_choice":
        value = [v for v in form.get("choice", []) if v]
    elif poll.type in ("scale", "fist_to_five"):
        text = _first(form, "value")
        value = _whole_number(text) if text else None
        if text and value is None:
            _error(errors, "value", _("Choose a whole number from %(low)d to %(high)d."),
                   low=poll.scale_values[0], high=poll.scale_values[-1])
    elif poll.type == "dot_voting":
        value = {}
        for option in poll.options:
            text = _first(form, f"points-{option.id}")
            points = _whole_number(text) if text else 0
            if points is None:
                _error(errors, f"points-{option.id}", _("Please enter a whole number of points (0 or more)."))
            elif points:
                value[option.id] = points
    elif poll.type == "ranking":
        ranks = {}
        for option in poll.options:
            rank = _whole_number(_first(form, f"rank-{option.id}"))
            if rank is None or not 1 <= rank <= len(poll.options):
                _error(errors, f"rank-{option.id}", _("Choose a rank from 1 to %(k)d."), k=len(poll.options))
            ranks[option.id] = rank
        value = sorted(ranks, key=lambda option_id: ranks[option_id] or 0)
        if not errors and len(set(ranks.values())) != len(ranks):
            _error(errors, "", _("Give each option a different rank from 1 to %(k)d."), k=len(poll.options))
    elif poll.type == "role_matrix":
        value = {}
        for task in poll.tasks:
            lead = _first(form, f"lead-{task.id}")
            support = [s for s in form.get(f"support-{task.id}", []) if s]
            if lead:
                value[task.id] = {"lead": lead, "support": support}
            elif support:
                _error(errors, f"lead-{task.id}", _("Please choose who should lead this task."))
    else:  # open_text
        value = [form[key][0].strip() for key in (f"idea-{i}" for i in range(1, poll.max_items + 1))
                 if form.get(key) and form[key][0].strip()]
    if errors:
        return value, errors
    return value, validate_vote(poll, value)


def form_values(poll: Poll, value: Any) -> dict[str, Any]:
    """A stored vote as form field values, to show a participant the vote they gave."""
    if value is None or validate_vote(poll, value):
        return {}
    if poll.type in ("single_choice", "multiple_choice"):
        return {"choice": value if isinstance(value, list) else [value]}
    if poll.type in ("scale", "fist_to_five"):
        return {"value": value}
    if poll.type == "dot_voting":
        return {f"points-{key}": points for key, points in value.items()}
    if poll.type == "ranking":
        return {f"rank-{key}": rank for rank, key in enumerate(value, start=1)}
    if poll.type == "role_matrix":
        result: dict[str, Any] = {}
        for task_id, answer in value.items():
            result[f"lead-{task_id}"] = answer["lead"]
            result[f"support-{task_id}"] = answer.get("support", [])
        return result
    return {f"idea-{number}": idea for number, idea in enumerate(value, start=1)}


# --------------------------------------------------------------------------- tallies

@dataclass(frozen=True)
class CastVote:
    """One stored vote as the tallies see it."""
    id: str               # changes when the participant changes the vote
    participant: str      # random id, the same for all votes of one participant in a workshop
    value: Any
    group: str | None = None   # organisation type chosen on joining, None = not given


def cast_votes(records: Iterable[Mapping[str, Any]]) -> list[CastVote]:
    return [CastVote(r.get("id", ""), r.get("participant", ""), r.get("value"), r.get("group"))
            for r in records]


@dataclass(frozen=True)
class OptionCount:
    choice: Choice
    count: int
    share: float              # of the participants who voted


@dataclass(frozen=True)
class ChoiceTally:
    poll: Poll
    n: int
    invalid: int
    options: tuple[OptionCount, ...]   # in the order of the poll


@dataclass(frozen=True)
class PointCount:
    value: int
    label: Text | None        # scale: from the poll; fist-to-five: None (labels are UI text)
    count: int
    share: float


@dataclass(frozen=True)
class ScaleTally:
    poll: Poll
    n: int
    invalid: int
    points: tuple[PointCount, ...]
    mean: float | None
    sd: float | None          # sample standard deviation, None below n = 2
    objections: int | None    # fist-to-five only: votes of 0 or 1
    objection_share: float | None


@dataclass(frozen=True)
class DotCount:
    choice: Choice
    points: int
    share: float              # of all points given
    voters: int               # participants who gave it at least one point


@dataclass(frozen=True)
class DotTally:
    poll: Poll
    n: int
    invalid: int
    total: int
    options: tuple[DotCount, ...]      # most points first


@dataclass(frozen=True)
class RankCount:
    choice: Choice
    mean_rank: float | None
    borda: int                # k - rank per participant (the first of k options gets k - 1)
    first: int                # how often ranked first


@dataclass(frozen=True)
class RankingTally:
    poll: Poll
    n: int
    invalid: int
    options: tuple[RankCount, ...]     # highest Borda score first
    agreement: float | None   # Kendall's W: 0 = no agreement, 1 = everyone ranked alike


@dataclass(frozen=True)
class ActorCount:
    actor: Choice
    lead: int
    lead_share: float         # of the participants who answered the task
    support: int
    support_share: float


@dataclass(frozen=True)
class TaskTally:
    task: Choice
    n: int                    # participants who named a lead (or "unclear") for the task
    actors: tuple[ActorCount, ...]     # in the order of the poll
    unclear: int
    unclear_share: float
    lead: Choice | None       # the most chosen lead actor (first in poll order on a tie)
    consensus: float | None   # share of the most chosen lead actor
    no_clear_lead: bool       # consensus under 50 %
    contested: bool           # the two most chosen actors within 10 percentage points
    gap: bool                 # "unclear" chosen at least as often as any actor


@dataclass(frozen=True)
class RoleMatrixTally:
    poll: Poll
    n: int
    invalid: int
    tasks: tuple[TaskTally, ...]


@dataclass(frozen=True)
class TextItem:
    key: str                  # vote id and position: lets the facilitator hide one idea
    text: str
    hidden: bool


@dataclass(frozen=True)
class OpenTextTally:
    poll: Poll
    n: int
    invalid: int
    items: tuple[TextItem, ...]
    words: tuple[tuple[str, int], ...]  # most frequent first, from the items not hidden


Tally = Union[ChoiceTally, ScaleTally, DotTally, RankingTally, RoleMatrixTally, OpenTextTally]


def _valid(poll: Poll, votes: Sequence[CastVote]) -> tuple[list[CastVote], int]:
    valid = [v for v in votes if not validate_vote(poll, v.value)]
    return valid, len(votes) - len(valid)


def choice_tally(poll: Poll, votes: Sequence[CastVote]) -> ChoiceTally:
    valid, invalid = _valid(poll, votes)
    counts = Counter()
    for vote in valid:
        counts.update(vote.value if isinstance(vote.value, list) else [vote.value])
    n = len(valid)
    return ChoiceTally(poll, n, invalid, tuple(OptionCount(o, counts[o.id], share(counts[o.id], n))
                                               for o in poll.options))


def scale_tally(poll: Poll, votes: Sequence[CastVote]) -> ScaleTally:
    valid, invalid = _valid(poll, votes)
    values = [v.value for v in valid]
    counts = Counter(values)
    n = len(values)
    labels = poll.labels or (None,) * len(poll.scale_values)
    points = tuple(PointCount(value, label, counts[value], share(counts[value], n))
                   for value, label in zip(poll.scale_values, labels))
    objections = objection_share = None
    if poll.type == "fist_to_five":
        objections = sum(counts[v] for v in OBJECTION_VALUES)
        objection_share = share(objections, n)
    return ScaleTally(poll, n, invalid, points, statistics.fmean(values) if values else None,
                      statistics.stdev(values) if n >= 2 else None, objections, objection_share)


def dot_tally(poll: Poll, votes: Sequence[CastVote]) -> DotTally:
    valid, invalid = _valid(poll, votes)
    points, voters = Counter(), Counter()
    for vote in valid:
        points.update(vote.value)
        voters.update(key for key, given in vote.value.items() if given > 0)
    total = sum(points.values())
    order = {o.id: i for i, o in enumerate(poll.options)}
    options = sorted((DotCount(o, points[o.id], share(points[o.id], total), voters[o.id]) for o in poll.options),
                     key=lambda d: (-d.points, order[d.choice.id]))
    return DotTally(poll, len(valid), invalid, total, tuple(options))


def ranking_tally(poll: Poll, votes: Sequence[CastVote]) -> RankingTally:
    valid, invalid = _valid(poll, votes)
    options = [o.id for o in poll.options]
    ranks: dict[str, list[int]] = {option: [] for option in options}
    first = Counter()
    for vote in valid:
        for rank, option_id in enumerate(vote.value, start=1):
            ranks[option_id].append(rank)
        first[vote.value[0]] += 1
    borda = borda_points([vote.value for vote in valid], options)
    mean_ranks = {option: statistics.fmean(ranks[option]) if ranks[option] else None for option in options}
    choices = {o.id: o for o in poll.options}
    ranked = tuple(RankCount(choices[option], mean_ranks[option], borda[option], first[option])
                   for option in borda_order(options, borda, mean_ranks))
    return RankingTally(poll, len(valid), invalid, ranked, kendalls_w([v.value for v in valid], options))


def task_tally(task: Choice, actors: Sequence[Choice], answers: Sequence[Mapping[str, Any]]) -> TaskTally:
    """One role-matrix row: `answers` are the participants' {"lead": ..., "support": [...]} for it."""
    n = len(answers)
    leads = Counter(a["lead"] for a in answers)
    support = Counter(s for a in answers for s in a.get("support", ()))
    counts = tuple(ActorCount(actor, leads[actor.id], share(leads[actor.id], n),
                              support[actor.id], share(support[actor.id], n)) for actor in actors)
    unclear = leads[UNCLEAR]
    ranked = sorted(counts, key=lambda c: -c.lead)  # stable: poll order on ties
    top = ranked[0].lead if ranked else 0
    second = ranked[1].lead if len(ranked) > 1 else 0
    lead = ranked[0].actor if n and top else None
    return TaskTally(
        task=task, n=n, actors=counts, unclear=unclear, unclear_share=share(unclear, n), lead=lead,
        consensus=share(top, n) if n else None,
        # integer comparisons: no rounding at the 50 % and 10-point borders
        no_clear_lead=n > 0 and 2 * top < n,
        contested=n > 0 and second > 0 and 10 * (top - second) <= n,
        gap=n > 0 and unclear > 0 and unclear >= top,
    )


def role_matrix_tally(poll: Poll, votes: Sequence[CastVote]) -> RoleMatrixTally:
    valid, invalid = _valid(poll, votes)
    tasks = tuple(task_tally(task, poll.actors, [v.value[task.id] for v in valid if task.id in v.value])
                  for task in poll.tasks)
    return RoleMatrixTally(poll, len(valid), invalid, tasks)


STOP_WORDS = frozenset("""
aber alle allem allen aller alles als also am an ander andere anderen anderer anderes auch auf aus
bei beim bin bis bist da damit dann das dass dein deine dem den denn der des dessen dich die dies
diese diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines einige
einmal er es etwas euch euer eure für gegen gibt hab habe haben hat hatte hier hin hinter ich ihm
ihn ihnen ihr ihre ihrem ihren ihrer ist ja jede jedem jeden jeder jedes jetzt kann kein keine
keinem keinen keiner können könnte man manche mehr mein meine mit muss müssen nach nicht nichts
noch nun nur ob oder ohne schon sehr sein seine sich sie sind so soll sollen sollte sondern sonst
über um und uns unser unsere unter viel vom von vor war waren was weil welche welchem welchen
welcher welches wenn wer werden wie wieder will wir wird wo zu zum zur zwischen
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers him his how i if in into is it its itself just me more most my
no nor not now of off on once only or other our ours out over own same she should so some such
than that the their theirs them then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your yours
""".split())
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


def word_frequencies(texts: Iterable[str], limit: int = 25) -> tuple[tuple[str, int], ...]:
    """The most frequent words (lower case, without German and English stop words), most frequent first."""
    counts = Counter(word for text in texts for word in (w.lower() for w in _WORD.findall(text))
                     if len(word) > 2 and word not in STOP_WORDS)
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit])


def text_tally(poll: Poll, votes: Sequence[CastVote], hidden: frozenset[str] = frozenset()) -> OpenTextTally:
    valid, invalid = _valid(poll, votes)
    items = tuple(TextItem(f"{vote.id}:{i}", idea.strip(), f"{vote.id}:{i}" in hidden)
                  for vote in valid for i, idea in enumerate(vote.value))
    return OpenTextTally(poll, len(valid), invalid, items,
                         word_frequencies(item.text for item in items if not item.hidden))


def tally(poll: Poll, votes: Sequence[CastVote], hidden: frozenset[str] = frozenset()) -> Tally:
    if poll.type in ("single_choice", "multiple_choice"):
        return choice_tally(poll, votes)
    if poll.type in ("scale", "fist_to_five"):
        return scale_tally(poll, votes)
    if poll.type == "dot_voting":
        return dot_tally(poll, votes)
    if poll.type == "ranking":
        return ranking_tally(poll, votes)
    if poll.type == "role_matrix":
        return role_matrix_tally(poll, votes)
    return text_tally(poll, votes, hidden)


# --------------------------------------------------------------------------- groups

@dataclass(frozen=True)
class GroupTally:
    group: Choice | None      # None = organisation type not given
    size: int                 # participants in the group with a vote
    tally: Tally | None       # None = suppressed: too few to show without exposing anyone


def split_by_group(poll: Poll, votes: Sequence[CastVote], organisation_types: Sequence[Choice],
                   minimum: int, hidden: frozenset[str] = frozenset()) -> tuple[GroupTally, ...]:
    """Tallies per organisation type. A group below `minimum` is suppressed, and so are the next
    smallest ones until the suppressed together reach it (else the total would give them away)."""
    known = {o.id: o for o in organisation_types}
    members: dict[str | None, list[CastVote]] = {o.id: [] for o in organisation_types}
    members[None] = []
    for vote in votes:
        members[vote.group if vote.group in known else None].append(vote)
    suppressed = cells_to_suppress({key: len(group) for key, group in members.items()}, minimum)
    return tuple(GroupTally(known.get(key), len(group), None if key in suppressed else tally(poll, group, hidden))
                 for key, group in members.items() if group)


def suppressed_groups(votes: Sequence[CastVote], organisation_types: Sequence[Choice], minimum: int) -> set:
    """Organisation types that must not be named next to single votes (raw downloads)."""
    known = {o.id for o in organisation_types}
    counts = Counter(v.group if v.group in known else None for v in votes)
    return cells_to_suppress(dict(counts), minimum)


# --------------------------------------------------------------------------- for display and download

def _fmt(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _pct(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f} %"


def tally_chart(result: Tally, lang: str, default_lang: str, unclear_label: str) -> dict:
    """What the presenter and results pages draw: labels in `lang` and numbers, JSON-ready."""
    def label(choice: Choice) -> str:
        return localized(choice.label, lang, default_lang)

    if isinstance(result, ChoiceTally):
        return {"kind": "bars", "unit": "votes", "n": result.n, "labels": [label(o.choice) for o in result.options],
                "values": [o.count for o in result.options], "shares": [o.share for o in result.options]}
    if isinstance(result, ScaleTally):
        return {"kind": "bars", "unit": "votes", "n": result.n,
                "labels": [f"{p.value} {localized(p.label, lang, default_lang)}".strip() for p in result.points],
                "values": [p.count for p in result.points], "shares": [p.share for p in result.points],
                "mean": result.mean, "sd": result.sd, "objection_share": result.objection_share}
    if isinstance(result, DotTally):
        return {"kind": "bars", "unit": "points", "n": result.n, "labels": [label(o.choice) for o in result.options],
                "values": [o.points for o in result.options], "shares": [o.share for o in result.options]}
    if isinstance(result, RankingTally):
        return {"kind": "bars", "unit": "borda", "n": result.n, "labels": [label(o.choice) for o in result.options],
                "values": [o.borda for o in result.options],
                "mean_ranks": [o.mean_rank for o in result.options]}
    if isinstance(result, RoleMatrixTally):
        columns = [label(a) for a in result.poll.actors] + [unclear_label]
        return {"kind": "heatmap", "n": result.n, "rows": [label(t.task) for t in result.tasks],
                "columns": columns,
                "shares": [[a.lead_share for a in t.actors] + [t.unclear_share] for t in result.tasks],
                "counts": [[a.lead for a in t.actors] + [t.unclear] for t in result.tasks],
                "task_n": [t.n for t in result.tasks]}
    return {"kind": "words", "unit": "words", "n": result.n, "labels": [w for w, _c in result.words],
            "values": [c for _w, c in result.words],
            "items": [item.text for item in result.items if not item.hidden]}


def _summary(result: Tally, lang: str, default_lang: str) -> tuple[str, str, str]:
    """(result, dispersion measure, dispersion) of one tally for the workshop record."""
    def label(choice: Choice) -> str:
        return localized(choice.label, lang, default_lang)

    if result.n == 0:
        return "", "", ""
    if isinstance(result, ChoiceTally):
        top = max(result.options, key=lambda o: o.count)
        return (f"{label(top.choice)}: {top.count} ({_pct(top.share)})", "normalised entropy",
                _fmt(normalised_entropy([o.count for o in result.options])))
    if isinstance(result, ScaleTally):
        text = f"mean {_fmt(result.mean)}"
        if result.objection_share is not None:
            text += f", objections {result.objections} ({_pct(result.objection_share)})"
        return text, "standard deviation", _fmt(result.sd)
    if isinstance(result, DotTally):
        top = result.options[0]
        return (f"{label(top.choice)}: {top.points} of {result.total} points ({_pct(top.share)})",
                "normalised entropy", _fmt(normalised_entropy([o.points for o in result.options])))
    if isinstance(result, RankingTally):
        top = result.options[0]
        return (f"{label(top.choice)}: mean rank {_fmt(top.mean_rank)}, Borda {top.borda}",
                "Kendall's W (agreement)", _fmt(result.agreement))
    if isinstance(result, RoleMatrixTally):
        answered = [t for t in result.tasks if t.n]
        unclear = sum(t.no_clear_lead or t.gap for t in answered)
        leads = "; ".join(f"{label(t.task)}: {label(t.lead) if t.lead else '-'} ({_pct(t.consensus)})"
                          for t in answered)
        consensus = [t.consensus for t in answered]
        return (f"{leads}; tasks without clear lead or with a gap: {unclear} of {len(result.tasks)}",
                "mean consensus", _fmt(statistics.fmean(consensus)) if consensus else "")
    visible = [item for item in result.items if not item.hidden]
    return f"{len(visible)} ideas", "", ""


Table = tuple[list[str], list[list[Any]]]
RunVotes = Mapping[str, Sequence[CastVote]]   # run id -> votes


def record_table(workshop: Workshop, votes: RunVotes, joined: int, lang: str) -> Table:
    """The workshop record for the evaluation report: one row per poll and round."""
    headers = ["poll_id", "poll", "method", "construct", "round", "opened_at", "closed_at", "joined",
               "voted", "result", "dispersion_measure", "dispersion"]
    rows = []
    default = workshop.languages[0]
    for poll in workshop.polls:
        for r in workshop.rounds_of(poll.id):
            result = tally(poll, votes.get(r.run, ()), workshop.hidden_items)
            rows.append([poll.id, localized(poll.text, lang, default), poll.type, poll.construct, r.number,
                         r.opened_at, r.closed_at, joined, result.n, *_summary(result, lang, default)])
    return headers, rows


def _tally_rows(result: Tally) -> Iterable[tuple[str, str, str, Any]]:
    """(task, option, measure, value) rows of one tally."""
    if isinstance(result, ChoiceTally):
        for o in result.options:
            yield "", o.choice.id, "count", o.count
            yield "", o.choice.id, "share", round(o.share, 4)
    elif isinstance(result, ScaleTally):
        for p in result.points:
            yield "", str(p.value), "count", p.count
            yield "", str(p.value), "share", round(p.share, 4)
        yield "", "", "mean", result.mean
        yield "", "", "sd", result.sd
        if result.objections is not None:
            yield "", "", "objections", result.objections
            yield "", "", "objection_share", round(result.objection_share, 4)
    elif isinstance(result, DotTally):
        for o in result.options:
            yield "", o.choice.id, "points", o.points
            yield "", o.choice.id, "share_of_points", round(o.share, 4)
            yield "", o.choice.id, "voters", o.voters
    elif isinstance(result, RankingTally):
        for o in result.options:
            yield "", o.choice.id, "mean_rank", o.mean_rank
            yield "", o.choice.id, "borda", o.borda
            yield "", o.choice.id, "ranked_first", o.first
        yield "", "", "kendalls_w", result.agreement
    elif isinstance(result, RoleMatrixTally):
        for t in result.tasks:
            for a in t.actors:
                yield t.task.id, a.actor.id, "lead", a.lead
                yield t.task.id, a.actor.id, "lead_share", round(a.lead_share, 4)
                if result.poll.supporting:
                    yield t.task.id, a.actor.id, "support", a.support
                    yield t.task.id, a.actor.id, "support_share", round(a.support_share, 4)
            yield t.task.id, UNCLEAR, "lead", t.unclear
            yield t.task.id, UNCLEAR, "lead_share", round(t.unclear_share, 4)
            yield t.task.id, "", "n", t.n
            yield t.task.id, "", "consensus", None if t.consensus is None else round(t.consensus, 4)
            for flag in ("no_clear_lead", "contested", "gap"):
                yield t.task.id, "", flag, int(getattr(t, flag))
    else:
        for word, count in result.words:
            yield "", word, "word_count", count


def tallies_table(workshop: Workshop, votes: RunVotes, minimum: int) -> Table:
    """Long table of every tally: per poll, round and group ("all" or an organisation type)."""
    headers = ["poll_id", "method", "round", "group", "n", "task", "option", "measure", "value"]
    rows = []
    for poll in workshop.polls:
        for r in workshop.rounds_of(poll.id):
            run_votes = votes.get(r.run, ())
            result = tally(poll, run_votes, workshop.hidden_items)
            parts = [("all", result)]
            for group in split_by_group(poll, run_votes, workshop.organisation_types, minimum, workshop.hidden_items):
                name = group.group.id if group.group else "not_given"
                parts.append((name, group.tally))
            for name, part in parts:
                if part is None:
                    rows.append([poll.id, poll.type, r.number, name, "", "", "", "suppressed", ""])
                    continue
                rows.extend([poll.id, poll.type, r.number, name, part.n, *row] for row in _tally_rows(part))
    return headers, rows


def votes_table(workshop: Workshop, votes: RunVotes, minimum: int) -> Table:
    """Raw votes: one row per vote, with nothing on the participant but the random id. An
    organisation type too small to show is left empty, as in the tallies."""
    headers = ["poll_id", "method", "round", "participant", "group", "vote", "hidden_ideas"]
    rows = []
    for poll in workshop.polls:
        for r in workshop.rounds_of(poll.id):
            run_votes = list(votes.get(r.run, ()))
            hidden_groups = suppressed_groups(run_votes, workshop.organisation_types, minimum)
            for vote in sorted(run_votes, key=lambda v: v.participant):
                group = vote.group if vote.group not in hidden_groups else None
                hidden = [str(i + 1) for i in range(len(vote.value) if isinstance(vote.value, list) else 0)
                          if f"{vote.id}:{i}" in workshop.hidden_items] if poll.type == "open_text" else []
                rows.append([poll.id, poll.type, r.number, vote.participant, group or "",
                             json.dumps(vote.value, ensure_ascii=False, sort_keys=True), " ".join(hidden)])
    return headers, rows


def table_csv(table: Table) -> str:
    return to_csv(*table)
