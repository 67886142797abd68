"""No answer lost: "Back", "Save and continue later" and resuming on another device keep
every input exactly as typed, also incomplete and invalid ones, for every question type;
checks apply on "Next" and on submit, where every shown page is checked again from the
stored draft, so that a response only ever holds answers that pass every check."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import Respondent, csrf_token, make_app
from survey_app.fieldings.drafts import changed
from survey_app.web.db import get_store

DEFINITIONS = Path(__file__).resolve().parent / "data" / "answers"
SLUG = "answers"

PAGE_1_VALID = {"quarter": "ost", "funded": "yes", "obstacles": ["time", "money"], "overall": "3",
                "tasks-networking": "1", "tasks-projects": "2", "tasks-navigator": "dk"}
PAGE_2_VALID = {"budget": "2500,5", "time-networking": "60", "time-projects": "40", "time-other": "",
                "priorities-networking": "2", "priorities-projects": "1", "priorities-navigator": "3",
                "started_on": "2016-04-01", "postcode": "52062", "comments": "Gut so."}
# Each of these is incomplete or fails a check; all of it must come back as typed.
PAGE_1_HALF = {"quarter": "ost", "obstacles": ["rooms"], "tasks-networking": "3", "tasks-navigator": "dk"}
PAGE_2_INVALID = {"budget": "12,5,3", "time-networking": "60", "time-projects": "30", "time-other": "",
                  "priorities-networking": "1", "priorities-projects": "", "priorities-navigator": "",
                  "started_on": "31.02.2023", "postcode": "1234", "comments": "Viel zu lang " * 5}


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path, QUESTIONNAIRE_DIR=str(DEFINITIONS))


class _FormValues(HTMLParser):
    """What a browser would send from the page's survey form: field name -> values."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._textarea = self._select = None
        self._first_option = None

    def _add(self, name, value):
        if name not in ("csrf_token", "shown_questions", "action"):
            self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            if a.get("type") in ("radio", "checkbox"):
                if "checked" in a:
                    self._add(a["name"], a.get("value", "on"))
            else:
                self._add(a["name"], a.get("value", ""))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""
        elif tag == "select":
            self._select, self._first_option, self._chosen = a["name"], None, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self._chosen = a.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self._add(self._textarea, re.sub("^\r?\n", "", self._text))  # as browsers read it
            self._textarea = None
        elif tag == "select" and self._select:
            self._add(self._select, self._chosen if self._chosen is not None else self._first_option)
            self._select = None


def form_values(response) -> dict[str, list[str]]:
    parser = _FormValues()
    parser.feed(response.get_data(as_text=True))
    return parser.values


def as_sent(data: dict) -> dict[str, list[str]]:
    """Posted data as form values; empty text stays as an empty field, no choice sends nothing."""
    return {name: value if isinstance(value, list) else [value] for name, value in data.items()}


def _draft(app, client) -> dict:
    with client.session_transaction() as session:
        draft_ids = session["drafts"]
    with app.app_context():
        store = get_store()
        survey = store.find_survey_by_slug(SLUG)
        return store.get_draft(survey.id, draft_ids[survey.id])


def _responses(app) -> list[dict]:
    with app.app_context():
        store = get_store()
        return store.responses(store.find_survey_by_slug(SLUG).id)


def _resume_elsewhere(app, client, page: int) -> Respondent:
    """Save on `page` and open the resume link in a new browser (no shared cookie)."""
    saved = client.get(f"/s/{SLUG}/saved").get_data(as_text=True)
    assert "Ihre Antworten sind gespeichert" in saved
    code = re.search(rf"/s/{SLUG}/resume/([A-Z0-9]{{8}})", saved).group(1)
    other = Respondent(app.test_client(), app, SLUG)
    token = csrf_token(other.client, f"/s/{SLUG}/resume/{code}")  # the link fills in the code
    resumed = other.client.post(f"/s/{SLUG}/resume", data={"code": code, "csrf_token": token})
    assert resumed.location.endswith(f"/s/{SLUG}/p/{page}")
    return other


def _errors(response) -> list[str]:
    return re.findall(r'<ul class="field-errors"[^>]*><li[^>]*>(.*?)</li>', response.get_data(as_text=True))


def test_saving_a_half_filled_page_keeps_every_choice_for_a_new_browser(app, client):
    respondent = Respondent(client, app, SLUG)
    respondent.start()
    saved = respondent.post_page(1, PAGE_1_HALF, action="save")
    assert saved.location.endswith(f"/s/{SLUG}/saved")
    draft = _draft(app, client)
    # Only what passes every check counts (for branching, and later for the response) ...
    assert draft["answers"] == {"quarter": "ost"}
    other = _resume_elsewhere(app, client, 1)
    page = other.client.get(f"/s/{SLUG}/p/1")
    # ... but the page shows everything typed: the half-filled matrix too, and no errors yet.
    assert form_values(page) == as_sent(PAGE_1_HALF)
    assert _errors(page) == []


def test_going_back_keeps_numbers_dates_sums_and_rankings_that_do_not_check(app, client):
    respondent = Respondent(client, app, SLUG)
    respondent.start()
    assert respondent.post_page(1, PAGE_1_VALID).location.endswith("/p/2")
    back = respondent.post_page(2, PAGE_2_INVALID, action="back")
    assert back.status_code == 302 and back.location.endswith("/p/1")
    assert form_values(client.get(f"/s/{SLUG}/p/1")) == as_sent(PAGE_1_VALID)
    assert form_values(client.get(f"/s/{SLUG}/p/2")) == as_sent(PAGE_2_INVALID)
    draft = _draft(app, client)
    assert not {"budget", "time", "priorities", "started_on", "postcode", "comments"} & set(draft["answers"])
    # and in another browser after saving there
    respondent.post_page(2, PAGE_2_INVALID, action="save")
    other = _resume_elsewhere(app, client, 2)
    assert form_values(other.client.get(f"/s/{SLUG}/p/2")) == as_sent(PAGE_2_INVALID)


def test_next_checks_the_page_and_keeps_what_was_typed(app, client):
    respondent = Respondent(client, app, SLUG)
    respondent.start()
    refused = respondent.post_page(1, PAGE_1_HALF)
    assert refused.status_code == 422
    assert "Bitte beantworten Sie diese Frage." in _errors(refused)
    assert form_values(refused) == as_sent(PAGE_1_HALF)
    # kept in the draft too: closing the browser after the error loses nothing
    assert form_values(client.get(f"/s/{SLUG}/p/1")) == as_sent(PAGE_1_HALF)


def test_submit_checks_every_shown_page_again_and_leads_to_the_first_problem(app, client):
    respondent = Respondent(client, app, SLUG)
    respondent.start()
    respondent.post_page(1, PAGE_1_HALF, action="save")
    # The respondent skips ahead (a bookmark, another tab) and submits from the last page.
    sent = respondent.post_page(2, PAGE_2_VALID)
    assert sent.location.endswith(f"/s/{SLUG}/p/1?incomplete=1")
    assert _responses(app) == []
    page = client.get(sent.location)
    text = page.get_data(as_text=True)
    assert "fehlen noch Antworten oder müssen korrigiert werden" in text
    errors = _errors(page)
    assert "Bitte beantworten Sie diese Frage." in errors            # funded, overall
    assert "Bitte beantworten Sie diese Zeile." in errors            # tasks-projects
    assert any("mindestens 2" in e for e in errors)                  # obstacles
    assert form_values(page) == as_sent(PAGE_1_HALF)
    # Fixed, the respondent goes on; the response holds the checked answers only.
    assert respondent.post_page(1, PAGE_1_VALID).location.endswith("/p/2")
    assert respondent.post_page(2, PAGE_2_VALID).location.endswith("/thanks")
    [response] = _responses(app)
    assert response["answers"] == {
        "quarter": "ost", "funded": "yes", "obstacles": ["time", "money"], "overall": 3,
        "tasks": {"networking": 1, "projects": 2, "navigator": "dk"}, "budget": 2500.5,
        "time": {"networking": 60, "projects": 40, "other": 0},
        "priorities": ["projects", "networking", "navigator"], "started_on": "2016-04-01",
        "postcode": "52062", "comments": "Gut so."}
    assert _draft(app, client) is None       # deleted once submitted: its answers live only in the response


def test_a_draft_invalid_behind_the_respondents_back_is_not_submitted(app, client):
    """What the draft holds is checked again on submit, whatever put it there."""
    respondent = Respondent(client, app, SLUG)
    respondent.start()
    respondent.post_page(1, PAGE_1_VALID)
    draft = _draft(app, client)
    with app.app_context():
        get_store().change_draft(draft["survey_id"], draft["id"], changed({"optional_choice": "zzz"}))
    sent = respondent.post_page(2, PAGE_2_VALID)
    assert sent.location.endswith("/p/1?incomplete=1")
    assert "Bitte wählen Sie eine der angezeigten Antworten." in _errors(client.get(sent.location))
    assert _responses(app) == []


def test_hidden_questions_never_reach_the_response(app, client):
    respondent = Respondent(client, app, SLUG)
    respondent.start()
    respondent.post_page(1, {**PAGE_1_VALID, "quarter": "nord"})
    assert respondent.post_page(2, PAGE_2_VALID).location.endswith("/p/3")
    respondent.post_page(3, {"north_note": "Mehr Wind"}, action="back")
    respondent.post_page(2, PAGE_2_VALID, action="back")
    respondent.post_page(1, PAGE_1_VALID)                 # east now: the north page is hidden
    assert respondent.post_page(2, PAGE_2_VALID).location.endswith("/thanks")
    [response] = _responses(app)
    assert "north_note" not in response["answers"]


def test_csrf_is_still_checked_on_every_page_post(app, client):
    respondent = Respondent(client, app, SLUG)
    respondent.start()
    for action in ("next", "back", "save"):
        refused = client.post(f"/s/{SLUG}/p/1", data={**PAGE_1_VALID, "action": action})
        assert refused.status_code == 400
    assert _draft(app, client)["answers"] == {}
    token = csrf_token(client, f"/s/{SLUG}/p/1")
    assert client.post(f"/s/{SLUG}/p/1", data={**PAGE_1_VALID, "csrf_token": token}).status_code == 302
