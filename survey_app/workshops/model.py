"""What a workshop is: its polls, their options and the live state (pure dataclasses).

A workshop is stored as one record (see records.py): its polls in the same shape as in a
template file (docs/workshops.md), plus the live state the facilitator controls (current poll,
voting open, results shown, rounds). Votes are stored apart, one per participant and run; a
*run* is the vote collection of one round of one poll, and resetting a round starts a new run
(the old one is kept on disk but no longer counted).

What each poll type asks, checks and counts is in polls/ (one module per type).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from survey_app.definitions.model import Text


@dataclass(frozen=True)
class Choice:
    """An option, a role-matrix task (row) or actor (column), or an organisation type."""
    id: str
    label: Text
    construct: str | None = None


@dataclass(frozen=True)
class Poll:
    """One poll. Which of the settings a poll type uses is said by its module in polls/."""
    id: str
    type: str
    text: Text
    help: Text | None = None
    construct: str | None = None            # compares the poll with questionnaire items
    options: tuple[Choice, ...] = ()        # what participants choose, spread points on or rank
    max_choices: int | None = None          # how many options one participant may choose
    labels: tuple[Text, ...] = ()           # one label per point of a labelled scale
    points: int | None = None               # each participant's budget of points
    max_per_option: int | None = None       # points one participant may give one option
    tasks: tuple[Choice, ...] = ()          # rows of a matrix
    actors: tuple[Choice, ...] = ()         # columns of a matrix ("unclear" is added)
    supporting: bool = False                # supporting actors may be named besides the lead
    max_items: int | None = None            # ideas per participant
    max_length: int | None = None           # characters per idea


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
