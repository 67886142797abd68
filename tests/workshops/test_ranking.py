"""Ranking, from the definition to the downloads: every option gets a different rank."""
from __future__ import annotations

import random

import pytest

from support.workshops import (entries, field_names, field_values, one_round, parsed, phone_form, refusals, rendered,
                               results_table, table_rows, text, votes)
from survey_app.analysis.distributions import RankedOption
from survey_app.workshops import export, tallies, voting

POLL = parsed({"id": "order", "type": "ranking", "text": text("Order"),
               "options": [{"id": "a", "label": text("A"), "construct": "goal.a"}, *entries("b", "c")]})


def test_definition_keys_and_their_rules():
    assert [o.id for o in POLL.options] == ["a", "b", "c"]
    eleven = {"id": "r", "type": "ranking", "text": text("?"), "options": entries(*"abcdefghijk")}
    assert refusals(eleven) == {"options": ["Enter between 2 and 10 entries."]}   # more is guesswork on a phone


@pytest.mark.parametrize("value, message", [
    ([], "Please rank the options."),
    (["a", "b"], "Give each option a different rank from 1 to 3."),
    (["a", "a", "b"], "Give each option a different rank from 1 to 3."),
    (["a", "b", "zz"], "This option does not exist: zz."),
    ({"a": 1}, "Please rank the options."),
])
def test_stored_votes_are_checked(value, message):
    assert rendered(voting.validate_vote(POLL, value)) == {"": [message]}


def test_the_phone_form_gives_the_vote_and_shows_it_again(page_app):
    html = phone_form(page_app, POLL)
    assert field_names(html) == {"rank-a", "rank-b", "rank-c"} and field_values(html, "rank-a") == {"", "1", "2", "3"}
    value, errors = voting.read_vote(POLL, {"rank-a": ["2"], "rank-b": ["3"], "rank-c": ["1"]})
    assert (value, errors) == (["c", "a", "b"], {})
    assert voting.form_values(POLL, value) == {"rank-c": 1, "rank-a": 2, "rank-b": 3}
    shown = phone_form(page_app, POLL, {k: [str(v)] for k, v in voting.form_values(POLL, value).items()})
    assert '<option value="1" selected>' in shown
    _value, errors = voting.read_vote(POLL, {"rank-a": ["1"], "rank-b": ["1"], "rank-c": ["2"]})
    assert rendered(errors) == {"": ["Give each option a different rank from 1 to 3."]}
    _value, errors = voting.read_vote(POLL, {"rank-a": ["1"], "rank-b": ["4"], "rank-c": ["2"]})
    assert rendered(errors) == {"rank-b": ["Choose a rank from 1 to 3."]}


def test_tally_shares_the_questionnaires_ranking_chart_and_downloads(page_app):
    cast = votes(["a", "b", "c"], ["a", "c", "b"], ["b", "a", "c"], ["a"])
    result = tallies.tally(POLL, cast)
    assert (result.n, result.invalid) == (3, 1)
    # Borda with k = 3: first 2, second 1, third 0
    assert result.options[0] == RankedOption("a", {"de": "A", "en": "A"}, 4 / 3, 5, 2)
    assert [(o.value, o.borda) for o in result.options] == [("a", 5), ("b", 3), ("c", 1)]
    assert result.agreement == pytest.approx(12 * 8 / (9 * 24))   # rank sums 4, 6, 8
    chart = tallies.tally_chart(result, "en", "de", "unclear")
    assert (chart["unit"], chart["labels"], chart["values"]) == ("borda", ["A", "B", "C"], [5, 3, 1])
    assert "<td>A</td><td class=\"num\">5</td>" in results_table(page_app, result)
    workshop, run_votes = one_round(POLL, cast)
    rows = {(r["option"], r["measure"]): r["value"] for r in
            table_rows(export.tallies_table(workshop, run_votes, minimum=5)) if r["group"] == "all"}
    assert (rows[("a", "borda")], rows[("a", "ranked_first")], rows[("b", "mean_rank")]) == ("5", "2", "2.0")
    [line] = table_rows(export.record_table(workshop, run_votes, joined=4, lang="en"))
    assert line["result"] == "A: mean rank 1.33, Borda 5" and line["dispersion_measure"] == "Kendall's W (agreement)"


def test_what_a_ranking_says_about_constructs():
    from survey_app.analysis.triangulation import workshop_observations

    workshop, run_votes = one_round(POLL, votes(*[["a", "b", "c"]] * 4, ["b", "a", "c"]))
    [(construct, _label, measure, cell)] = workshop_observations(workshop, run_votes, minimum=5)
    assert (construct, measure.kind, cell.n, cell.mean) == ("goal.a", "rank", 5, pytest.approx(1.2))


def test_synthetic_votes_are_valid():
    rng = random.Random(6)
    assert all(not voting.validate_vote(POLL, voting.random_vote(POLL, rng)) for _ in range(50))
