"""The workshop's downloads: the record for the evaluation report, every tally in one long
table, and the raw votes (pure; CSV written by output/export.py)."""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from survey_app.definitions.model import localized
from survey_app.output.export import to_csv
from survey_app.workshops.model import CastVote, Workshop
from survey_app.workshops.polls.registry import POLL_TYPES
from survey_app.workshops.tallies import shown_groups, split_by_group, summary_line, tally

Table = tuple[list[str], list[list[Any]]]
RunVotes = Mapping[str, Sequence[CastVote]]   # run id -> votes


def record_table(workshop: Workshop, votes: RunVotes, joined: int, lang: str) -> Table:
    """The workshop record for the evaluation report: one row per poll and round."""
    headers = ["poll_id", "poll", "method", "construct", "round", "opened_at", "closed_at", "joined",
               "voted", "result", "dispersion_measure", "dispersion"]
    rows = []
    default = workshop.languages[0]
    for poll in workshop.polls:
        for r in workshop.rounds_of(poll.id):
            result = tally(poll, votes.get(r.run, ()), workshop.hidden_items)
            rows.append([poll.id, localized(poll.text, lang, default), poll.type, poll.construct, r.number,
                         r.opened_at, r.closed_at, joined, result.n, *summary_line(result, lang, default)])
    return headers, rows


def tallies_table(workshop: Workshop, votes: RunVotes, minimum: int) -> Table:
    """Long table of every tally: per poll, round and group ("all" or an organisation type)."""
    headers = ["poll_id", "method", "round", "group", "n", "task", "option", "measure", "value"]
    rows = []
    shown = shown_groups(votes, workshop.organisation_types, minimum)
    for poll in workshop.polls:
        kind = POLL_TYPES[poll.type]
        for r in workshop.rounds_of(poll.id):
            run_votes = votes.get(r.run, ())
            result = tally(poll, run_votes, workshop.hidden_items)
            parts = [("all", result)]
            for group in split_by_group(poll, run_votes, workshop.organisation_types, minimum, workshop.hidden_items,
                                        shown.get(r.run, frozenset())):
                name = group.group.id if group.group else "not_given"
                parts.append((name, group.tally))
            for name, part in parts:
                if part is None:
                    rows.append([poll.id, poll.type, r.number, name, "", "", "", "suppressed", ""])
                    continue
                rows.extend([poll.id, poll.type, r.number, name, part.n, *row] for row in kind.rows(part))
    return headers, rows


def votes_table(workshop: Workshop, votes: RunVotes, minimum: int) -> Table:
    """Raw votes: one row per vote, with nothing on the participant but the random id. An
    organisation type too small to show is left empty, as in the tallies."""
    headers = ["poll_id", "method", "round", "participant", "group", "vote", "hidden_ideas"]
    rows = []
    shown = shown_groups(votes, workshop.organisation_types, minimum)
    for poll in workshop.polls:
        kind = POLL_TYPES[poll.type]
        for r in workshop.rounds_of(poll.id):
            run_votes = list(votes.get(r.run, ()))
            named = shown.get(r.run, frozenset())
            for vote in sorted(run_votes, key=lambda v: v.participant):
                group = vote.group if vote.group in named else None
                rows.append([poll.id, poll.type, r.number, vote.participant, group or "",
                             json.dumps(vote.value, ensure_ascii=False, sort_keys=True),
                             " ".join(kind.hidden_ideas(vote, workshop.hidden_items))])
    return headers, rows


def table_csv(table: Table) -> str:
    return to_csv(*table)
