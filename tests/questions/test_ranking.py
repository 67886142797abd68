"""ranking (survey_app/questions/ranking.py) through the flow: definition -> page -> stored
answer -> summary -> chart -> downloads and report."""
from __future__ import annotations

import pytest

from support.questions import Flow, problems

OPTIONS = [{"value": v, "label": {"de": f"Option {v}", "en": f"Option {v}"}} for v in ("a", "b", "c")]


@pytest.fixture
def flow(app):
    return Flow(app, type="ranking", options=OPTIONS, required=True)


@pytest.mark.parametrize("question, message", [
    ({"type": "ranking", "options": OPTIONS[:1]}, '"options" must have at least 2 entries'),
    ({"type": "ranking", "options": OPTIONS, "max_choices": 2}, 'key "max_choices" is not used by type "ranking"'),
])
def test_definition_problems_are_reported_at_the_question(question, message):
    assert any(message in found for found in problems(question)), problems(question)


@pytest.mark.parametrize("fields, stored, messages", [
    ({"q-a": "2", "q-b": "3", "q-c": "1"}, ["c", "a", "b"], []),
    ({"q-a": "1", "q-b": "1", "q-c": "2"}, None, ["Bitte geben Sie jeder Antwort einen eigenen Rang von 1 bis 3."]),
    ({"q-a": "1"}, None, ["Bitte geben Sie jeder Antwort einen eigenen Rang von 1 bis 3."]),
    ({}, None, ["Bitte beantworten Sie diese Frage."]),
    ({"q-a": "1", "q-b": "2", "q-c": "9"}, None, ["Bitte wählen Sie eine der angezeigten Antworten."]),
])
def test_typed_ranks(flow, fields, stored, messages):
    assert flow.post(fields) == (stored, messages)


def test_ranking_flow(flow):
    html = flow.html({"q": ["b", "c", "a"]})
    assert 'data-reader="ranking"' in html
    assert html.index('name="q-b"') < html.index('name="q-c"') < html.index('name="q-a"')   # in rank order
    assert flow.shown_again(["b", "c", "a"]) == ["b", "c", "a"]

    summary = flow.summary(["a", "b", "c"], ["b", "a", "c"], ["b", "c", "a"], ["a", "a"], None)
    assert (summary.n, summary.missing, summary.invalid) == (3, 2, 1)
    assert [(o.value, o.borda, o.first) for o in summary.options] == [("b", 5, 2), ("a", 3, 1), ("c", 1, 0)]
    assert list(flow.figure(["a", "b", "c"]).data[0].x) == [2, 1, 0]
    assert flow.columns(["c", "a", "b"]) == (["q.a", "q.b", "q.c"], [[2, 3, 1]])
    assert flow.codebook()[0][6] == "rank of the option, 1 = first; empty = not ranked"
    assert flow.record(["a", "b", "c"])["options"][0]["mean_rank"] == 1
    assert flow.kind.key_numbers(summary)[0].kind == "mean_rank"
