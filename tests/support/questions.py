"""One question taken through every step of the flow, for the tests of each question type
(tests/questions/test_<type>.py): definition -> page form -> stored answer -> summary ->
chart -> downloads and report. German messages, as a respondent reads them."""
from __future__ import annotations

import json
import re

from flask import render_template_string
from werkzeug.datastructures import MultiDict

from survey_app.analysis.findings import build_findings
from survey_app.analysis.summaries import summarize_question
from survey_app.definitions.questionnaire import parse_definition
from survey_app.output.charts import figure_for, figure_json
from survey_app.output.export import codebook_table, response_table, summary_record
from survey_app.output.report import report_html
from survey_app.web.forms import answers_from_form, draft_changes, field_names, page_form

T = {"de": "T", "en": "T"}
AGREE = {"points": [{"value": v, "label": {"de": f"P{v}", "en": f"P{v}"}} for v in (1, 2, 3, 4)],
         "dont_know": {"de": "Weiß nicht", "en": "Don't know"}}
BLOCK = '{% from "macros.html" import question_block %}{{ question_block(question, form, "de", "de") }}'


def definition(*questions: dict, scales: dict | None = None) -> dict:
    """A one-page questionnaire with these questions (each needs id, type and its keys)."""
    return {"id": "flow", "languages": ["de", "en"], "title": T, "intro": T, "anonymity": T,
            "scales": scales or {"agree": AGREE},
            "pages": [{"id": "p", "title": T, "questions": [{"text": T, **q} for q in questions]}]}


def problems(question: dict) -> list[str]:
    """The messages reported at a question that has these keys (and at its options and items)."""
    _, found = parse_definition(definition({"id": "q", **question}), "flow.yaml")
    return [p.message for p in found if p.location.startswith('question "q"')]


def untranslated(text: str) -> str:
    return text


def response(number: int, answer) -> dict:
    return {"id": f"r{number}", "submitted_on": "2017-03-31", "version": "v1", "language": "de",
            "answers": {} if answer is None else {"q": answer}}


class Flow:
    """The question "q" (plus the keys given) in a one-page questionnaire."""

    def __init__(self, app, **question):
        self.app = app
        self.questionnaire, found = parse_definition(definition({"id": "q", **question}), "flow.yaml")
        assert self.questionnaire is not None, found
        self.question = self.questionnaire.question("q")
        self.kind = self.question.kind

    # -------------------------------------------------------------- the page

    def form(self, fields: dict | None = None, answers: dict | None = None):
        formdata = None if fields is None else MultiDict(
            [(name, value) for name, values in fields.items()
             for value in (values if isinstance(values, list) else [values])])
        return page_form(self.questionnaire, 0, "de", answers or {}, formdata=formdata)

    def post(self, fields: dict):
        """(stored answer, messages at the question) after posting these fields, as "Next" does."""
        with self.app.test_request_context():
            form = self.form(fields)
            valid = form.validate()
            answer = answers_from_form(form)["q"] if valid else draft_changes(form)[0]["q"]
            return answer, [str(m) for m in form.errors_for(self.question)]

    def html(self, answers: dict | None = None, fields: dict | None = None) -> str:
        """The question on the page, filled in from stored answers (or posted fields)."""
        with self.app.test_request_context():
            form = self.form(fields, answers)
            return render_template_string(BLOCK, question=self.question, form=form)

    def field_names(self) -> list[str]:
        return field_names(self.question)

    def shown_again(self, answer) -> object:
        """The answer read back from the page a stored answer fills in (back, resume)."""
        with self.app.test_request_context():
            form = self.form(answers={"q": answer})
            return answers_from_form(form)["q"]

    # -------------------------------------------------------------- results and downloads

    def summary(self, *answers):
        return summarize_question(self.question, [response(i, a) for i, a in enumerate(answers)])

    def figure(self, *answers):
        figure = figure_for(self.summary(*answers), "de")
        if figure is not None:
            json.loads(figure_json(figure))      # it serialises for the page
        return figure

    def record(self, *answers) -> dict:
        """The JSON record without the question's number (tests/test_numbering.py checks it)."""
        record = summary_record(self.summary(*answers), "en")
        assert record.pop("number") == 1
        return record

    def columns(self, *answers) -> tuple[list, list]:
        """The question's columns of the response table and each response's cells."""
        headers, rows = response_table(self.questionnaire, [response(i, a) for i, a in enumerate(answers)])
        return headers[4:], [row[4:] for row in rows]

    def codebook(self) -> list[list]:
        """The question's codebook rows without the number column (tests/test_numbering.py)."""
        return [row[:-1] for row in codebook_table(self.questionnaire, "en")[1][4:]]

    def report(self, *answers, minimum: int = 1, texts: bool = True) -> str:
        """The HTML report's section of the question (its table), without the chart; by default
        with a minimum group size of 1, so that the type's table shows every number (the
        minimum's rules are tested in tests/disclosure/)."""
        findings = build_findings(self.questionnaire, [response(i, a) for i, a in enumerate(answers)], minimum,
                                  include_texts=texts)
        html = report_html(findings, "de", untranslated, {"q": None},
                           {"slug": "flow", "status": "open", "created_at": "2017-03-31"})
        return re.search(r'<section class="result" id="result-q".*?</section>', html, re.S).group(0)
