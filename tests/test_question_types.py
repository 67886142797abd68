"""The question types ranking, date, yes_no and note, and the optional answer checks
(min/max choices, number step, text length, pattern): definition checks, the respondent's
routes (test client, CSRF on) and ranking by keyboard on a phone-sized screen."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import Respondent, make_app
from survey_app.web.db import get_store
from survey_app.definitions.questionnaire import parse_definition

DEFINITIONS = Path(__file__).resolve().parent / "data" / "question_types"
SLUG = "types"
T = {"de": "T", "en": "T"}


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path, QUESTIONNAIRE_DIR=str(DEFINITIONS))


@pytest.fixture
def respondent(client, app):
    respondent = Respondent(client, app, SLUG)
    respondent.start()
    return respondent


RANKING = {"priorities-networking": "2", "priorities-new_projects": "3", "priorities-navigator": "1"}
DATES = {"started_on": "2016-04-01", "funded": "yes"}


def _draft_answers(app, client) -> dict:
    with client.session_transaction() as session:
        draft_ids = session["drafts"]
    with app.app_context():
        store = get_store()
        survey = store.find_survey_by_slug(SLUG)
        draft = store.get_draft(survey.id, draft_ids[survey.id])
        return draft["answers"] if draft else {}     # submitted: deleted, its answers only in the response


def _errors(response) -> list[str]:
    """The messages shown at the fields, in page order."""
    page = response.get_data(as_text=True)
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'<ul class="field-errors"[^>]*><li[^>]*>(.*?)</li>', page)]


# ---------------------------------------------------------------- definition checks

def one_question(**question) -> dict:
    return {"id": "demo", "languages": ["de", "en"], "title": T, "intro": T, "anonymity": T,
            "pages": [{"id": "main", "title": T, "questions": [{"id": "q", "text": T, **question}]}]}


OPTIONS = [{"value": v, "label": T} for v in ("a", "b", "c")]


@pytest.mark.parametrize("question, message", [
    ({"type": "ranking", "options": OPTIONS[:1]}, '"options" must have at least 2 entries'),
    ({"type": "ranking", "options": OPTIONS, "max_choices": 2}, 'key "max_choices" is not used by type "ranking"'),
    ({"type": "multiple_choice", "options": OPTIONS, "min_choices": 3, "max_choices": 2},
     '"min_choices" (3) is more than "max_choices" (2)'),
    ({"type": "multiple_choice", "options": OPTIONS, "min_choices": 4},
     '"min_choices" (4) is more than the number of options (3)'),
    ({"type": "multiple_choice", "options": OPTIONS, "min_choices": 0},
     '"min_choices" must be a whole number of at least 1'),
    ({"type": "number", "step": 0}, '"step" must be more than 0, got 0'),
    ({"type": "number", "step": 0.5, "integer": True}, '"step" (0.5) must be a whole number because "integer" is true'),
    ({"type": "number", "step": "1"}, '"step" must be a number'),
    ({"type": "short_text", "min_length": 20, "max_length": 10}, '"min_length" (20) is more than "max_length" (10)'),
    ({"type": "short_text", "min_length": 300}, '"min_length" (300) is more than "max_length" (200)'),
    ({"type": "short_text", "pattern": "[0-9", "pattern_message": T},
     '"pattern" is not a valid regular expression: unterminated character set'),
    ({"type": "long_text", "pattern": "(a+)+b", "pattern_message": T}, '"pattern" repeats a part that itself repeats'),
    ({"type": "short_text", "pattern": "([a-z]+ )*", "pattern_message": T}, "such patterns can take very long"),
    ({"type": "short_text", "pattern": "[0-9]{5}"}, '"pattern" needs a "pattern_message"'),
    ({"type": "short_text", "pattern_message": T}, '"pattern_message" is only used together with "pattern"'),
    ({"type": "short_text", "pattern": 52000, "pattern_message": T}, '"pattern" must be a regular expression written as text'),
    ({"type": "short_text", "pattern": "x" * 501, "pattern_message": T}, '"pattern" is longer than 500 characters'),
    ({"type": "date", "min_date": "31.12.2017"}, "\"min_date\" must be a date written as YYYY-MM-DD, got '31.12.2017'"),
    ({"type": "date", "max_date": "2017-02-30"}, '"max_date" must be a date written as YYYY-MM-DD'),
    ({"type": "date", "min_date": "2018-01-01", "max_date": "2017-01-01"},
     '"min_date" (2018-01-01) must be before "max_date" (2017-01-01)'),
    ({"type": "date", "min": 1}, 'key "min" is not used by type "date"'),
    ({"type": "yes_no", "yes_label": {"en": "Yep"}}, '"yes_label": missing translation for "de" (the default language)'),
    ({"type": "note", "required": True}, 'key "required" is not used by type "note"'),
    ({"type": "note", "construct": "info.note"}, 'key "construct" is not used by type "note"'),
    ({"type": "note", "options": OPTIONS}, 'key "options" is not used by type "note"'),
])
def test_a_wrong_option_is_reported_at_the_question(question, message):
    questionnaire, problems = parse_definition(one_question(**question), "demo.yaml")
    assert questionnaire is None
    assert any(p.location == 'question "q"' and message in p.message for p in problems), problems


def test_the_new_fields_are_loaded():
    from datetime import date

    questionnaire, problems = parse_definition({**one_question(type="date", min_date=date(2015, 1, 1),
                                                               max_date="2018-12-31")}, "demo.yaml")
    assert problems == []
    question = questionnaire.question("q")
    assert (question.min_date, question.max_date) == ("2015-01-01", "2018-12-31")
    text, _ = parse_definition(one_question(type="short_text", min_length=3, pattern="[0-9]+",
                                            pattern_message={"de": "Ziffern", "en": "Digits"}), "d.yaml")
    assert (text.question("q").min_length, text.question("q").pattern) == (3, "[0-9]+")
    note, _ = parse_definition(one_question(type="note"), "d.yaml")
    assert note.question("q").has_answer is False and note.question("q").required is False


# ---------------------------------------------------------------- ranking

def test_a_ranking_is_stored_as_option_values_best_first(app, client, respondent):
    assert respondent.post_page(1, RANKING).location.endswith("/p/2")
    assert _draft_answers(app, client) == {"priorities": ["navigator", "networking", "new_projects"]}


@pytest.mark.parametrize("ranks, message", [
    ({"priorities-networking": "1", "priorities-new_projects": "1", "priorities-navigator": "2"},
     "Bitte geben Sie jeder Antwort einen eigenen Rang von 1 bis 3."),
    ({"priorities-networking": "1"}, "Bitte geben Sie jeder Antwort einen eigenen Rang von 1 bis 3."),
    ({}, "Bitte beantworten Sie diese Frage."),
    ({**RANKING, "priorities-navigator": "7"}, "Bitte wählen Sie eine der angezeigten Antworten."),
])
def test_a_wrong_ranking_is_refused_at_the_question(app, client, respondent, ranks, message):
    response = respondent.post_page(1, ranks)
    assert response.status_code == 422
    assert any(message.lower() in error.lower() for error in _errors(response)), _errors(response)
    assert 'id="error-priorities"' in response.get_data(as_text=True)
    assert _draft_answers(app, client) == {}


def test_an_optional_ranking_is_all_or_nothing(app, client, respondent):
    response = respondent.post_page(1, {**RANKING, "optional_order-b": "1"})
    assert response.status_code == 422
    assert "Bitte geben Sie jeder Antwort einen eigenen Rang von 1 bis 2." in _errors(response)
    respondent.post_page(1, {**RANKING, "optional_order-b": "1", "optional_order-a": "2"})
    assert _draft_answers(app, client)["optional_order"] == ["b", "a"]


def test_a_stored_ranking_is_shown_again_in_its_order(client, respondent):
    respondent.post_page(1, RANKING)
    page = client.get(f"/s/{SLUG}/p/1").get_data(as_text=True)
    rows = re.findall(r'<li class="ranking-row">\s*<select[^>]*name="(priorities-\w+)"', page)
    assert rows == ["priorities-navigator", "priorities-networking", "priorities-new_projects"]
    assert re.search(r'name="priorities-navigator"[^>]*>\s*<option value="">–</option>\s*'
                     r'<option selected value="1">1</option>', page)
    assert '<label for="priorities-navigator">Lotsenfunktion</label>' in page


# ---------------------------------------------------------------- date, yes/no, note

def test_dates_yes_no_and_notes(app, client, respondent):
    respondent.post_page(1, RANKING)
    page = client.get(f"/s/{SLUG}/p/2").get_data(as_text=True)
    assert "Die folgenden Fragen betreffen Ihre Stelle." in page and "Bitte genau antworten." in page
    assert 'name="intro_note"' not in page
    assert 'type="date"' in page and 'min="2015-01-01"' in page and 'max="2018-12-31"' in page
    assert ">Ja</span>" in page and ">Nein</span>" in page
    assert ">Ja, verlängert</span>" in page
    response = respondent.post_page(2, {"started_on": "1.4.2016", "funded": "no", "extended": "yes",
                                        "intro_note": "ignored"})
    assert response.location.endswith("/p/3")
    answers = _draft_answers(app, client)
    assert answers["started_on"] == "2016-04-01"        # typed the German way, stored as ISO
    assert (answers["funded"], answers["extended"]) == ("no", "yes")
    assert "intro_note" not in answers
    page = client.get(f"/s/{SLUG}/p/2").get_data(as_text=True)
    assert 'value="2016-04-01"' in page


@pytest.mark.parametrize("sent, message", [
    ({"started_on": "31.02.2017"}, "Bitte geben Sie ein Datum ein, z. B. 31.03.2017."),
    ({"started_on": "gestern"}, "Bitte geben Sie ein Datum ein, z. B. 31.03.2017."),
    ({"started_on": "2014-12-31"}, "Bitte geben Sie ein Datum am oder nach dem 01.01.2015 ein."),
    ({"started_on": "2019-01-01"}, "Bitte geben Sie ein Datum am oder vor dem 31.12.2018 ein."),
    ({"started_on": ""}, "Bitte beantworten Sie diese Frage."),
    ({"funded": "vielleicht"}, "Bitte wählen Sie eine der angezeigten Antworten."),
    ({"funded": ""}, "Bitte beantworten Sie diese Frage."),
])
def test_wrong_dates_and_yes_no_answers_are_refused(respondent, sent, message):
    respondent.post_page(1, RANKING)
    response = respondent.post_page(2, {**DATES, **sent})
    assert response.status_code == 422
    assert any(message.lower() in error.lower() for error in _errors(response)), _errors(response)


# ---------------------------------------------------------------- answer checks

@pytest.mark.parametrize("sent, message", [
    ({"obstacles": "time"}, "Bitte wählen Sie mindestens 2 Optionen."),
    ({"obstacles": ["time", "money", "rooms", "staff"]}, "Bitte wählen Sie höchstens 3 Optionen."),
    ({"hours": "2,3"}, "Bitte geben Sie einen Wert in Schritten von 0.5 ein, z. B. 0 oder 0.5."),
    ({"hours": "41"}, "Bitte geben Sie höchstens 40 ein."),
    ({"postcode": "10115"}, "Bitte eine Aachener Postleitzahl (52…) angeben."),
    ({"postcode": "520620"}, "Bitte eine Aachener Postleitzahl (52…) angeben."),   # the whole answer
    ({"summary": "  zu kurz  "}, "Bitte schreiben Sie mindestens 10 Zeichen."),
    ({"summary": "x" * 41}, "Bitte schreiben Sie höchstens 40 Zeichen."),
])
def test_answer_checks_give_a_message_at_the_field(app, client, respondent, sent, message):
    respondent.post_page(1, RANKING)
    respondent.post_page(2, DATES)
    response = respondent.post_page(3, sent)
    assert response.status_code == 422
    assert message in _errors(response)
    assert message in response.get_data(as_text=True).split('class="error-summary"', 1)[1]


def test_the_english_pattern_message_is_shown_in_english(client, respondent):
    client.get("/lang/en?next=/")
    respondent.post_page(1, RANKING)
    respondent.post_page(2, DATES)
    response = respondent.post_page(3, {"postcode": "1234"})
    assert "Please enter an Aachen postcode (52…)." in _errors(response)


def test_a_whole_walk_stores_every_representation(app, client, respondent):
    respondent.post_page(1, {**RANKING, "optional_order-a": "1", "optional_order-b": "2"})
    respondent.post_page(2, {"started_on": "2017-03-31", "funded": "no"})
    response = respondent.post_page(3, {"obstacles": ["time", "rooms"], "hours": "12,5",
                                        "postcode": " 52062 ", "summary": "Mehr Zeit für Netzwerke"})
    assert response.location.endswith("/thanks")
    with app.app_context():
        store = get_store()
        [stored] = store.responses(store.find_survey_by_slug(SLUG).id)
    assert stored["answers"] == {
        "priorities": ["navigator", "networking", "new_projects"], "optional_order": ["a", "b"],
        "started_on": "2017-03-31", "funded": "no",
        "obstacles": ["time", "rooms"], "hours": 12.5, "postcode": "52062", "summary": "Mehr Zeit für Netzwerke",
    }


JUNK = ["", " ", "x", "-1", "0", "7", "1e999", "NaN", "2017-13-45", "dk", "yes", "ü" * 300, "<script>"]


@pytest.mark.parametrize("number", [1, 2, 3])
def test_junk_in_any_field_gets_a_message_never_a_server_error(app, client, respondent, number):
    from survey_app.web.forms import field_names

    page = respondent.questionnaire.pages[number - 1]
    respondent.post_page(1, RANKING)
    respondent.post_page(2, DATES)
    names = [name for question in page.questions for name in field_names(question)]
    for junk in JUNK:
        response = respondent.post_page(number, {name: junk for name in names})
        assert response.status_code in (302, 422), (junk, response.status_code)
    assert not any(name in _draft_answers(app, client) for name in ("obstacles", "hours", "postcode", "summary"))


# ---------------------------------------------------------------- ranking by keyboard on a phone

def _tab_to(page, predicate_js: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate_js}; }})()"):
            return
    raise AssertionError(f"never reached by Tab: {predicate_js}")


@pytest.mark.browser
def test_ranking_by_keyboard_on_a_phone(browser, live_server, app):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/s/{SLUG}")
    _tab_to(page, "el.textContent.trim() === 'Starten'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/p/1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375    # no sideways scrolling
    for box in page.locator("#q-priorities .rank-move, #q-priorities select").all():
        size = box.bounding_box()
        assert size["width"] >= 44 and size["height"] >= 44

    # "Lotsenfunktion" (third) to the top: two presses on its "move up" button.
    _tab_to(page, "el.getAttribute('aria-label') === 'Nach oben: Lotsenfunktion'")
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Nach oben: Lotsenfunktion"
    labels = page.locator("#q-priorities .ranking-row label").all_inner_texts()
    assert labels == ["Lotsenfunktion", "Netzwerkarbeit", "Neue Projekte"]
    assert page.locator("#q-priorities .ranking-status").inner_text() == "Lotsenfunktion: Rang 1 von 3"
    # Choosing a rank in a list moves that option there, too.
    _tab_to(page, "el.name === 'priorities-new_projects'")
    page.keyboard.press("ArrowUp")     # changes a closed select to the previous rank: 2
    assert page.locator("#q-priorities .ranking-row label").all_inner_texts() == [
        "Lotsenfunktion", "Neue Projekte", "Netzwerkarbeit"]
    assert [s.input_value() for s in page.locator("#q-priorities select").all()] == ["1", "2", "3"]
    _tab_to(page, "el.id === 'next-button'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/p/2")
    page.locator("#started_on").fill("2016-04-01")
    page.get_by_label("Nein", exact=True).check()
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_url("**/p/3")
    page.get_by_role("button", name="Antworten absenden").click()
    page.wait_for_url("**/thanks")
    context.close()
    assert errors == []
    with app.app_context():
        store = get_store()
        [stored] = store.responses(store.find_survey_by_slug(SLUG).id)
    assert stored["answers"] == {"priorities": ["navigator", "new_projects", "networking"],
                                 "started_on": "2016-04-01", "funded": "no"}
