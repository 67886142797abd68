"""Logins, roles and the admin page: no page showing responses without evaluator or admin."""
from __future__ import annotations

import pytest

from conftest import PASSWORD, csrf_token, login, make_app
from survey_app.web.db import get_store


def _survey_id(app, slug="staff-self-assessment"):
    with app.app_context():
        return get_store().find_survey_by_slug(slug).id


DOWNLOADS = ("responses.csv", "responses-long.csv", "codebook.csv", "results.xlsx", "aggregates.json", "report.html",
             "responses.sav", "responses-r.zip")


def _result_urls(app):
    survey_id = _survey_id(app)
    return (["/results/", f"/results/{survey_id}", f"/results/{survey_id}/download/responses.csv"]
            + [f"/results/{survey_id}/download/{name}" for name in DOWNLOADS[1:]] + ["/results/triangulation"])


def test_anonymous_respondent_is_sent_to_login_for_every_result_page(app, client, respondent):
    respondent.complete()  # a respondent with a session cookie is still anonymous
    for url in _result_urls(app) + ["/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.location


@pytest.mark.parametrize("role", ["facilitator"])
def test_staff_without_result_role_gets_403(app, client, role):
    login(client, role)
    for url in _result_urls(app) + ["/admin/"]:
        assert client.get(url).status_code == 403, url


def test_evaluator_sees_results_but_not_admin(app, client):
    login(client, "evaluator")
    overview, survey_page, download, *_ = _result_urls(app)
    assert client.get(overview).status_code == 200
    assert client.get(survey_page).status_code == 200
    # reachable, but with fewer responses than the minimum group size there is nothing to download
    assert client.get(download).status_code == 409
    assert client.get("/admin/").status_code == 403


def test_wrong_password_is_refused_at_the_field(client):
    response = login(client, "evaluator", "not the password")
    assert response.status_code == 422
    assert "Benutzername oder Passwort ist falsch." in response.get_data(as_text=True)
    assert client.get("/results/").status_code == 302


def test_login_redirects_only_within_the_site(client):
    token = csrf_token(client)
    response = client.post("/login?next=https://evil.example/", data={
        "username": "evaluator", "password": PASSWORD, "csrf_token": token})
    assert response.location == "/results/"  # the evaluator's start page, never the other site


def test_logout_needs_post_with_csrf(client):
    login(client, "evaluator")
    assert client.post("/logout").status_code == 400
    assert client.get("/results/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/results/").status_code == 302


def test_passwords_are_stored_hashed(app):
    with app.app_context():
        record = get_store().find_user("evaluator")
    assert PASSWORD not in record["password_hash"]
    assert record["password_hash"].startswith(("scrypt:", "pbkdf2:"))


def test_admin_page_lists_questionnaires_surveys_and_users(client):
    login(client, "admin")
    page = client.get("/admin/").get_data(as_text=True)
    for text in ("staff-self-assessment.yaml", "stakeholder-questionnaire.yaml", "/s/staff-self-assessment",
                 "/accounts/", "/admin/audit/",
                 "Warnungen (die Fragebögen sind verfügbar)"):  # the partial Arabic translation
        assert text in page
    accounts = client.get("/accounts/").get_data(as_text=True)
    assert "evaluator" in accounts and "facilitator" in accounts and "Evaluator*in" in accounts


def test_admin_creates_an_account_in_the_app(app, client):
    login(client, "admin")
    token = csrf_token(client, "/accounts/")
    short = client.post("/accounts/", data={"username": "kim", "role": "evaluator", "password": "short",
                                            "csrf_token": token})
    assert short.status_code == 422
    assert "mindestens 12 Zeichen" in short.get_data(as_text=True).split('id="password"')[1]
    taken = client.post("/accounts/", data={"username": "Evaluator", "role": "evaluator",
                                            "password": PASSWORD, "csrf_token": token})
    assert "bereits vergeben" in taken.get_data(as_text=True)
    created = client.post("/accounts/", data={"username": "kim", "role": "evaluator",
                                              "password": PASSWORD, "csrf_token": token})
    assert created.status_code == 302
    with app.app_context():
        assert get_store().find_user("kim")["role"] == "evaluator"


def test_result_settings_and_text_hiding_need_the_result_role_and_csrf(app, client):
    survey_id = _survey_id(app)
    login(client, "facilitator")
    token = csrf_token(client)
    assert client.post(f"/results/{survey_id}/settings", data={"min_group_size": 9, "csrf_token": token}).status_code == 403
    assert client.post(f"/results/{survey_id}/texts/comments/x", data={"csrf_token": token}).status_code == 403
    evaluator = app.test_client()
    login(evaluator, "evaluator")
    assert evaluator.post(f"/results/{survey_id}/settings", data={"min_group_size": 9}).status_code == 400
    too_low = evaluator.post(f"/results/{survey_id}/settings",
                             data={"min_group_size": 2, "csrf_token": csrf_token(evaluator)}, follow_redirects=True)
    assert "mindestens 5" in too_low.get_data(as_text=True)
    evaluator.post(f"/results/{survey_id}/settings", data={"min_group_size": 9, "csrf_token": csrf_token(evaluator)})
    with app.app_context():
        assert get_store().get_survey(survey_id).min_group_size == 9


def test_evaluator_cannot_create_accounts(client):
    login(client, "evaluator")
    response = client.post("/accounts/", data={"username": "x", "role": "admin", "password": PASSWORD,
                                                "csrf_token": csrf_token(client)})
    assert response.status_code == 403


def test_cli_creates_user(app, runner):
    result = runner.invoke(args=["create-user", "lea", "--role", "evaluator", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert get_store().find_user("lea")["role"] == "evaluator"
    again = runner.invoke(args=["create-user", "lea", "--password", PASSWORD])
    assert again.exit_code != 0
    assert "bereits vergeben" in again.output


def test_cli_asks_for_the_password_in_the_interface_language(app, runner, tmp_path):
    result = runner.invoke(args=["create-user", "mia"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Passwort: " in result.output and "Passwort wiederholen: " in result.output
    assert PASSWORD not in result.output
    assert "„mia“" in result.output or "mia" in result.output.splitlines()[-1]
    differ = runner.invoke(args=["create-user", "max"], input=f"{PASSWORD}\nsomething else\n")
    assert differ.exit_code == 1 and "Die beiden Passwörter" in differ.output
    with app.app_context():
        assert get_store().find_user("max") is None
    english = make_app(tmp_path / "en", BABEL_DEFAULT_LOCALE="en").test_cli_runner()
    result = english.invoke(args=["create-user", "lou"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert "Password: " in result.output and "Repeat the password: " in result.output


def test_cli_validate_exit_codes(runner, tmp_path):
    ok = runner.invoke(args=["validate"])
    assert ok.exit_code == 0 and "no problems" in ok.output
    (tmp_path / "broken.yaml").write_text("id: broken\nlanguages: [de]\npages: [\n", encoding="utf-8")
    bad = runner.invoke(args=["validate", str(tmp_path)])
    assert bad.exit_code == 1
    assert "broken.yaml" in bad.output


def test_broken_definition_is_shown_to_admin_and_others_keep_working(tmp_path):
    import shutil

    from survey_app import PROJECT_ROOT
    from survey_app.web.auth import create_user

    folder = tmp_path / "definitions"
    shutil.copytree(PROJECT_ROOT / "questionnaires", folder)
    (folder / "broken.yaml").write_text(
        "id: broken\nlanguages: [de, en]\ntitle: {de: Kaputt, en: Broken}\nintro: {de: x, en: x}\n"
        "anonymity: {de: x, en: x}\npages:\n  - id: p\n    title: {de: S, en: P}\n    questions:\n"
        "      - id: q\n        type: slider\n        text: {de: F, en: Q}\n", encoding="utf-8")
    app = make_app(tmp_path, QUESTIONNAIRE_DIR=str(folder))
    with app.app_context():
        create_user("admin", PASSWORD, "admin")
    client = app.test_client()
    assert client.get("/s/staff-self-assessment").status_code == 200
    assert client.get("/s/broken").status_code == 404
    login(client, "admin")
    page = client.get("/admin/").get_data(as_text=True)
    assert "broken.yaml" in page and "slider" in page


def test_password_guessing_is_braked_per_address(app, client):
    app.config["LOGIN_FAILURE_LIMIT"] = 3
    statuses = [login(client, f"someone{i}", f"wrong {i}").status_code for i in range(3)]
    assert statuses == [422, 422, 422]
    locked = login(client, "evaluator")  # a browser that never logged in waits now, right password or not
    assert locked.status_code == 429 and "Zu viele falsche Versuche" in locked.get_data(as_text=True)
    assert client.get("/results/").status_code == 302
