"""What an evaluator sees and downloads, checked against numbers computed here by hand."""
from __future__ import annotations

import csv
import io
import re
import statistics

from conftest import Respondent, data_rows, login
from survey_app.web.db import get_store

SLUG = "staff-self-assessment"
# Five staff members; everything not named here is answered with the first option.
ANSWERS = [
    {"quarter": ["ost_rothe_erde"], "programme": "general", "agree_role_clear": "5", "comments": "=HYPERLINK(\"x\")"},
    {"quarter": ["ost_rothe_erde", "preuswald"], "programme": "qfi", "agree_role_clear": "4",
     "comments": "Mehr Zeit für Netzwerkarbeit – Übergänge klären"},
    {"quarter": ["aachen_nord"], "programme": "general", "agree_role_clear": "dk", "comments": "-"},
    {"quarter": ["richterich"], "programme": "qfi", "agree_role_clear": "2", "comments": "+49 241 0000"},
    {"quarter": ["eilendorf"], "programme": "general", "agree_role_clear": "4", "comments": "@all"},
]


def _fill(app, answers=ANSWERS):
    for overrides in answers:
        Respondent(app.test_client(), app, SLUG).complete(overrides=overrides)
    with app.app_context():
        return get_store().find_survey_by_slug(SLUG).id


def _section(page: str, question_id: str) -> str:
    return page.split(f'id="result-{question_id}"')[1].split("</section>")[0]


def _german(number: float, digits: int = 1) -> str:
    return f"{number:.{digits}f}".replace(".", ",")


SIXTH = {"quarter": ["ost_rothe_erde"], "programme": "general", "agree_role_clear": "4", "comments": "ok"}


def test_results_page_numbers_match_a_hand_computation(app, client):
    survey_id = _fill(app, [*ANSWERS, SIXTH])
    login(client, "evaluator")
    page = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "Antworten: n = 6" in page

    scale = _section(page, "agree_role_clear")
    valid = [5, 4, 2, 4, 4]  # the third said "don't know", which is counted apart
    assert "n = 6 mit Antwort, 0 ohne Antwort" in scale
    cells = re.findall(r'<td class="num">([^<]*)</td>', scale)
    # n, then the five points (share of valid answers and count), don't know, mean, median, SD
    shares = [f"{_german(100 * valid.count(v) / len(valid))} % ({valid.count(v)})" for v in (1, 2, 3, 4, 5)]
    assert cells[:7] == ["6", *shares, "1"]
    assert cells[7] == _german(statistics.mean(valid), 2).rstrip("0").rstrip(",")
    assert cells[8] == "4"
    assert cells[9] == _german(statistics.stdev(valid), 2).rstrip("0").rstrip(",")

    # 4 general and 2 QFI: QFI is too small, general would give it away (6 - 4 = 2), so the
    # programme's own table hides both counts, as every breakdown and filter does
    programme = _section(page, "programme")
    assert programme.count("verborgen") == 2 and "66,7 %" not in programme and "33,3 %" not in programme
    quarter = _section(page, "quarter")
    # multiple choice: every quarter was named by fewer than 5 of the 6
    assert not re.search(r"Ost/Rothe Erde</td><td class=\"num\">\d", quarter)
    assert 'data-figure="figure-agree_role_clear"' in page


def test_a_scale_with_fewer_than_the_minimum_on_the_scale_is_not_shown(app, client):
    """5 answered, one of them "don't know": 4 answers on the scale are too few for a distribution."""
    survey_id = _fill(app)
    login(client, "evaluator")
    scale = _section(client.get(f"/results/{survey_id}").get_data(as_text=True), "agree_role_clear")
    assert "Weniger als 5 Antworten" in scale and "<table" not in scale


def test_results_below_the_minimum_group_size_show_only_the_count(app, client):
    survey_id = _fill(app, ANSWERS[:4])
    login(client, "evaluator")
    overview = client.get("/results/").get_data(as_text=True)
    assert f'href="/results/{survey_id}"' in overview
    assert "/download/" not in overview
    page = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "Antworten: n = 4" in page
    assert "mindestens 5 Antworten" in page
    assert "data-figure" not in page and "result-agree_role_clear" not in page
    assert "Netzwerkarbeit" not in page  # not even free texts
    download = client.get(f"/results/{survey_id}/download/responses.csv")
    assert download.status_code == 409
    assert "weniger als 5 Personen" in download.get_data(as_text=True)


def test_a_question_answered_by_fewer_than_the_minimum_is_not_shown(app, client):
    answers = [dict(a) for a in ANSWERS]
    for overrides in answers[2:]:
        overrides["agree_impact"] = ""  # optional question left open by three of five
    survey_id = _fill(app, [*answers, SIXTH])
    login(client, "evaluator")
    page = client.get(f"/results/{survey_id}").get_data(as_text=True)
    impact = _section(page, "agree_impact")
    assert "Weniger als 5 Antworten" in impact
    assert "data-figure" not in impact and "<table" not in impact
    assert "data-figure" in _section(page, "agree_role_clear")


def _csv_rows(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return data_rows(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_csv_download_protects_small_groups_and_leaves_texts_out_by_default(app, client):
    survey_id = _fill(app)
    login(client, "evaluator")
    assert f"/results/{survey_id}/download/results.xlsx" in client.get("/results/").get_data(as_text=True)
    rows = _csv_rows(client, f"/results/{survey_id}/download/responses.csv")
    assert len(rows) == 5
    assert sorted(r["agree_role_clear"] for r in rows) == sorted(["5", "4", "dk", "2", "4"])
    # every quarter was named by fewer than 5 people: no row shows one
    assert all(r[f"quarter.{q}"] in ("", "0") for r in rows for q in ("ost_rothe_erde", "preuswald", "aachen_nord"))
    # 3 general and 2 QFI: neither is shared by 5 rows, so the programme is blank in every row
    assert [r["programme"] for r in rows] == [""] * 5
    assert "comments" not in rows[0]
    # a row number of this file instead of the response id; no day, no language
    assert sorted(r["row"] for r in rows) == ["1", "2", "3", "4", "5"]
    assert "response_id" not in rows[0] and "submitted_on" not in rows[0] and "language" not in rows[0]


def test_csv_download_with_texts_neutralises_formulas(app, client):
    survey_id = _fill(app)
    login(client, "evaluator")
    rows = _csv_rows(client, f"/results/{survey_id}/download/responses.csv?texts=1")
    comments = sorted(r["comments"] for r in rows)
    assert "'" + ANSWERS[0]["comments"] in comments  # a formula is shown as text, never run
    assert ANSWERS[1]["comments"] in comments  # umlauts and dashes survive
    assert {"'-", "'+49 241 0000", "'@all"} <= set(comments)
