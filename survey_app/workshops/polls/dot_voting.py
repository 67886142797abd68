"""Dot voting: each participant spreads a budget of points over the options (at most
max_per_option on one)."""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from survey_app.analysis.stats import is_int, normalised_entropy, share
from survey_app.workshops.messages import Errors, Message, _, add_error
from survey_app.definitions.model import Text
from survey_app.workshops.model import CastVote, Poll
from survey_app.workshops.polls import checks
from survey_app.workshops.polls.base import (Indicator, Lines, Number, PollType, Tally, Wording,
                                             first, fixed, option_ids, percent, whole_number)

MAX_POINTS = 100


@dataclass(frozen=True)
class DotCount:
    value: str                # the option's id
    label: Text
    points: int
    share: float              # of all points given
    voters: int               # participants who gave it at least one point


@dataclass(frozen=True)
class DotTally(Tally):
    total: int
    options: tuple[DotCount, ...]      # most points first


class DotVoting(PollType):
    name = "dot_voting"
    label = _("Dot voting")
    partial = "dot_voting"
    required = ("options", "points")
    optional = ("max_per_option",)
    editor = (Lines("options", _("Options (%(language)s), one per line")),
              Number("points", _("Points per participant"), default=10),
              Number("max_per_option", _("At most this many points on one option (optional)")))

    def parse(self, c, data, loc, languages) -> dict:
        options = checks.choices(c, data.get("options"), loc, "options", languages, 2, checks.MAX_OPTIONS)
        points = checks.whole_number(c, loc, "points", data.get("points"), 1, MAX_POINTS)
        most = checks.whole_number(c, loc, "max_per_option", data.get("max_per_option"), 1, MAX_POINTS)
        if points is not None:
            most = checks.at_most(c, loc, "max_per_option", most, points,
                                  Message(_("This is more than the points per participant.")))
        return {"options": options, "points": points, "max_per_option": most}

    def check(self, poll: Poll, value: Any) -> Errors:
        errors: Errors = {}
        if not isinstance(value, dict):
            add_error(errors, "", _("Please give at least one point."))
            return errors
        known = option_ids(poll)
        for key, points in value.items():
            if key not in known:
                add_error(errors, "", _("This option does not exist: %(value)s."), value=str(key)[:40])
            elif not is_int(points) or points < 0:
                add_error(errors, f"points-{key}", _("Please enter a whole number of points (0 or more)."))
            elif poll.max_per_option and points > poll.max_per_option:
                add_error(errors, f"points-{key}", _("At most %(max)d points per option."), max=poll.max_per_option)
        if errors:
            return errors
        used = sum(value.values())
        if used > poll.points:
            add_error(errors, "", _("You gave %(used)d points but have only %(budget)d. Please take some away."),
                      used=used, budget=poll.points)
        elif used == 0:
            add_error(errors, "", _("Please give at least one point."))
        return errors

    def read(self, poll, form):
        errors: Errors = {}
        value = {}
        for option in poll.options:
            typed = first(form, f"points-{option.id}")
            points = whole_number(typed) if typed else 0
            if points is None:
                add_error(errors, f"points-{option.id}", _("Please enter a whole number of points (0 or more)."))
            elif points:
                value[option.id] = points
        return value, errors

    def form_values(self, poll, value):
        return {f"points-{key}": points for key, points in value.items()}

    def tally(self, poll: Poll, votes: Sequence[CastVote], invalid: int, hidden) -> DotTally:
        points, voters = Counter(), Counter()
        for vote in votes:
            points.update(vote.value)
            voters.update(key for key, given in vote.value.items() if given > 0)
        total = sum(points.values())
        order = {o.id: i for i, o in enumerate(poll.options)}
        options = sorted((DotCount(o.id, o.label, points[o.id], share(points[o.id], total), voters[o.id])
                          for o in poll.options), key=lambda d: (-d.points, order[d.value]))
        return DotTally(poll, len(votes), invalid, total, tuple(options))

    def chart(self, result: DotTally, wording: Wording) -> dict:
        return {"kind": "bars", "unit": "points", "n": result.n, "labels": [wording.text(o.label) for o in result.options],
                "values": [o.points for o in result.options], "shares": [o.share for o in result.options]}

    def summary(self, result: DotTally, wording: Wording):
        top = result.options[0]
        return (f"{wording.text(top.label)}: {top.points} of {result.total} points ({percent(top.share)})",
                "normalised entropy", fixed(normalised_entropy([o.points for o in result.options])))

    def rows(self, result: DotTally):
        for o in result.options:
            yield "", o.value, "points", o.points
            yield "", o.value, "share_of_points", round(o.share, 4)
            yield "", o.value, "voters", o.voters

    def synthetic(self, poll: Poll, rng: random.Random):
        ids = option_ids(poll)
        dots: dict[str, int] = {}
        for _point in range(poll.points):
            choice = rng.choice(ids)
            if not poll.max_per_option or dots.get(choice, 0) < poll.max_per_option:
                dots[choice] = dots.get(choice, 0) + 1
        return dots

    def indicators(self, poll: Poll, result: DotTally):
        constructs = {o.id: o.construct for o in poll.options}
        for count in result.options:
            if constructs[count.value]:
                yield Indicator(constructs[count.value], count.label, "priority", result.n, share=count.share)
