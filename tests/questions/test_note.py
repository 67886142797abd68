"""note (survey_app/questions/note.py): text on the page, no field, no answer, nowhere in results."""
from __future__ import annotations

from support.questions import Flow, problems


def test_a_note_has_nothing_to_require_or_answer():
    assert 'key "required" is not used by type "note"' in problems({"type": "note", "required": True})
    assert 'key "construct" is not used by type "note"' in problems({"type": "note", "construct": "x"})


def test_note_flow(app):
    flow = Flow(app, type="note", help={"de": "Bitte genau antworten.", "en": "Please be precise."})
    html = flow.html()
    assert '<div class="question question-note" id="q-q"' in html and "Bitte genau antworten." in html
    assert "<input" not in html and "data-reader" not in html
    assert flow.field_names() == [] and not flow.question.has_answer
    assert flow.columns("stray") == ([], [[]]) and flow.codebook() == []
    assert flow.kind.answer_lines(flow.question, "stray") == []
