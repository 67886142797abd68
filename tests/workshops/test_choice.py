"""Single and multiple choice, from the definition to the downloads."""
from __future__ import annotations

import random

import pytest

from support.workshops import (entries, field_names, field_values, one_round, parsed, phone_form, refusals, rendered,
                               results_table, table_rows, text, votes)
from survey_app.analysis.distributions import OptionCount
from survey_app.workshops import export, tallies, voting

SINGLE = parsed({"id": "single", "type": "single_choice", "text": text("Pick one"), "options": entries("a", "b", "c")})
MULTI = parsed({"id": "multi", "type": "multiple_choice", "text": text("Pick two"),
                "options": entries("a", "b", "c", "d"), "max_choices": 2})


def test_definition_keys_and_their_rules():
    assert [o.id for o in SINGLE.options] == ["a", "b", "c"] and SINGLE.max_choices is None
    assert MULTI.max_choices == 2
    multi = {"id": "m", "type": "multiple_choice", "text": text("?"), "options": entries("a", "b")}
    assert refusals({**multi, "max_choices": 3}) == {"max_choices": ["This is more than there are options."]}
    assert refusals({**multi, "max_choices": 0}) == {"max_choices": ["Enter a whole number from 1 to 20."]}
    assert refusals({**multi, "options": entries(*(f"o{i}" for i in range(21)))}) == {
        "options": ["Enter between 2 and 20 entries."]}
    # max_choices belongs to multiple choice only
    assert refusals({"id": "s", "type": "single_choice", "text": text("?"), "options": entries("a", "b"),
                     "max_choices": 1}) == {}
    assert not parsed(multi).max_choices


@pytest.mark.parametrize("poll, value, message", [
    (SINGLE, None, "Please choose an option."),
    (SINGLE, "zz", "This option does not exist: zz."),
    (SINGLE, ["a"], "This option does not exist: ['a']."),
    (MULTI, [], "Please choose at least one option."),
    (MULTI, "a", "Please choose at least one option."),
    (MULTI, ["a", "a"], "Each option can be chosen only once."),
    (MULTI, ["a", "b", "c"], "Choose at most 2 options."),
    (MULTI, ["a", 1], "This option does not exist: 1."),
])
def test_stored_votes_are_checked(poll, value, message):
    assert rendered(voting.validate_vote(poll, value)) == {"choice": [message]}


def test_the_phone_form_gives_the_vote_and_shows_it_again(page_app):
    single = phone_form(page_app, SINGLE)
    assert field_names(single) == {"choice"} and 'type="radio"' in single and 'type="checkbox"' not in single
    assert field_values(single, "choice") == {"a", "b", "c"}
    assert voting.read_vote(SINGLE, {"choice": [" b "]}) == ("b", {})
    multi = phone_form(page_app, MULTI)
    assert 'type="checkbox"' in multi and 'type="radio"' not in multi
    value, errors = voting.read_vote(MULTI, {"choice": ["a", "c", ""]})
    assert (value, errors) == (["a", "c"], {})
    shown = phone_form(page_app, MULTI, voting.form_values(MULTI, value))
    assert shown.count("checked") == 2
    assert voting.form_values(SINGLE, "b") == {"choice": ["b"]}


def test_tallies_share_the_questionnaires_option_counts_chart_and_downloads(page_app):
    result = tallies.tally(MULTI, votes(["a", "b"], ["a"], ["a", "d"], ["a", "b", "c"]))
    assert (result.n, result.invalid) == (3, 1)
    assert result.options[0] == OptionCount("a", {"de": "A", "en": "A"}, 3, 1.0)
    assert [(o.value, o.count) for o in result.options] == [("a", 3), ("b", 1), ("c", 0), ("d", 1)]
    chart = tallies.tally_chart(result, "en", "de", "unclear")
    assert (chart["unit"], chart["labels"], chart["values"]) == ("votes", ["A", "B", "C", "D"], [3, 1, 0, 1])
    assert "<td>D</td>" in results_table(page_app, result)
    cast = votes("a", "a", "b")
    workshop, run_votes = one_round(SINGLE, cast)
    rows = table_rows(export.tallies_table(workshop, run_votes, minimum=5))
    assert [(r["option"], r["measure"], r["value"]) for r in rows if r["group"] == "all"] == [
        ("a", "count", "2"), ("a", "share", "0.6667"), ("b", "count", "1"), ("b", "share", "0.3333"),
        ("c", "count", "0"), ("c", "share", "0.0")]
    # three voters without an organisation type: too few to show them as a group
    assert [r["measure"] for r in rows if r["group"] == "not_given"] == ["suppressed"]
    [line] = table_rows(export.record_table(workshop, run_votes, joined=3, lang="de"))
    assert (line["result"], line["dispersion_measure"]) == ("A: 2 (66.7 %)", "normalised entropy")


def test_synthetic_votes_are_valid():
    rng = random.Random(1)
    for poll in (SINGLE, MULTI):
        assert all(not voting.validate_vote(poll, voting.random_vote(poll, rng)) for _ in range(50))
