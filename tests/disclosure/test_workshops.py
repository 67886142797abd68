"""Workshop results by organisation type follow one release plan across the polls and rounds of
a room (issue 10): a type with fewer than k participants is hidden in every poll, and so is the
type that protects it, so that no poll, round or file of the room gives it away next to another.

The room's own result of a poll is shown whatever its size (it is the room's); the adversary
reads what an evaluator downloads (the tallies and the raw votes with their random
participant numbers) and checks per run that the shown groups leave no group under k (as linear
equations over the voters, like the surveys' adversary), and across runs that the participants
whose type is never named are no group under k either: otherwise "everybody not named anywhere"
is the small group itself, with every vote of theirs."""
from __future__ import annotations

import csv
import io
import random

from disclosure.adversary import exact_smallest_support
from survey_app.definitions.model import Text
from survey_app.workshops import export
from survey_app.workshops.model import CastVote, Choice, Poll, Round, Workshop

K = 5
ORGS = tuple(Choice(i, {"de": i, "en": i}) for i in ("qm", "welfare", "volunteers"))
POLL = Poll("goal", "single_choice", {"de": "Ziel", "en": "Goal"},
            options=tuple(Choice(o, {"de": o, "en": o}) for o in ("a", "b", "c")))
OTHER = Poll("next", "single_choice", {"de": "Weiter", "en": "Next"},
             options=tuple(Choice(o, {"de": o, "en": o}) for o in ("a", "b", "c")))


def workshop(runs: dict[str, list[tuple[str, str | None]]]) -> tuple[Workshop, dict[str, list[CastVote]]]:
    """A workshop whose runs ("goal:1", "next:1" ...) hold votes of (participant, type)."""
    rounds: dict[str, list[Round]] = {}
    votes = {}
    rng = random.Random(len(runs))
    for run, voters in runs.items():
        poll_id, number = run.split(":")
        rounds.setdefault(poll_id, []).append(Round(int(number), run))
        votes[run] = [CastVote(f"{run}-{p}", p, rng.choice("abc"), group) for p, group in voters]
    polls = tuple(p for p in (POLL, OTHER) if p.id in rounds)
    return Workshop("w", "Room", "2026-01-01", "ABC123", ("de", "en"), ORGS, polls,
                    rounds={k: tuple(v) for k, v in rounds.items()}), votes


def room(qm: int, welfare: int, volunteers: int) -> list[tuple[str, str]]:
    return ([(f"q{i}", "qm") for i in range(qm)] + [(f"w{i}", "welfare") for i in range(welfare)]
            + [(f"v{i}", "volunteers") for i in range(volunteers)])


def parse(table) -> list[dict]:
    return list(csv.DictReader(io.StringIO(export.table_csv(table).lstrip("\ufeff"))))


def evaluator_finds(w: Workshop, votes) -> list[str]:
    """What the adversary can work out: descriptions of groups under K."""
    found = []
    tallies = parse(export.tallies_table(w, votes, K))
    raw = parse(export.votes_table(w, votes, K))
    poll_of = {r: r.split(":")[0] for r in votes}
    # per run: the shown groups' voters and all voters, as equations over the voters
    for run, run_votes in votes.items():
        poll, number = run.split(":")
        shown = {row["group"] for row in tallies if row["poll_id"] == poll and row["round"] == number
                 and row["measure"] != "suppressed"}
        voters = {v.participant: v.group for v in run_votes}
        sets = [frozenset(voters)]
        for name in shown - {"all"}:
            sets.append(frozenset(p for p, g in voters.items() if (g or "not_given") == name
                                  or (name == "not_given" and g not in {o.id for o in ORGS})))
        if len(voters) < K:    # the room's own result is shown whatever its size; by type nothing
            if len(sets) > 1:
                found.append(f"{run}: groups of a run with {len(voters)} voters")
            continue
        small = exact_smallest_support(sets, list(voters), K)
        if small:
            found.append(f"{run}: {sorted(small)}")
    # across runs: the raw votes name a participant's type where the plan shows it; those never
    # named anywhere must not be fewer than K (they would be the hidden small type)
    named = {row["participant"] for row in raw if row["group"]}
    never = {row["participant"] for row in raw} - named
    if 0 < len(never) < K:
        found.append(f"never named: {sorted(never)}")
    assert poll_of  # (every run was read)
    return found


def test_a_type_hidden_in_one_round_is_not_named_in_the_next():
    # round 1: 6 qm, 5 welfare, 1 volunteer: the volunteer is hidden, and welfare with them;
    # round 2 the volunteer has left. Each round alone (today) showed welfare in round 2, so the
    # raw votes named every welfare participant, and the one never named was the volunteer.
    w, votes = workshop({"goal:1": room(6, 5, 1), "goal:2": room(6, 5, 0)})
    assert evaluator_finds(w, votes) == []
    tallies = parse(export.tallies_table(w, votes, K))
    hidden = {(row["round"], row["group"]) for row in tallies if row["measure"] == "suppressed"}
    assert ("2", "welfare") in hidden and ("1", "welfare") in hidden and ("1", "volunteers") in hidden


def test_two_polls_of_one_room_hide_the_same_types():
    w, votes = workshop({"goal:1": room(6, 5, 1), "next:1": room(6, 5, 0)})
    assert evaluator_finds(w, votes) == []


def test_random_rooms_leave_the_adversary_nothing():
    rng = random.Random(4)
    for _ in range(12):
        people = [(f"p{i}", rng.choice(["qm", "qm", "welfare", "volunteers", None])) for i in range(rng.randint(5, 30))]
        runs = {}
        for run in ("goal:1", "goal:2", "next:1"):
            share = rng.random()
            runs[run] = [p for p in people if rng.random() < 0.5 + share / 2]
        w, votes = workshop(runs)
        assert evaluator_finds(w, votes) == [], runs
