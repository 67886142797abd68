"""Branching through the respondent's routes (test client, CSRF on): hidden questions are not
required and their answers are not stored, hidden pages are skipped forwards and backwards,
and, in a real browser, questions show and hide while the respondent answers."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Respondent, make_app
from survey_app.web.db import get_store
from survey_app.web.catalogue import get_questionnaire
from survey_app.fieldings.drafts import build_response
from survey_app.fieldings.model import Fielding
from survey_app.web.forms import check_draft

DEFINITIONS = Path(__file__).resolve().parent / "data" / "branching"
SLUG = "branching"


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path, QUESTIONNAIRE_DIR=str(DEFINITIONS))


@pytest.fixture
def respondent(client, app):
    respondent = Respondent(client, app, SLUG)
    respondent.start()
    return respondent


def _draft_answers(app, client) -> dict:
    with client.session_transaction() as session:
        draft_ids = session["drafts"]
    with app.app_context():
        store = get_store()
        survey = store.find_survey_by_slug(SLUG)
        return store.get_draft(survey.id, draft_ids[survey.id])["answers"]


def _responses(app) -> list[dict]:
    with app.app_context():
        store = get_store()
        return store.responses(store.find_survey_by_slug(SLUG).id)


def test_a_hidden_required_question_is_not_required_and_a_hidden_page_is_skipped(respondent):
    response = respondent.post_page(1, {"programme": "general"})
    assert response.status_code == 302
    assert response.location.endswith("/s/branching/p/3")   # page 2 is only for QFI


def test_a_shown_required_question_is_required(respondent):
    response = respondent.post_page(1, {"programme": "qfi"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="error-qfi_since"' in page and "Bitte beantworten Sie diese Frage." in page


def test_the_posted_answer_of_a_hidden_question_is_not_stored(app, client, respondent):
    respondent.post_page(1, {"programme": "general", "qfi_since": "2017-05-01", "obstacles": "time",
                             "obstacles_other": "Räume fehlen"})
    answers = _draft_answers(app, client)
    assert answers == {"programme": "general", "obstacles": ["time"]}


def test_an_invalid_answer_to_a_hidden_question_is_ignored(respondent):
    response = respondent.post_page(1, {"programme": "general", "qfi_since": "kein Datum"})
    assert response.status_code == 302


def test_hidden_pages_are_skipped_forwards_and_backwards(client, respondent):
    assert respondent.post_page(1, {"programme": "general"}).location.endswith("/p/3")
    assert respondent.post_page(3, {"hours": "20"}, action="back").location.endswith("/p/1")
    assert respondent.post_page(1, {"programme": "qfi", "qfi_since": "2017-05-01"}).location.endswith("/p/2")
    assert respondent.post_page(2, {"qfi_funding_known": "yes"}).location.endswith("/p/3")
    assert respondent.post_page(3, {}, action="back").location.endswith("/p/2")


def test_opening_a_hidden_page_leads_to_the_next_shown_one(client, respondent):
    respondent.post_page(1, {"programme": "general"})
    assert client.get("/s/branching/p/2").location.endswith("/s/branching/p/3")
    respondent.post_page(3, {"hours": "5"})   # page 4 needs 10 hours or more: done
    assert client.get("/s/branching/thanks").status_code == 200


def test_progress_counts_only_the_pages_that_apply(client, respondent):
    respondent.post_page(1, {"programme": "general"})
    page = client.get("/s/branching/p/3").get_data(as_text=True)
    assert "Seite 2 von 2" in page            # page 2 is for QFI, page 4 needs 10 hours
    respondent.post_page(3, {"hours": "20"})
    page = client.get("/s/branching/p/4").get_data(as_text=True)
    assert "Seite 3 von 3" in page


def test_the_last_shown_page_submits_and_its_button_says_so(app, client, respondent):
    respondent.post_page(1, {"programme": "general"})
    page = client.get("/s/branching/p/3").get_data(as_text=True)
    assert ">Antworten absenden</button>" in page    # page 4 needs 10 hours or more
    response = respondent.post_page(3, {"hours": "8"})
    assert response.location.endswith("/s/branching/thanks")
    [stored] = _responses(app)
    assert stored["answers"] == {"programme": "general", "hours": 8}


def test_a_question_depending_on_two_answers(app, client, respondent):
    respondent.post_page(1, {"programme": "general"})
    response = respondent.post_page(3, {"hours": "45"})
    assert response.status_code == 422         # general programme and > 40 hours: say why
    assert 'id="error-overtime_reason"' in response.get_data(as_text=True)
    assert respondent.post_page(3, {"hours": "45", "overtime_reason": "Projektende"}).location.endswith("/p/4")
    assert respondent.post_page(4, {}).location.endswith("/thanks")
    [stored] = _responses(app)
    assert stored["answers"] == {"programme": "general", "hours": 45, "overtime_reason": "Projektende"}


def test_answers_on_a_page_hidden_later_are_not_submitted(app, client, respondent):
    respondent.post_page(1, {"programme": "qfi", "qfi_since": "2016-02-01"})
    respondent.post_page(2, {"qfi_funding_known": "no"})
    respondent.post_page(3, {"hours": "5"}, action="back")
    respondent.post_page(2, {"qfi_funding_known": "no"}, action="back")
    # The respondent changes the programme: page 2 and the date no longer apply.
    assert respondent.post_page(1, {"programme": "general"}).location.endswith("/p/3")
    assert respondent.post_page(3, {"hours": "12"}).location.endswith("/p/4")
    assert respondent.post_page(4, {"comments": "Danke"}).location.endswith("/thanks")
    [stored] = _responses(app)
    assert stored["answers"] == {"programme": "general", "hours": 12, "comments": "Danke"}


def test_without_javascript_a_revealed_question_is_shown_before_moving_on(app, client, respondent):
    sent = {"programme": "general", "obstacles": "other", "shown_questions": "programme obstacles"}
    response = respondent.post_page(1, sent)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "weitere Fragen eingeblendet" in page
    assert 'id="q-obstacles_other"' in page and 'data-question="obstacles_other" data-type="short_text"' in page
    assert 'id="q-obstacles_other" hidden' not in page.replace("\n", " ")
    assert _draft_answers(app, client)["obstacles"] == ["other"]     # kept, not lost
    # Seen now (survey.js keeps the list up to date while it shows questions): move on.
    sent["shown_questions"] = "programme obstacles obstacles_other"
    assert respondent.post_page(1, sent).location.endswith("/p/3")


def test_the_page_carries_its_conditions_for_the_browser(client, respondent):
    respondent.post_page(1, {"programme": "general"})
    page = client.get("/s/branching/p/3").get_data(as_text=True)
    assert ('data-show-if=\'{"all": [{"greater_than": 40, "question": "hours"}, '
            '{"not": {"equals": "qfi", "question": "programme"}}]}\'') in page
    live = json.loads(page.split("data-live='", 1)[1].split("'", 1)[0])
    # The answers of other pages that this page's and later pages' conditions use.
    assert live == {"answers": {"programme": "general"},
                    "later_pages": [{"show_if": {"any": [{"at_least": 10, "question": "hours"},
                                                         {"equals": "no", "question": "qfi_funding_known"}]},
                                     "questions": []}]}
    assert 'name="shown_questions" value="hours"' in page


def test_rules_without_routes(app):
    with app.app_context():
        questionnaire = get_questionnaire(SLUG)
        answers = {"programme": "general", "qfi_since": "2017-01-01", "qfi_funding_known": "no", "hours": 45}
        # overtime_reason is required and shown (general, 45 h): page 3 is incomplete.
        assert check_draft(questionnaire, "de", {"answers": answers})[0] == 2
        assert check_draft(questionnaire, "de", {"answers": {**answers, "programme": "qfi"}})[0] is None
    response = build_response(Fielding("s1", "branching", "branching"), questionnaire,
                              {"language": "de", "answers": answers})
    assert response["answers"] == {"programme": "general", "hours": 45}


def test_a_post_without_csrf_token_changes_nothing(app, client, respondent):
    response = client.post("/s/branching/p/1", data={"programme": "qfi", "action": "next"})
    assert response.status_code == 400
    assert _draft_answers(app, client) == {}


# ---------------------------------------------------------------- in a browser

@pytest.mark.browser
def test_questions_show_and_hide_while_answering(browser, live_server, app):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/s/{SLUG}")
    page.get_by_role("button", name="Start").click()
    since = page.locator("#q-qfi_since")
    other = page.locator("#q-obstacles_other")
    assert since.is_hidden() and other.is_hidden()
    page.get_by_label("Flüchtlingsintegration").check()
    assert since.is_visible()
    page.get_by_label("Allgemein").check()
    assert since.is_hidden()
    page.get_by_label("Sonstiges", exact=True).check()
    assert other.is_visible()
    page.get_by_label("Sonstiges, und zwar").fill("Räume")
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_url("**/p/3")            # straight on: the browser showed the question
    # The last page: the button says "Submit" until enough hours make page 4 apply.
    button = page.locator("#next-button")
    assert button.inner_text() == "Antworten absenden"
    page.get_by_label("Wochenstunden").fill("5")
    assert button.inner_text() == "Antworten absenden"
    page.get_by_label("Wochenstunden").fill("45")
    assert button.inner_text() == "Weiter"
    assert page.locator("#q-overtime_note").is_visible()
    assert page.locator("#q-overtime_reason").is_visible()
    page.get_by_label("Wochenstunden").fill("30")
    assert page.locator("#q-overtime_reason").is_hidden()
    button.click()
    page.wait_for_url("**/p/4")
    page.get_by_role("button", name="Antworten absenden").click()
    page.wait_for_url("**/thanks")
    context.close()
    assert errors == []
    with app.app_context():
        store = get_store()
        [stored] = store.responses(store.find_survey_by_slug(SLUG).id)
    assert stored["answers"] == {"programme": "general", "obstacles": ["other"],
                                 "obstacles_other": "Räume", "hours": 30}

