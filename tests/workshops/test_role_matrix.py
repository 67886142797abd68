"""Role matrix, from its definition to the downloads: who should lead each task."""
from __future__ import annotations

import random

import pytest

from support.workshops import (entries, field_names, field_values, one_round, parsed, phone_form, problems, refusals,
                               rendered, results_table, table_rows, text, votes)
from survey_app.workshops import export, tallies, voting
from survey_app.workshops.polls.role_matrix import UNCLEAR

DEFINITION = {"id": "roles", "type": "role_matrix", "text": text("Who leads?"),
              "tasks": [{"id": "t1", "label": text("T1"), "construct": "task.networking"}, *entries("t2")],
              "actors": entries("qm", "social", "volunteers"), "supporting": True}
POLL = parsed(DEFINITION)


def role(lead, *support):
    return {"lead": lead, "support": list(support)}


def test_definition_keys_and_their_rules():
    assert [t.id for t in POLL.tasks] == ["t1", "t2"] and POLL.supporting and POLL.tasks[0].construct == "task.networking"
    assert parsed({**DEFINITION, "supporting": None}).supporting is False
    assert refusals({**DEFINITION, "tasks": []}) == {"tasks": ["Enter between 1 and 20 entries."]}
    assert refusals({**DEFINITION, "actors": entries(*(f"a{i}" for i in range(13)))}) == {
        "actors": ["Enter between 2 and 12 entries."]}
    bad_construct = {**DEFINITION, "tasks": [{"id": "t1", "label": text("T1"), "construct": "Task One"}]}
    assert refusals(bad_construct) == {"tasks": ["Use lower-case letters, digits and _, parts separated by dots."]}
    # the answer "unclear" is the app's own, so no actor may be called so (a file-only problem)
    assert any('"unclear" is reserved' in p for p in problems({**DEFINITION, "actors": entries("unclear", "qm")}))


@pytest.mark.parametrize("value, field, message", [
    ({}, "", "Please choose who should lead at least one task."),
    ({"t9": role("qm")}, "", "This task does not exist: t9."),
    ({"t1": role("mayor")}, "lead-t1", "Please choose who should lead this task."),
    ({"t1": {"lead": "qm", "colour": "red"}}, "lead-t1", "Please choose who should lead this task."),
    ({"t1": role("qm", "qm")}, "support-t1", "The lead cannot also be a supporting actor."),
    ({"t1": role("qm", "social", "social")}, "support-t1", "Choose supporting actors from the list, each once."),
    ({"t1": role(UNCLEAR, "qm")}, "support-t1", "Name supporting actors only together with a lead."),
])
def test_stored_votes_are_checked(value, field, message):
    assert message in rendered(voting.validate_vote(POLL, value)).get(field, [])


def test_supporting_actors_only_when_the_poll_asks_for_them(page_app):
    lead_only = parsed({**DEFINITION, "supporting": False})
    assert rendered(voting.validate_vote(lead_only, {"t1": role("qm", "social")})) == {
        "support-t1": ["This poll asks only for the lead."]}
    assert field_names(phone_form(page_app, lead_only)) == {"lead-t1", "lead-t2"}


def test_the_phone_form_gives_the_vote_and_shows_it_again(page_app):
    html = phone_form(page_app, POLL)
    assert field_names(html) == {"lead-t1", "support-t1", "lead-t2", "support-t2"}
    assert field_values(html, "lead-t1") == {"", "qm", "social", "volunteers", UNCLEAR}
    form = {"lead-t1": ["qm"], "support-t1": ["social", "volunteers"], "lead-t2": [""]}
    value, errors = voting.read_vote(POLL, form)
    assert (value, errors) == ({"t1": role("qm", "social", "volunteers")}, {})
    shown = phone_form(page_app, POLL, {k: v if isinstance(v, list) else [v]
                                        for k, v in voting.form_values(POLL, value).items()})
    assert '<option value="qm" selected>' in shown and shown.count("checked") == 2
    _value, errors = voting.read_vote(POLL, {"support-t2": ["qm"]})
    assert rendered(errors) == {"lead-t2": ["Please choose who should lead this task."]}


def test_tally_chart_and_downloads(page_app):
    cast = votes({"t1": role("qm", "social")}, {"t1": role("social", "qm", "volunteers"), "t2": role(UNCLEAR)},
                 {"t2": role("volunteers")}, {"t1": role("mayor")})
    result = tallies.tally(POLL, cast)
    t1, t2 = result.tasks
    assert (result.n, result.invalid, t1.n, t2.n) == (3, 1, 2, 2)
    assert t1.contested and not t1.no_clear_lead and t2.gap and t2.unclear == 1
    chart = tallies.tally_chart(result, "en", "de", "nobody")
    assert chart["kind"] == "heatmap" and chart["columns"] == ["QM", "SOCIAL", "VOLUNTEERS", "nobody"]
    assert chart["counts"] == [[1, 1, 0, 0], [0, 0, 1, 1]] and chart["task_n"] == [2, 2]
    assert 'class="role-matrix"' in results_table(page_app, result)
    workshop, run_votes = one_round(POLL, cast)
    rows = table_rows(export.tallies_table(workshop, run_votes, minimum=5))
    mine = {(r["task"], r["option"], r["measure"]): r["value"] for r in rows if r["group"] == "all"}
    assert mine[("t1", "qm", "lead")] == "1" and mine[("t1", "qm", "support")] == "1"
    assert mine[("t2", UNCLEAR, "lead_share")] == "0.5" and mine[("t1", "", "contested")] == "1"
    [line] = table_rows(export.record_table(workshop, run_votes, joined=4, lang="en"))
    # t1: QM and social 1 each (50 % is a clear lead); t2: "unclear" as often as the most named, a gap
    assert line["result"] == ("T1: QM (50.0 %); T2: VOLUNTEERS (50.0 %); "
                              "tasks without clear lead or with a gap: 1 of 2")
    assert line["dispersion_measure"] == "mean consensus"


def test_what_the_matrix_says_about_constructs():
    from survey_app.analysis.triangulation import workshop_observations

    cast = votes(*[{"t1": role("qm")}] * 5, {"t1": role("social")})
    workshop, run_votes = one_round(POLL, cast)
    [(construct, _label, measure, cell)] = workshop_observations(workshop, run_votes, minimum=5)
    assert (construct, measure.kind, cell.n, cell.top["de"]) == ("task.networking", "lead", 6, "QM")
    assert cell.share == pytest.approx(5 / 6)
    [(_c, _l, _m, small)] = workshop_observations(workshop, {r: v[:4] for r, v in run_votes.items()}, minimum=5)
    assert small.suppressed and small.share is None


def test_synthetic_votes_are_valid():
    rng = random.Random(5)
    assert all(not voting.validate_vote(POLL, voting.random_vote(POLL, rng)) for _ in range(50))
