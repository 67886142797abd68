"""The respondent's way through a survey, through the Flask test client with CSRF on
(which is also how a browser without JavaScript behaves)."""
from __future__ import annotations

import threading

from conftest import csrf_token, valid_page_data
from survey_app.web.db import get_store

SLUG = "staff-self-assessment"


def _survey(app):
    with app.app_context():
        return get_store().find_survey_by_slug(SLUG)


def _responses(app):
    with app.app_context():
        return get_store().responses(_survey(app).id)


def test_start_page_states_purpose_duration_and_anonymity(client, respondent):
    page = client.get(f"/s/{SLUG}").get_data(as_text=True)
    questionnaire = respondent.questionnaire
    assert questionnaire.title["de"] in page
    assert "Dauer" in page and f"{questionnaire.duration_minutes} Minuten" in page
    assert "Ihre Anonymität" in page
    assert 'lang="de"' in page


def test_language_switch_shows_english_text(client, respondent):
    client.get("/lang/en?next=/")
    page = client.get(f"/s/{SLUG}").get_data(as_text=True)
    assert respondent.questionnaire.title["en"] in page
    assert "Your anonymity" in page


def test_complete_walk_stores_one_response_with_answers_and_no_identity(app, client, respondent):
    last = respondent.complete(overrides={"agree_role_clear": "4"})
    assert last.location.endswith(f"/s/{SLUG}/thanks")
    assert "Vielen Dank" in client.get(last.location).get_data(as_text=True)
    [stored] = _responses(app)
    assert stored["answers"]["agree_role_clear"] == 4
    assert stored["version"] == respondent.questionnaire.content_hash
    assert len(stored["submitted_on"]) == 10  # the day only, never the time
    assert not {"ip", "user_agent", "user_id", "created_at"} & set(stored)


def test_progress_is_shown_and_back_keeps_answers(client, respondent):
    respondent.start()
    first = respondent.questionnaire.pages[0]
    page = client.get(f"/s/{SLUG}/p/1").get_data(as_text=True)
    assert f"Seite 1 von {len(respondent.questionnaire.pages)}" in page
    data = valid_page_data(first)
    assert respondent.post_page(1, data).location.endswith("/p/2")
    back = respondent.post_page(2, {}, action="back")
    assert back.location.endswith("/p/1")
    page = client.get(f"/s/{SLUG}/p/1").get_data(as_text=True)
    for question in first.questions:
        value = data[question.id]
        if question.type in ("single_choice", "multiple_choice"):
            assert f'value="{value}"' in page
            assert page.split(f'value="{value}"')[0].rsplit("<input", 1)[1].count("checked") == 1
        else:  # a number is shown back as typed, in the page's language (0,1 in German)
            assert f'value="{value.replace(".", ",")}"' in page or f'value="{value}"' in page


def test_required_error_is_shown_at_the_field_and_page_does_not_advance(app, client, respondent):
    respondent.start()
    respondent.post_page(1, valid_page_data(respondent.questionnaire.pages[0]))
    response = respondent.post_page(2, {})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    block = page.split('id="q-task_time"')[1].split("</fieldset>")[0]
    assert "Bitte beantworten Sie diese Frage." in block
    assert 'id="error-task_time"' in block
    assert "error-summary" in page and 'href="#q-task_time"' in page


def test_allocation_must_add_up_to_the_total(client, respondent):
    respondent.start()
    respondent.post_page(1, valid_page_data(respondent.questionnaire.pages[0]))
    response = respondent.post_page(2, {"task_time-networking": "60", "task_time-navigator": "30"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "ergeben zusammen 90; sie müssen 100 ergeben" in page
    # what the respondent typed is still there
    assert 'value="60"' in page and 'value="30"' in page
    response = respondent.post_page(2, {"task_time-networking": "abc"})
    assert "Bitte geben Sie eine Zahl ein" in response.get_data(as_text=True)
    response = respondent.post_page(2, {"task_time-networking": "101"})
    assert "höchstens 100" in response.get_data(as_text=True)
    response = respondent.post_page(2, {"task_time-networking": "62,5"})
    assert "ganze Zahl" in response.get_data(as_text=True)
    ok = respondent.post_page(2, {"task_time-networking": "65", "task_time-navigator": "35"})
    assert ok.status_code == 302


def test_too_many_choices_are_refused(client, respondent):
    respondent.start()
    questionnaire = respondent.questionnaire
    obstacles = questionnaire.question("obstacles")
    page_number = next(i for i, p in enumerate(questionnaire.pages, 1) if obstacles in p.questions)
    for number in range(1, page_number):
        respondent.post_page(number, valid_page_data(questionnaire.pages[number - 1]))
    data = valid_page_data(questionnaire.pages[page_number - 1])
    data["obstacles"] = [o.value for o in obstacles.options[: obstacles.max_choices + 1]]
    response = respondent.post_page(page_number, data)
    assert response.status_code == 422
    assert f"höchstens {obstacles.max_choices} Optionen" in response.get_data(as_text=True)


def test_double_submit_stores_one_response(app, client, respondent):
    respondent.complete()
    last = len(respondent.questionnaire.pages)
    again = respondent.post_page(last, valid_page_data(respondent.questionnaire.pages[-1]))
    assert again.status_code == 302 and again.location.endswith("/thanks")
    # back button after submitting: the pages lead to the thank-you page, nothing new is stored
    assert client.get(f"/s/{SLUG}/p/1").location.endswith("/thanks")
    assert len(_responses(app)) == 1


def test_concurrent_double_click_stores_one_response(app, client, respondent):
    respondent.start()
    pages = respondent.questionnaire.pages
    for number, page in enumerate(pages[:-1], start=1):
        respondent.post_page(number, valid_page_data(page))
    token = csrf_token(client, f"/s/{SLUG}/p/{len(pages)}")
    data = {**valid_page_data(pages[-1]), "csrf_token": token, "action": "next"}
    cookie = client.get_cookie("session")
    results = []

    def click():
        other = app.test_client()
        other.set_cookie("session", cookie.value)
        results.append(other.post(f"/s/{SLUG}/p/{len(pages)}", data=data).status_code)

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [302] * 4
    assert len(_responses(app)) == 1


def test_skipping_ahead_cannot_submit_without_required_answers(app, client, respondent):
    respondent.start()
    last = len(respondent.questionnaire.pages)
    response = respondent.post_page(last, valid_page_data(respondent.questionnaire.pages[-1]))
    assert response.location.endswith("/p/2?incomplete=1")
    assert "fehlen noch Antworten" in client.get(response.location).get_data(as_text=True)
    assert _responses(app) == []


def test_post_without_csrf_token_is_refused_and_stores_nothing(app, client, respondent):
    respondent.start()
    response = client.post(f"/s/{SLUG}/p/1", data=valid_page_data(respondent.questionnaire.pages[0]))
    assert response.status_code == 400
    assert client.post(f"/s/{SLUG}/start").status_code == 400
    assert _responses(app) == []


def test_closed_survey_says_so_and_accepts_nothing(app, client, respondent):
    respondent.start()
    with app.app_context():
        get_store().update_survey(_survey(app).id, status="closed")
    assert "abgeschlossen" in client.get(f"/s/{SLUG}").get_data(as_text=True)
    response = respondent.post_page(1, valid_page_data(respondent.questionnaire.pages[0]))
    assert response.status_code == 302 and response.location.endswith(f"/s/{SLUG}")
    assert _responses(app) == []


def test_unknown_survey_and_page_are_404(client, respondent):
    assert client.get("/s/does-not-exist").status_code == 404
    respondent.start()
    assert client.get(f"/s/{SLUG}/p/99").status_code == 404


def test_oversized_body_is_refused_with_a_message(client, respondent):
    respondent.start()
    response = client.post(f"/s/{SLUG}/p/1", data={"comments": "x" * 600_000})
    assert response.status_code == 413
    assert "größer" in response.get_data(as_text=True)


def test_mobile_viewport_and_labels_on_every_input(client, respondent):
    respondent.start()
    for number in range(1, len(respondent.questionnaire.pages) + 1):
        page = client.get(f"/s/{SLUG}/p/{number}").get_data(as_text=True)
        assert 'name="viewport" content="width=device-width' in page
        for chunk in page.split("<input")[1:]:
            tag = chunk.split(">")[0]
            if 'type="hidden"' in tag:
                continue
            field_id = tag.split('id="')[1].split('"')[0]
            assert f'for="{field_id}"' in page, f"input {field_id} has no label"
