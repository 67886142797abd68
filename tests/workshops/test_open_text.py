"""Open text, from its definition to the downloads: a few ideas each, some hidden by the facilitator."""
from __future__ import annotations

import random

import pytest

from support.workshops import (field_names, one_round, parsed, phone_form, refusals, rendered, results_table,
                               table_rows, text, votes)
from survey_app.workshops import export, state, tallies, voting
from survey_app.workshops.polls.open_text import DEFAULT_IDEA_LENGTH, DEFAULT_IDEAS, word_frequencies

DEFINITION = {"id": "ideas", "type": "open_text", "text": text("What should start?"), "max_items": 3,
              "max_length": 20}
POLL = parsed(DEFINITION)


def test_definition_keys_and_their_rules():
    assert (POLL.max_items, POLL.max_length) == (3, 20)
    plain = parsed({"id": "ideas", "type": "open_text", "text": text("?")})
    assert (plain.max_items, plain.max_length) == (DEFAULT_IDEAS, DEFAULT_IDEA_LENGTH)
    assert refusals({**DEFINITION, "max_items": 11}) == {"max_items": ["Enter a whole number from 1 to 10."]}
    assert refusals({**DEFINITION, "max_length": 501}) == {"max_length": ["Enter a whole number from 1 to 500."]}
    assert refusals({**DEFINITION, "text": {"de": "Was?"}}) == {"text": ["Please enter the text in every language."]}


@pytest.mark.parametrize("value, field, message", [
    (["  "], "idea-1", "Please write at least one idea."),
    ([], "idea-1", "Please write at least one idea."),
    ("one idea", "idea-1", "Please write at least one idea."),
    (["a", "b", "c", "d"], "", "At most 3 ideas."),
    (["ok", "x" * 21], "idea-2", "At most 20 characters per idea."),
])
def test_stored_votes_are_checked(value, field, message):
    assert message in rendered(voting.validate_vote(POLL, value)).get(field, [])


def test_the_phone_form_gives_the_vote_and_shows_it_again(page_app):
    html = phone_form(page_app, POLL)
    assert field_names(html) == {"idea-1", "idea-2", "idea-3"} and 'maxlength="20"' in html
    value, errors = voting.read_vote(POLL, {"idea-1": [" Mehr Zeit "], "idea-2": [""], "idea-3": ["Café"],
                                            "idea-4": ["not asked"]})
    assert (value, errors) == (["Mehr Zeit", "Café"], {})
    shown = phone_form(page_app, POLL, {k: [v] for k, v in voting.form_values(POLL, value).items()})
    assert 'value="Mehr Zeit"' in shown and 'value="Café"' in shown


def test_tally_chart_hidden_ideas_and_downloads(page_app):
    cast = votes(["Mehr Netzwerk", "Netzwerk und Café"], ["more network time"], ["x" * 30])
    workshop, run_votes = one_round(POLL, cast)
    workshop = state.set_item_hidden(workshop, "v0:0", True)
    result = tallies.tally(POLL, cast, workshop.hidden_items)
    assert (result.n, result.invalid) == (2, 1)
    assert [(i.text, i.hidden) for i in result.items] == [
        ("Mehr Netzwerk", True), ("Netzwerk und Café", False), ("more network time", False)]
    chart = tallies.tally_chart(result, "de", "de", "unklar")
    assert chart["kind"] == "words" and chart["items"] == ["Netzwerk und Café", "more network time"]
    assert dict(zip(chart["labels"], chart["values"])) == {"netzwerk": 1, "café": 1, "network": 1, "time": 1}
    ideas = results_table(page_app, result, {"workshop": workshop, "can_hide": True, "back": "results"})
    assert ideas.count('name="item"') == 3 and 'class="hidden-idea"' in ideas
    assert 'name="item"' not in results_table(page_app, result)   # groups: the words only
    raw = table_rows(export.votes_table(workshop, run_votes, minimum=5))
    assert [r["hidden_ideas"] for r in raw] == ["1", "", ""]
    rows = table_rows(export.tallies_table(workshop, run_votes, minimum=5))
    assert {(r["option"], r["value"]) for r in rows if r["measure"] == "word_count" and r["group"] == "all"} == {
        ("netzwerk", "1"), ("café", "1"), ("network", "1"), ("time", "1")}
    [line] = table_rows(export.record_table(workshop, run_votes, joined=3, lang="en"))
    assert line["result"] == "2 ideas"


def test_frequent_words_leave_out_stop_words():
    assert word_frequencies(["Netzwerk Netzwerk Zeit", "Zeit, Netzwerk! die der and the"]) == (
        ("netzwerk", 3), ("zeit", 2))


def test_synthetic_votes_are_valid():
    rng = random.Random(8)
    assert all(not voting.validate_vote(POLL, voting.random_vote(POLL, rng)) for _ in range(50))


def test_the_room_sees_each_idea_once_with_how_many_wrote_it():
    cast = votes(["Mehr Räume", "Sprechstunde"], ["mehr  räume."], ["Newsletter", "Mehr Räume!"])
    workshop, _run_votes = one_round(POLL, cast)
    chart = tallies.tally_chart(tallies.tally(POLL, cast, workshop.hidden_items), "de", "de", "unklar")
    assert chart["cards"] == [{"text": "Mehr Räume", "count": 3}, {"text": "Sprechstunde", "count": 1},
                              {"text": "Newsletter", "count": 1}]   # whole phrases, as written first
