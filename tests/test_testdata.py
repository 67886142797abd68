"""Demo and test data never mixed into real results: `flask demo` adds its data once, marked,
and `demo --remove` takes away exactly that; a fielding marked as a test run counts nowhere and
only its responses can be deleted; a single response an admin excludes stays stored (with who
and when) and is left out of every result and download."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from conftest import Respondent, csrf_token, data_rows, login
from support.texts import page_text
from survey_app.workshops import records, state
from survey_app.web.db import get_store
from survey_app.web.catalogue import get_questionnaire
from survey_app.analysis.counting import exclusion
from survey_app.fieldings.drafts import build_response
from survey_app.fieldings.fielding import add_fielding

SLUG = "staff-self-assessment"


def _survey(app, slug=SLUG):
    with app.app_context():
        return get_store().find_survey_by_slug(slug)


def _stored(app, survey_id):
    with app.app_context():
        return get_store().responses(survey_id)


def _add(app, survey, count, **answers) -> list[str]:
    """Real (not demo) responses answering the programme and role-clarity questions."""
    with app.app_context():
        questionnaire = get_questionnaire(survey.questionnaire_id)
        ids = []
        for index in range(count):
            given = {"programme": "general", "agree_role_clear": 4, "comments": f"Antwort {index}", **answers}
            draft = {"language": "de", "answers": given}
            ids.append(get_store().add_response(survey.id, build_response(survey, questionnaire, draft)))
        return ids


def _csv_ids(response) -> list[str]:
    rows = data_rows(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return [row["row"] for row in rows]     # a row number per file (microdata)


# -- the demo ------------------------------------------------------------------------------

def test_demo_twice_adds_nothing_and_remove_takes_exactly_the_demo(app, runner):
    staff, partners = _survey(app), _survey(app, "stakeholder-questionnaire")
    # Real data first: one response through the respondent's forms, two more stored, a real workshop.
    Respondent(app.test_client(), app, SLUG).complete()
    _add(app, partners, 2, organisation_type="welfare_association")
    with app.app_context():
        real_workshop = get_store().add_workshop(records.workshop_record(
            state.new_workshop("Echter Workshop", "2026-03-01", "RLWKSP", ("de",))))
    real = {survey.id: _stored(app, survey.id) for survey in (staff, partners)}
    assert [len(found) for found in real.values()] == [1, 2]

    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "added 6 synthetic responses to /s/staff-self-assessment" in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert "synthetic responses" not in second.output and "nothing added" in second.output
    assert "demo --remove" in second.output
    staff_now, partners_now = _stored(app, staff.id), _stored(app, partners.id)
    assert (len(staff_now), len(partners_now)) == (1 + 6, 2 + 80)          # the same counts after two runs
    assert sum(r.get("demo") is True for r in staff_now + partners_now) == 86
    assert all("demo" not in r for r in real[staff.id] + real[partners.id])
    with app.app_context():
        workshops = get_store().list_workshops()
    assert sorted(w["title"] for w in workshops) == ["Demo-Workshop Quartiersmanagement", "Echter Workshop"]
    demo_id = next(w["id"] for w in workshops if w["id"] != real_workshop["id"])

    # An admin works with the demo workshop (it belongs to no facilitator): it stays marked as demo.
    facilitator = app.test_client()
    login(facilitator, "admin")
    token = csrf_token(facilitator, "/workshops/")
    shown = facilitator.post(f"/workshops/{demo_id}/control", data={"csrf_token": token, "action": "show"})
    assert shown.status_code == 302
    with app.app_context():
        assert get_store().get_workshop(demo_id)["results_shown"] is True

    removed = runner.invoke(args=["demo", "--remove"])
    assert removed.exit_code == 0, removed.output
    assert "removed 6 demo responses from /s/staff-self-assessment" in removed.output
    assert "removed 80 demo responses from /s/stakeholder-questionnaire" in removed.output
    assert "Demo-Workshop Quartiersmanagement" in removed.output
    # Exactly the real records are left, unchanged.
    assert {survey_id: _stored(app, survey_id) for survey_id in real} == real
    with app.app_context():
        store = get_store()
        assert [w["id"] for w in store.list_workshops()] == [real_workshop["id"]]
        assert store.get_workshop(demo_id) is None
        assert store.get_workshop(real_workshop["id"])["title"] == "Echter Workshop"
    assert not (Path(app.config["DATA_DIR"]) / "workshops" / demo_id).exists()
    again = runner.invoke(args=["demo", "--remove"])
    assert again.exit_code == 0 and "nothing removed" in again.output
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert len(_stored(app, partners.id)) == 2 + 80


def test_results_and_report_say_how_many_demo_responses_they_count(app, runner, client):
    partners = _survey(app, "stakeholder-questionnaire")
    _add(app, partners, 3, organisation_type="welfare_association")
    assert runner.invoke(args=["demo"]).exit_code == 0
    login(client, "evaluator")
    page = page_text(client.get(f"/results/{partners.id}"))
    assert "Antworten: n = 83" in page and "Davon Demo-Antworten: 80" in page and "demo --remove" in page
    report = page_text(client.get(f"/results/{partners.id}/download/report.html"))
    assert "Demo-Antworten unter den gezählten: 80" in report


# -- excluding a single response -----------------------------------------------------------

def _exclusion(client, survey, response_id, exclude, token, number=1):
    return client.post(f"/admin/surveys/{survey.id}/responses/{response_id}/exclusion",
                       data={"csrf_token": token, "exclude": exclude, "number": str(number), "page": "1"})


def test_admin_excludes_one_response_and_every_result_leaves_it_out(app, client):
    survey = _survey(app)
    ids = _add(app, survey, 6)
    before = {r["id"]: r for r in _stored(app, survey.id)}
    login(client, "admin")
    listing = page_text(client.get(f"/admin/surveys/{survey.id}/responses"))
    assert 'id="response-6"' in listing and 'id="response-1"' in listing
    assert "Antwort 0" not in listing                                   # answers only on demand
    shown = page_text(client.get(f"/admin/surveys/{survey.id}/responses?show=1"))
    assert "Angaben in Antwort Nr. 1" in shown and "Antwort 0" in shown and "Antwort 1<" not in shown

    token = csrf_token(client, f"/admin/surveys/{survey.id}/responses")
    assert _exclusion(client, survey, ids[0], "1", token).status_code == 302
    stored = {r["id"]: r for r in _stored(app, survey.id)}
    excluded = stored[ids[0]]
    assert excluded["excluded_by"] == "admin"
    assert dt.datetime.fromisoformat(excluded["excluded_at"]).tzinfo is not None
    assert {k: v for k, v in excluded.items() if not k.startswith("excluded_")} == before[ids[0]]   # answers kept
    assert all(stored[i] == before[i] for i in ids[1:])
    # A second click keeps who excluded it first and when.
    assert _exclusion(client, survey, ids[0], "1", token).status_code == 302
    assert {r["id"]: r for r in _stored(app, survey.id)}[ids[0]] == excluded

    assert "ausgeschlossen von admin am" in page_text(client.get(f"/admin/surveys/{survey.id}/responses"))
    page = page_text(client.get(f"/results/{survey.id}"))
    assert "Antworten: n = 5" in page and "Von der Verwaltung ausgeschlossene Antworten: 1." in page
    page = page_text(client.get(f"/results/{survey.id}?texts=1"))
    assert "Antwort 0" not in page and "Antwort 1" in page              # its free text is gone too
    assert len(_csv_ids(client.get(f"/results/{survey.id}/download/responses.csv"))) == 5
    aggregates = json.loads(client.get(f"/results/{survey.id}/download/aggregates.json").get_data(as_text=True))
    assert aggregates["responses"] == 5
    report = page_text(client.get(f"/results/{survey.id}/download/report.html?texts=1"))
    assert "Von der Verwaltung ausgeschlossene Antworten: 1." in report and "Antwort 0" not in report
    index = page_text(client.get("/results/"))
    assert re.search(r"Selbsteinschätzung[^<]*</a>.*?<td class=\"num\">5</td>", index)

    # Counted again: everything is back, and who did it is recorded.
    assert _exclusion(client, survey, ids[0], "0", token).status_code == 302
    again = {r["id"]: r for r in _stored(app, survey.id)}[ids[0]]
    assert "excluded_at" not in again and again["included_by"] == "admin"
    assert "Antworten: n = 6" in page_text(client.get(f"/results/{survey.id}"))
    assert len(_csv_ids(client.get(f"/results/{survey.id}/download/responses.csv"))) == 6


def test_excluding_is_for_admins_with_a_token_and_a_real_response(app, client):
    survey = _survey(app)
    other = _survey(app, "stakeholder-questionnaire")
    [mine] = _add(app, survey, 1)
    [theirs] = _add(app, other, 1, organisation_type="welfare_association")
    login(client, "evaluator")
    token = csrf_token(client, "/results/")
    assert client.get(f"/admin/surveys/{survey.id}/responses").status_code == 403
    assert _exclusion(client, survey, mine, "1", token).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    login(client, "admin")
    token = csrf_token(client, f"/admin/surveys/{survey.id}/responses")
    assert client.post(f"/admin/surveys/{survey.id}/responses/{mine}/exclusion",
                       data={"exclude": "1"}).status_code == 400            # no CSRF token
    assert _exclusion(client, survey, mine, "yes", token).status_code == 400
    assert _exclusion(client, survey, theirs, "1", token).status_code == 404  # belongs to another fielding
    assert _exclusion(client, survey, "nope", "1", token).status_code == 404
    assert client.get("/admin/surveys/nope/responses").status_code == 404
    assert all("excluded_at" not in r for r in _stored(app, survey.id) + _stored(app, other.id))


# -- test runs -----------------------------------------------------------------------------

def _edit(client, survey, **fields):
    url = f"/admin/surveys/{survey.id}"
    data = {"label": survey.name, "min_group_size": "5", "csrf_token": csrf_token(client, url),
            **fields}
    return client.post(url, data=data, follow_redirects=True)


def test_a_test_run_counts_nowhere(app, client):
    baseline = _survey(app)
    _add(app, baseline, 6)
    login(client, "admin")
    staff_columns = lambda: page_text(client.get("/results/triangulation")).count(  # noqa: E731
        '<span class="source">Selbsteinschätzung')
    baseline_alone = staff_columns()
    with app.app_context():
        trial = add_fielding(get_store(), SLUG, label="Probelauf", status="open", population=10)
    _add(app, trial, 6, agree_role_clear=1)
    page = page_text(_edit(client, trial, test_run="y"))
    assert "Sie ist jetzt ein Testlauf: Ihre 6 gespeicherten Antworten werden" in page
    assert _survey(app, trial.slug).test_run is True

    results = page_text(client.get(f"/results/{trial.id}"))
    assert "Testlauf." in results and "Keine ihrer gespeicherten Antworten (6)" in results
    assert "Antworten: n = 0" in results and "/download/" not in results
    assert '<td class="num">10</td><td class="num">0</td>' in results            # response rate: none counted
    for name in ("responses.csv", "report.html", "aggregates.json", "results.xlsx"):
        refused = client.get(f"/results/{trial.id}/download/{name}")
        assert refused.status_code == 409 and "Testlauf" in page_text(refused)
    index = page_text(client.get("/results/"))
    assert re.search(r"Probelauf</a>\s*</td>\s*<td>[^<]*· <strong>Testlauf: nicht gezählt</strong></td> "
                     r"<td class=\"num\">0</td>", index)
    assert f"/compare/{trial.id}" not in page_text(client.get(f"/results/{baseline.id}"))
    compare = page_text(client.get(f"/results/{baseline.id}/compare/{trial.id}"))
    assert "Probelauf ist ein Testlauf" in compare
    assert staff_columns() == baseline_alone
    fieldings = page_text(client.get(f"/admin/questionnaires/{SLUG}/fieldings"))
    assert "Testlauf: nicht gezählt" in fieldings

    # Unmarked (e.g. marked by mistake): its responses count again, nothing was lost.
    page = page_text(_edit(client, _survey(app, trial.slug)))
    assert "Sie ist kein Testlauf mehr: Ihre 6 gespeicherten Antworten zählen jetzt" in page
    assert "Antworten: n = 6" in page_text(client.get(f"/results/{trial.id}"))
    assert client.get(f"/results/{trial.id}/download/responses.csv").status_code == 200
    assert staff_columns() > baseline_alone > 0                               # the trial's columns join triangulation


def test_only_the_responses_of_a_test_run_can_be_deleted(app, client):
    baseline, partners = _survey(app), _survey(app, "stakeholder-questionnaire")
    _add(app, baseline, 6)
    _add(app, partners, 3, organisation_type="welfare_association")
    with app.app_context():
        trial = add_fielding(get_store(), SLUG, label="Probelauf", status="open", test_run=True)
    _add(app, trial, 4)
    tester = Respondent(app.test_client(), app, SLUG)
    tester.slug = trial.slug                          # the trial's own link, same questionnaire
    tester.complete()                                    # a tester through the real forms: a draft and a response
    tester.start()                                       # and one questionnaire begun
    others = {s.id: _stored(app, s.id) for s in (baseline, partners)}
    with app.app_context():
        # one begun, one submitted (its draft deleted, only counted)
        assert len(get_store().list_drafts(trial.id)) == 1 and get_store().count_submitted(trial.id) == 1
    url = f"/admin/surveys/{trial.id}/test-responses"

    login(client, "evaluator")
    assert client.get(url).status_code == 403
    assert client.post(url, data={"csrf_token": csrf_token(client, "/results/")}).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/results/")})
    login(client, "admin")
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "5 gespeicherte Antworten und 2 begonnene" in page_text(confirm) and len(_stored(app, trial.id)) == 5
    assert client.post(url).status_code == 400                               # no CSRF token: nothing happens
    assert len(_stored(app, trial.id)) == 5
    done = client.post(url, data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "Aus dem Testlauf Probelauf gelöscht: 5 Antworten und 2 begonnene Fragebögen." in page_text(done)
    assert _stored(app, trial.id) == []
    with app.app_context():
        assert get_store().list_drafts(trial.id) == []
    assert {survey_id: _stored(app, survey_id) for survey_id in others} == others   # other fieldings untouched

    # A real fielding: refused, with or without the confirmation page, and nothing is deleted.
    real = f"/admin/surveys/{baseline.id}/test-responses"
    refused = client.get(real)
    assert refused.status_code == 409 and "nicht als Testlauf markiert" in page_text(refused)
    assert client.post(real, data={"csrf_token": csrf_token(client, url)}).status_code == 409
    assert {survey_id: _stored(app, survey_id) for survey_id in others} == others


# -- accessibility of the new pages --------------------------------------------------------

@pytest.mark.browser
def test_response_list_and_deletion_pages_have_no_wcag_violations(app, browser, live_server):
    from conftest import PASSWORD
    from test_accessibility import _violations

    baseline = _survey(app)
    ids = _add(app, baseline, 6)
    with app.app_context():
        get_store().change_response(baseline.id, ids[0], exclusion(True, "admin"))
        trial = add_fielding(get_store(), SLUG, label="Probelauf", status="open", test_run=True)
    _add(app, trial, 2)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Benutzername").fill("admin")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    found = {}
    for name, path in (("responses", f"/admin/surveys/{baseline.id}/responses?show=2"),
                       ("test run responses", f"/admin/surveys/{trial.id}/responses"),
                       ("confirm deletion", f"/admin/surveys/{trial.id}/test-responses"),
                       ("refused deletion", f"/admin/surveys/{baseline.id}/test-responses"),
                       ("results with an exclusion", f"/results/{baseline.id}"),
                       ("results of a test run", f"/results/{trial.id}")):
        page.goto(live_server.url + path)
        found[name] = _violations(page)
    page.goto(f"{live_server.url}/admin/surveys/{baseline.id}/responses")
    page.get_by_role("button", name="Aus den Ergebnissen ausschließen: Antwort Nr. 3").click()
    assert page.get_by_text("Antwort Nr. 3 ist aus den Ergebnissen ausgeschlossen").is_visible()
    found["after excluding"] = _violations(page)
    page.close()
    assert {name: v for name, v in found.items() if v} == {}
