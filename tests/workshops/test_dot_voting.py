"""Dot voting, from its definition to the downloads: points spread over options within a budget."""
from __future__ import annotations

import random

import pytest

from support.workshops import (entries, field_names, one_round, parsed, phone_form, problems, refusals, rendered,
                               results_table, table_rows, text, votes)
from survey_app.workshops import export, tallies, voting

DEFINITION = {"id": "goals", "type": "dot_voting", "text": text("Which goals?"), "options": entries("a", "b", "c"),
              "points": 10, "max_per_option": 5}
POLL = parsed(DEFINITION)


def test_definition_keys_and_their_rules():
    assert (POLL.points, POLL.max_per_option, [o.id for o in POLL.options]) == (10, 5, ["a", "b", "c"])
    assert parsed({**DEFINITION, "max_per_option": None}).max_per_option is None
    # one rule and one message each, for a template file (after the key) and the editor (at its field)
    too_many = {**DEFINITION, "max_per_option": 12}
    assert refusals(too_many) == {"max_per_option": ["This is more than the points per participant."]}
    assert any('"max_per_option": This is more than the points per participant. (at most 10, got 12)' in p
               for p in problems(too_many))
    assert refusals({**DEFINITION, "points": 0}) == {"points": ["Enter a whole number from 1 to 100."]}
    assert refusals({**DEFINITION, "points": True}) == {"points": ["Enter a whole number from 1 to 100."]}
    assert refusals({k: v for k, v in DEFINITION.items() if k != "points"}) == {"points": ["This is required."]}
    assert refusals({**DEFINITION, "options": entries("a")}) == {"options": ["Enter between 2 and 20 entries."]}


@pytest.mark.parametrize("value, field, message", [
    ({"a": 5, "b": 5, "c": 1}, "", "You gave 11 points but have only 10. Please take some away."),
    ({"a": 6}, "points-a", "At most 5 points per option."),
    ({"a": -1}, "points-a", "Please enter a whole number of points (0 or more)."),
    ({"a": 1.5}, "points-a", "Please enter a whole number of points (0 or more)."),
    ({"a": True}, "points-a", "Please enter a whole number of points (0 or more)."),
    ({"zz": 1}, "", "This option does not exist: zz."),
    ({}, "", "Please give at least one point."),
    ([1, 2], "", "Please give at least one point."),
])
def test_stored_votes_are_checked(value, field, message):
    assert message in rendered(voting.validate_vote(POLL, value)).get(field, [])


def test_the_phone_form_gives_the_vote_and_shows_it_again(page_app):
    html = phone_form(page_app, POLL)
    assert field_names(html) == {"points-a", "points-b", "points-c"} and 'data-budget="10"' in html
    value, errors = voting.read_vote(POLL, {"points-a": ["4"], "points-b": [""], "points-c": ["+3"]})
    assert (value, errors) == ({"a": 4, "c": 3}, {})
    values = voting.form_values(POLL, value)
    shown = phone_form(page_app, POLL, {k: [str(v)] for k, v in values.items()})
    assert 'name="points-a" min="0" max="5"' in shown and 'value="4"' in shown and 'value="3"' in shown
    _value, errors = voting.read_vote(POLL, {"points-a": ["vier"]})
    assert rendered(errors) == {"points-a": ["Please enter a whole number of points (0 or more)."]}
    shown = phone_form(page_app, POLL, {"points-a": ["vier"]}, rendered(errors))
    assert 'id="error-points-a"' in shown and 'aria-invalid="true"' in shown


def test_tally_chart_and_downloads(page_app):
    cast = votes({"a": 2, "b": 5}, {"b": 3, "c": 3}, {"c": 1}, {"a": 11})   # the last is over the budget
    result = tallies.tally(POLL, cast)
    assert (result.n, result.invalid, result.total) == (3, 1, 14)
    assert [(o.value, o.points, o.voters) for o in result.options] == [("b", 8, 2), ("c", 4, 2), ("a", 2, 1)]
    chart = tallies.tally_chart(result, "en", "de", "unclear")
    assert chart == {"kind": "bars", "unit": "points", "n": 3, "labels": ["B", "C", "A"], "values": [8, 4, 2],
                     "shares": [8 / 14, 4 / 14, 2 / 14]}
    table = results_table(page_app, result)   # German, the default language
    assert table.count("<th ") == 5 and "<td>B</td><td class=\"num\">8</td><td class=\"num\">57,1 %</td>" in table
    workshop, run_votes = one_round(POLL, cast)
    rows = table_rows(export.tallies_table(workshop, run_votes, minimum=5))
    assert {(r["option"], r["measure"], r["value"]) for r in rows if r["group"] == "all"} >= {
        ("b", "points", "8"), ("b", "share_of_points", "0.5714"), ("b", "voters", "2")}
    [line] = table_rows(export.record_table(workshop, run_votes, joined=4, lang="en"))
    assert line["result"] == "B: 8 of 14 points (57.1 %)" and line["method"] == "dot_voting"
    raw = table_rows(export.votes_table(workshop, run_votes, minimum=5))
    assert [r["vote"] for r in raw][-1] == '{"a": 11}'   # kept as it came, not counted


def test_synthetic_votes_are_valid():
    rng = random.Random(3)
    assert all(not voting.validate_vote(POLL, voting.random_vote(POLL, rng)) for _ in range(50))
