"""charts.py: trace types, values, n in titles, diverging sign convention, gettext."""
from __future__ import annotations

import json
import re

import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.analysis.summaries import summarize, summarize_question
from survey_app.output.charts import CONFIG, figure_for, figure_json
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


def t(de: str, en: str) -> dict[str, str]:
    return {"de": de, "en": en}


AGREE = Scale("agree5", tuple(ScalePoint(v, t(f"Stufe {v}", f"Level {v}")) for v in range(1, 6)),
              dont_know=t("weiß nicht", "don't know"))
AGREE4 = Scale("agree4", tuple(ScalePoint(v, t(f"S{v}", f"L{v}")) for v in (1, 2, 3, 4)))
ACTORS = Scale("actors", (ScalePoint(1, t("Stadt", "City")), ScalePoint(2, t("Verband", "NGO")),
                          ScalePoint(3, t("Ehrenamt", "Volunteers"))), ordered=False)

Q = {q.id: q for q in (
    Question("role", "single_choice", t("Rolle", "Role"),
             options=(Option("staff", t("Team", "Staff")), Option("lead", t("Leitung", "Lead")))),
    Question("topics", "multiple_choice", t("Themen", "Topics"),
             options=(Option("net", t("Netzwerk", "Networking")),
                      Option("admin", t("Verwaltung", "Admin")))),
    Question("sat", "scale", t("Zufriedenheit", "Satisfaction"), scale=AGREE),
    Question("tasks", "matrix", t("Aufgaben", "Tasks"), scale=AGREE,
             items=(Item("networking", t("Netzwerkarbeit", "Networking")),
                    Item("funding", t("Förderung", "Funding")))),
    Question("even", "scale", t("Gerade", "Even"), scale=AGREE4),
    Question("actor", "scale", t("Zuständig", "Responsible"), scale=ACTORS),
    Question("hours", "number", t("Stunden", "Hours"), unit=t("Std.", "h")),
    Question("alloc", "allocation", t("Anteile", "Shares"), total=100,
             items=(Item("a", t("A", "A")), Item("b", t("B", "B")))),
    Question("comment", "long_text", t("Kommentar", "Comment")),
)}
QN = Questionnaire("qn", "qn.yaml", t("T", "T"), t("", ""), t("", ""), None, ("de", "en"),
                   (Page("p", t("S", "P"), tuple(Q.values())),))


def resp(i: int, answers: dict) -> dict:
    return {"id": f"r{i}", "version": "h", "language": "de", "submitted_on": "2026-11-25",
            "answers": answers}


RESPONSES = [
    resp(1, {"role": "staff", "topics": ["net", "admin"], "sat": 1, "even": 1, "actor": 1,
             "tasks": {"networking": 5, "funding": 1}, "hours": 3,
             "alloc": {"a": 60, "b": 40}, "comment": "x"}),
    resp(2, {"role": "staff", "topics": ["net"], "sat": 3, "even": 2, "actor": 1,
             "tasks": {"networking": 4, "funding": DONT_KNOW}, "hours": 5,
             "alloc": {"a": 20, "b": 80}}),
    resp(3, {"role": "lead", "topics": ["admin"], "sat": 5, "even": 3, "actor": 2,
             "tasks": {"networking": 3, "funding": DONT_KNOW}, "hours": 8}),
    resp(4, {"role": "staff", "sat": 5, "even": 4, "actor": 3, "tasks": {"networking": 2},
             "hours": 10}),
    resp(5, {"sat": DONT_KNOW, "tasks": {"networking": DONT_KNOW}}),
]
SUMMARIES = {s.question.id: s for s in summarize(QN, RESPONSES)}


def fig(qid: str, lang: str = "en", gettext=lambda s: s) -> go.Figure:
    return figure_for(SUMMARIES[qid], lang, gettext)


def row_values(figure: go.Figure, row: int) -> list[float]:
    return [trace.x[row] for trace in figure.data]


def test_choice_bars():
    f = fig("role")
    (bar,) = f.data
    assert bar.type == "bar" and bar.orientation == "h"
    assert list(bar.y) == ["Staff", "Lead"]
    assert list(bar.x) == [75.0, 25.0]
    assert list(bar.text) == ["75.0 % (n=3)", "25.0 % (n=1)"]
    assert "Role" in f.layout.title.text and "n = 4" in f.layout.title.text


def test_multiple_choice_bars_are_shares_of_respondents():
    f = fig("topics")
    assert list(f.data[0].x) == [pytest.approx(200 / 3), pytest.approx(200 / 3)]
    assert "n = 3" in f.layout.title.text
    assert "multiple answers possible" in f.layout.title.text


def test_scale_diverging_sign_convention():
    f = fig("sat")
    # valid 1, 3, 5, 5 (dk 1): 25 % / 25 % / 50 %; the middle point is split half/half
    assert f.layout.barmode == "relative"
    assert all(tr.type == "bar" and tr.orientation == "h" for tr in f.data)
    by_point: dict[int, list[float]] = {}
    for tr in f.data:
        by_point.setdefault(tr.meta, []).append(tr.x[0])
    assert by_point == {1: [-25.0], 2: [0.0], 3: [-12.5, 12.5], 4: [0.0], 5: [50.0]}
    assert sum(abs(x) for x in row_values(f, 0)) == pytest.approx(100)
    assert list(f.data[0].y) == ["n=5, dk 1"]
    assert "n = 5" in f.layout.title.text
    # the legend shows each point once, in scale order
    legend = sorted((tr.legendrank, tr.name) for tr in f.data if tr.showlegend is not False)
    assert [name for _, name in legend] == [f"Level {v}" for v in range(1, 6)]


def test_stacking_order_starts_next_to_zero():
    # relative stacking: per sign, the first trace lies next to zero
    f = fig("sat")
    assert [tr.meta for tr in f.data] == [3, 2, 1, 3, 4, 5]
    assert all(tr.x[0] <= 0 for tr in f.data[:3])
    assert all(tr.x[0] >= 0 for tr in f.data[3:])


def test_even_scale_has_no_middle():
    f = fig("even")
    assert len(f.data) == 4
    signs = {tr.meta: tr.x[0] for tr in f.data}
    assert signs == {1: -25.0, 2: -25.0, 3: 25.0, 4: 25.0}


def test_matrix_one_row_per_item():
    f = fig("tasks")
    labels = list(f.data[0].y)
    assert labels == ["Networking<br>n=5, dk 1", "Funding<br>n=3, dk 2"]
    for row in range(2):
        assert sum(abs(x) for x in row_values(f, row)) == pytest.approx(100)
    # networking 5, 4, 3, 2: point 2 -> -25, point 3 split, 4 and 5 -> +25
    net = {}
    for tr in f.data:
        net[tr.meta] = net.get(tr.meta, 0) + tr.x[0]
    assert net == {1: 0.0, 2: -25.0, 3: 0.0, 4: 25.0, 5: 25.0}
    assert f.layout.height > fig("sat").layout.height


def test_nominal_scale_plain_stacked_bars():
    f = fig("actor")
    assert f.layout.barmode == "stack"
    assert all(x >= 0 for x in row_values(f, 0))
    assert row_values(f, 0) == [50.0, 25.0, 25.0]
    assert [tr.name for tr in f.data] == ["City", "NGO", "Volunteers"]
    assert list(f.data[0].y) == ["n=4"]


def test_number_box_from_quartiles():
    f = fig("hours")
    (box,) = f.data
    assert box.type == "box"
    # 3, 5, 8, 10 inclusive: q1 = 4.5, median 6.5, q3 = 8.5
    assert (box.q1[0], box.median[0], box.q3[0]) == (4.5, 6.5, 8.5)
    assert (box.lowerfence[0], box.upperfence[0]) == (3, 10)
    assert box.x is None  # no raw values in the figure
    assert "n = 4" in f.layout.title.text
    assert f.layout.xaxis.title.text == "h"


def test_allocation_bars():
    f = fig("alloc")
    assert list(f.data[0].x) == [40.0, 60.0]
    assert list(f.data[0].text) == ["40.0 %", "60.0 %"]
    assert "n = 2" in f.layout.title.text


def test_text_has_no_figure():
    assert fig("comment") is None


def test_definition_texts_in_language():
    f = fig("tasks", lang="de")
    assert "Aufgaben" in f.layout.title.text
    assert f.data[0].y[0].startswith("Netzwerkarbeit")


def upper_outside_placeholders(s: str) -> str:
    """A fake translation that keeps %-placeholders intact."""
    parts = re.split(r"(%\(\w+\)[sd]|%%)", s)
    return "".join(p if p.startswith("%") else p.upper() for p in parts)


def test_gettext_is_applied():
    g = upper_outside_placeholders
    assert "N = 4" in fig("role", gettext=g).layout.title.text
    assert fig("role", gettext=g).data[0].text[0] == "75.0 % (N=3)"
    assert "MULTIPLE ANSWERS POSSIBLE" in fig("topics", gettext=g).layout.title.text
    f = fig("tasks", gettext=g)
    assert f.data[0].y[0] == "Networking<br>N=5, DK 1"   # definition text untranslated
    assert f.layout.xaxis.title.text.startswith("VALID ANSWERS IN %")


def test_no_answers_figure():
    q = Q["sat"]
    f = figure_for(summarize_question(q, []), "en")
    assert len(f.data) == 0
    assert "n = 0" in f.layout.title.text
    assert f.layout.annotations[0].text == "No answers yet"


def test_every_figure_has_height_and_serialises():
    for qid in Q:
        f = fig(qid)
        if f is None:
            continue
        assert f.layout.height and f.layout.height >= 150
        data = json.loads(figure_json(f))
        assert "n = " in data["layout"]["title"]["text"]
    assert CONFIG["responsive"] is True


def test_definition_text_is_escaped():
    q = Question("h", "single_choice", t("a <b>", "a <b> & c"),
                 options=(Option("x", t("<i>x</i>", "<i>x</i>")),))
    f = figure_for(summarize_question(q, [resp(1, {"h": "x"})]), "en")
    assert "a &lt;b&gt; &amp; c" in f.layout.title.text
    assert f.data[0].y[0] == "&lt;i&gt;x&lt;/i&gt;"


def test_points_ordered_by_value_even_if_defined_descending():
    desc = Scale("desc", tuple(ScalePoint(v, t(f"S{v}", f"L{v}")) for v in (3, 2, 1)))
    q = Question("d", "scale", t("D", "D"), scale=desc)
    f = figure_for(summarize_question(q, [resp(1, {"d": 1}), resp(2, {"d": 3})]), "en")
    assert {tr.meta: tr.x[0] for tr in f.data if tr.meta != 2} == {1: -50.0, 3: 50.0}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["networking", "funding"]),
                                st.sampled_from([1, 2, 3, 4, 5, DONT_KNOW])), max_size=12))
def test_matrix_rows_sum_to_100_percent(rows):
    summary = summarize_question(Q["tasks"], [resp(i, {"tasks": r}) for i, r in enumerate(rows)])
    f = figure_for(summary, "en")
    if summary.n == 0:
        assert len(f.data) == 0
        return
    for r, item in enumerate(summary.items):
        total = sum(abs(tr.x[r]) for tr in f.data)
        assert total == pytest.approx(100 if item.n_valid else 0)


def test_role_matrix_is_a_heatmap_of_shares_per_task_and_actor():
    roles = Question("roles", "matrix", t("Wer führt?", "Who leads?"), scale=ACTORS,
                     items=(Item("net", t("Netzwerk", "Networking")), Item("nav", t("Lotsen", "Navigator"))))
    data = [resp(i, {"roles": answer}) for i, answer in enumerate(
        [{"net": 1, "nav": 2}, {"net": 1, "nav": 2}, {"net": 2, "nav": 3}, {"net": 1}])]
    (heatmap,) = figure_for(summarize_question(roles, data), "en").data
    assert heatmap.type == "heatmap"
    assert list(heatmap.x) == ["City", "NGO", "Volunteers"]
    assert [list(row) for row in heatmap.z] == [[75.0, 25.0, 0.0], [0.0, pytest.approx(200 / 3), pytest.approx(100 / 3)]]
    assert heatmap.y[1] == "Navigator<br>n=3"
