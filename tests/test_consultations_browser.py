"""Consultations in Chromium: an organisation comments on a phone with the keyboard only and
submits; the evaluator answers the comment and downloads the synopsis; every page is
axe-core clean (WCAG 2.1 A/AA)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document as WordDocument

from conftest import PASSWORD
from survey_app.consultations import model
from survey_app.consultations.versions import UPLOAD, add_version, documents
from survey_app.web.db import get_store

pytestmark = pytest.mark.browser
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
ROOT = Path(__file__).resolve().parent.parent
DRAFT = (ROOT / "questionnaires" / "consultations" / "aufgabenbeschreibung-quartiersmanagement.de.md").read_text(
    encoding="utf-8") + "\n<script>document.title = 'pwned'</script>\n"


def _violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


def _tab_to(page, element_id: str, limit: int = 200) -> None:
    """Press Tab until the element has the focus: it can be reached with the keyboard alone."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{element_id} not reached with Tab")


def test_an_organisation_comments_on_a_phone_and_the_evaluator_answers_and_downloads(app, browser, live_server):
    with app.app_context():
        store = get_store()
        record = store.add_consultation(model.new_consultation("Aufgabenbeschreibung Quartiersmanagement"))
        add_version(store, record["id"], {"de": DRAFT}, UPLOAD, "admin")
        tokens, change = model.invite("Caritasverband Aachen", "Wohlfahrtsverband", ["Maria Schröder"])
        store.change_consultation(record["id"], change)
        section = documents(store.consultation_versions(record["id"]))[-1].sections[9]   # no case work
    cid = record["id"]
    found = {}

    phone = browser.new_page(viewport={"width": 375, "height": 800})
    phone.goto(f"{live_server.url}/k/{cid}?t={tokens[0]}")
    assert phone.url.endswith(f"/k/{cid}/statement")                 # the token left the address bar
    assert phone.title() != "pwned" and phone.get_by_text("<script>document.title").is_visible()
    assert phone.get_by_text("Eine offizielle Stellungnahme Ihrer Organisation").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375   # no sideways scrolling
    found["statement"] = _violations(phone)

    _tab_to(phone, f"position-{section.id}-agree")
    phone.keyboard.press("ArrowRight")                              # radio group: the next position
    assert phone.is_checked(f"#position-{section.id}-agree_with_changes")
    phone.keyboard.press("Tab")
    phone.keyboard.type("Eine kurze Klärung und Weitervermittlung gehört dazu.")
    phone.keyboard.press("Tab")
    phone.keyboard.type("Es klärt Anliegen einzelner Personen kurz und vermittelt sie weiter.")
    _tab_to(phone, "general")
    phone.keyboard.type("Wir begrüßen den Entwurf.")
    # the bottom buttons are in reading order: "save and review" first, then "save for later"
    phone.keyboard.press("Tab")
    phone.keyboard.press("Tab")
    assert "Speichern und später" in phone.evaluate("document.activeElement.textContent")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert phone.get_by_text("Ihre Stellungnahme wurde gespeichert").is_visible()
    assert phone.input_value(f"#comment-{section.id}") == "Eine kurze Klärung und Weitervermittlung gehört dazu."

    phone.get_by_role("button", name="Speichern und vor dem Einreichen prüfen").click()
    phone.wait_for_url(f"**/k/{cid}/submit")
    found["submit"] = _violations(phone)
    phone.get_by_role("button", name="Im Namen von Caritasverband Aachen einreichen").focus()
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert phone.get_by_text("wurde von Maria Schröder am").is_visible()
    found["submitted"] = _violations(phone)
    phone.close()

    desk = browser.new_page()
    desk.goto(f"{live_server.url}/login")
    desk.get_by_label("Benutzername").fill("evaluator")
    desk.get_by_label("Passwort").fill(PASSWORD)
    desk.get_by_role("button", name="Anmelden").click()
    desk.goto(f"{live_server.url}/consultations/")
    found["list"] = _violations(desk)
    desk.get_by_role("link", name="Aufgabenbeschreibung Quartiersmanagement").click()
    found["consultation"] = _violations(desk)
    desk.get_by_role("link", name="Kommentare und Antworten").click()
    found["review"] = _violations(desk)
    desk.get_by_role("link", name="Kommentare ohne Antwort (2)").click()
    with app.app_context():
        org = get_store().get_consultation(cid)["organisations"][0]["id"]
    anchor = f"c-{org}-{section.id}"
    desk.select_option(f"#{anchor}-decision", "accepted")
    desk.fill(f"#{anchor}-reason", "Die Weitervermittlung gehört zur Lotsenfunktion; der Satz wird ergänzt.")
    with desk.expect_navigation():
        desk.locator(f"#{anchor}").get_by_role("button", name="Antwort speichern").click()
    assert "filter=unanswered" in desk.url
    assert desk.locator(f"#{anchor}").count() == 0                   # answered: out of this filter
    desk.get_by_role("link", name="Alle Abschnitte").click()
    assert desk.locator(f"#{anchor}-decision").input_value() == "accepted"
    found["review answered"] = _violations(desk)

    with desk.expect_download() as download:
        desk.get_by_role("link", name="Synopse (Word, .docx)").click()
    table = WordDocument(io.BytesIO(Path(download.value.path()).read_bytes())).tables[0]
    assert [c.text for c in table.rows[0].cells][1:] == ["Organisation", "Kommentar und vorgeschlagene Formulierung",
                                                         "Antwort und Entscheidung"]
    row = next(r for r in table.rows if r.cells[1].text.startswith("Caritasverband Aachen")
               and "Weitervermittlung gehört dazu" in r.cells[2].text)
    assert row.cells[0].text.startswith("Abschnitt 10")
    assert "Vorgeschlagene Formulierung: Es klärt Anliegen" in row.cells[2].text
    assert row.cells[3].text == "Übernommen: Die Weitervermittlung gehört zur Lotsenfunktion; der Satz wird ergänzt."

    desk.goto(f"{live_server.url}/consultations/{cid}/revise")
    assert desk.input_value(f"#text-{section.id}") == "Es klärt Anliegen einzelner Personen kurz und vermittelt sie weiter."
    found["revise"] = _violations(desk)
    desk.get_by_role("button", name="Als Fassung 2 speichern").click()
    desk.wait_for_url("**/diff?a=1&b=2")
    assert desk.locator("ins").first.is_visible()
    found["diff"] = _violations(desk)
    desk.close()
    assert {name: v for name, v in found.items() if v} == {}
