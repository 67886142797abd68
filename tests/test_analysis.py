"""analysis.py on a fixed data set with hand-computed values, plus property tests."""
from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.analysis.summaries import summarize
from survey_app.questions.allocation import AllocationSummary
from survey_app.questions.choice import ChoiceSummary
from survey_app.questions.number import NumberSummary, number_summary
from survey_app.questions.scale import ScaleSummary, scale_distribution
from survey_app.questions.text import TextSummary
from survey_app.definitions.model import (
    DONT_KNOW,
    Item,
    Option,
    Page,
    Question,
    Questionnaire,
    Scale,
    ScalePoint,
)


def t(de: str, en: str | None = None) -> dict[str, str]:
    return {"de": de, "en": en or de}


AGREE = Scale(
    id="agree5",
    points=tuple(ScalePoint(v, t(f"P{v}")) for v in range(1, 6)),
    dont_know=t("weiß nicht", "don't know"),
)
ACTORS = Scale(
    id="actors",
    points=(ScalePoint(1, t("Stadt")), ScalePoint(2, t("Verband")), ScalePoint(3, t("Ehrenamt"))),
    ordered=False,
)

QUESTIONS = (
    Question("role", "single_choice", t("Rolle"),
             options=(Option("staff", t("Team")), Option("lead", t("Leitung")),
                      Option("other", t("Andere")))),
    Question("topics", "multiple_choice", t("Themen"),
             options=(Option("net", t("Netzwerk")), Option("admin", t("Verwaltung")),
                      Option("events", t("Feste")))),
    Question("sat", "scale", t("Zufriedenheit"), scale=AGREE),
    Question("tasks", "matrix", t("Aufgaben"), scale=AGREE,
             items=(Item("networking", t("Netzwerkarbeit")), Item("funding", t("Förderung")))),
    Question("actor", "scale", t("Zuständig"), scale=ACTORS),
    Question("hours", "number", t("Stunden"), min=0, max=60),
    Question("alloc", "allocation", t("Zeitanteile"), total=100, min=0, max=100,
             items=(Item("a", t("A")), Item("b", t("B")), Item("c", t("C")))),
    Question("comment", "long_text", t("Kommentar")),
    Question("name", "short_text", t("Name")),
)
QN = Questionnaire(
    id="staff", source="staff.yaml", title=t("Selbsteinschätzung"), intro=t(""),
    anonymity=t(""), duration_minutes=10, languages=("de", "en"),
    pages=(Page("p1", t("Seite 1"), QUESTIONS[:4]), Page("p2", t("Seite 2"), QUESTIONS[4:])),
)


def resp(i: int, answers: dict) -> dict:
    return {"id": f"r{i}", "survey_id": "s1", "questionnaire_id": "staff", "version": "h1",
            "language": "de", "submitted_on": "2026-11-25", "answers": answers}


RESPONSES = [
    resp(1, {"role": "staff", "topics": ["net", "admin"], "sat": 4,
             "tasks": {"networking": 5, "funding": 2}, "actor": 1, "hours": 10,
             "alloc": {"a": 50, "b": 30, "c": 20}, "comment": "Gut"}),
    resp(2, {"role": "staff", "topics": ["net"], "sat": 5,
             "tasks": {"networking": 4, "funding": DONT_KNOW}, "actor": 2, "hours": 20,
             "alloc": {"a": 40, "b": 40, "c": 20}, "comment": "   "}),
    resp(3, {"role": "lead", "topics": [], "sat": DONT_KNOW, "tasks": {"networking": 4},
             "actor": 1, "hours": 30.5, "alloc": {"a": 100},
             "comment": "Mehr Zeit für Netzwerke"}),
    # invalid: removed option, matrix value off the scale, nominal code unknown,
    # allocation adding up to 110; "gone" inside the list is ignored, "events" counts
    resp(4, {"role": "gone", "topics": ["events", "gone"], "sat": 2,
             "tasks": {"networking": 9, "funding": 3}, "actor": "x", "hours": 40,
             "alloc": {"a": 50, "b": 60}, "comment": None}),
    resp(5, {"role": "other", "topics": ["admin"], "sat": 4,
             "tasks": {"networking": DONT_KNOW, "funding": DONT_KNOW}, "actor": 3, "hours": 0,
             "alloc": {"a": 0, "b": 0, "c": 100}, "comment": "=cmd"}),
    # invalid: hours below min, scale value as a string
    resp(6, {"role": None, "hours": -5, "sat": "3"}),
]


@pytest.fixture(scope="module")
def by_id() -> dict:
    return {s.question.id: s for s in summarize(QN, RESPONSES)}


def test_one_summary_per_question_in_order():
    summaries = summarize(QN, RESPONSES)
    assert [s.question.id for s in summaries] == [q.id for q in QN.questions()]
    assert [type(s) for s in summaries] == [
        ChoiceSummary, ChoiceSummary, ScaleSummary, ScaleSummary, ScaleSummary,
        NumberSummary, AllocationSummary, TextSummary, TextSummary]
    for s in summaries:
        assert s.n + s.missing == len(RESPONSES)


def test_single_choice(by_id):
    s = by_id["role"]
    assert (s.n, s.missing, s.invalid) == (4, 2, 1)
    assert not s.multiple
    assert [(o.value, o.count, o.share) for o in s.options] == [
        ("staff", 2, 0.5), ("lead", 1, 0.25), ("other", 1, 0.25)]


def test_multiple_choice_shares_of_respondents(by_id):
    s = by_id["topics"]
    # r3 chose nothing ([] = missing), r6 absent; r4's unknown "gone" is ignored
    assert (s.n, s.missing, s.invalid) == (4, 2, 0)
    assert s.multiple
    assert [(o.value, o.count, o.share) for o in s.options] == [
        ("net", 2, 0.5), ("admin", 2, 0.5), ("events", 1, 0.25)]
    assert sum(o.share for o in s.options) == pytest.approx(1.25)


def test_scale(by_id):
    s = by_id["sat"]
    (row,) = s.items
    # answers 4, 5, dk, 2, 4; "3" (a string) is invalid
    assert (s.n, s.missing, s.invalid) == (5, 1, 1)
    assert row.item is None
    assert (row.n, row.dk, row.n_valid, row.missing, row.invalid) == (5, 1, 4, 1, 1)
    assert [(p.value, p.count, p.share) for p in row.points] == [
        (1, 0, 0.0), (2, 1, 0.25), (3, 0, 0.0), (4, 2, 0.5), (5, 1, 0.25)]
    assert row.mean == pytest.approx(3.75)
    assert row.median == 4.0
    # squared deviations 3.0625 + 0.0625 + 0.0625 + 1.5625 = 4.75; / 3
    assert row.sd == pytest.approx(math.sqrt(4.75 / 3))
    assert row.sd == pytest.approx(1.258306, abs=1e-6)


def test_matrix_per_item(by_id):
    s = by_id["tasks"]
    # anyone with a valid item answer (dk included): r1..r5
    assert (s.n, s.missing, s.invalid) == (5, 1, 0)
    net, fund = s.items
    assert net.item.id == "networking" and fund.item.id == "funding"
    # networking: 5, 4, 4, (9 invalid), dk, absent
    assert (net.n, net.dk, net.n_valid, net.missing, net.invalid) == (4, 1, 3, 2, 1)
    assert [p.count for p in net.points] == [0, 0, 0, 2, 1]
    assert net.points[3].share == pytest.approx(2 / 3)
    assert net.mean == pytest.approx(13 / 3)
    assert net.median == 4.0
    assert net.sd == pytest.approx(math.sqrt((4 / 9 + 1 / 9 + 1 / 9) / 2))
    # funding: 2, dk, absent, 3, dk, absent
    assert (fund.n, fund.dk, fund.n_valid, fund.missing, fund.invalid) == (4, 2, 2, 2, 0)
    assert [p.share for p in fund.points] == [0.0, 0.5, 0.5, 0.0, 0.0]
    assert fund.mean == 2.5 and fund.median == 2.5
    assert fund.sd == pytest.approx(math.sqrt(0.5))


def test_nominal_scale_has_no_statistics(by_id):
    s = by_id["actor"]
    (row,) = s.items
    assert (s.n, s.missing, s.invalid, row.dk) == (4, 2, 1, 0)
    assert [(p.value, p.count, p.share) for p in row.points] == [
        (1, 2, 0.5), (2, 1, 0.25), (3, 1, 0.25)]
    assert row.mean is None and row.median is None and row.sd is None


def test_number(by_id):
    s = by_id["hours"]
    # values 10, 20, 30.5, 40, 0; -5 is below min -> invalid
    assert (s.n, s.missing, s.invalid) == (5, 1, 1)
    assert s.mean == pytest.approx(20.1)
    assert s.median == 20
    assert (s.min, s.max) == (0, 40)
    # inclusive quartiles on sorted 0, 10, 20, 30.5, 40: positions 1 and 3 of 0..4
    assert (s.q1, s.q3) == (10, 30.5)
    # squared deviations 404.01 + 102.01 + 0.01 + 108.16 + 396.01 = 1010.2; / 4
    assert s.sd == pytest.approx(math.sqrt(252.55))


def test_number_quartiles_interpolate_inclusive():
    q = Question("x", "number", t("x"))
    s = number_summary(q, [resp(i, {"x": v}) for i, v in enumerate([4, 1, 3, 2])])
    # positions 0.75 and 2.25 on 1, 2, 3, 4
    assert (s.q1, s.median, s.q3) == (1.75, 2.5, 3.25)
    assert s.sd == pytest.approx(math.sqrt(5 / 3))


def test_number_edge_cases():
    q = Question("x", "number", t("x"), integer=True)
    one = number_summary(q, [resp(1, {"x": 7}), resp(2, {"x": 7.5}), resp(3, {"x": True})])
    assert (one.n, one.missing, one.invalid) == (1, 2, 2)
    assert (one.q1, one.median, one.q3, one.min, one.max, one.mean) == (7, 7, 7, 7, 7, 7)
    assert one.sd is None
    none = number_summary(q, [])
    assert none.n == 0 and none.mean is None and none.q1 is None


def test_allocation(by_id):
    s = by_id["alloc"]
    # r3 {a: 100} -> b = c = 0; r4 adds up to 110 -> invalid
    assert (s.n, s.missing, s.invalid) == (4, 2, 1)
    assert [(i.item.id, i.mean) for i in s.items] == [("a", 47.5), ("b", 17.5), ("c", 35.0)]
    assert [i.share for i in s.items] == pytest.approx([0.475, 0.175, 0.35])


def test_text(by_id):
    s = by_id["comment"]
    assert (s.n, s.missing, s.invalid) == (3, 3, 0)
    assert s.answers == ("Gut", "Mehr Zeit für Netzwerke", "=cmd")
    empty = by_id["name"]
    assert (empty.n, empty.missing, empty.answers) == (0, 6, ())


def test_no_responses():
    for s in summarize(QN, []):
        assert s.n == 0 and s.missing == 0
    sat = summarize(QN, [])[2]
    assert all(p.share == 0.0 for p in sat.items[0].points)
    assert sat.items[0].mean is None


def test_dont_know_is_invalid_when_not_offered():
    row = scale_distribution(ACTORS, [DONT_KNOW, 1])
    assert (row.n, row.dk, row.invalid, row.missing) == (1, 0, 1, 1)


def test_malformed_responses_do_not_crash():
    bad = [{}, {"answers": None}, {"answers": ["x"]}, "not a dict",
           resp(9, {"role": ["staff"], "topics": "net", "sat": [4], "tasks": [1, 2],
                    "actor": 1.5, "hours": "12", "alloc": {"a": "x"}, "comment": 5,
                    "name": {"x": 1}}),
           resp(10, {"hours": float("nan"), "alloc": [100], "tasks": {"networking": None},
                     "sat": True, "topics": [None, ["net"]]})]
    for s in summarize(QN, bad):
        assert s.n == 0, s.question.id
        assert s.missing == len(bad)
    by = {s.question.id: s for s in summarize(QN, bad)}
    assert by["role"].invalid == 1 and by["hours"].invalid == 2 and by["alloc"].invalid == 2
    assert by["tasks"].invalid == 1    # the list; {"networking": None} is just missing


# ----------------------------------------------------------------------- property tests

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["a", "b", "networking", "x"]), children, max_size=3),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries({q.id: json_values for q in QUESTIONS}), max_size=6))
def test_arbitrary_values_never_crash(answer_sets):
    responses = [resp(i, a) for i, a in enumerate(answer_sets)]
    for s in summarize(QN, responses):
        assert s.n + s.missing == len(responses)
        assert 0 <= s.invalid <= s.missing


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([1, 2, 3, 4, 5, DONT_KNOW, None, 0, "4"]), max_size=30))
def test_scale_stats_match_statistics_module(values):
    row = scale_distribution(AGREE, values)
    valid = [v for v in values if isinstance(v, int) and 1 <= v <= 5]
    assert row.n_valid == len(valid)
    assert row.dk == values.count(DONT_KNOW)
    assert row.invalid == sum(1 for v in values if v in (0, "4"))
    assert row.missing == len(values) - len(valid) - row.dk
    for p in row.points:
        assert p.count == valid.count(p.value)
        assert p.share == (valid.count(p.value) / len(valid) if valid else 0.0)
    if valid:
        assert sum(p.share for p in row.points) == pytest.approx(1.0)
        assert row.mean == pytest.approx(sum(valid) / len(valid))
        assert row.median == statistics.median(valid)
    else:
        assert row.mean is None and row.median is None
    if len(valid) >= 2:
        assert row.sd == pytest.approx(statistics.stdev(valid))
    else:
        assert row.sd is None
