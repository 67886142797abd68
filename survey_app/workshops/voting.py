"""Votes: whether one is taken now, reading it from the phone's form and checking it (pure).
What a vote of each poll type looks like is said by its module in polls/."""
from __future__ import annotations

import random
from typing import Any

from survey_app.workshops.messages import Errors, Message, _
from survey_app.workshops.model import Poll, Workshop
from survey_app.workshops.polls.base import Form
from survey_app.workshops.polls.registry import POLL_TYPES


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


def validate_vote(poll: Poll, value: Any) -> Errors:
    """Errors of a vote value in its stored form (empty when valid). Never raises."""
    return POLL_TYPES[poll.type].check(poll, value)


def read_vote(poll: Poll, form: Form) -> tuple[Any, Errors]:
    """The vote value from a submitted vote form, and its errors (empty when valid)."""
    value, errors = POLL_TYPES[poll.type].read(poll, form)
    if errors:
        return value, errors
    return value, validate_vote(poll, value)


def form_values(poll: Poll, value: Any) -> dict[str, Any]:
    """A stored vote as form field values, to show a participant the vote they gave."""
    if value is None or validate_vote(poll, value):
        return {}
    return POLL_TYPES[poll.type].form_values(poll, value)


def random_vote(poll: Poll, rng: random.Random) -> Any:
    """A plausible valid vote (demo data and benchmarks; seeded by `rng`)."""
    return POLL_TYPES[poll.type].synthetic(poll, rng)
