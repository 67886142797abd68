"""The staffing pages after `demo`: today's FTE and the demo scenario against an independent
computation from the stored responses, the XLSX read back, role checks, CSRF, bad input with
its message at the field, saving/renaming/deleting scenarios, and axe on the new pages.
One module-scoped demo app serves every test."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest

from conftest import PASSWORD, csrf_token, login, make_app
from survey_app.analysis.counting import counted
from survey_app.decisions import staffing
from survey_app.decisions.staffing_demo import DEMO_SCENARIO
from survey_app.fieldings.fielding import ensure_default_surveys
from survey_app.web.auth import create_user
from survey_app.web.catalogue import get_catalogue
from survey_app.web.db import get_store

TASKS = ("support_initiatives", "events_projects", "new_projects", "everyday_solutions", "contact_person",
         "networking", "navigator", "case_work", "administration", "other")


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("staffing"))
    with app.app_context():
        for role in ("admin", "evaluator", "facilitator"):
            create_user(role, PASSWORD, role)
        ensure_default_surveys(get_store(), get_catalogue())
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0 and "Mehr Netzwerkarbeit" in result.output, result.output
    return app


@pytest.fixture(scope="module")
def survey(demo_app):
    with demo_app.app_context():
        return get_store().find_survey_by_slug("staff-self-assessment")


@pytest.fixture(scope="module")
def evaluator(demo_app):
    client = demo_app.test_client()
    login(client, "evaluator")
    return client


def shares(demo_app, survey) -> dict[str, float]:
    """Independently: the mean share of working time per task over the counted staff responses."""
    with demo_app.app_context():
        rows = [r["answers"]["task_time"] for r in counted(survey, get_store().responses(survey.id)).responses]
    assert len(rows) == 6
    return {t: sum(row.get(t, 0) for row in rows) / len(rows) / 100 for t in TASKS}


def test_demo_today_and_scenario_equal_an_independent_computation(demo_app, survey, evaluator):
    mean = shares(demo_app, survey)
    page = evaluator.get(f"/decisions/staffing/{survey.id}").get_data(as_text=True)
    assert "Personalbedarf in Vollzeitäquivalenten" in page and "n = 6" in page
    assert DEMO_SCENARIO.name in page
    # six staff: the programme groups are hidden, each programme's posts divided by the team's shares
    assert "die Stellen werden nach den Anteilen des ganzen Teams aufgeteilt" in page
    networking = 6.0 * mean["networking"]
    assert f"{networking:.2f}".rstrip("0").rstrip(".").replace(".", ",") in page

    response = evaluator.get(f"/decisions/staffing/{survey.id}/scenario.xlsx", query_string={"name": DEMO_SCENARIO.name})
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Szenario", "Heute", "Formeln"]
    rows = list(book["Szenario"].iter_rows(values_only=True))
    assert rows[0][1] == "Allgemeines Quartiersmanagement heute"
    for programme, posts, column, new_hours in (("general", 2.5, 1, 4), ("qfi", 3.5, 4, 6)):
        fte = {t: posts * s for t, s in mean.items()}
        kept = sum(v for t, v in fte.items() if t not in ("networking", "case_work")) + new_hours / 39
        needed = kept / (1 - 0.25)
        total = next(r for r in rows if r[0] == "Stellen insgesamt")
        assert total[column] == pytest.approx(posts)
        assert total[column + 1] == pytest.approx(needed)
        assert total[column + 2] == pytest.approx(needed - posts)
        network = next(r for r in rows if r[0].startswith("Netzwerkarbeit"))
        assert network[column] == pytest.approx(fte["networking"])
        assert network[column + 1] == pytest.approx(0.25 * needed)
    assert any("n = 6" in (r[0] or "") and "Mindestgruppengröße 5" in r[0] for r in rows)
    today_rows = list(book["Heute"].iter_rows(values_only=True))
    team = next(r for r in today_rows if r[0].startswith("Netzwerkarbeit"))
    assert team[-1] == pytest.approx(networking)
    formulas = [r[0] for r in book["Formeln"].iter_rows(values_only=True) if r[0]]
    assert any(text.startswith("Szenario: H = ") for text in formulas)


def test_only_evaluators_and_admins(demo_app, survey):
    anonymous = demo_app.test_client()
    assert anonymous.get(f"/decisions/staffing/{survey.id}").status_code == 302
    facilitator = demo_app.test_client()
    login(facilitator, "facilitator")
    token = csrf_token(facilitator, "/workshops/")
    for url in ("/decisions/staffing/", f"/decisions/staffing/{survey.id}", f"/decisions/staffing/{survey.id}/scenario"):
        assert facilitator.get(url).status_code == 403
    for url in (f"/decisions/staffing/{survey.id}/settings", f"/decisions/staffing/{survey.id}/scenario",
                f"/decisions/staffing/{survey.id}/scenario/delete"):
        assert facilitator.post(url, data={"csrf_token": token, "name": DEMO_SCENARIO.name}).status_code == 403
    admin = demo_app.test_client()
    login(admin, "admin")
    assert admin.get(f"/decisions/staffing/{survey.id}").status_code == 200
    # another questionnaire has no working-time allocation: no staffing page
    with demo_app.app_context():
        partners = get_store().find_survey_by_slug("stakeholder-questionnaire")
    assert admin.get(f"/decisions/staffing/{partners.id}").status_code == 404


def test_posts_without_csrf_are_refused(evaluator, survey):
    response = evaluator.post(f"/decisions/staffing/{survey.id}/settings", data={"weekly_hours": "39"})
    assert response.status_code == 400


def test_bad_settings_are_shown_at_the_field_and_nothing_is_saved(demo_app, evaluator, survey):
    token = csrf_token(evaluator, f"/decisions/staffing/{survey.id}")
    response = evaluator.post(f"/decisions/staffing/{survey.id}/settings", data={
        "csrf_token": token, "basis": "programmes", "weekly_hours": "39", "posts-general": "-2", "posts-qfi": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="posts-general"[^>]*aria-invalid="true"[^>]*aria-describedby="posts-general-error"', page)
    assert "Stellen können nicht negativ sein." in page
    assert "Bitte tragen Sie die Stellen dieses Arbeitsbereichs ein" in page
    with demo_app.app_context():
        stored = get_store().get_record(staffing.SETTINGS_KIND, survey.id)
    assert stored["posts"] == {"general": 2.5, "qfi": 3.5}


def test_bad_scenarios_are_shown_at_the_field(evaluator, survey):
    url = f"/decisions/staffing/{survey.id}/scenario"
    token = csrf_token(evaluator, url)
    response = evaluator.post(url, data={
        "csrf_token": token, "name": "Zu viel", "mode-networking": "hours", "value-networking-general": "-5",
        "value-networking-qfi": "3", "mode-case_work": "share", "value-case_work-general": "150",
        "value-case_work-qfi": "10"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Stunden können nicht negativ sein." in page and "Ein Anteil beträgt höchstens 100 %." in page
    assert 'aria-describedby="value-networking-general-error"' in page
    response = evaluator.post(url, data={"csrf_token": token, "name": DEMO_SCENARIO.name})
    assert response.status_code == 422 and "gibt es schon" in response.get_data(as_text=True)


def test_a_scenario_is_saved_renamed_listed_and_deleted(demo_app, evaluator, survey):
    url = f"/decisions/staffing/{survey.id}/scenario"
    token = csrf_token(evaluator, url)
    response = evaluator.post(url, data={"csrf_token": token, "name": "Ohne Einzelfälle",
                                         "mode-case_work": "hours", "value-case_work-general": "0",
                                         "value-case_work-qfi": "0"})
    assert response.status_code == 302
    page = evaluator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Stellenbedarf im Szenario „Ohne Einzelfälle“" in page and 'value="0"' in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    renamed = evaluator.post(url, data={"csrf_token": token, "name": "Ohne Einzelfallhilfe", "original": "Ohne Einzelfälle",
                                        "version": version, "mode-case_work": "hours",
                                        "value-case_work-general": "0", "value-case_work-qfi": "1,5"})
    assert renamed.status_code == 302
    # a stale form (the version read before) does not overwrite a newer save
    with demo_app.app_context():
        get_store().put_record(staffing.SCENARIO_KIND, staffing.scenario_key(survey.id, "Ohne Einzelfallhilfe"),
                               {"name": "Ohne Einzelfallhilfe", "targets": []})
    stale = evaluator.post(url, data={"csrf_token": token, "name": "Ohne Einzelfallhilfe",
                                      "original": "Ohne Einzelfallhilfe", "version": "1"})
    assert stale.status_code == 422 and "inzwischen geändert" in stale.get_data(as_text=True)
    listing = evaluator.get(f"/decisions/staffing/{survey.id}").get_data(as_text=True)
    assert "Ohne Einzelfallhilfe" in listing and "Ohne Einzelfälle<" not in listing
    deleted = evaluator.post(f"/decisions/staffing/{survey.id}/scenario/delete",
                             data={"csrf_token": token, "name": "Ohne Einzelfallhilfe"})
    assert deleted.status_code == 302
    assert "Ohne Einzelfallhilfe" not in evaluator.get(f"/decisions/staffing/{survey.id}").get_data(as_text=True)
    assert evaluator.get(url, query_string={"name": "Ohne Einzelfallhilfe"}).status_code == 404


@pytest.mark.browser
def test_staffing_pages_have_no_wcag_violations(demo_app, survey, browser):
    from browser_support import LiveServer, log_in
    from test_accessibility import _violations

    with LiveServer(demo_app) as server:
        page = browser.new_page()
        log_in(page, server.url, "evaluator", PASSWORD)
        found = {}
        for name, path in (("index", "/decisions/staffing/"), ("staffing", f"/decisions/staffing/{survey.id}"),
                           ("scenario", f"/decisions/staffing/{survey.id}/scenario?name={DEMO_SCENARIO.name}")):
            page.goto(server.url + path)
            found[name] = _violations(page)
        page.goto(f"{server.url}/decisions/staffing/{survey.id}")
        page.get_by_label("Allgemeines Quartiersmanagement").fill("-1")
        page.get_by_role("button", name="Speichern").click()
        found["settings with errors"] = _violations(page)
        page.close()
    assert {name: v for name, v in found.items() if v} == {}
