"""WCAG 2.1 A/AA checks with axe-core in Chromium on the pages people use most."""
from __future__ import annotations

import random

import pytest

from conftest import PASSWORD
from survey_app.web.db import get_store
from survey_app.web.catalogue import get_questionnaire
from survey_app.fieldings.drafts import build_response
from survey_app.synthetic import random_answers

pytestmark = pytest.mark.browser
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}




def _violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


def test_respondent_pages_have_no_wcag_violations(app, browser, live_server):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{live_server.url}/s/staff-self-assessment")
    found = {"start": _violations(page)}
    page.get_by_role("button", name="Starten").click()
    with app.app_context():
        total = len(get_questionnaire("staff-self-assessment").pages)
    for number in range(1, total + 1):
        page.goto(f"{live_server.url}/s/staff-self-assessment/p/{number}")
        found[f"page {number}"] = _violations(page)
    page.goto(f"{live_server.url}/s/staff-self-assessment/p/2")
    page.get_by_role("button", name="Weiter").click()  # a required question left open: errors shown
    found["page 2 with errors"] = _violations(page)
    page.close()
    assert {name: v for name, v in found.items() if v} == {}


def test_staff_pages_have_no_wcag_violations(app, browser, live_server):
    rng = random.Random(5)
    with app.app_context():
        store = get_store()
        survey = store.find_survey_by_slug("staff-self-assessment")
        questionnaire = get_questionnaire("staff-self-assessment")
        for _ in range(8):
            draft = {"language": "de", "answers": random_answers(questionnaire, rng)}
            store.add_response(survey.id, build_response(survey, questionnaire, draft))
    page = browser.new_page()
    page.goto(f"{live_server.url}/login")
    found = {"login": _violations(page)}
    page.get_by_label("Benutzername").fill("admin")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    for name, path in (("results", f"/results/{survey.id}"), ("breakdown", f"/results/{survey.id}?by=programme"),
                       ("admin", "/admin/"), ("triangulation", "/results/triangulation")):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        found[name] = _violations(page)
    page.close()
    assert {name: v for name, v in found.items() if v} == {}
