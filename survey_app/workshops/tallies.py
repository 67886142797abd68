"""Tallies of a round's votes, whole and by organisation type, and what the pages draw (pure).

Conventions: ``n`` is the number of participants with a valid vote; shares are fractions
(0..1), and a share whose base is 0 is 0.0 (n says so). Each poll type counts in its own
module (polls/); groups below the minimum group size are suppressed by the one rule of
analysis/breakdown.py (the minimum itself comes from analysis/disclosure.py).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from survey_app.analysis.breakdown import cells_to_suppress
from survey_app.workshops.model import CastVote, Choice, Poll
from survey_app.workshops.polls.base import Tally, Wording
from survey_app.workshops.polls.registry import POLL_TYPES


def tally(poll: Poll, votes: Sequence[CastVote], hidden: frozenset[str] = frozenset()) -> Tally:
    """The poll type's tally of the votes that fit the poll; the others are counted as invalid."""
    kind = POLL_TYPES[poll.type]
    valid = [v for v in votes if not kind.check(poll, v.value)]
    return kind.tally(poll, valid, len(votes) - len(valid), hidden)


def tally_chart(result: Tally, lang: str, default_lang: str, unclear_label: str) -> dict:
    """What the presenter and results pages draw: labels in `lang` and numbers, JSON-ready."""
    return POLL_TYPES[result.poll.type].chart(result, Wording(lang, default_lang, unclear_label))


def summary_line(result: Tally, lang: str, default_lang: str) -> tuple[str, str, str]:
    """(result, dispersion measure, dispersion) of one tally for the workshop record."""
    if result.n == 0:
        return "", "", ""
    return POLL_TYPES[result.poll.type].summary(result, Wording(lang, default_lang))


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
