"""What an evaluator sees and downloads, checked against numbers computed here by hand."""
from __future__ import annotations

import csv
import io
import re
import statistics

from conftest import Respondent, login
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


def test_results_page_numbers_match_a_hand_computation(app, client):
    survey_id = _fill(app)
    login(client, "evaluator")
    page = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "Antworten: n = 5" in page

    scale = _section(page, "agree_role_clear")
    valid = [5, 4, 2, 4]  # the third said "don't know", which is counted apart
    assert "n = 5 mit Antwort, 0 ohne Antwort" in scale
    cells = re.findall(r'<td class="num">([^<]*)</td>', scale)
    # n, then the five points (share of valid answers and count), don't know, mean, median, SD
    shares = [f"{_german(100 * valid.count(v) / len(valid))} % ({valid.count(v)})" for v in (1, 2, 3, 4, 5)]
    assert cells[:7] == ["5", *shares, "1"]
    assert cells[7] == _german(statistics.mean(valid), 2)
    assert cells[8] == "4"
    assert cells[9] == _german(statistics.stdev(valid), 2)

    programme = _section(page, "programme")
    assert "60,0 %" in programme and "40,0 %" in programme
    quarter = _section(page, "quarter")
    # multiple choice: shares of respondents, so 2 of 5 chose Ost/Rothe Erde
    assert re.search(r"Ost/Rothe Erde</td><td class=\"num\">2</td><td class=\"num\">40,0 %", quarter)
    assert 'data-figure="figure-agree_role_clear"' in page


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
    assert "weniger als 5 Antworten" in download.get_data(as_text=True)


def test_a_question_answered_by_fewer_than_the_minimum_is_not_shown(app, client):
    answers = [dict(a) for a in ANSWERS]
    for overrides in answers[2:]:
        overrides["agree_impact"] = ""  # optional question left open by three of five
    survey_id = _fill(app, answers)
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
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_csv_download_protects_small_groups_and_leaves_texts_out_by_default(app, client):
    survey_id = _fill(app)
    login(client, "evaluator")
    assert f"/results/{survey_id}/download/results.xlsx" in client.get("/results/").get_data(as_text=True)
    rows = _csv_rows(client, f"/results/{survey_id}/download/responses.csv")
    assert len(rows) == 5
    assert [r["agree_role_clear"] for r in rows] == ["5", "4", "dk", "2", "4"]
    # every quarter was named by fewer than 5 people: no row shows one
    assert all(r[f"quarter.{q}"] == "" for r in rows for q in ("ost_rothe_erde", "preuswald", "aachen_nord"))
    # 3 general and 2 QFI: the 2 are suppressed, and then the 3 as well (else 5 - 3 = 2)
    assert [r["programme"] for r in rows] == ["suppressed"] * 5
    assert "comments" not in rows[0]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["submitted_on"]) for r in rows)


def test_csv_download_with_texts_neutralises_formulas(app, client):
    survey_id = _fill(app)
    login(client, "evaluator")
    rows = _csv_rows(client, f"/results/{survey_id}/download/responses.csv?texts=1")
    comments = [r["comments"] for r in rows]
    assert comments[0] == "'" + ANSWERS[0]["comments"]  # a formula is shown as text, never run
    assert comments[1] == ANSWERS[1]["comments"]  # umlauts and dashes survive
    assert comments[2:] == ["'-", "'+49 241 0000", "'@all"]
