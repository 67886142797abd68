"""Scales (1 to 5, labelled by the poll) and fist to five (0 to 5, named by the app), from the
definition to the downloads."""
from __future__ import annotations

import math
import random

import pytest

from support.workshops import (field_names, field_values, one_round, parsed, phone_form, problems, refusals, rendered,
                               results_table, table_rows, text, votes)
from survey_app.analysis.distributions import PointCount
from survey_app.workshops import export, tallies, voting

SCALE = parsed({"id": "agree", "type": "scale", "text": text("Agree?"),
                "labels": [text(f"L{i}") for i in range(1, 6)], "construct": "task.networking"})
FIST = parsed({"id": "fist", "type": "fist_to_five", "text": text("Support the draft?")})


def test_definition_keys_and_their_rules():
    assert [label["de"] for label in SCALE.labels] == ["L1", "L2", "L3", "L4", "L5"] and FIST.labels == ()
    short = {"id": "s", "type": "scale", "text": text("?"), "labels": [text("a"), text("b")]}
    assert refusals(short) == {"labels": ["Enter exactly 5 entries."]}
    assert refusals({**short, "labels": [text("a")] * 4 + [{"de": "nur deutsch"}]}) == {
        "labels": ["Please enter the text in every language."]}
    # fist to five has its own labels; a template cannot give it any
    assert any('unknown key "labels"' in p for p in problems({**short, "type": "fist_to_five"}))


@pytest.mark.parametrize("poll, value, message", [
    (SCALE, None, "Please choose a point on the scale."),
    (SCALE, 0, "Choose a whole number from 1 to 5."),
    (SCALE, 6, "Choose a whole number from 1 to 5."),
    (SCALE, True, "Choose a whole number from 1 to 5."),
    (SCALE, 2.0, "Choose a whole number from 1 to 5."),
    (FIST, 6, "Choose a whole number from 0 to 5."),
    (FIST, "3", "Choose a whole number from 0 to 5."),
])
def test_stored_votes_are_checked(poll, value, message):
    assert rendered(voting.validate_vote(poll, value)) == {"value": [message]}
    assert not voting.validate_vote(FIST, 0)


def test_the_phone_form_gives_the_vote_and_shows_it_again(page_app):
    scale = phone_form(page_app, SCALE)
    assert field_names(scale) == {"value"} and field_values(scale, "value") == {"1", "2", "3", "4", "5"}
    assert "L3" in scale
    fist = phone_form(page_app, FIST)
    assert field_values(fist, "value") == {"0", "1", "2", "3", "4", "5"}
    assert "Ich unterstütze es voll" in fist   # the app's own name of 5 fingers, in German (the default)
    assert voting.read_vote(FIST, {"value": ["0"]}) == (0, {})
    _value, errors = voting.read_vote(SCALE, {"value": ["fünf"]})
    assert rendered(errors) == {"value": ["Choose a whole number from 1 to 5."]}
    shown = phone_form(page_app, SCALE, {"value": [str(v) for v in [voting.form_values(SCALE, 4)["value"]]]})
    assert 'value="4" checked' in shown


def test_tallies_share_the_questionnaires_point_counts_chart_and_downloads(page_app):
    scale = tallies.tally(SCALE, votes(1, 2, 2, 5, 9))
    assert (scale.n, scale.invalid, scale.mean, scale.objections) == (4, 1, 2.5, None)
    assert scale.sd == pytest.approx(math.sqrt(3))
    assert scale.points[1] == PointCount(2, {"de": "L2", "en": "L2"}, 2, 0.5)
    fist = tallies.tally(FIST, votes(0, 1, 3, 4, 5))
    assert (fist.objections, fist.objection_share, fist.points[0].label) == (2, 0.4, None)
    chart = tallies.tally_chart(fist, "en", "de", "unclear")
    assert chart["labels"] == ["0", "1", "2", "3", "4", "5"] and chart["objection_share"] == 0.4
    assert tallies.tally_chart(scale, "en", "de", "unclear")["labels"][0] == "1 L1"
    table = results_table(page_app, fist)
    assert "Ich unterstütze es voll" in table and "</strong> 2 (40,0 %)" in table
    workshop, run_votes = one_round(FIST, votes(0, 1, 3, 4, 5))
    rows = {(r["option"], r["measure"]): r["value"] for r in
            table_rows(export.tallies_table(workshop, run_votes, minimum=5)) if r["group"] == "all"}
    assert (rows[("0", "count")], rows[("", "objections")], rows[("", "objection_share")]) == ("1", "2", "0.4")
    [line] = table_rows(export.record_table(workshop, run_votes, joined=5, lang="en"))
    assert line["result"] == "mean 2.60, objections 2 (40.0 %)" and line["dispersion_measure"] == "standard deviation"


def test_what_a_scale_says_about_its_construct():
    from survey_app.analysis.triangulation import workshop_observations

    workshop, run_votes = one_round(SCALE, votes(4, 4, 5, 3, 4))
    [(construct, _label, measure, cell)] = workshop_observations(workshop, run_votes, minimum=5)
    assert (construct, measure.kind, cell.n, cell.mean) == ("task.networking", "rating", 5, 4.0)


def test_synthetic_votes_are_valid():
    rng = random.Random(2)
    for poll in (SCALE, FIST):
        assert all(not voting.validate_vote(poll, voting.random_vote(poll, rng)) for _ in range(50))
