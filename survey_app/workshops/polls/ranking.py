"""Ranking: each participant puts all options in order (1 = most important)."""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from survey_app.analysis.distributions import RankedOption, ranked_options
from survey_app.analysis.stats import kendalls_w
from survey_app.workshops.messages import Errors, _, add_error
from survey_app.workshops.model import CastVote, Poll
from survey_app.workshops.polls import checks
from survey_app.workshops.polls.base import (
    Indicator, Lines, PollType, Tally, Wording, first, fixed, option_ids, whole_number,
)

MAX_RANKING_OPTIONS = 10              # ranking more than this on a phone is guesswork


@dataclass(frozen=True)
class RankingTally(Tally):
    options: tuple[RankedOption, ...]  # highest Borda score first (k - rank per participant)
    agreement: float | None   # Kendall's W: 0 = no agreement, 1 = everyone ranked alike


class Ranking(PollType):
    name = "ranking"
    label = _("Ranking")
    partial = "ranking"
    required = ("options",)
    editor = (Lines("options", _("Options (%(language)s), one per line")),)

    def parse(self, c, data, loc, languages) -> dict:
        return {"options": checks.choices(c, data.get("options"), loc, "options", languages, 2,
                                          MAX_RANKING_OPTIONS)}

    def check(self, poll: Poll, value: Any) -> Errors:
        errors: Errors = {}
        known = option_ids(poll)
        if not isinstance(value, list) or not value:
            add_error(errors, "", _("Please rank the options."))
        elif any(not isinstance(v, str) or v not in known for v in value):
            unknown = next(v for v in value if not isinstance(v, str) or v not in known)
            add_error(errors, "", _("This option does not exist: %(value)s."), value=str(unknown)[:40])
        elif len(set(value)) != len(value) or len(value) != len(known):
            add_error(errors, "", _("Give each option a different rank from 1 to %(k)d."), k=len(known))
        return errors

    def read(self, poll, form):
        errors: Errors = {}
        ranks = {}
        k = len(poll.options)
        for option in poll.options:
            rank = whole_number(first(form, f"rank-{option.id}"))
            if rank is None or not 1 <= rank <= k:
                add_error(errors, f"rank-{option.id}", _("Choose a rank from 1 to %(k)d."), k=k)
            ranks[option.id] = rank
        value = sorted(ranks, key=lambda option_id: ranks[option_id] or 0)
        if not errors and len(set(ranks.values())) != len(ranks):
            add_error(errors, "", _("Give each option a different rank from 1 to %(k)d."), k=k)
        return value, errors

    def form_values(self, poll, value):
        return {f"rank-{key}": rank for rank, key in enumerate(value, start=1)}

    def tally(self, poll: Poll, votes: Sequence[CastVote], invalid: int, hidden) -> RankingTally:
        orders = [vote.value for vote in votes]
        ranked = ranked_options(orders, [(o.id, o.label) for o in poll.options])
        return RankingTally(poll, len(votes), invalid, ranked, kendalls_w(orders, option_ids(poll)))

    def chart(self, result: RankingTally, wording: Wording) -> dict:
        return {"kind": "bars", "unit": "borda", "n": result.n, "labels": [wording.text(o.label) for o in result.options],
                "values": [o.borda for o in result.options],
                "mean_ranks": [o.mean_rank for o in result.options]}

    def summary(self, result: RankingTally, wording: Wording):
        top = result.options[0]
        return (f"{wording.text(top.label)}: mean rank {fixed(top.mean_rank)}, Borda {top.borda}",
                "Kendall's W (agreement)", fixed(result.agreement))

    def rows(self, result: RankingTally):
        for o in result.options:
            yield "", o.value, "mean_rank", o.mean_rank
            yield "", o.value, "borda", o.borda
            yield "", o.value, "ranked_first", o.first
        yield "", "", "kendalls_w", result.agreement

    def synthetic(self, poll: Poll, rng: random.Random):
        ids = option_ids(poll)
        return rng.sample(ids, len(ids))

    def indicators(self, poll: Poll, result: RankingTally):
        constructs = {o.id: o.construct for o in poll.options}
        for count in result.options:
            if constructs[count.value]:
                yield Indicator(constructs[count.value], count.label, "rank", result.n, mean=count.mean_rank)
