"""The adversary on random data (hypothesis), the shipped staff questionnaire with 6 to 8
respondents, and 2,800 respondents; and what the plan still shows there."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure.adversary import exact_smallest_support, leaks, released
from disclosure.data import multiple, questionnaire, random_rows, responses, scale, single, text
from survey_app.analysis.disclosure.plan import ReleasePlan
from survey_app.definitions.questionnaire import load_file
from survey_app.synthetic import random_answers

SHIPPED = Path(__file__).resolve().parents[2] / "questionnaires"


@st.composite
def surveys(draw):
    singles = {f"s{i}": [f"o{j}" for j in range(draw(st.integers(2, 4)))] for i in range(draw(st.integers(1, 3)))}
    options = [f"m{j}" for j in range(draw(st.integers(0, 3)))]
    questions = [single(name, values) for name, values in singles.items()]
    if options:
        questions.append(multiple("mc", options))
    q = questionnaire(*questions, scale("sat"), text("note"), qid="random")
    n = draw(st.integers(4, 45))
    seed = draw(st.integers(0, 10 ** 6))
    rng = random.Random(seed)
    rows = random_rows(rng, n, singles, missing=draw(st.sampled_from([0.0, 0.1, 0.3])), skew=rng.choice([0.5, 1.5, 3]))
    for row in rows:
        if options:
            row["mc"] = [o for o in options if rng.random() < 0.5]
        row["sat"] = rng.choice([1, 2, 3, 4, 5, "dk", None])
        row["note"] = rng.choice(["ja", None, None])
    return q, responses(rows), draw(st.sampled_from([3, 5]))


@given(surveys())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_no_combination_of_views_reveals_a_small_group(survey):
    q, rs, k = survey
    plan = ReleasePlan(q, rs, k)
    assert leaks(plan, q, rs, k, unions=60) == []
    if len(rs) <= 12:
        groups, counts, per_question = released(plan, q, rs)
        assert exact_smallest_support(groups | counts, range(len(rs)), k) is None


@pytest.mark.parametrize("n", [6, 7, 8])
def test_shipped_staff_questionnaire_with_a_team_of_six_to_eight(n):
    q, _ = load_file(SHIPPED / "staff-self-assessment.yaml")
    rng = random.Random(n)
    rs = [{"id": f"r{i}", "version": "v1", "answers": random_answers(q, rng)} for i in range(n)]
    plan = ReleasePlan(q, rs, 5)
    assert plan.group().shown
    assert leaks(plan, q, rs, 5, unions=100) == []
    groups, counts, per_question = released(plan, q, rs)
    assert exact_smallest_support(groups | counts, range(n), 5) is None
    for sets in per_question.values():
        assert exact_smallest_support(sets, range(n), 5) is None


SIX = {f"g{i}": [f"v{j}" for j in range(4)] for i in range(6)}


@pytest.fixture(scope="module")
def large():
    rng = random.Random(2)
    rows = random_rows(rng, 2800, SIX)
    for row in rows:
        row["sat"] = rng.choice([1, 2, 3, 4, 5, "dk", None])
    q = questionnaire(*[single(name, values) for name, values in SIX.items()], scale("sat"), qid="large")
    rs = responses(rows)
    return q, rs, ReleasePlan(q, rs, 5)


def test_2800_respondents_nothing_to_find(large):
    q, rs, plan = large
    assert leaks(plan, q, rs, 5, unions=100) == []


def test_2800_respondents_most_views_stay(large):
    q, rs, plan = large
    shown, cells = plan.share_shown(lambda t: len(t) == 1)
    assert shown == cells                                  # every filter and breakdown group
    shown, cells = plan.share_shown(lambda t: len(t) == 2)
    assert shown >= 0.5 * cells                            # most filter-with-breakdown groups
    assert plan.answers("sat", filter=("g0", "v0"), by=("g1", "v1")).shown
