"""Self-generated codes pair a person's baseline and follow-up answers without names."""
from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import Respondent, csrf_token, data_rows, login, valid_page_data
from survey_app.web.db import get_store
from survey_app.fieldings.pseudonym import build_code, paired

SLUG = "staff-self-assessment"


@pytest.mark.parametrize("answers, code", [
    ({"mother": "Maria", "birthday": "7", "street": "Kaiserstraße"}, "MA07K"),
    ({"mother": " Änne ", "birthday": "31", "street": "örtliche"}, "AN31O"),
])
def test_codes_are_built_the_same_way_every_time(answers, code):
    assert build_code(answers) == (code, {})


def test_wrong_parts_are_named():
    assert build_code({"mother": "M", "birthday": "32", "street": ""})[1] == {
        "mother": "letters", "birthday": "day", "street": "missing"}


def test_pairs_count_codes_given_once_on_each_side():
    assert paired(["AB01C", "AB01C", "XY02Z", None, "QQ03R"], ["AB01C", "XY02Z", "QQ03R", "QQ03R"]) == 1


def _ask_for_codes(app, slug=SLUG):
    with app.app_context():
        store = get_store()
        survey = store.find_survey_by_slug(slug)
        store.update_survey(survey.id, pseudonym=True)
        return survey


def _start_with(respondent, **parts):
    data = {"csrf_token": csrf_token(respondent.client, f"/s/{SLUG}")}
    data.update({f"code-{name}": value for name, value in parts.items()})
    return respondent.client.post(f"/s/{SLUG}/start", data=data)


def test_respondent_gives_a_code_and_it_travels_with_the_response(app, client):
    survey = _ask_for_codes(app)
    respondent = Respondent(app.test_client(), app, SLUG)
    page = respondent.client.get(f"/s/{SLUG}").get_data(as_text=True)
    assert "Ihr persönlicher Code" in page and 'for="code-mother"' in page
    refused = _start_with(respondent, mother="M", birthday="40", street="")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Bitte geben Sie einen Tag von 1 bis 31 ein." in text and 'aria-invalid="true"' in text
    assert _start_with(respondent, mother="Maria", birthday="7", street="Kaiserstraße").status_code == 302
    for number, page_ in enumerate(respondent.questionnaire.pages, start=1):
        respondent.post_page(number, valid_page_data(page_))
    with app.app_context():
        [response] = get_store().responses(survey.id)
    assert response["pseudonym"] == "MA07K"


def test_baseline_and_follow_up_are_paired_on_the_comparison_page(app, client):
    baseline = _ask_for_codes(app)
    login(client, "admin")
    token = csrf_token(client, f"/admin/questionnaires/{SLUG}/fieldings")
    client.post(f"/admin/questionnaires/{SLUG}/fieldings", data={
        "csrf_token": token, "label": "Follow-up", "min_group_size": 5, "access": "open", "pseudonym": "y"})
    with app.app_context():
        store = get_store()
        follow_up = next(s for s in store.list_surveys() if s.label == "Follow-up")
        assert follow_up.pseudonym is True
        for survey in (baseline, follow_up):
            for i in range(6):
                store.add_response(survey.id, {"version": "v", "submitted_on": "2026-11-25",
                                                  "answers": {"agree_role_clear": 4}, "pseudonym": f"AB{i + 1:02d}C"})
    login(client, "evaluator")
    page = client.get(f"/results/{baseline.id}/compare/{follow_up.id}").get_data(as_text=True)
    assert "demselben selbst erzeugten Code in beiden Erhebungen: 6" in page
    # the evaluators' file is microdata: a code per person would be a stable id, so it is left out
    rows = data_rows(csv.DictReader(io.StringIO(client.get(
        f"/results/{baseline.id}/download/responses.csv").get_data().decode("utf-8-sig"))))
    assert "pseudonym" not in rows[0] and "AB01C" not in json.dumps(rows)
