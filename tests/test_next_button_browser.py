"""The button under a page says "Weiter" (next) exactly when the server will show another page,
also after going back and changing an answer that hides pages answered before: their stored
answers no longer count (static/survey.js walks the later pages as the server does)."""
from __future__ import annotations

import pytest

from conftest import make_app
from survey_app.web.db import get_store

pytestmark = pytest.mark.browser

CHAIN = """
id: chain
languages: [de, en]
title: {de: Kette, en: Chain}
intro: {de: Drei Seiten., en: Three pages.}
anonymity: {de: Anonym., en: Anonymous.}
pages:
  - id: one
    title: {de: Eins, en: One}
    questions:
      - {id: a, type: yes_no, required: true, text: {de: "Erste Frage", en: "First question"}}
  - id: two
    title: {de: Zwei, en: Two}
    show_if: {question: a, equals: "yes"}
    questions:
      - {id: b, type: yes_no, required: true, text: {de: "Zweite Frage", en: "Second question"}}
  - id: three
    title: {de: Drei, en: Three}
    show_if: {question: b, equals: "yes"}
    questions:
      - {id: c, type: short_text, text: {de: "Dritte Frage", en: "Third question"}}
"""


@pytest.fixture
def app(tmp_path):
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "chain.yaml").write_text(CHAIN, encoding="utf-8")
    return make_app(tmp_path, QUESTIONNAIRE_DIR=str(folder))


def test_the_button_says_submit_when_a_changed_answer_hides_the_pages_after(browser, live_server, app):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/s/chain")
    page.get_by_role("button", name="Start").click()
    button = page.locator("#next-button")
    page.get_by_label("Ja").check()
    assert button.inner_text() == "Weiter"
    button.click()
    page.wait_for_url("**/p/2")
    page.get_by_label("Ja").check()
    button.click()
    page.wait_for_url("**/p/3")

    page.goto(f"{live_server.url}/s/chain/p/1")      # back to the start, "b" is still stored
    assert button.inner_text() == "Weiter"
    page.get_by_label("Nein").check()
    # Page 2 no longer shows, so its "yes" no longer shows page 3: this page is the last.
    assert button.inner_text() == "Antworten absenden"
    page.get_by_label("Ja").check()
    assert button.inner_text() == "Weiter"
    page.get_by_label("Nein").check()
    button.click()
    page.wait_for_url("**/thanks")                   # the server agrees: it submitted
    context.close()
    assert errors == []
    with app.app_context():
        store = get_store()
        [stored] = store.responses(store.find_survey_by_slug("chain").id)
    assert stored["answers"] == {"a": "no"}
