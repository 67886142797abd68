"""The hooks a poll type implements (pure).

A poll type is one subclass of PollType in its own module of this package, one template
partial (templates/polls/<partial>.html: the phone's fields and the results table), one line
in registry.py and its test (tests/workshops/test_<type>.py). The rest of the app asks the
registry and never names a poll type.

The hooks, in the order a vote travels:

* ``parse``      the type's keys of a poll mapping (template file, stored workshop, editor)
* ``editor``     which fields the in-app poll editor shows for those keys
* ``read``       a submitted vote form -> the vote value (and errors at the form's fields)
* ``check``      errors of a vote value in its stored form (empty when valid; never raises)
* ``form_values`` a stored vote -> form field values, to show a participant their vote
* ``tally``      the valid votes of one round -> the type's tally
* ``chart``      a tally -> what the presenter and results pages draw (JSON-ready)
* ``summary``    a tally -> one line of the workshop record
* ``rows``       a tally -> rows of the long tallies table
* ``synthetic``  a plausible valid vote (demo data, benchmarks)
* ``hidden_ideas`` and ``indicators`` (optional): ideas the facilitator hid in the votes
  table; what the poll says about constructs, for triangulation
"""
from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from survey_app.analysis.distributions import Indicator  # noqa: F401  (the shape questions report too)
from survey_app.definitions.model import Text, localized
from survey_app.workshops.messages import Errors
from survey_app.workshops.model import CastVote, Choice, Poll
from survey_app.workshops.polls.checks import PollCollector

Form = Mapping[str, Sequence[str]]   # field name -> submitted values (request.form.to_dict(flat=False))
Row = tuple[str, str, str, Any]      # (task, option, measure, value) of the tallies table


@dataclass(frozen=True)
class Tally:
    """What every tally has: its poll, the participants with a valid vote and the invalid votes;
    a poll type's tally subclasses it with its own counts."""
    poll: Poll
    n: int
    invalid: int


@dataclass(frozen=True)
class Wording:
    """The language a chart or record line is written in."""
    lang: str
    default_lang: str
    unclear: str = "unclear"      # the role matrix's "nobody / unclear", translated

    def label(self, choice: Choice) -> str:
        return localized(choice.label, self.lang, self.default_lang)

    def text(self, text: Text | None) -> str:
        return localized(text, self.lang, self.default_lang)


# Fields of the poll editor (labels are msgids, translated by the web layer)

@dataclass(frozen=True)
class Lines:
    """One text area per language, one entry per line (options, tasks, labels ...)."""
    key: str
    label: str                    # with %(language)s
    plain: bool = False           # entries are texts only (labels), not choices with ids


@dataclass(frozen=True)
class Number:
    key: str
    label: str
    default: int | None = None    # in the form of a new poll


@dataclass(frozen=True)
class Flag:
    key: str
    label: str
    default: bool = False


EditorField = Lines | Number | Flag


class PollType:
    name: str = ""                # the `type` of a poll mapping
    label: str = ""               # msgid, e.g. "Dot voting"
    partial: str = ""             # templates/polls/<partial>.html
    required: tuple[str, ...] = ()   # keys besides id, type and text
    optional: tuple[str, ...] = ()   # besides help and construct
    editor: tuple[EditorField, ...] = ()

    def parse(self, c: PollCollector, data: Mapping, loc: str, languages: tuple[str, ...] | None) -> dict:
        """The type's settings (Poll fields) from a poll mapping; problems go to `c`."""
        return {}

    def check(self, poll: Poll, value: Any) -> Errors:
        raise NotImplementedError

    def read(self, poll: Poll, form: Form) -> tuple[Any, Errors]:
        """The value the form gives, and errors only the form can have (``check`` runs after)."""
        raise NotImplementedError

    def form_values(self, poll: Poll, value: Any) -> dict[str, Any]:
        raise NotImplementedError

    def tally(self, poll: Poll, votes: Sequence[CastVote], invalid: int, hidden: frozenset[str]) -> Tally:
        """The tally of the valid `votes`; `invalid` stored votes did not fit the poll."""
        raise NotImplementedError

    def chart(self, result: Any, wording: Wording) -> dict:
        raise NotImplementedError

    def summary(self, result: Any, wording: Wording) -> tuple[str, str, str]:
        """(result, dispersion measure, dispersion) of a tally with n > 0."""
        raise NotImplementedError

    def rows(self, result: Any) -> Iterable[Row]:
        raise NotImplementedError

    def synthetic(self, poll: Poll, rng: random.Random) -> Any:
        raise NotImplementedError

    def hidden_ideas(self, vote: CastVote, hidden: frozenset[str]) -> list[str]:
        """Positions (from 1) of the vote's parts the facilitator hid."""
        return []

    def indicators(self, poll: Poll, result: Any) -> Iterable[Indicator]:
        return ()


def first(form: Form, key: str) -> str:
    """The first submitted value of a field, stripped ("" when absent)."""
    values = form.get(key) or [""]
    return values[0].strip()


def whole_number(text: str) -> int | None:
    """A whole number typed into a form field (at most six digits), else None."""
    return int(text) if re.fullmatch(r"[+-]?\d{1,6}", text) else None


def option_ids(poll: Poll) -> list[str]:
    return [o.id for o in poll.options]


# Numbers in the workshop record (a CSV file: fixed English notation, no locale)

def fixed(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f} %"
