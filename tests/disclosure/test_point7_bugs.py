"""The bugs of issue 10's point 7, each as the evaluator met it (they fail on the main of before)."""
from __future__ import annotations

from disclosure.data import matrix, questionnaire, repeat, responses, single
from survey_app.analysis.disclosure.plan import PROTECTS, TOO_FEW
from survey_app.analysis.findings import build_findings
from survey_app.output.charts import breakdown_figure

K = 5
Q = questionnaire(single("org", ["a", "b", "c"]), matrix("tasks", ["x", "y"]), qid="bugs")


def _rows():
    # x: a 6, b 2 (too few), c 7: b is hidden, and a (the next smallest) protects it;
    # y: everybody. So the groups show different lines: a and b only y, c both.
    return (repeat({"org": "a", "tasks": {"x": 4, "y": 2}}, 6)
            + repeat({"org": "b", "tasks": {"x": 1, "y": 3}}, 2) + repeat({"org": "b", "tasks": {"y": 3}}, 4)
            + repeat({"org": "c", "tasks": {"x": 5, "y": 5}}, 7))


def _split():
    findings = build_findings(Q, responses(_rows()), K, by=Q.question("org"))
    return next(s for s in findings.sections if s.question.id == "tasks").breakdown


def test_matrix_groups_with_different_lines_are_labelled_by_their_own_lines():
    split = _split()
    lines = {r.group.key: [row.item.id for row in r.summary.items] for r in split.groups if not r.suppressed}
    assert lines["c"] == ["x", "y"] and lines["a"] == ["y"]          # different lines per group
    figure = breakdown_figure(split, "de")                          # before: IndexError
    labels = [label.split("<br>")[0] for trace in figure.data for label in trace.y]
    # every row label names the line whose numbers it shows ("x – c" shows c's x, never another's)
    assert "x – c" in labels and "x – a" not in labels and "x – b" not in labels
    for trace in figure.data:
        for label in trace.y:
            line, group = label.split("<br>")[0].split(" – ")
            row = next(r for r in split.groups if r.group.key == group)
            assert line in [i.item.id for i in row.summary.items]


def test_a_group_hidden_only_to_protect_others_is_not_called_too_small():
    rows = repeat({"org": "a"}, 8) + repeat({"org": "b"}, 7) + [{"org": "c"}]
    findings = build_findings(Q, responses([{**r, "tasks": {"y": 3}} for r in rows]), K, by=Q.question("org"))
    groups = {r.group.key: r.group for r in findings.sections[1].breakdown.groups}
    assert groups["c"].reason == TOO_FEW and groups["b"].reason == PROTECTS
    assert groups["b"].size is None and groups["c"].size is None


def test_group_sizes_hidden_in_headings_are_hidden_in_the_question_s_own_table():
    findings = build_findings(Q, responses(repeat({"org": "a"}, 8) + repeat({"org": "b"}, 7) + [{"org": "c"}]), K)
    org = findings.sections[0].summary
    counts = {o.value: o.count for o in org.options}
    assert counts == {"a": 8, "b": None, "c": None}                # before: 8, 7 and 1


def test_the_legend_gives_the_same_n_as_the_table_heading():
    # 12 in group a, 5 of them left "pick" out: the legend said n = 7, the heading n = 12
    q = questionnaire(single("org", ["a", "b"]), single("pick", ["p", "q"]), qid="legend")
    rows = repeat({"org": "a", "pick": "p"}, 7) + repeat({"org": "a"}, 5) + repeat({"org": "b", "pick": "q"}, 8)
    findings = build_findings(q, responses(rows), K, by=q.question("org"))
    split = findings.sections[1].breakdown
    figure = breakdown_figure(split, "de")
    names = [trace.name for trace in figure.data]
    assert names == [f"{r.group.label['de']} (n={r.group.size})" for r in split.groups if not r.suppressed]
    assert "(n=12)" in names[0]
