"""Role matrix: for each task (row) participants name who should lead it (an actor, the
column, or "unclear"), and maybe supporting actors."""
from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from survey_app.analysis.stats import share
from survey_app.workshops.messages import Errors, _, add_error
from survey_app.workshops.model import CastVote, Choice, Poll
from survey_app.workshops.polls import checks
from survey_app.workshops.polls.base import Flag, Indicator, Lines, PollType, Tally, Wording, first, fixed, percent

UNCLEAR = "unclear"                   # the answer "nobody / unclear"
MAX_TASKS = 20
MAX_ACTORS = 12


@dataclass(frozen=True)
class ActorCount:
    actor: Choice
    lead: int
    lead_share: float         # of the participants who answered the task
    support: int
    support_share: float


@dataclass(frozen=True)
class TaskTally:
    task: Choice
    n: int                    # participants who named a lead (or "unclear") for the task
    actors: tuple[ActorCount, ...]     # in the order of the poll
    unclear: int
    unclear_share: float
    lead: Choice | None       # the most chosen lead actor (first in poll order on a tie)
    consensus: float | None   # share of the most chosen lead actor
    no_clear_lead: bool       # consensus under 50 %
    contested: bool           # the two most chosen actors within 10 percentage points
    gap: bool                 # "unclear" chosen at least as often as any actor


@dataclass(frozen=True)
class RoleMatrixTally(Tally):
    tasks: tuple[TaskTally, ...]


def task_tally(task: Choice, actors: Sequence[Choice], answers: Sequence[Mapping[str, Any]]) -> TaskTally:
    """One row: `answers` are the participants' {"lead": ..., "support": [...]} for the task."""
    n = len(answers)
    leads = Counter(a["lead"] for a in answers)
    support = Counter(s for a in answers for s in a.get("support", ()))
    counts = tuple(ActorCount(actor, leads[actor.id], share(leads[actor.id], n),
                              support[actor.id], share(support[actor.id], n)) for actor in actors)
    unclear = leads[UNCLEAR]
    ranked = sorted(counts, key=lambda c: -c.lead)  # stable: poll order on ties
    top = ranked[0].lead if ranked else 0
    second = ranked[1].lead if len(ranked) > 1 else 0
    lead = ranked[0].actor if n and top else None
    return TaskTally(
        task=task, n=n, actors=counts, unclear=unclear, unclear_share=share(unclear, n), lead=lead,
        consensus=share(top, n) if n else None,
        # integer comparisons: no rounding at the 50 % and 10-point borders
        no_clear_lead=n > 0 and 2 * top < n,
        contested=n > 0 and second > 0 and 10 * (top - second) <= n,
        gap=n > 0 and unclear > 0 and unclear >= top,
    )


class RoleMatrix(PollType):
    name = "role_matrix"
    label = _("Role matrix")
    partial = "role_matrix"
    unclear = UNCLEAR
    required = ("tasks", "actors")
    optional = ("supporting",)
    editor = (Lines("tasks", _("Tasks, the rows (%(language)s), one per line")),
              Lines("actors", _("Actors, the columns (%(language)s), one per line")),
              Flag("supporting", _("Participants may also name supporting actors"), default=True))

    def parse(self, c, data, loc, languages) -> dict:
        return {"tasks": checks.choices(c, data.get("tasks"), loc, "tasks", languages, 1, MAX_TASKS),
                "actors": checks.choices(c, data.get("actors"), loc, "actors", languages, 2, MAX_ACTORS,
                                         reserved=(UNCLEAR,)),
                "supporting": bool(c.boolean(loc, "supporting", data.get("supporting")))}

    def check(self, poll: Poll, value: Any) -> Errors:
        errors: Errors = {}
        if not isinstance(value, dict) or not value:
            add_error(errors, "", _("Please choose who should lead at least one task."))
            return errors
        tasks = {t.id for t in poll.tasks}
        actors = {a.id for a in poll.actors}
        for task_id, answer in value.items():
            if task_id not in tasks:
                add_error(errors, "", _("This task does not exist: %(value)s."), value=str(task_id)[:40])
                continue
            if not isinstance(answer, dict) or set(answer) - {"lead", "support"}:
                add_error(errors, f"lead-{task_id}", _("Please choose who should lead this task."))
                continue
            lead = answer.get("lead")
            support = answer.get("support", [])
            if not isinstance(lead, str) or lead not in actors | {UNCLEAR}:
                add_error(errors, f"lead-{task_id}", _("Please choose who should lead this task."))
            if not isinstance(support, list) or any(not isinstance(s, str) or s not in actors for s in support) \
                    or len(set(support)) != len(support):
                add_error(errors, f"support-{task_id}", _("Choose supporting actors from the list, each once."))
            elif support and not poll.supporting:
                add_error(errors, f"support-{task_id}", _("This poll asks only for the lead."))
            elif lead in support:
                add_error(errors, f"support-{task_id}", _("The lead cannot also be a supporting actor."))
            elif lead == UNCLEAR and support:
                add_error(errors, f"support-{task_id}", _("Name supporting actors only together with a lead."))
        return errors

    def read(self, poll, form):
        errors: Errors = {}
        value = {}
        for task in poll.tasks:
            lead = first(form, f"lead-{task.id}")
            support = [s for s in form.get(f"support-{task.id}", []) if s]
            if lead:
                value[task.id] = {"lead": lead, "support": support}
            elif support:
                add_error(errors, f"lead-{task.id}", _("Please choose who should lead this task."))
        return value, errors

    def form_values(self, poll, value):
        result: dict[str, Any] = {}
        for task_id, answer in value.items():
            result[f"lead-{task_id}"] = answer["lead"]
            result[f"support-{task_id}"] = answer.get("support", [])
        return result

    def tally(self, poll: Poll, votes: Sequence[CastVote], invalid: int, hidden) -> RoleMatrixTally:
        tasks = tuple(task_tally(task, poll.actors, [v.value[task.id] for v in votes if task.id in v.value])
                      for task in poll.tasks)
        return RoleMatrixTally(poll, len(votes), invalid, tasks)

    def chart(self, result: RoleMatrixTally, wording: Wording) -> dict:
        return {"kind": "heatmap", "n": result.n, "rows": [wording.label(t.task) for t in result.tasks],
                "columns": [wording.label(a) for a in result.poll.actors] + [wording.unclear],
                "shares": [[a.lead_share for a in t.actors] + [t.unclear_share] for t in result.tasks],
                "counts": [[a.lead for a in t.actors] + [t.unclear] for t in result.tasks],
                "task_n": [t.n for t in result.tasks]}

    def summary(self, result: RoleMatrixTally, wording: Wording):
        answered = [t for t in result.tasks if t.n]
        unclear = sum(t.no_clear_lead or t.gap for t in answered)
        leads = "; ".join(f"{wording.label(t.task)}: {wording.label(t.lead) if t.lead else '-'} "
                          f"({percent(t.consensus)})" for t in answered)
        consensus = [t.consensus for t in answered]
        return (f"{leads}; tasks without clear lead or with a gap: {unclear} of {len(result.tasks)}",
                "mean consensus", fixed(statistics.fmean(consensus)) if consensus else "")

    def rows(self, result: RoleMatrixTally):
        for t in result.tasks:
            for a in t.actors:
                yield t.task.id, a.actor.id, "lead", a.lead
                yield t.task.id, a.actor.id, "lead_share", round(a.lead_share, 4)
                if result.poll.supporting:
                    yield t.task.id, a.actor.id, "support", a.support
                    yield t.task.id, a.actor.id, "support_share", round(a.support_share, 4)
            yield t.task.id, UNCLEAR, "lead", t.unclear
            yield t.task.id, UNCLEAR, "lead_share", round(t.unclear_share, 4)
            yield t.task.id, "", "n", t.n
            yield t.task.id, "", "consensus", None if t.consensus is None else round(t.consensus, 4)
            for flag in ("no_clear_lead", "contested", "gap"):
                yield t.task.id, "", flag, int(getattr(t, flag))

    def synthetic(self, poll: Poll, rng: random.Random):
        actors = [a.id for a in poll.actors]
        # the first two actors (the two kinds of neighbourhood management) are named most
        weights = [4, 3] + [1] * (len(actors) - 2) + [1]
        return {task.id: {"lead": rng.choices(actors + [UNCLEAR], weights=weights[:len(actors) + 1])[0]}
                for task in poll.tasks}

    def indicators(self, poll: Poll, result: RoleMatrixTally):
        for row in result.tasks:
            if row.task.construct:
                yield Indicator(row.task.construct, row.task.label, "lead", row.n, share=row.consensus,
                                top=row.lead.label if row.lead else None)
