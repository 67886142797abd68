"""Under the Content-Security-Policy every page still works in Chromium, with zero violations:
survey.js shows a question when an answer calls for it, results charts are drawn and download,
the workshop's phone and presenter pages follow the facilitator without a reload, the admin's
draft pages work, and the HTML report draws its charts under its own policy."""
from __future__ import annotations

import random

import pytest

from conftest import PASSWORD
from survey_app.fieldings.drafts import build_response
from survey_app.synthetic import random_answers
from survey_app.web.catalogue import get_questionnaire
from survey_app.web.db import get_store
from survey_app.web.headers import REPORT_POLICY

pytestmark = pytest.mark.browser

WATCH = """document.addEventListener("securitypolicyviolation", function (e) {
  window.cspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " +
                      e.sourceFile + ":" + e.lineNumber + " (" + (e.sample || "") + ")");
});"""


class Watched:
    """A browser context whose pages report every CSP violation and every console error."""

    def __init__(self, browser, **options):
        self.context = browser.new_context(**options)
        self.problems: list[str] = []
        # Playwright's bindings and init scripts are not subject to the page's policy.
        self.context.expose_binding("cspViolation", lambda _source, text: self.problems.append("csp: " + text))
        self.context.add_init_script(WATCH)

    def page(self):
        page = self.context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        # which resource failed (the console message does not say); browsers ask for a favicon
        page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
                and self.problems.append(f"{r.status}: {r.url}"))
        return page

    def _console(self, message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console: {message.text}")

    def close(self):
        self.context.close()


def _login(page, url, name):
    page.goto(f"{url}/login")
    page.get_by_label("Benutzername").fill(name)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()


def _responses(app, slug, count):
    rng = random.Random(3)
    with app.app_context():
        store = get_store()
        survey = store.find_survey_by_slug(slug)
        questionnaire = get_questionnaire(slug)
        for _ in range(count):
            draft = {"language": "de", "answers": random_answers(questionnaire, rng)}
            store.add_response(survey.id, build_response(survey, questionnaire, draft))
    return survey


def test_survey_branching_works_under_the_policy(browser, live_server):
    watched = Watched(browser, viewport={"width": 375, "height": 740})
    page = watched.page()
    page.goto(f"{live_server.url}/s/stakeholder-questionnaire")
    page.get_by_role("button", name="Starten").click()
    other = page.locator("#q-organisation_other")
    other.wait_for(state="attached")
    assert other.is_hidden()                           # survey.js hid it: its condition is not met
    page.locator("#q-organisation_type label.choice").last.click()   # "Sonstiges"
    other.wait_for(state="visible")                     # shown at once, without a round trip
    page.locator("#q-organisation_type label.choice").first.click()
    other.wait_for(state="hidden")
    watched.close()
    assert watched.problems == []


def test_results_charts_render_and_download_under_the_policy(app, browser, live_server):
    # enough respondents that the release plan shows charts in the breakdown too
    survey = _responses(app, "staff-self-assessment", 24)
    watched = Watched(browser, accept_downloads=True)
    page = watched.page()
    _login(page, live_server.url, "evaluator")
    for query, least in (("", 4), ("?by=programme", 1)):
        page.goto(f"{live_server.url}/results/{survey.id}{query}")
        page.wait_for_function(f"document.querySelectorAll('[data-figure]').length >= {least} && "
                               "document.querySelectorAll('[data-figure]').length === "
                               "document.querySelectorAll('[data-figure][data-rendered]').length")
    for label in ("Diagramm als SVG herunterladen", "Diagramm als PNG herunterladen"):
        with page.expect_download() as download:
            page.get_by_role("button", name=label).first.click()
        assert download.value.suggested_filename.startswith("figure-")
    page.goto(f"{live_server.url}/results/triangulation")
    watched.close()
    assert watched.problems == []


def test_the_report_draws_its_charts_under_its_own_policy(app, client, browser):
    survey = _responses(app, "staff-self-assessment", 8)
    from conftest import login

    login(client, "evaluator")
    served = client.get(f"/results/{survey.id}/download/report.html")
    assert served.headers["Content-Disposition"].startswith("attachment;")   # a file, not a page of this site
    assert served.headers["Content-Security-Policy"] == REPORT_POLICY
    html = served.get_data()
    watched = Watched(browser)
    page = watched.page()
    # As if a browser showed the download in place: the same bytes and headers, minus "attachment".
    page.route("https://report.example/report.html", lambda route: route.fulfill(
        status=200, body=html, headers={"Content-Type": "text/html; charset=utf-8",
                                        "Content-Security-Policy": REPORT_POLICY}))
    page.goto("https://report.example/report.html")
    page.wait_for_function("document.querySelectorAll('[data-figure]').length > 3 && "
                           "document.querySelectorAll('[data-figure]').length === "
                           "document.querySelectorAll('[data-figure][data-rendered]').length")
    assert page.evaluate("window.origin") == "null"   # sandboxed: no origin, no cookies, no requests to the app
    watched.close()
    assert watched.problems == []


def test_admin_and_account_pages_work_under_the_policy(app, browser, live_server):
    watched = Watched(browser)
    page = watched.page()
    _login(page, live_server.url, "admin")
    for path in ("/admin/", "/admin/preview/staff-self-assessment/1", "/accounts/", "/admin/audit/",
                 "/account/password", "/workshops/"):
        page.goto(live_server.url + path)
    page.goto(f"{live_server.url}/admin/")
    page.set_input_files("input[type=file]", files=[{"name": "x.yaml", "mimeType": "application/x-yaml",
                                                     "buffer": b"id: x\nlanguages: [de\n"}])
    page.get_by_role("button", name="Datei prüfen").click()
    page.get_by_role("heading", name="Entwurf eines Fragebogens").wait_for()
    watched.close()
    assert watched.problems == []


def test_workshop_phone_and_presenter_follow_under_the_policy(browser, live_server):
    staff = Watched(browser, viewport={"width": 1280, "height": 900})
    facilitator = staff.page()
    _login(facilitator, live_server.url, "facilitator")
    facilitator.goto(f"{live_server.url}/workshops/")
    facilitator.get_by_label("Titel").fill("Workshop unter CSP")
    facilitator.get_by_label("Vorlage", exact=True).select_option("neighbourhood-management-workshop")
    facilitator.get_by_role("button", name="Workshop anlegen").click()
    code = facilitator.locator(".join-code").inner_text().strip()
    presenter = staff.page()
    presenter.goto(facilitator.url + "/present")
    presenter.get_by_text(code).wait_for()
    presenter.evaluate("window.notReloaded = true")

    phones = Watched(browser, viewport={"width": 375, "height": 740})
    phone = phones.page()
    phone.goto(f"{live_server.url}/w/")
    phone.get_by_label("Code von der Leinwand").fill(code)
    phone.get_by_role("button", name="Weiter").click()
    phone.get_by_role("button", name="Teilnehmen").click()
    phone.get_by_role("heading", name="Sie sind dabei").wait_for()
    phone.evaluate("window.notReloaded = true")

    facilitator.get_by_role("button", name="Abstimmung öffnen").click()
    phone.get_by_role("heading", name="Welche Ziele sind für das Quartiersmanagement am wichtigsten?").wait_for()
    assert phone.evaluate("window.notReloaded === true")          # workshop.js followed, no reload
    phone.get_by_label("Akteure vernetzen, Ressourcen und Wissen bündeln").fill("3")
    phone.get_by_label("Die Stadtteilkonferenzen enger verknüpfen").fill("2")
    phone.get_by_role("button", name="Stimme abgeben").click()
    phone.get_by_text("Ihre Stimme ist gespeichert.").wait_for()
    facilitator.get_by_role("button", name="Ergebnisse zeigen").click()
    presenter.locator("[data-live='voted']", has_text="1").wait_for()
    presenter.locator("[data-live='chart'][data-n='1'][data-rendered='1']").wait_for()
    assert presenter.evaluate("window.notReloaded === true")      # presenter.js drew it in place
    qr = presenter.locator(".qr svg")
    assert qr.count() == 1 and qr.bounding_box()["width"] > 50
    facilitator.goto(facilitator.url.split("#")[0] + "/results")
    facilitator.locator("[data-chart][data-rendered='1']").first.wait_for()
    staff.close()
    phones.close()
    assert staff.problems == [] and phones.problems == []
