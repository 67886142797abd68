"""What respondents and phones send is refused at the field or stored in one clean form:
choices made of blanks or unknown values are errors (also for optional questions), texts are
normalised (NFC, "\\n" line breaks, no control characters) wherever they come in, and
numbers stay within the definition's range, or ±10^12 where it sets none."""
from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import PASSWORD, Respondent, csrf_token, login, make_app
from survey_app.web.auth import create_user
from survey_app.web.db import get_store
from survey_app.definitions.questionnaire import parse_definition
from test_workshop_routes import Participant, act, create, votes_of

DEFINITIONS = Path(__file__).resolve().parent / "data" / "answers"
SLUG = "answers"
# The blanks a browser (or a script) can send instead of an option value.
BLANKS = [" ", "\t", "\n", "\x0b", "\x0c", "\r", "\x85", "\xa0", "\u2028", "\u2029", "\u3000"]
PAGE_1 = {"quarter": "ost", "funded": "yes", "obstacles": ["time", "money"], "overall": "3",
          "tasks-networking": "1", "tasks-projects": "2", "tasks-navigator": "dk"}
PAGE_2 = {"budget": "2500", "time-networking": "60", "time-projects": "40",
          "priorities-networking": "2", "priorities-projects": "1", "priorities-navigator": "3",
          "started_on": "2016-04-01", "postcode": "52062", "comments": "Gut so."}


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path, QUESTIONNAIRE_DIR=str(DEFINITIONS))
    with app.app_context():
        for role in ("evaluator", "facilitator"):
            create_user(role, PASSWORD, role)
    return app


@pytest.fixture
def respondent(app, client):
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


def _field_errors(response, field_id: str) -> list[str]:
    page = response.get_data(as_text=True)
    return re.findall(rf'<ul class="field-errors" id="(?:error-)?{field_id}(?:-error)?"[^>]*><li[^>]*>(.*?)</li>', page)


@pytest.mark.parametrize("field", ["quarter", "funded", "obstacles", "overall", "tasks-networking",
                                   "optional_choice", "priorities-networking"])
@pytest.mark.parametrize("blank", BLANKS, ids=[repr(b) for b in BLANKS])
def test_a_choice_made_of_blanks_is_refused_at_the_field(app, client, respondent, field, blank):
    if field.startswith("priorities"):  # on page 2: rankings
        respondent.post_page(1, PAGE_1)
        response = respondent.post_page(2, {**PAGE_2, field: blank})
    else:
        response = respondent.post_page(1, {**PAGE_1, field: [blank] if field == "obstacles" else blank})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Bitte prüfen Sie Ihre Antworten" in page and "Bitte wählen Sie eine der angezeigten Antworten" in page
    assert blank not in [v for v in _draft_answers(app, client).values() if isinstance(v, str)]
    question = field.split("-")[0]
    stored = _draft_answers(app, client).get(question)
    assert stored is None or (question == "priorities" and stored == [])


def test_unknown_choices_are_refused_for_every_choice_type(app, client, respondent):
    for field, value in (("quarter", "west"), ("funded", "maybe"), ("obstacles", ["time", "space"]),
                         ("overall", "7"), ("tasks-projects", "0"), ("optional_choice", "c")):
        response = respondent.post_page(1, {**PAGE_1, field: value})
        assert response.status_code == 422, field
        assert "Bitte wählen Sie eine der angezeigten Antworten" in response.get_data(as_text=True), field
    assert respondent.post_page(1, PAGE_1).status_code == 302


def test_the_issues_requests_no_longer_break_the_xlsx(app, client, respondent):
    """The reported sequence: blanks as choices and Word's line break in a free text."""
    app.config["MIN_GROUP_SIZE"] = 3  # the floor: this one response and two more stored below
    respondent.post_page(1, {**PAGE_1, "optional_choice": "\u2028"})
    respondent.post_page(1, PAGE_1)
    respondent.post_page(2, {**PAGE_2, "comments": "Erste Zeile\x0bzweite Zeile"})
    [response] = _responses(app)
    assert response["answers"]["comments"] == "Erste Zeile\nzweite Zeile"
    assert "optional_choice" not in response["answers"]
    survey_id = response["survey_id"]
    with app.app_context():
        for _ in range(2):
            get_store().add_response(survey_id, {k: v for k, v in response.items() if k != "id"})
    evaluator = app.test_client()
    login(evaluator, "evaluator")
    for query in ("", "?texts=1"):
        download = evaluator.get(f"/results/{survey_id}/download/results.xlsx{query}")
        assert download.status_code == 200
        load_workbook(io.BytesIO(download.get_data()))


def test_texts_are_stored_in_one_normal_form(app, client, respondent):
    decomposed = unicodedata.normalize("NFD", "Müller")
    assert decomposed != "Müller"
    respondent.post_page(1, PAGE_1)
    respondent.post_page(2, {**PAGE_2, "postcode": "52062\x00",
                             "comments": f"{decomposed}\r\nZeile 2\u2028Zeile 3\u2029\x1bEnde\t!"})
    [response] = _responses(app)
    assert response["answers"]["postcode"] == "52062"           # the control character is gone, the pattern fits
    assert response["answers"]["comments"] == "Müller\nZeile 2\nZeile 3\nEnde\t!"


def test_a_required_text_of_blanks_is_no_answer(app, client, respondent):
    respondent.post_page(1, PAGE_1)
    response = respondent.post_page(2, {**PAGE_2, "postcode": " \u3000 \x0b"})
    assert response.status_code == 422
    assert _field_errors(response, "postcode") == ["Bitte beantworten Sie diese Frage."]


def test_the_resume_code_reads_through_pasted_line_breaks(app, client, respondent):
    saved = respondent.post_page(1, PAGE_1, action="save")
    code = re.search(rf"/s/{SLUG}/resume/([A-Z0-9]{{8}})", client.get(saved.location).get_data(as_text=True)).group(1)
    phone = app.test_client()
    token = csrf_token(phone, f"/s/{SLUG}/resume")
    typed = f"{code[:4]}\u2028{code[4:]}\x00"   # pasted from a message with a line separator
    assert phone.post(f"/s/{SLUG}/resume", data={"csrf_token": token, "code": typed}).status_code == 302


@pytest.mark.parametrize("typed", ["1e26", "100000000000000000000000000", "1000000000001", "-1e13",
                                   "1" + "0" * 400])
def test_numbers_without_a_max_stay_within_the_default_range(app, client, respondent, typed):
    respondent.post_page(1, PAGE_1)
    response = respondent.post_page(2, {**PAGE_2, "budget": typed})
    assert response.status_code == 422
    [message] = _field_errors(response, "budget")
    assert "1000000000000" in message or "Zahl" in message
    assert "budget" not in _draft_answers(app, client)


def test_numbers_up_to_the_default_limit_are_taken(app, client, respondent):
    respondent.post_page(1, PAGE_1)
    assert respondent.post_page(2, {**PAGE_2, "budget": "1000000000000"}).location.endswith("/thanks")
    assert _responses(app)[0]["answers"]["budget"] == 10**12


def test_a_definition_cannot_set_numbers_beyond_the_limit():
    T = {"de": "T", "en": "T"}
    for question in ({"type": "number", "max": 10**13}, {"type": "number", "min": -1e26},
                     {"type": "allocation", "total": 1e30, "items": [{"id": "a", "label": T}]}):
        definition = {"id": "demo", "languages": ["de", "en"], "title": T, "intro": T, "anonymity": T,
                      "pages": [{"id": "p", "title": T, "questions": [{"id": "q", "text": T, **question}]}]}
        questionnaire, problems = parse_definition(definition, "demo.yaml")
        assert questionnaire is None
        assert any("between -1,000,000,000,000 and 1,000,000,000,000" in str(p) for p in problems), problems


# -- workshop phones --------------------------------------------------------------------

@pytest.fixture
def workshop_app(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        create_user("facilitator", PASSWORD, "facilitator")
    return app


def test_workshop_ideas_are_stored_in_one_normal_form(workshop_app):
    app = workshop_app
    staff = app.test_client()
    login(staff, "facilitator")
    staff.get("/lang/en")
    workshop_id = create(staff)
    act(staff, workshop_id, "goto", poll="start")
    act(staff, workshop_id, "open")
    with app.app_context():
        code = get_store().get_workshop(workshop_id)["join_code"]
    phone = Participant(app, code)
    phone.join()
    decomposed = unicodedata.normalize("NFD", "Öffnungszeiten")
    assert phone.vote({"idea-1": f"{decomposed}\x0bam Abend\x00", "idea-2": "\u2028"}).status_code == 302
    [vote] = votes_of(app, workshop_id, "start")
    assert vote["value"] == ["Öffnungszeiten\nam Abend"]


def test_passwords_are_checked_exactly_as_typed(app):
    """The one field left out of the normal form: a password set with decomposed letters or a
    control character (pasted from a password manager) must still log in."""
    password = unicodedata.normalize("NFD", "Grüße aus Köln\x0b1")
    with app.app_context():
        create_user("nfd", password, "evaluator")
    assert login(app.test_client(), "nfd", password).location.endswith("/")
    assert login(app.test_client(), "nfd", unicodedata.normalize("NFC", password)).status_code == 422
