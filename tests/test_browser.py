"""The whole path in a real browser: a staff member fills in the self-assessment page by
page on a phone-sized screen, then an evaluator logs in and sees n = 1 (and, once enough
responses are in for the minimum group size, every chart drawn)."""
from __future__ import annotations

import random

import pytest

from conftest import PASSWORD, Respondent, login
from survey_app.web.db import get_store
from survey_app.fieldings.drafts import build_response
from survey_app.synthetic import random_answers

pytestmark = pytest.mark.browser






def _fill_page(page, questionnaire_page):
    """Answer each question the way a person would: click labels, type numbers."""
    for question in questionnaire_page.questions:
        block = page.locator(f"#q-{question.id}")
        kind = question.type
        if kind in ("single_choice", "multiple_choice"):
            block.locator("label.choice").first.click()
        elif kind == "scale":
            block.locator("label.choice").nth(len(question.scale.points) - 2).click()
        elif kind == "matrix":
            for item in question.items:
                page.locator(f"#q-{question.id}-{item.id} label.choice").first.click()
        elif kind == "allocation":
            inputs = block.locator("input")
            share = int(question.total) // 2
            inputs.nth(0).fill(str(share))
            inputs.nth(1).fill(str(int(question.total) - share))
        elif kind == "number":
            block.locator("input").fill(format(question.min or 0, "g"))
        else:
            block.locator("input, textarea").fill("Mehr Zeit für Netzwerkarbeit")


def _add_synthetic_responses(respondent, count, fixed=lambda i: {}):
    """`count` random responses; `fixed(i)` gives answers the i-th one must have."""
    app = respondent.client.application
    rng = random.Random(7)
    with app.app_context():
        store = get_store()
        survey = store.find_survey_by_slug(respondent.slug)
        for i in range(count):
            answers = random_answers(respondent.questionnaire, rng) | fixed(i)
            draft = {"language": "de", "answers": answers}
            store.add_response(survey.id, build_response(survey, respondent.questionnaire, draft))


def test_staff_fills_in_and_evaluator_sees_one_response(browser, live_server, respondent):
    questionnaire = respondent.questionnaire
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/s/{questionnaire.id}")
    page.get_by_role("button", name="Start").click()
    total = len(questionnaire.pages)
    for number, questionnaire_page in enumerate(questionnaire.pages, start=1):
        page.get_by_text(f"Seite {number} von {total}").wait_for()
        # Nothing may stick out sideways on a 375 px phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        _fill_page(page, questionnaire_page)
        button = "Weiter" if number < total else "Antworten absenden"
        page.get_by_role("button", name=button).click()
    page.get_by_role("heading", name="Vielen Dank!").wait_for()

    staff = browser.new_context()
    evaluator = staff.new_page()
    evaluator.on("pageerror", lambda error: errors.append(str(error)))
    evaluator.goto(f"{live_server.url}/login")
    evaluator.get_by_label("Benutzername").fill("evaluator")
    evaluator.get_by_label("Passwort").fill(PASSWORD)
    evaluator.get_by_role("button", name="Anmelden").click()
    evaluator.get_by_role("link", name="Ergebnisse").click()
    evaluator.get_by_role("link", name=questionnaire.title["de"]).click()
    evaluator.get_by_text("Antworten: n = 1").wait_for()
    # one response is below the minimum group size: its answers are not shown
    assert evaluator.locator("[data-figure]").count() == 0
    evaluator.get_by_text("Mindestgruppengröße").wait_for()

    _add_synthetic_responses(respondent, 4)
    evaluator.reload()
    evaluator.get_by_text("Antworten: n = 5").wait_for()
    charts = evaluator.locator("[data-figure]")
    charts.last.locator(".main-svg").first.wait_for()
    rendered = evaluator.locator("[data-figure][data-rendered='1']")
    assert rendered.count() == charts.count() > 0
    assert errors == []
    context.close()
    staff.close()


def test_report_opens_offline_with_every_chart_drawn(browser, app, client, tmp_path):
    # one quarter, six in each programme: the plan shows both groups (random quarters could
    # leave the programme table out to protect small quarters)
    respondent = _respondent_with_history(
        app, 12, lambda i: {"quarter": ["ost_rothe_erde"], "programme": ("general", "qfi")[i % 2]})
    login(client, "evaluator")
    with app.app_context():
        survey = get_store().find_survey_by_slug(respondent.slug)
    html = client.get(f"/results/{survey.id}/download/report.html?by=programme").get_data(as_text=True)
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")

    context = browser.new_context(offline=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(path.as_uri())
    charts = page.locator("[data-figure]")
    assert charts.count() >= 3          # those the release plan shows for 12 people by programme
    page.wait_for_function("document.querySelectorAll('[data-figure]').length === "
                           "document.querySelectorAll('[data-figure][data-rendered]').length")
    assert errors == []
    page.emulate_media(media="print")
    assert page.locator(".title-page").is_visible()
    context.close()


def _respondent_with_history(app, count, fixed=lambda i: {}):
    respondent = Respondent(app.test_client(), app, "staff-self-assessment")
    respondent.client.get("/")  # the first request prepares the shipped surveys
    _add_synthetic_responses(respondent, count, fixed)
    return respondent


def test_save_on_a_phone_and_resume_on_a_laptop(browser, live_server, respondent):
    phone = browser.new_context(viewport={"width": 375, "height": 740})
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{respondent.slug}")
    page.get_by_role("button", name="Starten").click()
    first = respondent.questionnaire.pages[0]
    _fill_page(page, first)
    page.get_by_role("button", name="Weiter").click()
    page.get_by_text("Seite 2 von").wait_for()
    page.get_by_role("button", name="Speichern und später fortsetzen").click()
    code = page.locator(".resume-code").inner_text().replace(" ", "")
    assert len(code) == 8
    phone.close()

    laptop = browser.new_context()
    page = laptop.new_page()
    page.goto(f"{live_server.url}/s/{respondent.slug}")
    page.get_by_role("link", name="Gespeicherte Antworten mit einem Code fortsetzen").click()
    page.get_by_label("Code zum Fortsetzen (8 Zeichen)").fill(code.lower())
    page.get_by_role("button", name="Fortsetzen").click()
    page.get_by_text("Seite 2 von").wait_for()
    page.get_by_role("button", name="Zurück").click()
    page.get_by_text("Seite 1 von").wait_for()
    checked = page.locator("#q-programme input:checked")
    assert checked.count() == 1  # the answer given on the phone is there
    laptop.close()
