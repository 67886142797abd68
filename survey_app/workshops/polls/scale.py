"""Scales: a labelled scale from 1 to 5, and fist to five (0 to 5 fingers, where 0 and 1 object)."""
from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from survey_app.analysis.distributions import PointCount
from survey_app.analysis.stats import is_int, share
from survey_app.workshops.messages import Errors, _, add_error
from survey_app.workshops.model import CastVote, Poll
from survey_app.workshops.polls import checks
from survey_app.workshops.polls.base import (
    Indicator, Lines, PollType, Tally, Wording, first, fixed, percent, whole_number,
)


@dataclass(frozen=True)
class ScaleTally(Tally):
    points: tuple[PointCount, ...]   # labels: the poll's; fist to five: None (its labels are the app's)
    mean: float | None
    sd: float | None          # sample standard deviation, None below n = 2
    objections: int | None    # fist to five only: votes of 0 or 1
    objection_share: float | None


class Scale(PollType):
    name = "scale"
    label = _("Scale 1 to 5")
    partial = "scale"
    required = ("labels",)
    editor = (Lines("labels", _("Labels of the points 1 to 5 (%(language)s), one per line"), plain=True),)
    values: tuple[int, ...] = (1, 2, 3, 4, 5)
    point_names: dict[int, str] | None = None   # msgids of the points when the poll has no labels
    objecting: tuple[int, ...] | None = None    # points that object to the proposal

    def parse(self, c, data, loc, languages) -> dict:
        return {"labels": checks.texts(c, data.get("labels"), loc, "labels", languages, len(self.values))}

    def _range_error(self, errors: Errors) -> None:
        add_error(errors, "value", _("Choose a whole number from %(low)d to %(high)d."),
                  low=self.values[0], high=self.values[-1])

    def check(self, poll: Poll, value: Any) -> Errors:
        errors: Errors = {}
        if value is None or value == "":
            add_error(errors, "value", _("Please choose a point on the scale."))
        elif not is_int(value) or value not in self.values:
            self._range_error(errors)
        return errors

    def read(self, poll, form):
        errors: Errors = {}
        typed = first(form, "value")
        value = whole_number(typed) if typed else None
        if typed and value is None:
            self._range_error(errors)
        return value, errors

    def form_values(self, poll, value):
        return {"value": value}

    def tally(self, poll: Poll, votes: Sequence[CastVote], invalid: int, hidden) -> ScaleTally:
        values = [v.value for v in votes]
        counts = Counter(values)
        n = len(values)
        labels = poll.labels or (None,) * len(self.values)
        points = tuple(PointCount(value, label, counts[value], share(counts[value], n))
                       for value, label in zip(self.values, labels))
        objections = objection_share = None
        if self.objecting:
            objections = sum(counts[v] for v in self.objecting)
            objection_share = share(objections, n)
        return ScaleTally(poll, n, invalid, points, statistics.fmean(values) if values else None,
                          statistics.stdev(values) if n >= 2 else None, objections, objection_share)

    def chart(self, result: ScaleTally, wording: Wording) -> dict:
        return {"kind": "bars", "unit": "votes", "n": result.n,
                "labels": [f"{p.value} {wording.text(p.label)}".strip() for p in result.points],
                "values": [p.count for p in result.points], "shares": [p.share for p in result.points],
                "mean": result.mean, "sd": result.sd, "objection_share": result.objection_share}

    def summary(self, result: ScaleTally, wording: Wording):
        text = f"mean {fixed(result.mean)}"
        if result.objection_share is not None:
            text += f", objections {result.objections} ({percent(result.objection_share)})"
        return text, "standard deviation", fixed(result.sd)

    def rows(self, result: ScaleTally):
        for p in result.points:
            yield "", str(p.value), "count", p.count
            yield "", str(p.value), "share", round(p.share, 4)
        yield "", "", "mean", result.mean
        yield "", "", "sd", result.sd
        if result.objections is not None:
            yield "", "", "objections", result.objections
            yield "", "", "objection_share", round(result.objection_share, 4)

    def synthetic(self, poll: Poll, rng: random.Random):
        # rooms lean towards agreement: the upper half of the scale is more likely
        return rng.choices(self.values, weights=range(1, len(self.values) + 1))[0]

    def indicators(self, poll: Poll, result: ScaleTally):
        if poll.construct:
            yield Indicator(poll.construct, poll.text, "rating", result.n, mean=result.mean)


class FistToFive(Scale):
    name = "fist_to_five"
    label = _("Fist to five")
    required = ()
    editor = ()
    values = (0, 1, 2, 3, 4, 5)
    point_names = {
        0: _("Fist: I object"),
        1: _("I have serious concerns (objection)"),
        2: _("I have concerns we should discuss"),
        3: _("I can live with it"),
        4: _("I agree"),
        5: _("I fully support it"),
    }
    objecting = (0, 1)

    def parse(self, c, data, loc, languages) -> dict:
        return {}
