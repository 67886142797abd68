"""An open-text poll in real browsers: a facilitator, the presenter view (1920x1080, then
1280x720) and four phones. Phones follow without reloading, a refused vote leaves the phone on
its page with the reasons, and the projector shows the ideas themselves as cards, the same idea
once with its count, all on one screen in readable sizes. axe-core checks the new pages."""
from __future__ import annotations

import pytest

from test_workshop_browser import PHONE, mark_page, new_workshop, still_marked, violations

pytestmark = pytest.mark.browser

QUESTION = "Start: Was sollte das Quartiersmanagement neu beginnen?"
IDEAS = (["Mehr Räume für Initiativen", "Sprechstunden im Quartier"], ["mehr räume für initiativen"],
         ["Ein Newsletter für alle Partner, der monatlich erscheint und kurz berichtet"], ["Runder Tisch Integration"])


def test_open_text_ideas_reach_the_projector_as_cards(browser, live_server):
    errors: list[str] = []
    staff, facilitator, code = new_workshop(browser, live_server, "Ideenwerkstatt", errors)
    for _ in range(3):   # to the first open-text poll
        facilitator.get_by_role("button", name="Nächste Abfrage").click()
    facilitator.locator(".current-poll", has_text=QUESTION).wait_for()

    presenter = staff.new_page()   # the facilitator's laptop, on the projector
    presenter.set_viewport_size({"width": 1920, "height": 1080})
    presenter.on("pageerror", lambda error: errors.append(str(error)))
    presenter.goto(facilitator.url.split("#")[0] + "/present")
    presenter.get_by_role("heading", name=QUESTION).wait_for()
    # the test server listens on 127.0.0.1 only: the room is told that phones cannot join here
    assert presenter.get_by_role("alert").filter(has_text="Mit dieser Adresse können Handys nicht beitreten").is_visible()
    join_size = presenter.locator(".join-site").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert join_size >= 24, join_size
    mark_page(presenter)

    phones = []
    for number in range(len(IDEAS)):
        phone = browser.new_context(viewport=PHONE).new_page()
        phone.on("pageerror", lambda error: errors.append(str(error)))
        phone.goto(f"{live_server.url}/w/{code}")
        phone.get_by_role("button", name="Weiter").click()
        phone.get_by_role("button", name="Teilnehmen").click()
        phone.get_by_role("heading", name="Sie sind dabei").wait_for()
        mark_page(phone)
        phones.append(phone)

    facilitator.get_by_role("button", name="Abstimmung öffnen").click()
    found = {}
    for number, (phone, ideas) in enumerate(zip(phones, IDEAS)):
        phone.get_by_role("heading", name=QUESTION).wait_for()
        assert still_marked(phone), "the phone reloaded instead of following"
        if not number:
            found["open text form"] = violations(phone)
            phone.get_by_role("button", name="Stimme abgeben").click()   # nothing written: refused
            phone.get_by_role("alert").filter(has_text="Ihre Stimme wurde nicht gespeichert").wait_for()
            assert phone.url.endswith(f"/w/{code}")   # never left on /vote: a reload sends nothing again
            found["refused vote"] = violations(phone)
        for position, idea in enumerate(ideas, start=1):
            phone.get_by_label(f"Idee {position}", exact=True).fill(idea)
        phone.get_by_role("button", name="Stimme abgeben").click()
        phone.get_by_text("Ihre Stimme ist gespeichert.").wait_for()
        assert phone.url.endswith(f"/w/{code}") and still_marked(phone)

    facilitator.get_by_role("button", name="Ergebnisse zeigen").click()
    cards = presenter.locator(".stage-ideas .idea-card")
    cards.first.wait_for()
    presenter.locator("[data-live='voted']", has_text="4").wait_for()
    texts = cards.all_inner_texts()
    shown = [t.split("\n")[0] for t in texts]
    assert shown[0].casefold() == "mehr räume für initiativen" and "× 2" in texts[0]   # written twice (case aside): once
    assert sorted(shown[1:]) == sorted(["Sprechstunden im Quartier", IDEAS[2][0], "Runder Tisch Integration"])
    assert presenter.locator("[data-live='chart']").is_hidden()   # no bars of single lower-case words
    assert still_marked(presenter)

    def fits_and_reads(minimum_px):
        assert cards.count() == 4 and presenter.locator(".idea-more").count() == 0   # every idea shown
        bottom = max(card.bounding_box()["y"] + card.bounding_box()["height"] for card in cards.all())
        size = cards.first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        return bottom <= presenter.viewport_size["height"], size >= minimum_px, size

    fits, readable, size = fits_and_reads(28)
    assert fits and readable, size
    found["presenter ideas"] = violations(presenter)
    presenter.set_viewport_size({"width": 1280, "height": 720})
    presenter.wait_for_timeout(400)
    fits, readable, size = fits_and_reads(20)
    assert fits and readable, size

    assert errors == []
    assert {name: v for name, v in found.items() if v} == {}
    staff.close()
    for phone in phones:
        phone.context.close()
