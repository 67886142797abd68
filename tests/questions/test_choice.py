"""single_choice, multiple_choice and yes_no (survey_app/questions/choice.py) through the flow:
definition -> page -> stored answer -> summary -> chart -> downloads and report."""
from __future__ import annotations

import pytest

from support.questions import T, Flow, problems

OPTIONS = [{"value": v, "label": {"de": f"Option {v}", "en": f"Option {v}"}} for v in ("a", "b", "c")]


@pytest.fixture
def single(app):
    return Flow(app, type="single_choice", options=OPTIONS)


@pytest.fixture
def multiple(app):
    return Flow(app, type="multiple_choice", options=OPTIONS, min_choices=2)


@pytest.mark.parametrize("question, message", [
    ({"type": "single_choice", "options": OPTIONS[:1]}, '"options" must have at least 2 entries, got 1'),
    ({"type": "single_choice"}, 'missing required key "options"'),
    ({"type": "single_choice", "options": OPTIONS, "max_choices": 2}, 'key "max_choices" is not used by type "single_choice"'),
    ({"type": "multiple_choice", "options": OPTIONS, "max_choices": 4}, '"max_choices" (4) is more than the number of options (3)'),
    ({"type": "yes_no", "options": OPTIONS}, 'key "options" is not used by type "yes_no"'),
    ({"type": "single_choice", "options": [*OPTIONS, OPTIONS[0]]}, 'duplicate option value "a"'),
])
def test_definition_problems_are_reported_at_the_question(question, message):
    assert any(message in found for found in problems(question)), problems(question)


def test_single_choice_flow(single):
    html = single.html()
    assert 'data-reader="choice"' in html and html.count('type="radio"') == 3
    assert single.post({"q": "b"}) == ("b", [])
    assert single.post({"q": "zzz"}) == (None, ["Bitte wählen Sie eine der angezeigten Antworten."])
    assert single.post({}) == (None, [])
    assert single.shown_again("c") == "c"

    summary = single.summary("a", "b", "b", "x", None)
    assert (summary.n, summary.missing, summary.invalid) == (3, 2, 1)
    assert [(o.value, o.count) for o in summary.options] == [("a", 1), ("b", 2), ("c", 0)]
    figure = single.figure("a", "b", "b")
    assert figure.data[0].type == "bar" and list(figure.data[0].x) == pytest.approx([100 / 3, 200 / 3, 0])
    assert single.columns("a", "zzz", None) == (["q"], [["a"], ["zzz"], [None]])
    assert single.codebook() == [["q", "q", None, "single_choice", "T", None,
                                  "a = Option a; b = Option b; c = Option c", None]]
    assert single.record("a", "b", "b")["options"][1] == {"value": "b", "label": "Option b", "count": 2, "share": 2 / 3}
    report = single.report("a", "b", "b")
    assert 'Option b</td><td class="num">2</td>' in report and '<th scope="col" class="num">Share</th>' in report
    assert single.kind.can_break_down and single.kind.can_filter


def test_multiple_choice_flow(multiple):
    html = multiple.html()
    assert 'data-reader="choices"' in html and html.count('type="checkbox"') == 3
    assert "Wählen Sie mindestens 2." in html
    assert multiple.post({"q": ["a", "c"]}) == (["a", "c"], [])
    assert multiple.post({"q": ["a"]}) == (None, ["Bitte wählen Sie mindestens 2 Optionen."])
    assert multiple.shown_again(["b", "c"]) == ["b", "c"]

    summary = multiple.summary(["a", "b"], ["a", "zzz"], ["zzz"], [])
    assert (summary.n, summary.missing, summary.invalid, summary.multiple) == (2, 2, 1, True)
    assert [o.share for o in summary.options] == [1.0, 0.5, 0.0]
    assert multiple.columns(["a", "c"], None) == (["q.a", "q.b", "q.c"], [[1, 0, 1], [None, None, None]])
    assert [row[0] for row in multiple.codebook()] == ["q.a", "q.b", "q.c"]
    assert multiple.codebook()[0][6] == "1 = chosen; 0 = not chosen; empty = question not answered"
    assert multiple.kind.answer_lines(multiple.question, ["a", "c"]) == ["a", "c"]
    assert not multiple.kind.can_break_down and multiple.kind.can_filter


def test_yes_no_flow(app):
    flow = Flow(app, type="yes_no", yes_label={"de": "Ja, gern", "en": "Yes, please"})
    html = flow.html()
    assert "Ja, gern" in html and "Nein" in html
    assert flow.post({"q": "no"}) == ("no", [])
    assert flow.post({"q": "maybe"})[1] == ["Bitte wählen Sie eine der angezeigten Antworten."]
    summary = flow.summary("yes", "no", "no")
    assert [(o.value, o.label["de"], o.count) for o in summary.options] == [("yes", "Ja, gern", 1), ("no", "Nein", 2)]
    assert flow.codebook()[0][6] == "yes = Yes, please; no = No"
    assert flow.figure().layout.annotations[0].text == "No answers yet"
