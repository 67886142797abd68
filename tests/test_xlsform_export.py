"""XLSForm export: a questionnaire goes out as an XLSForm that pyxform (ODK's reference
implementation) accepts, and comes back through our own import as the same definition, for
every question type XLSForm can express; what it cannot carry is said, never dropped silently."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from pyxform.xls2xform import convert as pyxform_convert

from conftest import login
from survey_app.definitions.conditions import evaluate, references
from survey_app.definitions.imports import to_yaml
from survey_app.definitions.questionnaire import load_bytes, load_file
from survey_app.definitions.xlsform import convert_workbook
from survey_app.definitions.xlsform.export import xlsform

DATA = Path(__file__).parent / "data" / "xlsform_export"
ROOT = Path(__file__).parent.parent
COMPARED = ("id", "type", "text", "help", "required", "options", "max_choices", "min_choices", "items", "min", "max",
            "integer", "max_length", "min_length", "pattern", "pattern_message", "min_date", "max_date", "step")


def _load(path):
    questionnaire, problems = load_file(path)
    assert questionnaire is not None, problems
    return questionnaire


def _round_trip(questionnaire):
    data, notes = xlsform(questionnaire)
    conversion = convert_workbook(data, f"{questionnaire.id}.xlsx")
    back, problems = load_bytes(to_yaml(conversion.definition).encode("utf-8"), "back.yaml")
    assert back is not None, problems
    return data, notes, back


def _answers(questionnaire, rng):
    """Answer sets to decide conditions on: each question answered at random or not at all."""
    for _ in range(300):
        answers = {}
        for question in questionnaire.questions():
            if question.has_answer and rng.random() < 0.7:
                value = question.kind.random_answer(question, rng)
                if value is not None:
                    answers[question.id] = value
        yield answers


def _same_condition(questionnaire, a, b):
    if a is None or b is None:
        return a is None and b is None
    if references(a) != references(b):
        return False
    rng = random.Random(7)
    return all(evaluate(a, answers) == evaluate(b, answers) for answers in _answers(questionnaire, rng))


@pytest.fixture(scope="module")
def every_type():
    questionnaire = _load(DATA / "every-type.yaml")
    return questionnaire, *_round_trip(questionnaire)


def test_every_expressible_type_comes_back_equal(every_type):
    questionnaire, _, _, back = every_type
    assert back.languages == questionnaire.languages and back.title["de"] == questionnaire.title["de"]
    assert [p.id for p in back.pages] == [p.id for p in questionnaire.pages]
    for page, returned in zip(questionnaire.pages, back.pages):
        assert (returned.title, returned.intro) == (page.title, page.intro)
        assert _same_condition(questionnaire, page.show_if, returned.show_if), page.id
        assert [q.id for q in returned.questions] == [q.id for q in page.questions]
        for question, other in zip(page.questions, returned.questions):
            for name in COMPARED:
                assert getattr(other, name) == getattr(question, name), (question.id, name)
            if question.scale:
                assert other.scale.points == question.scale.points
                assert other.scale.dont_know == question.scale.dont_know
                assert other.scale.ordered == question.scale.ordered
            assert _same_condition(questionnaire, question.show_if, other.show_if), question.id
    types = {q.type for q in questionnaire.questions()}
    assert types == {"single_choice", "multiple_choice", "ranking", "scale", "matrix", "number", "short_text",
                     "long_text", "date", "note"}


def test_the_exported_form_is_valid_for_odk(every_type):
    _, data, _, _ = every_type
    result = pyxform_convert(xlsform=data, file_type=".xlsx")
    xform = result.xform
    assert "<h:title>Alle Fragetypen</h:title>" in xform
    assert 'lang="English (en)"' in xform and 'lang="Deutsch (de)"' in xform
    assert 'appearance="likert"' in xform and 'appearance="list-nolabel"' in xform   # table-list, as ODK draws it
    assert "regex(., '^[0-9]{5}$')" in xform


@pytest.mark.parametrize("name", ["staff-self-assessment.yaml", "stakeholder-questionnaire.yaml"])
def test_shipped_questionnaires_export_and_say_what_they_lose(name):
    questionnaire = _load(ROOT / "questionnaires" / name)
    data, notes, back = _round_trip(questionnaire)
    pyxform_convert(xlsform=data, file_type=".xlsx")
    said = {(dict(n.params).get("question"), n.message) for n in notes}
    for question in questionnaire.questions():
        if question.type in ("allocation", "time", "yes_no") or question.construct or question.unit:
            assert any(q == question.id for q, _ in said), question.id
    kept = {q.id for q in back.questions()}
    for question in questionnaire.questions():
        if question.type not in ("allocation", "time"):
            assert question.id in kept, question.id


def test_a_label_that_looks_like_a_formula_stays_text(every_type):
    import io
    import zipfile

    from openpyxl import load_workbook

    _, data, _, _ = every_type
    survey = load_workbook(io.BytesIO(data))["survey"]
    cells = [c for row in survey.iter_rows() for c in row if c.value == "=Anmerkungen?"]
    assert cells and all(c.data_type == "s" for c in cells)     # a text, never a formula
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()


def test_admins_download_it_with_the_report_in_their_language(app, client):
    login(client, "admin")
    assert "/admin/questionnaires/staff-self-assessment/xlsform" in client.get("/admin/").get_data(as_text=True)
    page = client.get("/admin/questionnaires/staff-self-assessment/xlsform").get_data(as_text=True)
    assert "Was XLSForm nicht abbilden kann" in page
    assert "kann nicht prüfen, ob Zahlen eine Summe ergeben" in page          # the allocation, in German
    response = client.get("/admin/questionnaires/staff-self-assessment/xlsform.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="staff-self-assessment-xlsform.xlsx"'
    back = convert_workbook(response.get_data(), "staff.xlsx")
    assert back.definition["id"] == "staff-self-assessment"
    assert client.get("/admin/questionnaires/nothing/xlsform.xlsx").status_code == 404


def test_evaluators_do_not_get_it(app, client):
    login(client, "evaluator")
    for url in ("/admin/questionnaires/staff-self-assessment/xlsform",
                "/admin/questionnaires/staff-self-assessment/xlsform.xlsx"):
        assert client.get(url).status_code in (302, 403)


def test_the_command_writes_the_form_and_lists_what_it_cannot_carry(app, tmp_path):
    target = tmp_path / "out" / "staff.xlsx"
    result = app.test_cli_runner().invoke(args=["export-xlsform", "staff-self-assessment",
                                                                "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "dropped" in result.stderr and target.stat().st_size > 0
    pyxform_convert(xlsform=target.read_bytes(), file_type=".xlsx")
    missing = app.test_cli_runner().invoke(args=["export-xlsform", "nothing", "-o", str(target)])
    assert missing.exit_code != 0 and "nothing" in missing.stderr
