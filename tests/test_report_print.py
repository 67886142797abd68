"""The report printed to PDF as Chromium prints it (Playwright page.pdf, A4): the
triangulation's every column on a page (its last column's heading inside the page), scale
tables with all their columns, the survey's title and page numbers in the footer."""
from __future__ import annotations

import io
import re

import pytest

from conftest import PASSWORD, login, make_app
from survey_app.web.auth import create_user
from survey_app.web.db import get_store

pytestmark = pytest.mark.browser
SLUG = "stakeholder-questionnaire"


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _placed_text(page) -> list[tuple[float, str]]:
    """(x, text) of every piece of text pypdf finds on a PDF page."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((cm[4] + tm[4] * cm[0], text))
    page.extract_text(visitor_text=visit)
    return found


@pytest.fixture(scope="module")
def printed(tmp_path_factory, browser):
    """The report of the stakeholder survey with the demo data, printed to PDF once."""
    import pypdf
    app = make_app(tmp_path_factory.mktemp("print"))
    with app.app_context():
        create_user("evaluator", PASSWORD, "evaluator")
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    client = app.test_client()
    login(client, "evaluator")
    with app.app_context():
        survey = get_store().find_survey_by_slug(SLUG)
    html = client.get(f"/results/{survey.id}/download/report.html").get_data(as_text=True)
    with app.test_request_context():
        from survey_app.web.views.results import triangulation_for
        measures = triangulation_for(survey).measures
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_content(html, wait_until="load")
    page.wait_for_function("[...document.querySelectorAll('[data-figure]')].every(b => b.dataset.rendered)")
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    page.close()
    return pypdf.PdfReader(io.BytesIO(pdf)), measures


def test_the_triangulations_last_column_is_on_a_landscape_page(printed):
    reader, measures = printed
    assert len(measures) > 6          # more than one part of six columns: the last in a part of its own
    last = measures[-1].question_text["de"]
    holding = [p for p in reader.pages if _words(last) in _words(p.extract_text())
               and any("Aufgabe oder Ziel" in t for _, t in _placed_text(p))]
    assert holding, "the last column's heading is on no page of the triangulation"
    for page in holding:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width > height                                   # landscape
        xs = [x for x, t in _placed_text(page) if t.strip() and t.strip() in last]
        assert xs and all(0 <= x < width for x in xs)          # inside the page, not cut off


def test_every_page_has_the_title_and_its_number_in_the_footer(printed):
    reader, _ = printed
    total = len(reader.pages)
    assert total > 5
    for number, page in enumerate(reader.pages, start=1):
        text = _words(page.extract_text())
        assert f"{number} / {total}" in text
        assert "Befragung der Partner*innen des Quartiersmanagements" in text


def test_wide_scale_tables_print_on_landscape_pages_with_every_column(printed):
    reader, _ = printed
    # the usefulness matrix: item, n, five points, "can't judge", mean, median, SD, top 2, bottom 2
    holding = [p for p in reader.pages if "Bottom 2" in _words(p.extract_text())
               and "Lotsenfunktion" in p.extract_text()]
    assert holding
    for page in holding:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width > height
        placed = [x for x, t in _placed_text(page) if "Bottom" in t]
        assert placed and all(0 <= x < width for x in placed)

