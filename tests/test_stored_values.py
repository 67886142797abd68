"""Whatever is already stored, every page and file of the results works: responses written
straight into the store (as an old version, a bug or a hand-edited file may have left them)
with blank and unknown choices, control characters, numbers of 10^26 and far beyond, NaN,
values of the wrong kind; and the number formats never fail on such values."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import PASSWORD, login, make_app
from survey_app.output import formatting
from survey_app.web.auth import create_user
from survey_app.web.db import get_store

DEFINITIONS = Path(__file__).resolve().parent / "data" / "answers"
SLUG = "answers"

GOOD = {"quarter": "ost", "funded": "yes", "obstacles": ["time", "money"], "overall": 3,
        "tasks": {"networking": 1, "projects": 2, "navigator": "dk"}, "budget": 2500.5,
        "time": {"networking": 60, "projects": 40, "other": 0},
        "priorities": ["projects", "networking", "navigator"], "started_on": "2016-04-01",
        "postcode": "52062", "comments": "Gut so."}
STRANGE = [
    # the cases: blank choices, Word's line break in a free text, 10^26
    {"quarter": " ", "funded": "\x0b", "obstacles": ["\u2028", "time"], "overall": "\x0b",
     "tasks": {"networking": "\u3000", "projects": 10**30}, "budget": 1e26,
     "comments": "erste Zeile\x0bzweite Zeile\x0c\x00\x1f\x7f\x85 Ende", "postcode": "52\x0b062"},
    {"quarter": "unknown", "funded": True, "obstacles": "time", "overall": 99, "budget": 1e308,
     "time": {"networking": 1e308, "projects": "x"}, "priorities": ["networking", "networking"],
     "started_on": "31.02.2023", "comments": 10**30, "postcode": ["52062"]},
    {"quarter": 5, "funded": ["yes"], "obstacles": [1, None, {"a": 1}], "overall": 2.5, "budget": -0.0,
     "time": [1, 2], "priorities": "networking", "started_on": 20230101, "comments": {"x": "\x0b"},
     "tasks": "all"},
    {"quarter": {"d": 1}, "funded": None, "budget": "NaN", "time": {"networking": float("nan")},
     "priorities": [None, "zzz"], "started_on": "\x0b", "postcode": "=HYPERLINK(\"x\")"},
    {"budget": float("inf"), "overall": -0.0, "tasks": {"unknown": 1, "networking": True}},
    {"budget": -10**400, "comments": "a\u2028b\u2029c\r\nd\ufffe"},
    {"budget": 10**26, "overall": float("nan")},
]
DOWNLOADS = ("responses.csv", "responses-long.csv", "codebook.csv", "results.xlsx", "aggregates.json",
             "report.html", "responses.sav", "responses-r.zip")


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("stored"), QUESTIONNAIRE_DIR=str(DEFINITIONS))
    app.config["MIN_GROUP_SIZE"] = 3  # the floor
    with app.app_context():
        create_user("evaluator", PASSWORD, "evaluator")
    app.test_client().get("/")  # creates the survey of the shipped definition
    with app.app_context():
        store = get_store()
        survey = store.find_survey_by_slug(SLUG)
        for answers in [GOOD, GOOD, *STRANGE]:
            store.add_response(survey.id, {"survey_id": survey.id, "questionnaire_id": SLUG,
                                              "version": "v", "language": "de", "submitted_on": "2026-01-05",
                                              "answers": answers})
        for odd in ({"answers": "garbage", "language": None, "submitted_on": 12345, "version": {"x": 1}},
                    {"language": "de\x0b"}, {"answers": {"quarter": "ost", "unknown_question": [1]}}):
            store.add_response(survey.id, {"survey_id": survey.id, "questionnaire_id": SLUG, **odd})
    client = app.test_client()
    login(client, "evaluator")
    return client, survey.id


def _strict_json(text: str):
    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("query", ["", "texts=1", "by=quarter", "by=funded&texts=1", "filter=quarter:ost"])
@pytest.mark.parametrize("name", DOWNLOADS)
def test_every_download_works_on_whatever_is_stored(stored, name, query, tmp_path):
    client, survey_id = stored
    response = client.get(f"/results/{survey_id}/download/{name}?{query}")
    assert response.status_code in (200, 409), response.get_data(as_text=True)[:1000]
    if response.status_code == 409:   # too few responses in the filter: said so, not crashed
        assert "filter" in query
        return
    body = response.get_data()
    if name.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert len(rows) > 1
    elif name == "results.xlsx":
        workbook = load_workbook(io.BytesIO(body))
        assert {"Antworten", "Zusammenfassung", "Codebuch"} <= set(workbook.sheetnames) or len(workbook.sheetnames) == 3
    elif name == "aggregates.json":
        _strict_json(body.decode("utf-8"))
    elif name == "responses.sav":
        import pyreadstat
        path = tmp_path / "responses.sav"
        path.write_bytes(body)
        frame, _ = pyreadstat.read_sav(str(path))
        assert len(frame) > 0
    elif name == "responses-r.zip":
        import zipfile
        assert b"factor(" in zipfile.ZipFile(io.BytesIO(body)).read("responses.R")
    else:
        assert b"</html>" in body


def test_the_xlsx_keeps_free_texts_with_control_characters_readable(stored):
    client, survey_id = stored
    workbook = load_workbook(io.BytesIO(client.get(f"/results/{survey_id}/download/results.xlsx?texts=1").get_data()))
    cells = [cell for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row]
    assert "erste Zeile\nzweite Zeile\n\n Ende" in cells     # Word's line break is a line break
    assert "52\n062" in cells
    assert "a\nb\nc\nd" in cells
    assert 1e26 in cells                                       # numbers stay numbers


def test_the_results_page_shows_whatever_is_stored(stored):
    client, survey_id = stored
    for query in ("", "?by=quarter", "?texts=0"):
        response = client.get(f"/results/{survey_id}{query}")
        assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    page = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "2.500,5" in page   # the valid budgets count; 10^26 and the rest are no valid answers


@pytest.mark.parametrize("value", [1e26, 1e308, -1e308, -0.0, 10**26, 10**30, -10**400, float("nan"),
                                   float("inf"), float("-inf"), "NaN", "12", True, [1], 0.1, 123456.789])
def test_number_formats_never_fail(value):
    for text in (formatting.decimal(value, "de"), formatting.decimal(value, "en"),
                 formatting.percent(value, "de"), formatting.number(value)):
        assert isinstance(text, str) and text


def test_number_formats_read_well():
    assert formatting.decimal(1e26, "de") == "1E26" and formatting.decimal(1.5e26, "de") == "1,5E26"
    assert formatting.decimal(-0.0, "de") == "0" and formatting.decimal(2500.5, "de") == "2.500,5"
    assert formatting.decimal(float("nan"), "de") == "–"
    assert formatting.number(10**30) == "1E30" and formatting.number(12.0) == "12"
    assert formatting.percent(0.5, "de") == "50,0 %"


def test_huge_numbers_from_before_the_range_existed_break_neither_page_nor_report(tmp_path):
    """The issue's case alone: budgets of 10^26 and more, stored while number questions
    without `max` took them; they count as invalid, the valid ones are summarised."""
    app = make_app(tmp_path, QUESTIONNAIRE_DIR=str(DEFINITIONS))
    app.config["MIN_GROUP_SIZE"] = 3  # the floor
    with app.app_context():
        create_user("evaluator", PASSWORD, "evaluator")
    app.test_client().get("/")
    with app.app_context():
        store = get_store()
        survey = store.find_survey_by_slug(SLUG)
        for budget in (1e26, 10**26, 1e308, -1e300, 12, 13, 14):
            store.add_response(survey.id, {"survey_id": survey.id, "questionnaire_id": SLUG,
                                              "language": "de", "answers": {**GOOD, "budget": budget}})
    client = app.test_client()
    login(client, "evaluator")
    page = client.get(f"/results/{survey.id}")
    assert page.status_code == 200
    assert "13" in page.get_data(as_text=True)          # the mean of the valid budgets 12, 13 and 14
    report = client.get(f"/results/{survey.id}/download/report.html")
    assert report.status_code == 200
    summary = load_workbook(io.BytesIO(client.get(f"/results/{survey.id}/download/results.xlsx").get_data()))
    rows = list(summary.worksheets[1].iter_rows(values_only=True))
    budget = next(row for row in rows if row[0] == "budget")
    assert budget[5] == 3 and budget[8] == 13             # n and mean
