"""The statistics questions and polls share, each decided once (analysis/stats.py)."""
from __future__ import annotations

import random

from survey_app.analysis.stats import adds_up, borda_order, borda_points, kendalls_w, median_of_counts
from survey_app.analysis.summaries import summarize_question
from survey_app.definitions.model import Option, Question
from survey_app.workshops import model, tallies


def test_borda_ties_go_to_the_better_mean_rank_then_to_the_definition_order():
    options = ["a", "b", "c"]
    # a: ranked 1st once, 3rd once -> 2 points, mean rank 2; b: 2nd twice -> 2 points, mean rank 2;
    # c: 3rd once and 1st once -> 2 points, mean rank 2: a full tie, so the definition decides.
    orders = [["a", "b", "c"], ["c", "b", "a"]]
    points = borda_points(orders, options)
    assert points == {"a": 2, "b": 2, "c": 2}
    assert borda_order(options, points, {"a": 2.0, "b": 2.0, "c": 2.0}) == ["a", "b", "c"]
    # Equal points, better mean rank first; unranked options last.
    assert borda_order(options, {"a": 1, "b": 1, "c": 1}, {"a": 2.5, "b": 1.0, "c": None}) == ["b", "a", "c"]


def test_questions_and_polls_rank_the_same_votes_in_the_same_order():
    rng = random.Random(7)
    values = ["v1", "v2", "v3", "v4"]
    question = Question(id="q", type="ranking", text={"de": "Q"},
                        options=tuple(Option(v, {"de": v}) for v in values))
    poll = model.Poll(id="p", type="ranking", text={"de": "P"},
                   options=tuple(model.Choice(v, {"de": v}) for v in values))
    for _ in range(50):
        rankings = [rng.sample(values, len(values)) for _ in range(rng.randint(1, 6))]
        summary = summarize_question(question, [{"answers": {"q": r}} for r in rankings])
        tally = tallies.tally(poll, model.cast_votes({"id": str(i), "participant": str(i), "value": r}
                                                     for i, r in enumerate(rankings)))
        assert [o.value for o in summary.options] == [o.value for o in tally.options]
        assert [o.borda for o in summary.options] == [o.borda for o in tally.options]


def test_an_allocation_adds_up_within_floating_point_rounding_only():
    assert adds_up([33.3, 33.3, 33.4], 100)
    assert adds_up([0.1] * 10, 1)
    assert not adds_up([33.3, 33.3, 33.3], 100)
    assert not adds_up([50, 49.999], 100)
    assert adds_up([10**12 / 3] * 3, 10**12)


def test_median_of_counts_and_kendalls_w():
    assert median_of_counts({1: 1, 2: 1, 5: 2}, 4) == 3.5
    assert median_of_counts({3: 5}, 5) == 3
    assert kendalls_w([["a", "b"], ["a", "b"]], ["a", "b"]) == 1
    assert kendalls_w([["a", "b"], ["b", "a"]], ["a", "b"]) == 0
