"""A workshop in real browsers: a facilitator, the presenter view and three phones. The
facilitator opens a poll, the phones vote, the presenter's chart shows three votes without a
reload, the facilitator moves on and the phones follow without a reload. Along the way axe-core
checks the pages against WCAG 2.1 A/AA."""
from __future__ import annotations

import pytest

from conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


def mark_page(page):
    """A flag that a reload would wipe out."""
    page.evaluate("window.notReloaded = true")


def still_marked(page) -> bool:
    return page.evaluate("window.notReloaded === true")


def new_workshop(browser, live_server, title: str, errors: list[str]):
    """A facilitator logs in and creates a workshop from the shipped template: (context, page,
    join code); script errors of the page go into `errors`."""
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    facilitator = staff.new_page()
    facilitator.on("pageerror", lambda error: errors.append(str(error)))
    facilitator.goto(f"{live_server.url}/login")
    facilitator.get_by_label("Benutzername").fill("facilitator")
    facilitator.get_by_label("Passwort").fill(PASSWORD)
    facilitator.get_by_role("button", name="Anmelden").click()
    facilitator.goto(f"{live_server.url}/workshops/")
    facilitator.get_by_label("Titel").fill(title)
    facilitator.get_by_label("Vorlage", exact=True).select_option("neighbourhood-management-workshop")
    facilitator.get_by_role("button", name="Workshop anlegen").click()
    return staff, facilitator, facilitator.locator(".join-code").inner_text().strip()


def test_room_votes_presenter_updates_and_phones_follow(browser, live_server):
    errors: list[str] = []
    staff, facilitator, code = new_workshop(browser, live_server, "Workshop Quartiersmanagement", errors)
    found = {"control": violations(facilitator)}

    presenter = staff.new_page()
    presenter.on("pageerror", lambda error: errors.append(str(error)))
    presenter.goto(facilitator.url + "/present")
    presenter.get_by_text(code).wait_for()
    assert presenter.locator(".qr svg").count() == 1
    mark_page(presenter)

    phones = []
    for group in ("Begegnungszentrum", "Stadtteilkonferenz", None):
        context = browser.new_context(viewport=PHONE)
        phone = context.new_page()
        phone.on("pageerror", lambda error: errors.append(str(error)))
        phone.goto(f"{live_server.url}/w/")
        if not phones:
            found["join"] = violations(phone)
        phone.get_by_label("Code von der Leinwand").fill(code.lower())
        phone.get_by_role("button", name="Weiter").click()
        if group:
            phone.get_by_label("Wo arbeiten Sie? (freiwillig)").select_option(label=group)
        if not phones:
            found["join workshop"] = violations(phone)
        phone.get_by_role("button", name="Teilnehmen").click()
        phone.get_by_role("heading", name="Sie sind dabei").wait_for()
        if not phones:
            found["waiting"] = violations(phone)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        mark_page(phone)
        phones.append(phone)

    facilitator.get_by_role("button", name="Abstimmung öffnen").click()
    question = "Welche Ziele sind für das Quartiersmanagement am wichtigsten?"
    for number, phone in enumerate(phones):
        phone.get_by_role("heading", name=question).wait_for()
        if not number:
            found["dot voting"] = violations(phone)
        assert still_marked(phone), "the phone reloaded instead of following"
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.get_by_label("Akteure vernetzen, Ressourcen und Wissen bündeln").fill(str(2 + number))
        phone.get_by_label("Die Stadtteilkonferenzen enger verknüpfen").fill("3")
        phone.get_by_text(f"Übrige Punkte: {5 - number}").wait_for()
        phone.get_by_role("button", name="Stimme abgeben").click()
        phone.get_by_text("Ihre Stimme ist gespeichert.").wait_for()
        if not number:
            found["vote recorded"] = violations(phone)
        mark_page(phone)

    facilitator.get_by_role("button", name="Ergebnisse zeigen").click()
    presenter.locator("[data-live='voted']", has_text="3").wait_for()
    presenter.locator("[data-live='chart'][data-n='3'][data-rendered='1']").wait_for()
    bars = presenter.locator("[data-live='chart'] .bars .point")
    assert bars.count() == 7
    assert still_marked(presenter)
    found["presenter"] = violations(presenter)

    facilitator.get_by_role("button", name="Nächste Abfrage").click()
    facilitator.get_by_role("button", name="Abstimmung öffnen").click()
    for phone in phones:
        phone.get_by_role("heading", name="Wer sollte welche Aufgabe federführend übernehmen?").wait_for()
        assert still_marked(phone)
    found["role matrix"] = violations(phones[0])
    presenter.get_by_role("heading", name="Wer sollte welche Aufgabe federführend übernehmen?").wait_for()
    assert presenter.locator("[data-live='hidden-note']").is_visible()  # results hidden while voting
    assert still_marked(presenter)
    facilitator.goto(facilitator.url.split("#")[0] + "/results")
    facilitator.locator("[data-chart][data-rendered='1']").first.wait_for()
    found["results"] = violations(facilitator)
    assert errors == []
    assert {name: v for name, v in found.items() if v} == {}
    staff.close()
    for phone in phones:
        phone.context.close()
