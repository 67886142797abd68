"""Ranking: each participant puts all options in order (1 = most important)."""
from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from survey_app.analysis.stats import borda_order, borda_points, kendalls_w
from survey_app.workshops.messages import Errors, _, add_error
from survey_app.workshops.model import CastVote, Choice, Poll
from survey_app.workshops.polls import checks
from survey_app.workshops.polls.base import Indicator, Lines, PollType, Wording, first, fixed, option_ids, whole_number

MAX_RANKING_OPTIONS = 10              # ranking more than this on a phone is guesswork


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
        options = option_ids(poll)
        ranks: dict[str, list[int]] = {option: [] for option in options}
        first_places = Counter()
        for vote in votes:
            for rank, option_id in enumerate(vote.value, start=1):
                ranks[option_id].append(rank)
            first_places[vote.value[0]] += 1
        borda = borda_points([vote.value for vote in votes], options)
        mean_ranks = {option: statistics.fmean(ranks[option]) if ranks[option] else None for option in options}
        choices = {o.id: o for o in poll.options}
        ranked = tuple(RankCount(choices[option], mean_ranks[option], borda[option], first_places[option])
                       for option in borda_order(options, borda, mean_ranks))
        return RankingTally(poll, len(votes), invalid, ranked, kendalls_w([v.value for v in votes], options))

    def chart(self, result: RankingTally, wording: Wording) -> dict:
        return {"kind": "bars", "unit": "borda", "n": result.n, "labels": [wording.label(o.choice) for o in result.options],
                "values": [o.borda for o in result.options],
                "mean_ranks": [o.mean_rank for o in result.options]}

    def summary(self, result: RankingTally, wording: Wording):
        top = result.options[0]
        return (f"{wording.label(top.choice)}: mean rank {fixed(top.mean_rank)}, Borda {top.borda}",
                "Kendall's W (agreement)", fixed(result.agreement))

    def rows(self, result: RankingTally):
        for o in result.options:
            yield "", o.choice.id, "mean_rank", o.mean_rank
            yield "", o.choice.id, "borda", o.borda
            yield "", o.choice.id, "ranked_first", o.first
        yield "", "", "kendalls_w", result.agreement

    def synthetic(self, poll: Poll, rng: random.Random):
        ids = option_ids(poll)
        return rng.sample(ids, len(ids))

    def indicators(self, poll: Poll, result: RankingTally):
        for count in result.options:
            if count.choice.construct:
                yield Indicator(count.choice.construct, count.choice.label, "rank", result.n, mean=count.mean_rank)
