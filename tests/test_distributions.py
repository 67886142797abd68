"""The counts questionnaire summaries and workshop tallies share (analysis/distributions.py)."""
from __future__ import annotations

from survey_app.analysis.distributions import OptionCount, RankedOption, option_counts, ranked_options

A, B, C = ("a", {"de": "A"}), ("b", {"de": "B"}), ("c", {"de": "C"})


def test_option_counts_keep_the_definition_order_and_a_share_of_nothing_is_zero():
    assert option_counts([B, A], {"a": 2}, 4) == (OptionCount("b", {"de": "B"}, 0, 0.0), OptionCount("a", {"de": "A"}, 2, 0.5))
    assert option_counts([A], {}, 0) == (OptionCount("a", {"de": "A"}, 0, 0.0),)


def test_ranked_options_count_borda_mean_rank_and_first_places():
    result = ranked_options([["b", "a", "c"], ["b", "c", "a"], ["a", "b", "c"]], [A, B, C])
    assert result == (RankedOption("b", {"de": "B"}, 4 / 3, 5, 2), RankedOption("a", {"de": "A"}, 2.0, 3, 1),
                      RankedOption("c", {"de": "C"}, 8 / 3, 1, 0))


def test_without_rankings_the_definition_order_stands():
    assert [o.value for o in ranked_options([], [C, A, B])] == ["c", "a", "b"]
    assert all(o.mean_rank is None and o.borda == 0 and o.first == 0 for o in ranked_options([], [A, B]))


def test_an_option_left_out_of_a_ranking_comes_after_the_ranked_ones_on_a_tie():
    # a questionnaire ranking may leave options out: c gets no points and no mean rank
    result = ranked_options([["a", "b"]], [A, B, C])
    assert [(o.value, o.borda, o.mean_rank) for o in result] == [("a", 2, 1.0), ("b", 1, 2.0), ("c", 0, None)]
