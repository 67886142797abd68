"""Tallies of a round's votes, whole and by organisation type, and what the pages draw (pure).

Conventions: ``n`` is the number of participants with a valid vote; shares are fractions
(0..1), and a share whose base is 0 is 0.0 (n says so). Each poll type counts in its own
module (polls/); results by organisation type follow one release plan per workshop across
its polls and rounds (shown_groups, analysis/disclosure/plan.py).
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from survey_app.analysis.disclosure.plan import grouping_release
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


def shown_groups(votes_by_run: Mapping[str, Sequence[CastVote]], organisation_types: Sequence[Choice],
                 minimum: int) -> dict[str, frozenset]:
    """One release plan for the whole workshop (analysis/disclosure/plan.py): per run, the
    organisation types (None: not given) whose results may be shown. The people are the
    participants who voted in any run, each in the organisation type chosen on joining; a type
    with fewer than `minimum` of them is hidden in every poll and round (with the next smallest),
    and each run hides what its own voters need on top, so that no combination of polls or
    rounds of one room gives a group under the minimum."""
    known = [o.id for o in organisation_types]
    people: dict[str, str | None] = {}
    for votes in votes_by_run.values():
        for vote in votes:
            people.setdefault(vote.participant, vote.group if vote.group in known else None)
    order = list(people)
    answered = {run: [p in voters for p in order]
                for run, voters in ((run, {v.participant for v in votes}) for run, votes in votes_by_run.items())}
    return grouping_release([people[p] for p in order], [*known, None], answered, minimum)


def split_by_group(poll: Poll, votes: Sequence[CastVote], organisation_types: Sequence[Choice],
                   minimum: int, hidden: frozenset[str] = frozenset(),
                   shown: Collection | None = None) -> tuple[GroupTally, ...]:
    """Tallies per organisation type; `shown`: the types the workshop's plan shows for this run
    (shown_groups; default: the plan of these votes alone). Any other group is suppressed."""
    if shown is None:
        shown = shown_groups({"run": votes}, organisation_types, minimum)["run"]
    known = {o.id: o for o in organisation_types}
    members: dict[str | None, list[CastVote]] = {o.id: [] for o in organisation_types}
    members[None] = []
    for vote in votes:
        members[vote.group if vote.group in known else None].append(vote)
    return tuple(GroupTally(known.get(key), len(group), tally(poll, group, hidden) if key in shown else None)
                 for key, group in members.items() if group)
