"""Switching the questionnaire language mid-page and autosaving keep what was typed, checked
by nothing: only "Next" checks (the request side; survey.js is driven in
test_respondent_browser.py)."""
from __future__ import annotations

import re

from conftest import Respondent, csrf_token
from survey_app.web.db import get_store

SLUG = "stakeholder-questionnaire"


def _draft(app):
    with app.app_context():
        store = get_store()
        survey = store.find_survey_by_slug(SLUG)
        [draft] = store.read_drafts(survey.id)[0]
        return draft


def _started(client, app, lang="ar"):
    client.get(f"/lang/{lang}?next=/s/{SLUG}")
    respondent = Respondent(client, app, SLUG)
    respondent.start()
    return respondent


def test_every_language_of_the_questionnaire_is_in_the_header_of_every_page(client, app):
    start = client.get(f"/s/{SLUG}").get_data(as_text=True)
    header = start.split("</header>")[0]
    assert '<a href="/lang/ar?next=/s/stakeholder-questionnaire" hreflang="ar" lang="ar" dir="rtl">العربية</a>' in header
    assert 'lang="en" dir="ltr">English</a>' in header
    assert '<span aria-current="true" lang="de" dir="ltr">Deutsch</span>' in header
    _started(client, app, "ar")
    page = client.get(f"/s/{SLUG}/p/1").get_data(as_text=True)
    header = page.split("</header>")[0]
    # On a page with answers each language is a button of the page's form (the answers go along).
    assert ('<button type="submit" form="survey-form" name="switch_language" value="en" class="link-button" '
            'lang="en" dir="ltr">English</button>') in header
    assert '<span aria-current="true" lang="ar" dir="rtl">العربية</span>' in header
    assert 'id="survey-form"' in page


def test_switching_language_keeps_incomplete_answers_unchecked_and_stays_on_the_page(client, app):
    _started(client, app, "ar")
    token = csrf_token(client, f"/s/{SLUG}/p/1")
    # The required organisation type is left open and a choice is made up: "Next" would refuse both.
    response = client.post(f"/s/{SLUG}/p/1", data={"csrf_token": token, "quarter": ["preuswald", "richterich"],
                                                    "contact_frequency": "sometimes", "switch_language": "en"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/s/{SLUG}/p/1")
    draft = _draft(app)
    assert draft["language"] == "en"
    assert draft["answers"]["quarter"] == ["preuswald", "richterich"]
    assert draft["entered"]["contact_frequency"] == {"contact_frequency": ["sometimes"]}
    page = client.get(f"/s/{SLUG}/p/1").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    assert re.search(r'<input[^>]* checked [^>]*value="preuswald"', page)
    assert "Please check your answers" not in page
    # And back: Arabic again, still all there.
    token = csrf_token(client, f"/s/{SLUG}/p/1")
    client.post(f"/s/{SLUG}/p/1", data={"csrf_token": token, "quarter": ["preuswald", "richterich"],
                                         "switch_language": "ar"})
    page = client.get(f"/s/{SLUG}/p/1").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and _draft(app)["language"] == "ar"
    assert _draft(app)["answers"]["quarter"] == ["preuswald", "richterich"]


def test_a_language_the_questionnaire_lacks_is_an_ordinary_next(client, app):
    _started(client, app, "de")
    token = csrf_token(client, f"/s/{SLUG}/p/1")
    response = client.post(f"/s/{SLUG}/p/1", data={"csrf_token": token, "switch_language": "fr"})
    assert response.status_code == 422   # the required question: "Next" checks
    assert _draft(app)["language"] == "de"


def test_autosave_keeps_everything_typed_without_checking_or_moving_on(client, app):
    _started(client, app, "de")
    token = csrf_token(client, f"/s/{SLUG}/p/1")
    response = client.post(f"/s/{SLUG}/p/1", data={"csrf_token": token, "action": "autosave",
                                                    "organisation_type": "other",
                                                    "organisation_other": "Schule", "contact_frequency": "nope"})
    assert response.status_code == 204 and response.get_data() == b""
    draft = _draft(app)
    assert draft["page"] == 0
    assert draft["answers"]["organisation_other"] == "Schule"
    assert draft["entered"]["contact_frequency"] == {"contact_frequency": ["nope"]}
    page = client.get(f"/s/{SLUG}/p/1").get_data(as_text=True)
    assert 'value="Schule"' in page


def test_autosave_needs_the_csrf_token(client, app):
    _started(client, app, "de")
    response = client.post(f"/s/{SLUG}/p/1", data={"action": "autosave", "organisation_other": "Schule"})
    assert response.status_code == 400
    assert "organisation_other" not in _draft(app)["answers"]


def test_autosave_after_submitting_changes_nothing(client, app):
    respondent = Respondent(client, app, SLUG)
    respondent.complete()
    token = csrf_token(client, f"/s/{SLUG}")
    response = client.post(f"/s/{SLUG}/p/1", data={"csrf_token": token, "action": "autosave",
                                                    "organisation_other": "Schule"})
    assert response.status_code == 302   # to the thanks page, as every request after submitting
    with app.app_context():   # the submitted draft is gone (issue 10), and nothing came back
        store = get_store()
        survey = store.find_survey_by_slug(SLUG)
        assert store.read_drafts(survey.id) == ([], 0) and store.count_submitted(survey.id) == 1
        [stored] = store.responses(survey.id)
    assert "Schule" not in str(stored["answers"])
