"""time (survey_app/questions/time.py) through the flow: definition -> page -> stored answer ->
summary -> chart -> downloads and report. The type added by following docs/architecture.md,
"How to add a question type"."""
from __future__ import annotations

import random

import pytest

from survey_app.synthetic import random_answer
from support.questions import Flow, problems


@pytest.fixture
def flow(app):
    return Flow(app, type="time", min_time="07:00", max_time="20:00", required=True)


@pytest.mark.parametrize("question, message", [
    ({"type": "time", "min_time": 630}, '"min_time" must be a time written as "HH:MM" in quotes, e.g. "09:30", got 630'),
    ({"type": "time", "max_time": "25:00"}, '"max_time" must be a time written as "HH:MM" in quotes'),
    ({"type": "time", "min_time": "9:30"}, '"min_time" must be a time written as "HH:MM" in quotes'),
    ({"type": "time", "min_time": "12:00", "max_time": "08:00"}, '"min_time" (12:00) must be before "max_time" (08:00)'),
    ({"type": "time", "min_date": "2017-01-01"}, 'key "min_date" is not used by type "time"'),
])
def test_definition_problems_are_reported_at_the_question(question, message):
    assert any(message in found for found in problems(question)), problems(question)


@pytest.mark.parametrize("typed, stored, message", [
    ("09:30", "09:30", None),
    ("9:30", "09:30", None),
    ("9.30", "09:30", None),
    ("24:00", None, "Bitte geben Sie eine Uhrzeit ein, z. B. 09:30."),
    ("halb zehn", None, "Bitte geben Sie eine Uhrzeit ein, z. B. 09:30."),
    ("06:59", None, "Bitte geben Sie eine Uhrzeit um oder nach 07:00 ein."),
    ("20:01", None, "Bitte geben Sie eine Uhrzeit um oder vor 20:00 ein."),
    ("", None, "Bitte beantworten Sie diese Frage."),
])
def test_typed_times(flow, typed, stored, message):
    assert flow.post({"q": typed}) == (stored, [message] if message else [])


def test_time_flow(flow):
    html = flow.html({"q": "09:30"})
    assert 'data-reader="time"' in html and 'type="time"' in html and 'value="09:30"' in html
    assert 'min="07:00"' in html and 'max="20:00"' in html
    assert flow.html(fields={"q": "halb zehn"}).count('value="halb zehn"') == 1    # shown again as typed
    assert flow.shown_again("17:45") == "17:45"

    summary = flow.summary("09:30", "08:15", "09:00", "17:45", "9:30", 930, None)
    assert (summary.n, summary.missing, summary.invalid) == (4, 3, 2)
    assert (summary.earliest, summary.median, summary.latest) == ("08:15", "09:00", "17:45")
    assert summary.by_hour == (("08", 1), ("09", 2), ("17", 1))
    bars = flow.figure("09:30", "08:15", "09:00").data[0]
    assert (list(bars.y), list(bars.x)) == (["08:00", "09:00"], [1, 2])
    assert flow.figure().layout.annotations[0].text == "No answers yet"
    assert flow.columns("09:30", None) == (["q"], [["09:30"], [None]])
    assert flow.codebook() == [["q", "q", None, "time", "T", None, "time of day, HH:MM on the 24-hour clock", None]]
    assert flow.record("09:30", "08:15", "09:00") == {
        "question": "q", "type": "time", "text": "T", "construct": None, "n": 3, "missing": 0,
        "earliest": "08:15", "median": "09:00", "latest": "09:30"}
    # earliest and latest are single people's answers: only the median is shown (issue 10)
    report = flow.report("09:30", "08:15", "09:00")
    assert "<td>09:00</td>" in report and "08:15" not in report and "09:30" not in report


def test_demo_answers_are_valid_times(flow):
    rng = random.Random(1)
    answers = [random_answer(flow.question, rng) for _ in range(50)]
    assert flow.summary(*answers).n == 50
    assert all("07:00" <= answer <= "20:00" for answer in answers)
