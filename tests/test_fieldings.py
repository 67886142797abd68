"""Fieldings ("Erhebungen"): opening and closing days, the admin pages that run them, known
group sizes with response rates, and two fieldings side by side."""
from __future__ import annotations

import datetime as dt

import pytest

from conftest import csrf_token, login, valid_page_data
from survey_app.web.db import get_store
from survey_app.fieldings.model import CLOSED, OPEN, SCHEDULED, Fielding

SLUG = "staff-self-assessment"
DAY = dt.date(2026, 11, 25)


# -- the rules, on fixed days -------------------------------------------------------------

@pytest.mark.parametrize("survey, state", [
    ({"status": "open"}, OPEN),
    ({"status": "closed"}, CLOSED),
    ({"status": "open", "opens_on": "2026-12-01"}, SCHEDULED),
    ({"status": "open", "opens_on": "2026-11-25"}, OPEN),            # opens in the morning
    ({"status": "open", "closes_on": "2026-11-25"}, OPEN),           # closing day still counts
    ({"status": "open", "closes_on": "2026-11-24"}, CLOSED),
    ({"status": "open", "opens_on": "2026-11-01", "closes_on": "2026-12-31"}, OPEN),
    ({"status": "closed", "opens_on": "2026-11-01", "closes_on": "2026-12-31"}, CLOSED),  # closed by hand
    ({"status": "closed", "opens_on": "2027-01-01"}, CLOSED),
    ({"status": "open", "opens_on": None, "closes_on": ""}, OPEN),
])
def test_state_on_a_given_day(survey, state):
    fielding = Fielding.from_record(survey)
    assert fielding.state(DAY) == state
    assert fielding.accepts_answers(DAY) == (state == OPEN)


def test_opening_now_removes_only_days_in_the_way():
    survey = Fielding.from_record({"status": "closed", "opens_on": "2026-12-01", "closes_on": "2026-11-01"})
    assert survey.opening_changes(DAY) == {"status": "open", "opens_on": None, "closes_on": None}
    kept = {"status": "closed", "opens_on": "2026-11-01", "closes_on": "2026-12-31"}
    assert Fielding.from_record(kept).opening_changes(DAY) == {"status": "open"}
    assert Fielding.from_record({**kept, **Fielding.from_record(kept).opening_changes(DAY)}).state(DAY) == OPEN


# -- what the respondent sees ----------------------------------------------------------------

def _survey(app, slug=SLUG):
    with app.app_context():
        return get_store().find_survey_by_slug(slug)


def _set(app, slug=SLUG, **changes):
    with app.app_context():
        get_store().update_survey(_survey(app, slug).id, **changes)


def _responses(app, slug=SLUG):
    with app.app_context():
        return get_store().responses(_survey(app, slug).id)


def test_scheduled_survey_names_its_opening_day_and_stores_nothing(app, client, respondent):
    respondent.start()                                   # a draft from while it was open
    _set(app, opens_on="2999-12-01")
    page = client.get(f"/s/{SLUG}").get_data(as_text=True)
    assert "1. Dezember 2999" in page and "Starten" not in page
    assert "opens on December 1, 2999" in client.get(f"/s/{SLUG}?lang=en").get_data(as_text=True)
    response = respondent.post_page(1, valid_page_data(respondent.questionnaire.pages[0]))
    assert response.status_code == 302 and response.location.endswith(f"/s/{SLUG}")
    assert client.get(f"/s/{SLUG}/p/1").location.endswith(f"/s/{SLUG}")
    begun = client.post(f"/s/{SLUG}/start", data={"csrf_token": csrf_token(client)})
    assert begun.location.endswith(f"/s/{SLUG}")
    assert _responses(app) == []


def test_survey_past_its_closing_day_says_closed_and_stores_nothing(app, client, respondent):
    respondent.start()
    _set(app, closes_on="2000-01-31")
    assert "abgeschlossen" in client.get(f"/s/{SLUG}").get_data(as_text=True)
    response = respondent.post_page(1, valid_page_data(respondent.questionnaire.pages[0]))
    assert response.location.endswith(f"/s/{SLUG}")
    assert _responses(app) == []


def test_survey_within_its_days_takes_answers(app, client, respondent):
    _set(app, opens_on="2000-01-01", closes_on="2999-12-31")
    respondent.complete()
    assert len(_responses(app)) == 1


# -- admins run fieldings ---------------------------------------------------------------------

FIELDINGS = f"/admin/questionnaires/{SLUG}/fieldings"


def _new_fielding(client, **fields):
    data = {"label": "Follow-up 2018", "opens_on": "", "closes_on": "", "min_group_size": "5", **fields}
    return client.post(FIELDINGS, data={**data, "csrf_token": csrf_token(client, FIELDINGS)})


def _fieldings(app):
    with app.app_context():
        return [s for s in get_store().list_surveys() if s.questionnaire_id == SLUG]


def test_admin_creates_a_second_fielding_with_its_own_unguessable_link(app, client):
    login(client, "admin")
    page = client.get(FIELDINGS).get_data(as_text=True)
    assert "/s/staff-self-assessment" in page and "Neue Erhebung" in page
    response = _new_fielding(client, label="Follow-up 2018", opens_on="2999-12-01", closes_on="2999-12-31",
                             min_group_size="7")
    assert response.status_code == 302
    default, follow_up = _fieldings(app)
    assert default.slug == SLUG
    assert follow_up.label == "Follow-up 2018" and follow_up.status == "open"
    assert (follow_up.opens_on, follow_up.closes_on, follow_up.min_group_size) == ("2999-12-01", "2999-12-31", 7)
    assert len(follow_up.slug) == 10 and follow_up.slug.isalnum() and follow_up.slug.islower()
    page = client.get(FIELDINGS).get_data(as_text=True)
    assert f"/s/{follow_up.slug}" in page and "1. Dezember 2999" in page
    # The new link serves the same questionnaire, with its start page saying when it opens.
    start = client.get(f"/s/{follow_up.slug}").get_data(as_text=True)
    assert "beginnt am 1. Dezember 2999" in start
    # A third fielding gets yet another link.
    _new_fielding(client, label="Follow-up 2019")
    assert len({s.slug for s in _fieldings(app)}) == 3


@pytest.mark.parametrize("fields, field, message", [
    ({"label": ""}, "label", "Bitte geben Sie der Erhebung einen Namen."),
    ({"opens_on": "2026-12-01", "closes_on": "2026-11-30"}, "closes_on", "nicht vor dem Beginn"),
    ({"opens_on": "1.12.26x"}, "opens_on", "Datum"),
    ({"min_group_size": "2"}, "min_group_size", "von 5 bis 1000"),
    ({"min_group_size": "viele"}, "min_group_size", "ganze Zahl"),
])
def test_wrong_fielding_input_is_shown_at_the_field_and_nothing_is_stored(app, client, fields, field, message):
    login(client, "admin")
    response = _new_fielding(client, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = page.split(f'id="{field}-error"')[1].split("</ul>")[0]
    assert message in error
    assert f'aria-describedby="{field}-error"' in page
    assert len(_fieldings(app)) == 1


def test_admin_closes_reopens_and_edits_a_fielding(app, client):
    login(client, "admin")
    survey = _survey(app)
    token = csrf_token(client, FIELDINGS)
    assert client.post(f"/admin/surveys/{survey.id}/close", data={"csrf_token": token}).status_code == 302
    assert _survey(app).status == "closed"
    assert "abgeschlossen" in client.get(f"/s/{SLUG}").get_data(as_text=True)
    assert "Wieder öffnen" in client.get(FIELDINGS).get_data(as_text=True)
    _set(app, closes_on="2000-01-31")
    client.post(f"/admin/surveys/{survey.id}/open", data={"csrf_token": token})
    reopened = _survey(app)
    assert reopened.status == "open" and reopened.closes_on is None   # the past closing day is gone
    edit = f"/admin/surveys/{survey.id}"
    form = client.get(edit).get_data(as_text=True)
    assert 'value="staff-self-assessment"' in form                           # label defaults to the slug
    bad = client.post(edit, data={"label": "Baseline 2017", "opens_on": "2017-03-01", "closes_on": "2017-02-01",
                                  "min_group_size": "6", "csrf_token": token})
    assert bad.status_code == 422 and "nicht vor dem Beginn" in bad.get_data(as_text=True)
    assert _survey(app).label is None
    client.post(edit, data={"label": "Baseline 2017", "opens_on": "2017-03-01", "closes_on": "2017-03-31",
                            "min_group_size": "6", "csrf_token": token})
    saved = _survey(app)
    assert (saved.label, saved.opens_on, saved.closes_on, saved.min_group_size) == \
        ("Baseline 2017", "2017-03-01", "2017-03-31", 6)
    assert "Baseline 2017" in client.get("/admin/").get_data(as_text=True)


def test_fielding_pages_are_for_admins_only_and_need_csrf(app, client):
    survey = _survey(app)
    login(client, "evaluator")
    assert client.get(FIELDINGS).status_code == 403
    token = csrf_token(client, "/results/")
    assert client.post(f"/admin/surveys/{survey.id}/close", data={"csrf_token": token}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    login(client, "admin")
    assert client.post(f"/admin/surveys/{survey.id}/close").status_code == 400
    assert _survey(app).status == "open"
    assert client.get("/admin/questionnaires/nope/fieldings").status_code == 404
    assert client.get("/admin/surveys/nope").status_code == 404


# -- known group sizes and response rates ---------------------------------------------------

def _add_responses(app, survey_id, programmes, role_clear=None):
    """Stored responses that answer the programme question (None: not answered) and,
    where given, the scale question on role clarity."""
    with app.app_context():
        store = get_store()
        for index, programme in enumerate(programmes):
            answers = {"programme": programme} if programme else {}
            if role_clear:
                answers["agree_role_clear"] = role_clear[index]
            store.add_response(survey_id, {"survey_id": survey_id, "questionnaire_id": SLUG, "version": "v1",
                                           "language": "de", "submitted_on": "2026-11-20", "answers": answers})


def _rates(app, survey_id):
    from survey_app.analysis.disclosure.plan import ReleasePlan
    from survey_app.web.catalogue import get_questionnaire
    from survey_app.fieldings.fielding import response_rates

    with app.app_context():
        survey = get_store().get_survey(survey_id)
        questionnaire = get_questionnaire(SLUG)
        return response_rates(questionnaire, survey, ReleasePlan(questionnaire, get_store().responses(survey_id), 5))


def test_response_rates_respect_the_minimum_group_size(app):
    survey_id = _survey(app).id
    _add_responses(app, survey_id, ["general"] * 6 + ["qfi"] * 5 + [None])
    assert _rates(app, survey_id) is None                               # nothing known yet
    _set(app, group_sizes={"question": "programme", "sizes": {"general": 8, "qfi": 10}})
    rates = _rates(app, survey_id)
    by_key = {row.group.key: row for row in rates.groups}
    assert by_key["general"].rate == 6 / 8
    # One person did not answer the programme: hiding that alone could be undone by
    # subtracting, so the next smallest group (QFI, 5) shows no rate either.
    assert by_key["qfi"].rate is None
    assert rates.population == 18 and rates.rate == 12 / 18            # the groups add up to the total
    _set(app, population=24)
    assert _rates(app, survey_id).rate == 12 / 24


def test_total_rate_needs_the_minimum_number_of_responses(app):
    survey_id = _survey(app).id
    _add_responses(app, survey_id, ["general"] * 4)
    _set(app, population=6)
    rates = _rates(app, survey_id)
    assert rates.groups == () and rates.rate is None
    _add_responses(app, survey_id, ["qfi"])
    assert _rates(app, survey_id).rate == 5 / 6


def _sizes_page(survey_id, question="programme"):
    return f"/results/{survey_id}/group-sizes?question={question}"


def test_evaluator_enters_group_sizes_and_sees_rates_on_the_results_page(app, client):
    survey_id = _survey(app).id
    _add_responses(app, survey_id, ["general"] * 6 + ["qfi"] * 5 + [None])
    login(client, "evaluator")
    results = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "Bekannte Gruppengrößen eintragen" in results
    form = client.get(_sizes_page(survey_id)).get_data(as_text=True)
    assert 'for="size-general"' in form and "Allgemeines Quartiersmanagement" in form
    token = csrf_token(client, _sizes_page(survey_id))
    response = client.post(f"/results/{survey_id}/group-sizes", data={
        "question": "programme", "size-general": "8", "size-qfi": "10", "population": "", "csrf_token": token})
    assert response.status_code == 302
    assert _survey(app).group_sizes == {"question": "programme", "sizes": {"general": 8, "qfi": 10}}
    page = client.get(f"/results/{survey_id}").get_data(as_text=True)
    rates = page.split('id="rates-heading"')[1].split("</section>")[0]
    assert "75,0 %" in rates                                            # general: 6 of 8
    assert "Quartiersmanagement Flüchtlingsintegration (QFI)</th><td class=\"num\">10</td>" in rates
    assert "nicht gezeigt: zu wenige Antworten" in rates                 # QFI: see above
    assert "66,7 %" in rates                                            # all: 12 of 18


@pytest.mark.parametrize("data, field, message", [
    ({"size-general": "-1"}, "size-general", "ganze Zahl von 0 bis"),
    ({"size-qfi": "drei"}, "size-qfi", "ganze Zahl"),
    ({"size-general": "8", "size-qfi": "4", "population": "10"}, "population", "(12)"),
    ({"population": "0"}, "population", "von 1 bis"),
])
def test_wrong_group_sizes_are_shown_at_the_field_and_not_stored(app, client, data, field, message):
    survey_id = _survey(app).id
    login(client, "evaluator")
    token = csrf_token(client, _sizes_page(survey_id))
    response = client.post(f"/results/{survey_id}/group-sizes",
                           data={"question": "programme", **data, "csrf_token": token})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page.split(f'id="{field}-error"')[1].split("</ul>")[0]
    assert "group_sizes" not in _survey(app).to_record() and "population" not in _survey(app).to_record()


def test_only_a_total_can_be_entered_and_facilitators_cannot(app, client):
    survey_id = _survey(app).id
    _add_responses(app, survey_id, ["general"] * 5)
    login(client, "facilitator")
    assert client.get(_sizes_page(survey_id)).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/workshops/")})
    login(client, "admin")
    token = csrf_token(client, _sizes_page(survey_id, ""))
    client.post(f"/results/{survey_id}/group-sizes", data={"question": "", "population": "20", "csrf_token": token})
    assert _survey(app).population == 20 and _survey(app).group_sizes is None
    rates = client.get(f"/results/{survey_id}").get_data(as_text=True).split('id="rates-heading"')[1]
    assert "25,0 %" in rates.split("</section>")[0]


# -- two fieldings side by side -------------------------------------------------------------

def _follow_up(app, **fields):
    from survey_app.fieldings.fielding import add_fielding

    with app.app_context():
        return add_fielding(get_store(), SLUG, label="Follow-up 2018", status="open", **fields)


def test_results_page_links_to_every_other_fielding_of_the_questionnaire(app, client):
    baseline = _survey(app)
    follow_up = _follow_up(app)
    with app.app_context():
        other = get_store().add_survey(Fielding.new("stakeholder-questionnaire", "other-questionnaire-2"))
    login(client, "evaluator")
    page = client.get(f"/results/{baseline.id}").get_data(as_text=True)
    assert f"/results/{baseline.id}/compare/{follow_up.id}" in page and "Vergleichen mit Follow-up 2018" in page
    assert other.id not in page
    back = client.get(f"/results/{follow_up.id}").get_data(as_text=True)
    assert f"/results/{follow_up.id}/compare/{baseline.id}" in back
    assert client.get(f"/results/{baseline.id}/compare/{other.id}").status_code == 404
    assert client.get(f"/results/{baseline.id}/compare/{baseline.id}").status_code == 404
    assert client.get(f"/results/{baseline.id}/compare/nope").status_code == 404


def test_comparison_puts_key_numbers_side_by_side_each_with_its_own_minimum(app, client):
    baseline = _survey(app)
    _add_responses(app, baseline.id, ["general"] * 5 + ["qfi"] * 5, role_clear=[2] * 5 + [4] * 5)
    follow_up = _follow_up(app)
    _add_responses(app, follow_up.id, ["general"] * 3 + ["qfi"] * 5, role_clear=[4] * 4 + [5] * 4)
    login(client, "evaluator")
    page = client.get(f"/results/{baseline.id}/compare/{follow_up.id}").get_data(as_text=True)
    programme = page.split('id="compare-programme"')[1].split("</section>")[0]
    cells = lambda label: programme.split(label)[1].split("</tr>")[0]  # noqa: E731
    # the baseline's 5 + 5 are shown; the follow-up's 3 general are too few (and hide the 5 QFI)
    assert "50,0 %" in cells("Allgemeines Quartiersmanagement</th>")
    assert "37,5 %" not in cells("Allgemeines Quartiersmanagement</th>")
    assert '<td class="num">10</td><td class="num">8</td>' in programme          # n of each side
    role = " ".join(page.split('id="compare-agree_role_clear"')[1].split("</section>")[0].split())
    assert '<td>Mittelwert</td> <td class="num">3</td><td class="num">4,5</td>' in role  # means 3.0 and 4.5
    assert "Vollständige Tabellen" in role                                       # the shared summary tables

    # The follow-up raises its minimum to 9: its 8 responses are then not shown at all,
    # while the baseline keeps its numbers.
    with app.app_context():
        get_store().update_survey(follow_up.id, min_group_size=9)
    page = client.get(f"/results/{baseline.id}/compare/{follow_up.id}").get_data(as_text=True)
    programme = page.split('id="compare-programme"')[1].split("</section>")[0]
    assert "50,0 %" in programme and "37,5 %" not in programme
    assert "nicht gezeigt: zu wenige Antworten" in programme
    assert "weniger als 9 Antworten" in page


def test_compare_rules_keep_what_each_side_hides():
    from survey_app.fieldings.fielding import compare_findings, key_numbers
    from survey_app.analysis.findings import build_findings
    from survey_app.definitions.questionnaire import load_folder

    questionnaire = load_folder("questionnaires").questionnaires[SLUG]
    make = lambda programmes: [{"id": str(i), "answers": {"programme": p}} for i, p in enumerate(programmes)]  # noqa: E731
    baseline = build_findings(questionnaire, make(["general"] * 5), 5)
    follow_up = build_findings(questionnaire, make(["general"] * 4), 5)
    compared = {c.question.id: c for c in compare_findings(baseline, follow_up)}
    programme = compared["programme"]
    assert programme.n == (5, None)
    assert [(row.label["en"], row.values) for row in programme.rows] == [
        ("General neighbourhood management", (1.0, None)),
        ("Neighbourhood management for refugee integration (QFI)", (0.0, None))]
    assert all(row.kind == "share" for row in programme.rows)
    # nobody answered "quarter": its counts are 0, which reveal nobody
    assert all(k.value == 0 for k in key_numbers(baseline.sections[0].summary))


@pytest.mark.browser
def test_fielding_pages_have_no_wcag_violations_at_phone_width(app, browser, live_server):
    from conftest import PASSWORD
    from test_accessibility import _violations

    baseline = _survey(app)
    _add_responses(app, baseline.id, ["general"] * 6 + ["qfi"] * 5, role_clear=[3] * 11)
    _set(app, group_sizes={"question": "programme", "sizes": {"general": 8, "qfi": 6}})
    follow_up = _follow_up(app, opens_on="2999-12-01")
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Benutzername").fill("admin")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.goto(live_server.url + FIELDINGS)
    found = {"fieldings": _violations(page)}
    # Create a fielding, first with a closing day before the opening day.
    page.get_by_label("Name der Erhebung").fill("Follow-up 2019")
    page.get_by_label("Erster Tag").fill("2027-03-01")
    page.get_by_label("Letzter Tag").fill("2027-02-01")
    page.get_by_role("button", name="Erhebung anlegen").click()
    assert page.locator("#closes_on-error").is_visible()
    found["fieldings with errors"] = _violations(page)
    page.get_by_label("Letzter Tag").fill("2027-03-31")
    page.get_by_role("button", name="Erhebung anlegen").click()
    assert page.get_by_role("row", name="Follow-up 2019").is_visible()
    for name, path in (("edit", f"/admin/surveys/{follow_up.id}"),
                       ("group sizes", f"/results/{baseline.id}/group-sizes"),
                       ("compare", f"/results/{baseline.id}/compare/{follow_up.id}"),
                       ("scheduled start", f"/s/{follow_up.slug}")):
        page.goto(live_server.url + path)
        found[name] = _violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375   # the respondent's page fits a phone
    page.close()
    assert {name: v for name, v in found.items() if v} == {}
