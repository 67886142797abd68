"""number (survey_app/questions/number.py) through the flow: definition -> page -> stored
answer -> summary -> chart -> downloads and report; and the rule for reading typed numbers."""
from __future__ import annotations

import pytest

from support.questions import Flow, problems


@pytest.fixture
def flow(app):
    return Flow(app, type="number", min=0, max=40, step=0.5, unit={"de": "Std.", "en": "h"}, construct="hours")


@pytest.mark.parametrize("question, message", [
    ({"type": "number", "min": 5, "max": 5}, '"min" (5) must be less than "max" (5)'),
    ({"type": "number", "step": -1}, '"step" must be more than 0, got -1'),
    ({"type": "number", "integer": True, "max": 2.5}, '"max" (2.5) must be a whole number because "integer" is true'),
    ({"type": "number", "min": 10**13}, '"min" must be between -1,000,000,000,000 and 1,000,000,000,000'),
    ({"type": "number", "total": 5}, 'key "total" is not used by type "number"'),
])
def test_definition_problems_are_reported_at_the_question(question, message):
    assert any(message in found for found in problems(question)), problems(question)


@pytest.mark.parametrize("typed, stored, message", [
    ("12", 12, None),
    ("2,5", 2.5, None),
    (" 1 000 ", None, "Bitte geben Sie höchstens 40 ein."),
    ("0,25", None, "Bitte geben Sie einen Wert in Schritten von 0.5 ein, z. B. 0 oder 0.5."),
    ("1_000", None, "Bitte geben Sie eine Zahl ein, z. B. 12 oder 2,5."),
    ("0x10", None, "Bitte geben Sie eine Zahl ein, z. B. 12 oder 2,5."),
    ("Infinity", None, "Bitte geben Sie eine Zahl ein, z. B. 12 oder 2,5."),
    ("-1", None, "Bitte geben Sie mindestens 0 ein."),
    ("", None, None),
])
def test_typed_numbers(flow, typed, stored, message):
    assert flow.post({"q": typed}) == (stored, [message] if message else [])


def test_number_flow(flow):
    html = flow.html({"q": 7.5})
    assert 'data-reader="number"' in html and 'data-settings=\'{"integer": false}\'' in html
    assert 'value="7.5"' in html and '<span class="unit">Std.</span>' in html
    assert flow.shown_again(12.0) == 12

    summary = flow.summary(4, 1, 3, 2, "x", 99, None)
    assert (summary.n, summary.missing, summary.invalid) == (4, 3, 2)
    assert (summary.mean, summary.median, summary.q1, summary.q3, summary.min, summary.max) == (2.5, 2.5, 1.75, 3.25, 1, 4)
    box = flow.figure(4, 1, 3, 2).data[0]
    assert box.type == "box" and (box.q1, box.median, box.q3) == ((1.75,), (2.5,), (3.25,))
    assert box.boxpoints is False                   # no single answer in the chart
    assert flow.columns(7.5, None) == (["q"], [[7.5], [None]])
    assert flow.record(4, 1, 3, 2)["median"] == 2.5
    assert "2,5" in flow.report(4, 1, 3, 2)        # German decimals in the report
    assert flow.kind.key_numbers(flow.summary(4, 1))[0].value == 2.5
