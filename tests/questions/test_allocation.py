"""Numbers per item that add up to a total (survey_app/questions/allocation.py) through the
flow: definition -> page -> stored answer -> summary -> chart -> downloads and report."""
from __future__ import annotations

import pytest

from survey_app.definitions.questionnaire import parse_definition
from survey_app.definitions.versions import breaking_changes
from support.questions import Flow, definition, problems

ITEMS = [{"id": "networking", "label": {"de": "Netzwerk", "en": "Networking"}, "construct": "task.networking"},
         {"id": "projects", "label": {"de": "Projekte", "en": "Projects"}}]
TYPE = "allocation"


@pytest.fixture
def flow(app):
    return Flow(app, type=TYPE, items=ITEMS, total=100, unit={"de": "%", "en": "%"})


@pytest.mark.parametrize("question, message", [
    ({"type": TYPE, "items": ITEMS}, 'missing required key "total"'),
    ({"type": TYPE, "items": ITEMS, "total": 0}, '"total" must be more than 0, got 0'),
    ({"type": TYPE, "items": ITEMS, "total": 7.5, "integer": True}, '"total" (7.5) must be a whole number'),
    ({"type": TYPE, "items": ITEMS, "total": 1e30}, '"total" must be between'),
    ({"type": TYPE, "items": ITEMS, "total": 100, "min": 1}, f'key "min" is not used by type "{TYPE}"'),
])
def test_definition_problems_are_reported_at_the_question(question, message):
    assert any(message in found for found in problems(question)), problems(question)


@pytest.mark.parametrize("fields, stored, messages", [
    ({"q-networking": "60", "q-projects": "40"}, {"networking": 60, "projects": 40}, []),
    ({"q-networking": "100"}, {"networking": 100, "projects": 0}, []),
    ({"q-networking": "33,3", "q-projects": "66,7"}, {"networking": 33.3, "projects": 66.7}, []),
    ({"q-networking": "60", "q-projects": "30"}, None, ["Die Zahlen ergeben zusammen 90; sie müssen 100 ergeben."]),
    ({"q-networking": "120"}, None, ["Bitte geben Sie höchstens 100 ein."]),
    ({}, None, []),
])
def test_typed_shares(flow, fields, stored, messages):
    assert flow.post(fields) == (stored, messages)


def test_allocation_flow(flow):
    html = flow.html({"q": {"networking": 70, "projects": 30}})
    assert 'data-reader="sum"' in html and 'data-total="100"' in html and 'value="70"' in html
    assert "Die Zahlen müssen zusammen 100 % ergeben." in html
    assert flow.shown_again({"networking": 70.0, "projects": 30}) == {"networking": 70, "projects": 30}

    summary = flow.summary({"networking": 60, "projects": 40}, {"networking": 100}, {"networking": 50}, "x", None)
    assert (summary.n, summary.missing, summary.invalid) == (2, 3, 2)
    assert [(i.mean, i.share) for i in summary.items] == [(80, 0.8), (20, 0.2)]
    assert list(flow.figure({"networking": 60, "projects": 40}).data[0].x) == [60, 40]
    assert flow.columns({"networking": 60, "projects": 40}) == (["q.networking", "q.projects"], [[60, 40]])
    assert [row[0] for row in flow.codebook()] == ["q.networking", "q.projects"]
    assert flow.record({"networking": 60, "projects": 40})["items"][0]["share"] == 0.6
    assert "60 %" in flow.report(*[{"networking": 60, "projects": 40}] * 3)
    [found] = flow.kind.indicators(flow.question, flow.summary({"networking": 60, "projects": 40}))
    assert (found.construct, found.kind, found.n, found.share) == ("task.networking", "share", 1, 0.6)


def test_a_changed_total_breaks_comparability():
    def version(total):
        questionnaire, found = parse_definition(definition({"id": "q", "type": TYPE, "items": ITEMS, "total": total}), "v")
        return questionnaire

    [change] = breaking_changes(version(100), version(10))
    assert (change.kind, change.detail) == ("total_changed", "100 -> 10")
    assert breaking_changes(version(100), version(100)) == []
