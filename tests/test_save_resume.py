"""Save and resume: a respondent saves part of a questionnaire and continues elsewhere;
partial answers never count in results, but evaluators see where people stopped."""
from __future__ import annotations

import re

from conftest import Respondent, csrf_token, login, valid_page_data
from survey_app.web.db import get_store
from survey_app.fieldings.progress import completion, draft_with_code, normalize_resume_code

SLUG = "staff-self-assessment"


def _save_on_page_2(respondent):
    respondent.start()
    respondent.post_page(1, valid_page_data(respondent.questionnaire.pages[0]))
    saved = respondent.post_page(2, {"task_time-networking": "60", "task_time-navigator": "40",
                                     "task_time_other": "=x" * 300}, action="save")
    assert saved.status_code == 302 and saved.location.endswith(f"/s/{SLUG}/saved")
    page = respondent.client.get(saved.location).get_data(as_text=True)
    code = re.search(r"/s/staff-self-assessment/resume/([A-Z0-9]{8})", page).group(1)
    return code, page


def test_saving_gives_a_link_and_a_code_and_keeps_valid_answers(app, respondent):
    code, page = _save_on_page_2(respondent)
    assert "Ihre Antworten sind gespeichert" in page and f"{code[:4]} {code[4:]}" in page
    with app.app_context():
        store = get_store()
        survey = store.find_survey_by_slug(SLUG)
        [draft] = store.list_drafts(survey.id)
        assert draft["answers"]["task_time"]["networking"] == 60
        assert draft["answers"]["task_time"]["navigator"] == 40
        assert "task_time_other" not in draft["answers"]  # too long: not valid, so not kept
        assert draft["page"] == 1 and draft["status"] == "open"
        assert store.responses(survey.id) == []  # nothing counts before it is submitted


def test_resuming_on_another_device_restores_every_answer(app, respondent):
    first_page = valid_page_data(respondent.questionnaire.pages[0])
    code, _page = _save_on_page_2(respondent)
    other = Respondent(app.test_client(), app, SLUG)  # another browser, no shared cookie
    typed = f"{code.lower()[:4]}-{code.lower()[4:]}"
    link = other.client.get(f"/s/{SLUG}/resume/{typed}")  # the link fills in the code, one tap goes on
    assert link.status_code == 200 and f'value="{typed}"' in link.get_data(as_text=True)
    resumed = other.client.post(f"/s/{SLUG}/resume", data={"code": typed,
                                                          "csrf_token": csrf_token(other.client, f"/s/{SLUG}/resume")})
    assert resumed.status_code == 302 and resumed.location.endswith(f"/s/{SLUG}/p/2")
    page_one = other.client.get(f"/s/{SLUG}/p/1").get_data(as_text=True)
    for value in first_page.values():
        assert f'value="{value}" checked' in page_one or f'value="{value}"' in page_one
    # finishing on the second device stores one response; the code cannot be used again
    for number, page in enumerate(other.questionnaire.pages[1:], start=2):
        assert other.post_page(number, valid_page_data(page)).status_code == 302
    with app.app_context():
        survey = get_store().find_survey_by_slug(SLUG)
        assert len(get_store().responses(survey.id)) == 1
    later = app.test_client()
    again = later.post(f"/s/{SLUG}/resume", data={"code": code, "csrf_token": csrf_token(later, f"/s/{SLUG}/resume")})
    assert again.status_code == 404


def test_typed_code_and_wrong_codes(app, client, respondent):
    code, _page = _save_on_page_2(respondent)
    phone = app.test_client()
    form = phone.get(f"/s/{SLUG}/resume").get_data(as_text=True)
    assert 'for="code"' in form
    token = csrf_token(phone, f"/s/{SLUG}/resume")
    ok = phone.post(f"/s/{SLUG}/resume", data={"csrf_token": token, "code": f" {code[:4]} {code[4:]} "})
    assert ok.status_code == 302
    guesser = app.test_client()
    wrong = guesser.post(f"/s/{SLUG}/resume", data={"csrf_token": csrf_token(guesser, f"/s/{SLUG}/resume"),
                                                   "code": "ZZZZ-ZZZZ"})
    assert wrong.status_code == 404
    assert "Zu diesem Code wurden keine gespeicherten Antworten gefunden" in wrong.get_data(as_text=True)


def test_guessing_codes_is_braked(app):
    app.config["CODE_FAILURE_LIMIT"] = 3
    guesser = app.test_client()
    token = csrf_token(guesser, f"/s/{SLUG}/resume")

    def guess(code):
        return guesser.post(f"/s/{SLUG}/resume", data={"code": code, "csrf_token": token})

    statuses = [guess(f"ZZZZZZZ{c}").status_code for c in "2345"]
    assert statuses[:2] == [404, 404] and statuses[2:] == [429, 429]
    assert "Zu viele falsche Codes" in guess("ZZZZZZZ6").get_data(as_text=True)


def test_resume_links_opened_by_get_look_nothing_up_and_count_nothing(app, respondent):
    code, _page = _save_on_page_2(respondent)
    app.config["CODE_FAILURE_LIMIT"] = 3
    guesser = app.test_client()
    # a page elsewhere full of <img src=".../resume/WRONG"> sends GETs: none of them counts
    for c in "23456789":
        page = guesser.get(f"/s/{SLUG}/resume/ZZZZZZZ{c}")
        assert page.status_code == 200 and "gefunden" not in page.get_data(as_text=True)
    right = guesser.get(f"/s/{SLUG}/resume/{code}")  # the same answer as for any other code
    assert right.status_code == 200 and f'value="{code}"' in right.get_data(as_text=True)
    ok = guesser.post(f"/s/{SLUG}/resume", data={"code": code, "csrf_token": csrf_token(guesser, f"/s/{SLUG}/resume")})
    assert ok.status_code == 302


def test_evaluators_see_completion_and_where_people_stopped(app, client, respondent):
    _save_on_page_2(respondent)
    Respondent(app.test_client(), app, SLUG).complete()
    login(client, "evaluator")
    with app.app_context():
        survey_id = get_store().find_survey_by_slug(SLUG).id
    page = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "1 von 2 begonnenen Fragebögen wurden abgeschickt (50,0 %)" in page
    assert "zuletzt auf Seite: 2: 1" in page


def test_progress_rules():
    drafts = [{"status": "open", "page": 0, "resume_code": "ABCD2345"}, {"status": "open", "page": 2},
              {"status": "submitted", "page": 4, "resume_code": "WXYZ6789"}]
    assert completion(drafts).started == 3 and completion(drafts).submitted == 1
    assert completion(drafts).stopped_on_page == ((1, 1), (3, 1))
    assert completion([]).rate is None
    assert draft_with_code(drafts, "ABCD2345") is drafts[0]
    assert draft_with_code(drafts, "WXYZ6789") is None  # submitted: nothing to resume
    assert normalize_resume_code("abcd-2345") == "ABCD2345"
    assert normalize_resume_code("ABCD0OIL") is None
