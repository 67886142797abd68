"""Our aggregates against an independent pandas computation on random data."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.analysis.summaries import summarize_question
from survey_app.definitions.model import DONT_KNOW, Item, Option, Question, Scale, ScalePoint


def t(text):
    return {"de": text, "en": text}


AGREE = Scale("agree", tuple(ScalePoint(v, t(str(v))) for v in range(1, 6)), dont_know=t("wn"))
SCALE = Question("sat", "scale", t("Zufrieden"), scale=AGREE)
MATRIX = Question("tasks", "matrix", t("Aufgaben"), scale=AGREE, items=(Item("a", t("A")), Item("b", t("B"))))
CHOICE = Question("org", "single_choice", t("Org"), options=tuple(Option(v, t(v)) for v in ("x", "y", "z")))
MULTI = Question("topics", "multiple_choice", t("Themen"), options=tuple(Option(v, t(v)) for v in ("p", "q", "r")))
NUMBER = Question("hours", "number", t("Stunden"), min=0, max=60)
RANKING = Question("rank", "ranking", t("Rang"), options=tuple(Option(v, t(v)) for v in ("u", "v", "w")))

scale_value = st.one_of(st.none(), st.integers(1, 5), st.just(DONT_KNOW))
responses = st.lists(st.fixed_dictionaries({
    "sat": scale_value,
    "tasks": st.fixed_dictionaries({}, optional={"a": scale_value, "b": scale_value}),
    "org": st.one_of(st.none(), st.sampled_from(["x", "y", "z"])),
    "topics": st.lists(st.sampled_from(["p", "q", "r"]), unique=True, max_size=3),
    "hours": st.one_of(st.none(), st.integers(0, 60), st.floats(0, 60, allow_nan=False)),
    "rank": st.one_of(st.none(), st.permutations(["u", "v", "w"])),
}), max_size=40)


def _close(ours, theirs):
    if theirs is None or (isinstance(theirs, float) and math.isnan(theirs)):
        return ours is None
    return ours is not None and math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-9)


def _check_scale(row, values: pd.Series):
    values = values.dropna()
    numeric = pd.to_numeric(values[values != DONT_KNOW])
    assert row.n == len(values) and row.dk == int((values == DONT_KNOW).sum())
    assert [p.count for p in row.points] == [int((numeric == v).sum()) for v in range(1, 6)]
    assert _close(row.mean, numeric.mean() if len(numeric) else None)
    assert _close(row.median, float(numeric.median()) if len(numeric) else None)
    assert _close(row.sd, numeric.std() if len(numeric) > 1 else None)
    if len(numeric):
        assert _close(row.top2, float((numeric >= 4).mean()))


@given(responses)
@settings(max_examples=150, deadline=None)
def test_aggregates_equal_pandas(rows):
    data = [{"id": str(i), "answers": {k: (list(v) if isinstance(v, tuple) else v) for k, v in r.items()}}
            for i, r in enumerate(rows)]
    frame = pd.DataFrame(rows, columns=["sat", "tasks", "org", "topics", "hours", "rank"])

    _check_scale(summarize_question(SCALE, data).items[0], frame["sat"])
    matrix = summarize_question(MATRIX, data)
    for index, item in enumerate("ab"):
        _check_scale(matrix.items[index], frame["tasks"].map(lambda d, k=item: d.get(k)))

    choice = summarize_question(CHOICE, data)
    counts = frame["org"].value_counts()
    assert choice.n == frame["org"].notna().sum()
    assert [o.count for o in choice.options] == [int(counts.get(v, 0)) for v in "xyz"]

    multi = summarize_question(MULTI, data)
    chosen = frame["topics"][frame["topics"].map(len) > 0]
    exploded = chosen.explode().value_counts()
    assert multi.n == len(chosen)
    assert [o.share for o in multi.options] == pytest.approx([exploded.get(v, 0) / len(chosen) if len(chosen) else 0 for v in "pqr"])

    number = summarize_question(NUMBER, data)
    hours = pd.to_numeric(frame["hours"].dropna())
    assert number.n == len(hours)
    if len(hours):
        assert _close(number.mean, hours.mean()) and _close(number.median, hours.median())
        assert _close(number.q1, hours.quantile(0.25)) and _close(number.q3, hours.quantile(0.75))

    ranking = summarize_question(RANKING, data)
    ranked = frame["rank"].dropna()
    positions = pd.DataFrame([{v: order.index(v) + 1 for v in order} for order in ranked], columns=list("uvw"))
    for option in ranking.options:
        assert _close(option.mean_rank, positions[option.value].mean() if len(positions) else None)
        assert option.borda == int((3 - positions[option.value]).sum()) if len(positions) else option.borda == 0
