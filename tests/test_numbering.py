"""Question numbers: on by default, off per questionnaire (`numbering: false`), following the
definition (a question hidden by branching keeps its number and leaves a gap), and the same
on the respondent's page, the results page, the report, the chart, the codebook and the
summary downloads."""
from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import Respondent, login, make_app
from survey_app.analysis.findings import build_findings
from survey_app.definitions.questionnaire import parse_definition
from survey_app.fieldings.drafts import build_response
from survey_app.fieldings.fielding import ensure_default_surveys
from survey_app.output.charts import figure_for
from survey_app.output.export import aggregates_json, codebook_table, summary_table
from survey_app.output.report import report_html
from survey_app.synthetic import random_answers
from survey_app.web.catalogue import get_catalogue, get_questionnaire
from survey_app.web.db import get_store

BRANCHING = Path(__file__).resolve().parent / "data" / "branching" / "branching.yaml"


def _definition(**top) -> dict:
    return {**yaml.safe_load(BRANCHING.read_text(encoding="utf-8")), **top}


def _numbers(questionnaire) -> dict:
    return {q.id: q.number for q in questionnaire.questions()}


def test_questions_are_numbered_in_definition_order_and_notes_are_not():
    questionnaire, problems = parse_definition(_definition(), "branching.yaml")
    assert problems == [] and questionnaire.numbering
    numbers = _numbers(questionnaire)
    assert [numbers[q] for q in ("programme", "qfi_since", "obstacles", "obstacles_other",
                                 "qfi_funding_known", "hours")] == [1, 2, 3, 4, 5, 6]
    assert numbers["overtime_note"] is None and numbers["overtime_reason"] == 7


@pytest.mark.parametrize("value", ["no", 0, "false", [False]])
def test_numbering_must_be_true_or_false(value):
    questionnaire, problems = parse_definition(_definition(numbering=value), "branching.yaml")
    assert questionnaire is None
    assert [str(p) for p in problems] == [
        f'branching.yaml: top level: "numbering" must be true or false, got {value!r}']


def test_numbering_false_numbers_nothing():
    questionnaire, problems = parse_definition(_definition(numbering=False), "branching.yaml")
    assert problems == [] and not questionnaire.numbering
    assert set(_numbers(questionnaire).values()) == {None}
    headers, rows = codebook_table(questionnaire, "en")
    assert headers[-1] == "number" and {row[-1] for row in rows} == {None}
    findings = build_findings(questionnaire, [], 3)
    html = report_html(findings, "de", lambda s: s, {}, get_fielding())
    assert 'class="question-number"' not in html


def get_fielding():
    from survey_app.fieldings.model import Fielding
    return Fielding.new("branching", "branching", created_at="2017-03-31")


def test_a_hidden_question_keeps_its_number_on_the_respondents_page(client, app):
    respondent = Respondent(client, app, "stakeholder-questionnaire")
    respondent.start()
    page = client.get("/s/stakeholder-questionnaire/p/1").get_data(as_text=True)
    legends = re.findall(r'<span class="question-number">(\d+)\.</span>', page)
    assert legends == ["1", "2", "3", "4"]   # 2 is the follow-up of "other", hidden until chosen
    assert re.search(r'<fieldset[^>]*id="q-organisation_other"[^>]* hidden', page)
    page = client.post("/s/stakeholder-questionnaire/p/1", data={
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
        "organisation_type": "meeting_centre"}, follow_redirects=True).get_data(as_text=True)
    assert re.findall(r'<span class="question-number">(\d+)\.</span>', page) == ["5"]


def test_numbers_are_the_same_in_results_report_chart_and_downloads(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        from survey_app.web.auth import create_user
        create_user("evaluator", "correct horse battery", "evaluator")
        ensure_default_surveys(get_store(), get_catalogue())
        store = get_store()
        survey = store.find_survey_by_slug("stakeholder-questionnaire")
        questionnaire = get_questionnaire("stakeholder-questionnaire")
        rng = random.Random(3)
        for _ in range(60):
            draft = {"language": "de", "answers": random_answers(questionnaire, rng)}
            store.add_response(survey.id, build_response(survey, questionnaire, draft))
    client = app.test_client()
    login(client, "evaluator")
    page = client.get(f"/results/{survey.id}").get_data(as_text=True)
    assert re.search(r'<h2 id="heading-contact_frequency"><span class="question-number">4\.</span> ', page)
    assert re.search(r'<h2 id="heading-agree_role_clear"><span class="question-number">7\.</span> ', page)
    report = client.get(f"/results/{survey.id}/download/report.html").get_data(as_text=True)
    assert re.search(r'<h2 id="heading-contact_frequency"><span class="question-number">4\.</span> ', report)
    # The chart drawn for the page and the report carries it in its title, also in the PNG.
    charts = dict(re.findall(r'<script type="application/json" id="figure-([a-z_]+)">(.*?)</script>', page, re.S))
    chart_title = json.loads(charts["contact_frequency"].replace("<\\/", "</"))["layout"]["title"]["text"]
    assert chart_title.startswith("4. ")
    # No hash a reader cannot use (issue 17.5), and no day: the day a version was first answered
    # can be one person's day of submission (issue 10).
    assert f"{dt.date.today():%d.%m.%Y}" not in chart_title
    assert questionnaire.content_hash[:8] not in chart_title
    codebook = client.get(f"/results/{survey.id}/download/codebook.csv").get_data(as_text=True).splitlines()
    assert codebook[0].lstrip("\ufeff").split(",")[-1] == "number"
    assert [line for line in codebook if line.startswith("contact_frequency,")][0].endswith(",4")
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/results/{survey.id}/download/results.xlsx").data))
    summary = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert summary[0][-1] == "number"
    assert {row[-1] for row in summary[1:] if row[0] == "agree_role_clear"} == {7}
    document = json.loads(client.get(f"/results/{survey.id}/download/aggregates.json").get_data(as_text=True))
    assert {q["question"]: q["number"] for q in document["questions"]}["agree_role_clear"] == 7
