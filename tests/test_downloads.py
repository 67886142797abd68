"""Every download parsed back, and the minimum group size respected in every format."""
from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from conftest import data_rows, login
from survey_app.web.db import get_store
from survey_app.web.catalogue import get_questionnaire
from survey_app.fieldings.drafts import build_response

SLUG = "stakeholder-questionnaire"
# welfare 7 and meeting centres 6 are large enough; social service (2) and volunteers (1) are too
# small, and together (3) still too few, so the next smallest group (6) is hidden as well.
GROUPS = {"welfare_association": (7, 5), "meeting_centre": (6, 4), "social_service": (2, 1), "volunteers": (1, 1)}


@pytest.fixture
def survey_id(app):
    with app.app_context():
        store = get_store()
        questionnaire = get_questionnaire(SLUG)
        app.test_client().get("/")
        survey = store.find_survey_by_slug(SLUG)
        for organisation, (count, rating) in GROUPS.items():
            for i in range(count):
                answers = {"organisation_type": organisation, "agree_role_clear": rating,
                           "task_usefulness": {"networking": rating, "navigator": rating},
                           "comments": f"=Kommentar {organisation} {i}"}
                draft = {"language": "de", "answers": answers}
                store.add_response(survey.id, build_response(survey, questionnaire, draft))
        return survey.id


def _get(client, survey_id, name, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    response = client.get(f"/results/{survey_id}/download/{name}" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def _csv(response):
    return data_rows(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_json_aggregates_match_the_data_and_hide_small_groups(app, client, survey_id):
    login(client, "evaluator")
    data = json.loads(_get(client, survey_id, "aggregates.json", by="organisation_type").get_data())
    assert data["responses"] == 16 and data["minimum_group_size"] == 5
    scale = next(q for q in data["questions"] if q["question"] == "agree_role_clear")
    # total: 7x5, 6x4, 2x1, 1x1 -> mean (35 + 24 + 2 + 1) / 16
    assert scale["items"][0]["mean"] == pytest.approx(62 / 16)
    groups = {g["group"]: g for g in scale["groups"]}
    assert not groups["welfare_association"]["suppressed"]
    assert groups["welfare_association"]["summary"]["items"][0]["mean"] == 5
    for hidden in ("meeting_centre", "social_service", "volunteers"):
        assert groups[hidden]["suppressed"] and "summary" not in groups[hidden]
    assert groups["social_service"]["size"] is None  # too small even to say how small
    # free texts stay out unless asked for
    comments = next(q for q in data["questions"] if q["question"] == "comments")
    assert comments["answers"] == []


def test_xlsx_has_raw_summary_and_codebook_sheets_without_suppressed_values(app, client, survey_id):
    login(client, "evaluator")
    workbook = load_workbook(io.BytesIO(_get(client, survey_id, "results.xlsx", by="organisation_type").get_data()))
    assert workbook.sheetnames == ["Antworten", "Zusammenfassung", "Codebuch", "Hinweis"]
    raw = list(workbook["Antworten"].values)
    header = raw[0]
    assert raw[1][header.index("organisation_type")] == "Für welche Art von Organisation oder Gremium sind Sie tätig?"
    organisation = [row[header.index("organisation_type")] for row in raw[2:]]
    assert len(organisation) == 16 and "response_id" not in header and header[0] == "row"
    # microdata: every value shown is shared by at least 5 rows; the small groups are blank
    assert all(organisation.count(value) >= 5 for value in organisation if value is not None)
    assert "social_service" not in organisation and "volunteers" not in organisation
    summary = list(workbook["Zusammenfassung"].values)
    columns = summary[0]   # in the interface language
    group_rows = [dict(zip(columns, row)) for row in summary[1:] if row[columns.index("Gruppe")]]
    hidden = [r for r in group_rows if r["Gruppe"] in ("Begegnungszentrum", "Städtischer Sozialdienst",
                                                        "Ehrenamt oder bürgerschaftliche Initiative")]
    assert hidden and all(r["Hinweis"] == "unterdrückt" and r["Mittelwert"] is None and r["Anzahl"] is None
                          for r in hidden)
    # groups nobody belongs to show zeros, which reveal nothing
    empty = [r for r in group_rows if r["Gruppe"] == "Stadtteilkonferenz"]
    assert empty and all(not r["Anzahl"] and not r["n"] for r in empty)
    codebook = [dict(zip(list(workbook["Codebuch"].values)[0], row)) for row in list(workbook["Codebuch"].values)[1:]]
    usefulness = next(r for r in codebook if r["Variable"] == "task_usefulness.networking")
    assert usefulness["Konstrukt"] == "task.networking"
    assert "1 = " in usefulness["Werte"]


def test_long_csv_and_codebook_cover_the_wide_columns(app, client, survey_id):
    login(client, "evaluator")
    wide = _csv(_get(client, survey_id, "responses.csv"))
    long = _csv(_get(client, survey_id, "responses-long.csv"))
    codebook = _csv(_get(client, survey_id, "codebook.csv"))
    assert long[0] == ["row", "question", "item", "value"]
    assert wide[0][:2] == ["row", "version"]
    non_empty = sum(1 for row in wide[1:] for cell in row[2:] if cell != "")
    assert len(long) - 1 == non_empty
    assert [row[0] for row in codebook[1:]] == wide[0]


def test_texts_are_included_only_on_request_and_neutralised(app, client, survey_id):
    login(client, "evaluator")
    assert "Kommentar" not in _get(client, survey_id, "responses.csv").get_data(as_text=True)
    with_texts = _get(client, survey_id, "responses.csv", texts=1).get_data(as_text=True)
    assert "'=Kommentar" in with_texts
    workbook = load_workbook(io.BytesIO(_get(client, survey_id, "results.xlsx", texts=1).get_data()))
    cells = [c for row in workbook["Antworten"].iter_rows() for c in row
             if isinstance(c.value, str) and "Kommentar" in c.value]
    # XLSX: text cells holding exactly what was typed, marked as text (Excel's quote prefix)
    assert cells and all(c.value.startswith("=") and c.data_type == "s" and c.quotePrefix for c in cells)


def test_small_filter_gives_no_download_and_no_page(app, client, survey_id):
    login(client, "evaluator")
    for name in ("aggregates.json", "report.html", "codebook.csv"):
        response = client.get(f"/results/{survey_id}/download/{name}?filter=organisation_type:social_service")
        assert response.status_code == 409
    # a file with one row per person is never filtered (a filter would label its rows)
    rows = _csv(_get(client, survey_id, "responses.csv", filter="organisation_type:social_service"))
    assert len(rows) == 1 + 16
    page = client.get(f"/results/{survey_id}?filter=organisation_type:social_service").get_data(as_text=True)
    assert "Dieser Filter wird nicht angezeigt" in page and "data-figure" not in page
    # 7 of 16 are in the filter and 9 outside: both large enough, so this filter is shown
    page = client.get(f"/results/{survey_id}?filter=organisation_type:welfare_association").get_data(as_text=True)
    assert "in diesem Filter: n = 7" in page


def test_report_is_self_contained_and_hides_small_groups(app, client, survey_id):
    login(client, "evaluator")
    html = _get(client, survey_id, "report.html", by="organisation_type").get_data(as_text=True)
    assert html.count("Plotly.newPlot") == 1 and "<script src=" not in html
    assert "Methodik" in html and "mindestens 5 Antwortenden" in html
    # two groups too small, one hidden to protect them: said so, for each question
    assert html.count("(weniger als 5 Personen)") >= 6
    assert "(verborgen, um andere Gruppen zu schützen)" in html
    assert "Kommentar" not in html


def test_hidden_text_answer_stays_out_of_every_download(app, client, survey_id):
    login(client, "evaluator")
    with app.app_context():
        first = get_store().responses(survey_id)[0]
    token = client.get(f"/results/{survey_id}?texts=1").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    client.post(f"/results/{survey_id}/texts/comments/{first['id']}", data={"csrf_token": token})
    assert client.post(f"/results/{survey_id}/texts/comments/no-such-response",
                       data={"csrf_token": token}).status_code == 404
    hidden_text = first["answers"]["comments"]
    assert hidden_text[1:] not in _get(client, survey_id, "responses.csv", texts=1).get_data(as_text=True)
    assert hidden_text not in _get(client, survey_id, "aggregates.json", texts=1).get_data(as_text=True)
    page = client.get(f"/results/{survey_id}?texts=1").get_data(as_text=True)
    assert "1 ausgeblendete Antworten" in page
    with app.app_context():
        assert get_store().responses(survey_id)[0]["answers"]["comments"] == hidden_text  # never deleted


def test_filtered_report_says_which_respondents_it_covers(app, client, survey_id):
    login(client, "evaluator")
    html = _get(client, survey_id, "report.html", filter="organisation_type:welfare_association").get_data(as_text=True)
    assert "Verband der freien Wohlfahrtspflege" in html and "in diesem Filter: n = 7" in html
