"""What an evaluator sees and downloads, checked against numbers computed here by hand."""
from __future__ import annotations

import csv
import io
import re
import statistics

from conftest import Respondent, login
from survey_app.db import get_store

SLUG = "staff-self-assessment"
# Three staff members; everything else answered with the first option.
ANSWERS = [
    {"quarter": ["ost_rothe_erde"], "programme": "general", "agree_role_clear": "5", "comments": "=HYPERLINK(\"x\")"},
    {"quarter": ["ost_rothe_erde", "preuswald"], "programme": "qfi", "agree_role_clear": "4",
     "comments": "Mehr Zeit für Netzwerkarbeit – Übergänge klären"},
    {"quarter": ["aachen_nord"], "programme": "general", "agree_role_clear": "dk", "comments": "-"},
]


def _fill(app):
    for answers in ANSWERS:
        Respondent(app.test_client(), app, SLUG).complete(overrides=answers)
    with app.app_context():
        return get_store().find_survey_by_slug(SLUG)["id"]


def _section(page: str, question_id: str) -> str:
    return page.split(f'id="result-{question_id}"')[1].split("</section>")[0]


def test_results_page_numbers_match_a_hand_computation(app, client):
    survey_id = _fill(app)
    login(client, "evaluator")
    page = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "Antworten: n = 3" in page

    scale = _section(page, "agree_role_clear")
    valid = [5, 4]  # the third said "don't know", which is counted apart
    assert "n = 3 mit Antwort, 0 ohne Antwort" in scale
    mean = f"{statistics.mean(valid):.1f}".replace(".", ",")
    assert f">{mean}<" in scale
    cells = re.findall(r'<td class="num">([^<]*)</td>', scale)
    assert "50,0 % (1)" in cells and cells.count("0,0 % (0)") == 3
    assert '<td class="num">1</td>' in scale  # the don't-know count

    programme = _section(page, "programme")
    assert "66,7 %" in programme and "33,3 %" in programme
    quarter = _section(page, "quarter")
    # multiple choice: shares of respondents, so 2 of 3 chose Ost/Rothe Erde
    assert re.search(r"Ost/Rothe Erde</td><td class=\"num\">2</td><td class=\"num\">66,7 %", quarter)
    assert 'data-figure="figure-agree_role_clear"' in page


def test_csv_download_has_one_row_per_response_and_neutralised_formulas(app, client):
    survey_id = _fill(app)
    login(client, "evaluator")
    response = client.get(f"/results/{survey_id}/responses.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    assert [r["quarter.ost_rothe_erde"] for r in rows] == ["1", "1", "0"]
    assert [r["quarter.preuswald"] for r in rows] == ["0", "1", "0"]
    assert [r["agree_role_clear"] for r in rows] == ["5", "4", "dk"]
    assert [r["programme"] for r in rows] == ["general", "qfi", "general"]
    comments = [r["comments"] for r in rows]
    assert comments[0].startswith("'=")  # a formula is shown as text, never run
    assert comments[1] == ANSWERS[1]["comments"]  # umlauts and dashes survive
    assert comments[2] == "'-"
    assert all(len(r["submitted_on"]) == 10 for r in rows)
