"""scale and matrix (survey_app/questions/scale.py) through the flow: definition -> page ->
stored answer -> summary -> chart -> downloads and report."""
from __future__ import annotations

import pytest

from support.questions import Flow, problems

ITEMS = [{"id": "networking", "label": {"de": "Netzwerk", "en": "Networking"}, "construct": "task.networking"},
         {"id": "projects", "label": {"de": "Projekte", "en": "Projects"}}]


@pytest.mark.parametrize("question, message", [
    ({"type": "scale", "scale": "stars"}, 'unknown scale "stars" (defined scales: agree)'),
    ({"type": "scale"}, 'missing required key "scale"'),
    ({"type": "matrix", "scale": "agree"}, 'missing required key "items"'),
    ({"type": "matrix", "scale": "agree", "items": [*ITEMS, ITEMS[0]]}, 'duplicate item id "networking"'),
    ({"type": "scale", "scale": "agree", "items": ITEMS}, 'key "items" is not used by type "scale"'),
])
def test_definition_problems_are_reported_at_the_question(question, message):
    assert any(message in found for found in problems(question)), problems(question)


def test_scale_flow(app):
    flow = Flow(app, type="scale", scale="agree", construct="overall")
    html = flow.html()
    assert 'data-reader="point"' in html and html.count('type="radio"') == 5
    assert 'class="choice dont-know"' in html
    assert flow.post({"q": "3"}) == (3, [])
    assert flow.post({"q": "dk"}) == ("dk", [])
    assert flow.post({"q": "7"})[1] == ["Bitte wählen Sie eine der angezeigten Antworten."]
    assert flow.shown_again(2) == 2

    summary = flow.summary(1, 2, 4, 4, "dk", 9, None)
    [row] = summary.items
    assert (summary.n, summary.missing, summary.invalid, row.dk, row.n_valid) == (5, 2, 1, 1, 4)
    assert (row.mean, row.median, row.top2, row.bottom2) == (2.75, 3.0, 0.5, 0.5)
    figure = flow.figure(1, 2, 4, 4)
    assert [trace.meta for trace in figure.data] == [2, 1, 3, 4]        # next to zero first
    assert flow.columns(3, "dk") == (["q"], [[3], ["dk"]])
    assert flow.codebook()[0][6] == "1 = P1; 2 = P2; 3 = P3; 4 = P4; dk = Don't know"
    assert flow.record(1, 2, 4, 4)["items"][0]["mean"] == 2.75
    report = flow.report(1, 2, 4, 4)
    assert "Mean" in report and "Item" not in report


def test_matrix_flow(app):
    flow = Flow(app, type="matrix", scale="agree", items=ITEMS, required=True)
    assert flow.field_names() == ["q-networking", "q-projects"]
    html = flow.html()
    assert 'data-reader="points"' in html and 'id="q-q-networking"' in html
    assert flow.post({"q-networking": "4", "q-projects": "dk"}) == ({"networking": 4, "projects": "dk"}, [])
    answer, messages = flow.post({"q-networking": "4"})
    assert answer is None and messages == ["Bitte beantworten Sie diese Zeile."]
    assert flow.shown_again({"networking": 1, "projects": 2}) == {"networking": 1, "projects": 2}

    summary = flow.summary({"networking": 4, "projects": 1}, {"networking": 3}, {"other": 2}, None)
    assert (summary.n, summary.missing, summary.invalid) == (2, 2, 1)
    assert [row.n for row in summary.items] == [2, 1]
    assert len(flow.figure({"networking": 4, "projects": 1}).data) == 4
    assert flow.columns({"networking": 4, "projects": "dk"}) == (["q.networking", "q.projects"], [[4, "dk"]])
    assert [(row[0], row[5], row[7]) for row in flow.codebook()] == [
        ("q.networking", "Networking", "task.networking"), ("q.projects", "Projects", None)]
    assert flow.kind.items_counted_apart and flow.kind.errors_at_items
    [found] = flow.kind.indicators(flow.question, flow.summary({"networking": 4}, {"networking": 2}))
    assert (found.construct, found.kind, found.n, found.mean) == ("task.networking", "rating", 2, 3)


def test_a_matrix_on_a_nominal_scale_is_a_heatmap(app):
    from survey_app.questions.scale import ScaleType

    flow = Flow(app, type="matrix", scale="agree", items=ITEMS)
    nominal = flow.question.scale.__class__(**{**flow.question.scale.__dict__, "ordered": False})
    question = flow.question.__class__(**{**flow.question.__dict__, "scale": nominal})
    figure = ScaleType().figure(question.kind.summarize(question, [{"answers": {"q": {"networking": 1}}}]), "de",
                                lambda s: s)
    assert figure.data[0].type == "heatmap"
