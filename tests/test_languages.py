"""Questionnaire languages: any number per definition, fallback to the default language with
a warning, partial translations, easy German (de-x-easy), and right-to-left Arabic — in the
loader, the validate command, the respondent's routes and a real browser."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import Respondent, make_app, valid_page_data
from survey_app.web.db import get_store
from survey_app.definitions.loader import WARNING
from survey_app.definitions.questionnaire import load_folder
from survey_app.definitions.model import localized

DATA = Path(__file__).resolve().parent / "data" / "languages"
STAKEHOLDER = "stakeholder-questionnaire"


def _html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


# ---------------------------------------------------------------- loading and validate

def test_a_missing_translation_is_a_warning_and_falls_back_to_the_default():
    catalogue = load_folder(DATA)
    assert catalogue.problems == []
    easy = catalogue.questionnaires["easy"]
    assert easy.languages == ("de", "de-x-easy", "en")
    [warning] = catalogue.warnings
    assert warning.severity == WARNING
    assert str(warning) == ('easy.yaml: question "contact": "text": missing translation for "en"; '
                            'the "de" text is shown instead')
    text = easy.question("contact").text
    assert localized(text, "en", "de") == "Hatten Sie schon Kontakt mit dem Quartiersmanagement?"
    assert localized(text, "de-x-easy", "de") == "Haben Sie schon mit dem Quartiers-Management gesprochen?"


def test_validate_prints_warnings_but_exits_0(runner):
    result = runner.invoke(args=["validate"])
    assert result.exit_code == 0, result.output
    assert ('warning stakeholder-questionnaire.yaml: top level: language "ar" is marked as partial'
            in result.stderr)
    assert "2 definitions, no problems (1 warning)" in result.stdout


def test_validate_exits_1_only_for_errors(runner, tmp_path):
    shutil.copy(DATA / "easy.yaml", tmp_path / "easy.yaml")
    warned = runner.invoke(args=["validate", str(tmp_path)])
    assert warned.exit_code == 0 and "1 definitions, no problems (1 warning)" in warned.stdout
    broken = (DATA / "easy.yaml").read_text(encoding="utf-8").replace(
        "  de: Befragung zum Quartiersmanagement\n", "")
    (tmp_path / "broken.yaml").write_text(broken.replace("id: easy", "id: broken"), encoding="utf-8")
    failed = runner.invoke(args=["validate", str(tmp_path)])
    assert failed.exit_code == 1
    assert ('problem broken.yaml: top level: "title": missing translation for "de" (the default language)'
            in failed.stderr)


# ---------------------------------------------------------------- Arabic, right to left

@pytest.fixture
def arabic(client, app):
    client.get(f"/lang/ar?next=/s/{STAKEHOLDER}")
    return Respondent(client, app, STAKEHOLDER)


def test_the_arabic_start_page_is_right_to_left_with_english_interface_text_marked(client, arabic):
    page = client.get(f"/s/{STAKEHOLDER}").get_data(as_text=True)
    assert _html_tag(page) == '<html lang="ar" dir="rtl">'
    questionnaire = arabic.questionnaire
    for text in (questionnaire.title, questionnaire.anonymity):
        assert text["ar"] in page
    assert "Quartiersmanagement" in page and "إدارة الأحياء" in page
    # The interface has no Arabic: English, marked as such inside the Arabic page.
    assert '<h2 id="anonymity-heading" lang="en" dir="auto">Your anonymity</h2>' in page
    assert re.search(r'<span aria-current="true" lang="ar" dir="rtl">العربية</span>', page)


def test_the_first_page_is_in_arabic_and_the_next_falls_back_to_german(app, client, arabic):
    arabic.start()
    page = client.get(f"/s/{STAKEHOLDER}/p/1").get_data(as_text=True)
    assert _html_tag(page) == '<html lang="ar" dir="rtl">'
    assert "لأيّ نوع من المؤسسات أو الهيئات تعملون؟" in page
    assert "جمعية من جمعيات الرعاية الاجتماعية المستقلة (Wohlfahrtsverband)" in page
    assert '<span class="required" lang="en" dir="auto">(required)</span>' in page
    assert 'class="form-navigation" lang="en"' in page
    assert 'id="q-organisation_type"' in page and 'id="q-organisation_type" lang=' not in page

    arabic.post_page(1, valid_page_data(arabic.questionnaire.pages[0]))
    page = client.get(f"/s/{STAKEHOLDER}/p/2").get_data(as_text=True)
    assert _html_tag(page) == '<html lang="ar" dir="rtl">'
    # Not translated yet: shown in German, marked German and left to right.
    assert '<h1 lang="de" dir="ltr">Nutzen der Aufgaben</h1>' in page
    assert re.search(r'id="q-task_usefulness"\s+data-question="task_usefulness" data-type="matrix" '
                     r'lang="de" dir="ltr"', page)


def test_an_arabic_response_records_its_language(app, client, arabic):
    arabic.complete()
    with app.app_context():
        store = get_store()
        [stored] = store.responses(store.find_survey_by_slug(STAKEHOLDER).id)
    assert stored["language"] == "ar"
    assert stored["answers"]["organisation_type"] == "welfare_association"


def test_a_language_the_questionnaire_lacks_gives_the_interface_language(client, arabic):
    # no Arabic in the staff questionnaire: it is shown in English, like the interface
    page = client.get("/s/staff-self-assessment").get_data(as_text=True)
    assert _html_tag(page) == '<html lang="en" dir="ltr">'
    assert "Self-assessment of neighbourhood managers" in page


# ---------------------------------------------------------------- easy German

@pytest.fixture
def easy_app(tmp_path):
    return make_app(tmp_path, QUESTIONNAIRE_DIR=str(DATA))


def test_easy_german_is_offered_and_shown(easy_app):
    client = easy_app.test_client()
    start = client.get("/s/easy").get_data(as_text=True)
    assert ('<a href="/lang/de-x-easy?next=/s/easy" hreflang="de-x-easy" lang="de-x-easy" dir="ltr">'
            "Deutsch – Leichte Sprache</a>") in start
    client.get("/lang/de-x-easy?next=/s/easy")
    start = client.get("/s/easy").get_data(as_text=True)
    assert _html_tag(start) == '<html lang="de-x-easy" dir="ltr">'
    assert "Fragen zum Quartiers-Management" in start
    respondent = Respondent(client, easy_app, "easy")
    respondent.start()
    page = client.get("/s/easy/p/1").get_data(as_text=True)
    assert "Haben Sie schon mit dem Quartiers-Management gesprochen?" in page
    assert respondent.post_page(1, {"contact": "yes"}).location.endswith("/thanks")


def test_english_falls_back_to_german_for_a_missing_text(easy_app):
    client = easy_app.test_client()
    client.get("/lang/en?next=/s/easy")
    Respondent(client, easy_app, "easy").start()
    page = client.get("/s/easy/p/1").get_data(as_text=True)
    assert _html_tag(page) == '<html lang="en" dir="ltr">'
    assert re.search(r'data-type="yes_no" lang="de" dir="ltr"', page)
    assert "Hatten Sie schon Kontakt mit dem Quartiersmanagement?" in page
    assert "What would you like to tell us?" in page
    assert ">Yes</span>" in page and ">No</span>" in page


# ---------------------------------------------------------------- in a browser

@pytest.mark.browser
def test_an_arabic_page_is_mirrored(browser, live_server, app):
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/s/{STAKEHOLDER}")
    page.get_by_role("link", name="العربية").click()
    # The click navigates: wait for the new page instead of reading the old one while it goes.
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/p/1")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")   # nothing sideways
    # A choice: the radio button sits right of its text.
    choice = page.locator("label.choice").first
    radio, text = choice.locator("input").bounding_box(), choice.locator("span").bounding_box()
    assert radio["x"] > text["x"]
    # Branching works in Arabic as well.
    other = page.locator("#q-organisation_other")
    assert other.is_hidden()
    page.get_by_label("جهة أخرى").check()
    assert other.is_visible()
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/p/2")
    # The "next" button is on the left, "back" on the right.
    forward = page.get_by_role("button", name="Next").bounding_box()
    back = page.get_by_role("button", name="Back").bounding_box()
    assert forward["x"] + forward["width"] <= back["x"]
    for item in page.locator(".matrix-item").all():
        item.locator("label.choice").first.click()
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/p/3")
    # A scale runs from right to left: its first point is the rightmost.
    points = page.locator("#q-agree_role_clear label.choice")
    first, second = points.nth(0).bounding_box(), points.nth(1).bounding_box()
    assert first["x"] > second["x"]
    context.close()
    assert errors == []
