"""In a real browser: a page elsewhere with 20 <img> tags pointing at wrong join codes (and
resume codes) must not lock the admin's login, nor anybody's code form."""
from __future__ import annotations

import pytest

from conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_img_tags_pointing_at_wrong_codes_do_not_lock_the_admin_out(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    sent = []
    page.on("request", lambda request: sent.append(request.url) if "/w/" in request.url or
            "/resume/" in request.url else None)
    images = "".join(f'<img src="{live_server.url}/w/ZZZZZ{c}" alt="">' for c in "23456789ABCDEFGHJK")
    images += "".join(f'<img src="{live_server.url}/s/staff-self-assessment/resume/ZZZZZZZ{c}" alt="">' for c in "23")
    # a page on another site (here: no site at all) the admin happens to open
    page.set_content(f"<!doctype html><title>Neuigkeiten</title><p>Hallo</p>{images}")
    page.wait_for_function("Array.from(document.images).every(img => img.complete)")
    assert len(sent) == 20  # each reached the server (the browser then refuses HTML as an image)

    page.goto(f"{live_server.url}/login")
    page.get_by_label("Benutzername").fill("admin")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("heading", name="Verwaltung", exact=True).wait_for()
    assert page.url == f"{live_server.url}/admin/"

    # the same browser still joins a workshop by typing a code
    page.goto(f"{live_server.url}/w/")
    page.get_by_label("Code von der Leinwand").fill("ZZZZZZ")
    page.get_by_role("button", name="Weiter").click()
    page.get_by_text("Es gibt keinen Workshop mit diesem Code.").wait_for()
    context.close()


def test_account_and_audit_pages_have_no_wcag_violations(app, browser, live_server):
    from test_accessibility import _violations

    with app.app_context():
        from survey_app.web.db import get_store
        evaluator_id = get_store().find_user("evaluator")["id"]
    page = browser.new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Benutzername").fill("admin")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("heading", name="Verwaltung", exact=True).wait_for()
    found = {}
    for name, path in (("accounts", "/accounts/"), ("account", f"/accounts/{evaluator_id}"),
                       ("audit log", "/admin/audit/"), ("own password", "/account/password")):
        page.goto(live_server.url + path)
        found[name] = _violations(page)
    page.goto(f"{live_server.url}/accounts/")
    page.get_by_label("Benutzername").fill("kim")
    page.get_by_label("Passwort", exact=True).fill("short")
    page.get_by_role("button", name="Konto anlegen").click()
    page.get_by_text("Das Passwort muss mindestens 12 Zeichen haben.").wait_for()
    found["accounts with errors"] = _violations(page)
    page.close()
    assert {name: v for name, v in found.items() if v} == {}
