"""short_text and long_text (survey_app/questions/text.py) through the flow: definition -> page ->
stored answer -> summary (no chart) -> downloads and report."""
from __future__ import annotations

import pytest

from survey_app.analysis.findings import build_findings
from survey_app.output.export import exported_questions
from support.questions import Flow, problems, response

CHECKED = {"pattern": "52[0-9]{3}", "pattern_message": {"de": "Bitte eine Aachener Postleitzahl.", "en": "An Aachen postcode."}}


@pytest.mark.parametrize("question, message", [
    ({"type": "short_text", "min_length": 300}, '"min_length" (300) is more than "max_length" (200)'),
    ({"type": "long_text", "max_length": 0}, '"max_length" must be a whole number of at least 1'),
    ({"type": "short_text", "pattern": "[0-9"}, '"pattern" is not a valid regular expression'),
    ({"type": "long_text", "options": []}, 'key "options" is not used by type "long_text"'),
])
def test_definition_problems_are_reported_at_the_question(question, message):
    assert any(message in found for found in problems(question)), problems(question)


def test_short_text_flow(app):
    flow = Flow(app, type="short_text", required=True, **CHECKED)
    html = flow.html()
    assert 'data-reader="text"' in html and 'maxlength="200"' in html and "<textarea" not in html
    assert flow.post({"q": " 52062 "}) == ("52062", [])
    assert flow.post({"q": "10115"}) == (None, ["Bitte eine Aachener Postleitzahl."])
    assert flow.post({"q": "   "}) == (None, ["Bitte beantworten Sie diese Frage."])
    assert flow.shown_again("52064") == "52064"

    summary = flow.summary(" 52062 ", "", 12, None)
    assert (summary.n, summary.missing, summary.invalid, summary.answers) == (1, 3, 1, ("52062",))
    assert flow.figure("52062") is None                     # free texts have no chart
    assert flow.columns("52062") == (["q"], [["52062"]])
    assert flow.record("52062")["answers"] == ["52062"]


def test_long_text_flow_and_what_reports_show(app):
    flow = Flow(app, type="long_text", min_length=3)
    assert "<textarea" in flow.html() and 'maxlength="5000"' in flow.html()
    assert flow.post({"q": "ab"}) == (None, ["Bitte schreiben Sie mindestens 3 Zeichen."])
    assert flow.post({"q": "Zeile 1\nZeile 2"}) == ("Zeile 1\nZeile 2", [])
    # Listed when asked for and answered by at least the minimum (here 1) ...
    assert "<li>Mehr Räume</li>" in flow.report("Mehr Räume", None, None)
    # ... never when fewer answered it (issue 10: one person's words), nor by default
    assert "Mehr Räume" not in flow.report("Mehr Räume", None, None, minimum=3)
    assert "Mehr Räume" not in flow.report("Mehr Räume", None, None, texts=False)
    # ... but left out of shared reports and downloads unless asked for.
    responses = [response(1, "Mehr Räume"), response(2, None), response(3, None)]
    findings = build_findings(flow.questionnaire, responses, 1, include_texts=False)
    assert findings.sections[0].summary.entries == ()
    assert exported_questions(flow.questionnaire, include_texts=False) == []
    assert flow.kind.is_free_text
