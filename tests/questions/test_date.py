"""date (survey_app/questions/date.py) through the flow: definition -> page -> stored answer ->
summary -> chart -> downloads and report."""
from __future__ import annotations

import pytest

from support.questions import Flow, problems


@pytest.fixture
def flow(app):
    return Flow(app, type="date", min_date="2015-01-01", max_date="2018-12-31")


@pytest.mark.parametrize("question, message", [
    ({"type": "date", "min_date": "31.12.2017"}, "\"min_date\" must be a date written as YYYY-MM-DD, got '31.12.2017'"),
    ({"type": "date", "max_date": "2017-02-30"}, '"max_date" must be a date written as YYYY-MM-DD'),
    ({"type": "date", "min_date": "2018-01-01", "max_date": "2017-01-01"}, '"min_date" (2018-01-01) must be before'),
])
def test_definition_problems_are_reported_at_the_question(question, message):
    assert any(message in found for found in problems(question)), problems(question)


@pytest.mark.parametrize("typed, stored, message", [
    ("2016-04-01", "2016-04-01", None),
    ("1.4.2016", "2016-04-01", None),
    ("2016-02-31", None, "Bitte geben Sie ein Datum ein, z. B. 31.03.2017."),
    ("31.02.2016", None, "Bitte geben Sie ein Datum ein, z. B. 31.03.2017."),
    ("2014-12-31", None, "Bitte geben Sie ein Datum am oder nach dem 01.01.2015 ein."),
    ("2019-01-01", None, "Bitte geben Sie ein Datum am oder vor dem 31.12.2018 ein."),
])
def test_typed_dates(flow, typed, stored, message):
    assert flow.post({"q": typed}) == (stored, [message] if message else [])


def test_date_flow(flow):
    html = flow.html({"q": "2016-04-01"})
    assert 'data-reader="date"' in html and 'type="date"' in html and 'value="2016-04-01"' in html
    assert 'min="2015-01-01"' in html and 'max="2018-12-31"' in html
    assert flow.shown_again("2016-04-01") == "2016-04-01"

    summary = flow.summary("2016-04-01", "2016-04-20", "2017-01-05", "2016-02-30", "x", None)
    assert (summary.n, summary.missing, summary.invalid) == (3, 3, 2)
    assert (summary.earliest, summary.median, summary.latest) == ("2016-04-01", "2016-04-20", "2017-01-05")
    assert summary.by_month == (("2016-04", 2), ("2017-01", 1))
    assert list(flow.figure("2016-04-01", "2016-04-20").data[0].x) == [2]
    assert flow.columns("2016-04-01") == (["q"], [["2016-04-01"]])
    assert flow.record("2016-04-01")["median"] == "2016-04-01"
    assert "2016-04-20" in flow.report("2016-04-01", "2016-04-20", "2017-01-05")
