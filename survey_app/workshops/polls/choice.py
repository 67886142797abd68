"""Single and multiple choice: participants choose one option, or several (up to max_choices)."""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from survey_app.analysis.distributions import OptionCount, option_counts
from survey_app.analysis.stats import normalised_entropy
from survey_app.workshops.messages import Errors, Message, _, add_error
from survey_app.workshops.model import CastVote, Poll
from survey_app.workshops.polls import checks
from survey_app.workshops.polls.base import (
    Lines, Number, PollType, Tally, Wording, first, fixed, option_ids, percent,
)

OPTIONS_LABEL = _("Options (%(language)s), one per line")


@dataclass(frozen=True)
class ChoiceTally(Tally):
    options: tuple[OptionCount, ...]   # in the order of the poll; shares of the participants who voted


class SingleChoice(PollType):
    name = "single_choice"
    label = _("Single choice")
    partial = "choice"
    multiple = False          # participants may choose several options
    required = ("options",)
    editor = (Lines("options", OPTIONS_LABEL),)

    def parse(self, c, data, loc, languages) -> dict:
        return {"options": checks.choices(c, data.get("options"), loc, "options", languages, 2, checks.MAX_OPTIONS)}

    def check(self, poll: Poll, value: Any) -> Errors:
        errors: Errors = {}
        if value is None or value == "":
            add_error(errors, "choice", _("Please choose an option."))
        elif not isinstance(value, str) or value not in option_ids(poll):
            add_error(errors, "choice", _("This option does not exist: %(value)s."), value=str(value)[:40])
        return errors

    def read(self, poll, form):
        return first(form, "choice") or None, {}

    def form_values(self, poll, value):
        return {"choice": [value]}

    def tally(self, poll: Poll, votes: Sequence[CastVote], invalid: int, hidden) -> ChoiceTally:
        counts = Counter()
        for vote in votes:
            counts.update(vote.value if isinstance(vote.value, list) else [vote.value])
        n = len(votes)
        return ChoiceTally(poll, n, invalid, option_counts([(o.id, o.label) for o in poll.options], counts, n))

    def chart(self, result: ChoiceTally, wording: Wording) -> dict:
        return {"kind": "bars", "unit": "votes", "n": result.n, "labels": [wording.text(o.label) for o in result.options],
                "values": [o.count for o in result.options], "shares": [o.share for o in result.options]}

    def summary(self, result: ChoiceTally, wording: Wording):
        top = max(result.options, key=lambda o: o.count)
        return (f"{wording.text(top.label)}: {top.count} ({percent(top.share)})", "normalised entropy",
                fixed(normalised_entropy([o.count for o in result.options])))

    def rows(self, result: ChoiceTally):
        for o in result.options:
            yield "", o.value, "count", o.count
            yield "", o.value, "share", round(o.share, 4)

    def synthetic(self, poll: Poll, rng: random.Random):
        return rng.choice(option_ids(poll))


class MultipleChoice(SingleChoice):
    name = "multiple_choice"
    label = _("Multiple choice")
    multiple = True
    optional = ("max_choices",)
    editor = (Lines("options", OPTIONS_LABEL), Number("max_choices", _("At most this many choices (optional)")))

    def parse(self, c, data, loc, languages) -> dict:
        fields = super().parse(c, data, loc, languages)
        limit = checks.whole_number(c, loc, "max_choices", data.get("max_choices"), 1, checks.MAX_OPTIONS)
        if len(fields["options"]) >= 2:
            limit = checks.at_most(c, loc, "max_choices", limit, len(fields["options"]),
                                   Message(_("This is more than there are options.")))
        return {**fields, "max_choices": limit}

    def check(self, poll: Poll, value: Any) -> Errors:
        errors: Errors = {}
        if not isinstance(value, list) or not value:
            add_error(errors, "choice", _("Please choose at least one option."))
            return errors
        known = option_ids(poll)
        unknown = [v for v in value if not isinstance(v, str) or v not in known]
        if unknown:
            add_error(errors, "choice", _("This option does not exist: %(value)s."), value=str(unknown[0])[:40])
        elif len(set(value)) != len(value):
            add_error(errors, "choice", _("Each option can be chosen only once."))
        elif poll.max_choices and len(value) > poll.max_choices:
            add_error(errors, "choice", _("Choose at most %(k)d options."), k=poll.max_choices)
        return errors

    def read(self, poll, form):
        return [v for v in form.get("choice", []) if v], {}

    def form_values(self, poll, value):
        return {"choice": value}

    def synthetic(self, poll: Poll, rng: random.Random):
        ids = option_ids(poll)
        return rng.sample(ids, rng.randint(1, poll.max_choices or len(ids)))
