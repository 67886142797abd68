"""What a respondent on a phone notices, in a real browser: the header's languages switch
mid-page without losing what was typed, and autosave keeps a page typed but never sent
(browser closed, battery empty) for resuming."""
from __future__ import annotations

import pytest

from survey_app.web.db import get_store

pytestmark = pytest.mark.browser
SLUG = "stakeholder-questionnaire"


def _expect():
    from playwright.sync_api import expect
    return expect


def _violations(page) -> list[str]:
    from test_accessibility import _violations as axe_violations
    return axe_violations(page)


def _fill_first_page(page, text):
    page.locator("#q-organisation_type label.choice").last.click()   # "other": a text field appears
    page.locator("#organisation_other").fill(text)
    page.locator("#q-quarter label.choice").nth(2).click()


def _first_page_kept(page, text):
    expect = _expect()
    expect(page.locator("#q-organisation_type input[value=other]")).to_be_checked()
    expect(page.locator("#organisation_other")).to_have_value(text)
    expect(page.locator("#q-quarter input[value=preuswald]")).to_be_checked()


def test_an_arabic_respondent_switches_to_english_and_back_mid_page(browser, live_server):
    expect = _expect()
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/lang/ar?next=/s/{SLUG}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("button", name="Start").click()           # no Arabic interface: English buttons
    header = page.locator("header")
    for name in ("العربية", "Deutsch", "English"):
        expect(header.get_by_text(name, exact=True)).to_be_visible()
    assert _violations(page) == []   # axe-core: the header's language buttons on a right-to-left page
    _fill_first_page(page, "مدرسة")

    header.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="About you and your organisation")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    _first_page_kept(page, "مدرسة")
    assert "/p/1" in page.url and not page.locator("#error-summary").count()

    page.locator("header").get_by_role("button", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    _first_page_kept(page, "مدرسة")
    page.locator("header").get_by_role("button", name="Deutsch").click()
    expect(page.get_by_role("heading", name="Über Sie und Ihre Organisation")).to_be_visible()
    expect(page.get_by_role("button", name="Weiter")).to_be_visible()   # the interface follows: German
    _first_page_kept(page, "مدرسة")
    context.close()
    assert errors == []


def test_autosave_keeps_a_page_never_sent_when_the_browser_is_closed(app, browser, live_server):
    expect = _expect()
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    autosaves = []
    page.on("request", lambda r: autosaves.append(r) if r.method == "POST" and "autosave" in (r.post_data or "")
            else None)
    page.goto(f"{live_server.url}/s/{SLUG}")
    page.get_by_role("button", name="Starten").click()
    page.locator("#q-organisation_type label.choice").last.click()
    page.locator("#organisation_other").click()
    page.keyboard.type("Stadtteilbibliothek")   # 19 keystrokes in a row
    status = page.locator("#autosave-status")
    expect(status).to_have_text("gespeichert")
    expect(status).to_have_attribute("aria-live", "polite")
    assert 1 <= len(autosaves) < 19
    context.close()                              # closed mid-page: "Next" was never pressed

    with app.app_context():
        store = get_store()
        [draft] = store.read_drafts(store.find_survey_by_slug(SLUG).id)[0]
    assert draft["answers"]["organisation_other"] == "Stadtteilbibliothek"
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{SLUG}/resume/{draft['resume_code']}")
    page.get_by_role("button", name="Fortsetzen").click()
    expect(page.locator("#organisation_other")).to_have_value("Stadtteilbibliothek")
    expect(page.locator("#q-organisation_type input[value=other]")).to_be_checked()
    context.close()
