"""Response-level files for evaluators: k-anonymous, no stable ids, random order; and the
per-statistic rules."""
from __future__ import annotations

import random
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure.data import multiple, questionnaire, repeat, responses, scale, single, text
from survey_app.analysis.disclosure.microdata import BLANK, k_anonymous, quasi_identifiers
from survey_app.analysis.disclosure.rules import shown_statistics, statistic_shown, texts_shown

Q = questionnaire(single("region", ["north", "south", "west"]), single("gender", ["female", "male", "diverse"]),
                  multiple("quarter", ["a", "b", "c"]), scale("sat"), text("comment"), qid="micro")


def combos(q, data):
    return Counter(quasi_identifiers(q, row) for row in data.rows)


def test_every_combination_is_shared_by_at_least_k_rows():
    rows = (repeat({"region": "north", "gender": "female", "quarter": ["a"], "sat": 4}, 7)
            + repeat({"region": "south", "gender": "male", "quarter": ["a", "b"], "sat": 2}, 6)
            + [{"region": "west", "gender": "diverse", "quarter": ["c"], "sat": 5, "comment": "me"}]
            + repeat({"region": "north", "gender": "male", "quarter": ["b"], "sat": 3}, 2))
    data = k_anonymous(Q, responses(rows), 5, rng=random.Random(1))
    assert len(data.rows) == 16
    assert min(combos(Q, data).values()) >= 5
    # the one person from the west keeps no grouping answer that points to them
    assert all(row.answers.get("region") != "west" and row.answers.get("gender") != "diverse"
               for row in data.rows)
    assert data.note["region"] >= 1 and data.note["gender"] >= 1
    # the three odd rows end up with every grouping answer blank; to be five, they take two
    # rows of the largest group with them; the other five of it keep everything
    assert combos(Q, data)[(BLANK,) * 5 + ("v1",)] == 5 or combos(Q, data)[(BLANK,) * 6] == 5
    assert sum(1 for row in data.rows if row.answers.get("region") == "north"
               and row.answers.get("gender") == "female" and not row.blanked) == 5
    assert sum(1 for row in data.rows if row.answers.get("region") == "south" and not row.blanked) == 6


def test_no_ids_no_dates_a_row_number_per_file_and_random_order():
    rows = repeat({"region": "north", "gender": "female", "sat": 4}, 6) + repeat({"region": "south", "sat": 1}, 6)
    rs = responses(rows)
    for r in rs:
        r.update(submitted_on="2026-03-01", submission_key="draft-123")
    first = k_anonymous(Q, rs, 5, rng=random.Random(1))
    second = k_anonymous(Q, rs, 5, rng=random.Random(2))
    assert [row.number for row in first.rows] == list(range(1, 13))
    flat = repr(first.rows)
    assert "r0" not in flat and "2026-03-01" not in flat and "draft-123" not in flat
    order = [(row.answers.get("region"), row.answers.get("sat")) for row in first.rows]
    assert order != [(row.answers.get("region"), row.answers.get("sat")) for row in second.rows]
    assert sorted(map(repr, order)) == sorted(repr((row.answers.get("region"), row.answers.get("sat")))
                                             for row in second.rows)


def test_free_texts_only_when_asked_for():
    rows = repeat({"region": "north", "comment": "long story"}, 6)
    assert all("comment" not in row.answers for row in k_anonymous(Q, responses(rows), 5).rows)
    assert all(row.answers["comment"] == "long story"
               for row in k_anonymous(Q, responses(rows), 5, include_texts=True).rows)


def test_a_version_of_one_respondent_is_not_in_the_file():
    rs = responses(repeat({"region": "north"}, 9))
    rs[0]["version"] = "v0"
    data = k_anonymous(Q, rs, 5)
    assert {row.version for row in data.rows} == {"other"}


def test_fewer_than_k_responses_give_no_file():
    assert k_anonymous(Q, responses(repeat({"region": "north"}, 4)), 5).rows == ()


@given(st.lists(st.tuples(st.sampled_from(["north", "south", "west", None]),
                          st.sampled_from(["female", "male", "diverse", None]),
                          st.sets(st.sampled_from("abc"))), min_size=5, max_size=40),
       st.sampled_from([3, 5]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_k_anonymity_holds_for_any_data(rows, k):
    rs = responses([{"region": r, "gender": g, "quarter": sorted(m), "sat": 3} for r, g, m in rows])
    data = k_anonymous(Q, rs, k, rng=random.Random(0))
    assert len(data.rows) == len(rs)
    assert min(combos(Q, data).values()) >= k
    # blanking is the only change: every kept grouping answer is the respondent's own
    kept = Counter()
    for row in data.rows:
        for qid in ("region", "gender"):
            if qid not in row.blanked:
                kept[(qid, row.answers.get(qid))] += 1
    original = Counter((qid, r["answers"].get(qid)) for r in rs for qid in ("region", "gender"))
    assert all(kept[key] <= original[key] for key in kept)
    assert sum(data.blanked.values()) == sum(len(row.blanked) for row in data.rows)
    # the same data always blank the same cells (only the order is random)
    again = k_anonymous(Q, list(reversed(rs)), k, rng=random.Random(5))
    assert sorted(map(repr, combos(Q, data).items())) == sorted(map(repr, combos(Q, again).items()))
    assert BLANK not in repr([row.answers for row in data.rows])


def test_statistics_that_are_one_persons_answer_are_never_shown():
    numbers = {"mean": 20.5, "median": 20, "sd": 3.1, "q1": 18, "q3": 23, "min": 12, "max": 39}
    assert shown_statistics(numbers, 12, 5) == {**numbers, "min": None, "max": None}
    assert shown_statistics(numbers, 4, 5) == {name: None for name in numbers}
    assert not statistic_shown("earliest", 50, 5) and not statistic_shown("latest", 50, 5)
    assert texts_shown(True, True) and not texts_shown(False, True) and not texts_shown(True, False)
