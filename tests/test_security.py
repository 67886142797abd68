"""Security hardening (issue 12): who sees which workshop, sessions that end on the server,
account management and password rules, the audit log, the brakes on guessing, and three
smaller holes (https links, stray query arguments, start pages per role)."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import time

import pytest

from conftest import PASSWORD, csrf_token, login, make_app
from support.texts import page_text
from survey_app.web import guessing
from survey_app.web.auth import create_user
from survey_app.web.db import get_store
from survey_app.web.catalogue import get_questionnaire
from survey_app.fieldings.drafts import build_response
from survey_app.storage.tinydb.store import Store

TEMPLATE = "neighbourhood-management-workshop"
OTHER_PASSWORD = "plum orchard kettle 42"


def _client(app, address: str | None = None):
    client = app.test_client()
    if address:
        client.environ_base["REMOTE_ADDR"] = address
    return client


def _logged_in(app, username: str, password: str = PASSWORD, address: str | None = None):
    client = _client(app, address)
    response = login(client, username, password)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return client


def _audit(app) -> list[dict]:
    return list(get_store(app).audit_events())


# --------------------------------------------------------------------------- 1. workshops belong to their facilitators

@pytest.fixture
def workshop(app):
    """A running workshop of `facilitator` with one vote, and a second facilitator `lena`."""
    with app.app_context():
        create_user("lena", PASSWORD, "facilitator")
    owner = _logged_in(app, "facilitator")
    token = csrf_token(owner, "/workshops/")
    created = owner.post("/workshops/", data={"csrf_token": token, "title": "Quartiersworkshop", "date": "2026-03-01",
                                              "source": TEMPLATE, "languages": "de"})
    workshop_id = created.location.rstrip("/").split("/")[-1]
    owner.post(f"/workshops/{workshop_id}/control", data={"csrf_token": token, "action": "open"})
    code = get_store(app).get_workshop(workshop_id)["join_code"]
    phone = app.test_client()
    phone.post("/w/", data={"csrf_token": csrf_token(phone, "/w/"), "code": code})
    phone.post(f"/w/{code}/join", data={"csrf_token": csrf_token(phone, f"/w/{code}")})
    fields = dict(re.findall(r'name="(csrf_token|poll|run)" value="([^"]*)"', phone.get(f"/w/{code}").get_data(as_text=True)))
    assert phone.post(f"/w/{code}/vote", data={**fields, "points-networks": "3"}).status_code == 302
    return {"id": workshop_id, "code": code, "owner": owner, "run": fields["run"]}


def test_another_facilitator_can_neither_read_nor_reset_a_workshop(app, workshop):
    workshop_id, code = workshop["id"], workshop["code"]
    other = _logged_in(app, "lena")
    token = csrf_token(other, "/workshops/")
    index = other.get("/workshops/").get_data(as_text=True)
    assert code not in index and "Quartiersworkshop" not in index
    for url in ("", "/settings", "/present", "/live.json", "/results", "/votes.csv", "/tallies.csv", "/record.csv",
                "/polls/new?type=scale"):
        assert other.get(f"/workshops/{workshop_id}{url}").status_code == 403, url
    reset = other.post(f"/workshops/{workshop_id}/control", data={"csrf_token": token, "action": "reset",
                                                                   "confirm": "yes"})
    assert reset.status_code == 403
    for url, data in ((f"/workshops/{workshop_id}/polls/goals/delete", {}),
                      (f"/workshops/{workshop_id}/ideas", {"item": "x", "hidden": "1"}),
                      (f"/workshops/{workshop_id}/facilitators", {"username": "lena"})):
        assert other.post(url, data={"csrf_token": token, **data}).status_code == 403, url
    assert get_store(app).count_votes(workshop_id, workshop["run"]) == 1
    assert "Dieser Workshop gehört anderen Moderator*innen" in page_text(other.get(f"/workshops/{workshop_id}"))


def test_evaluators_see_results_of_every_workshop_but_no_join_code(app, workshop):
    workshop_id, code = workshop["id"], workshop["code"]
    evaluator = _logged_in(app, "evaluator")
    index = evaluator.get("/workshops/").get_data(as_text=True)
    assert "Quartiersworkshop" in index and code not in index
    assert f"/workshops/{workshop_id}/results" in index and f"/workshops/{workshop_id}/present" not in index
    results = evaluator.get(f"/workshops/{workshop_id}/results")
    assert results.status_code == 200 and code not in results.get_data(as_text=True)
    download = evaluator.get(f"/workshops/{workshop_id}/votes.csv")
    assert download.status_code == 200 and code not in download.headers["Content-Disposition"]
    for url in ("", "/settings", "/present", "/live.json"):
        assert evaluator.get(f"/workshops/{workshop_id}{url}").status_code == 403, url
    admin = _logged_in(app, "admin")
    assert code in admin.get("/workshops/").get_data(as_text=True)
    assert admin.get(f"/workshops/{workshop_id}").status_code == 200


def test_a_facilitator_adds_and_removes_a_colleague(app, workshop):
    workshop_id, owner = workshop["id"], workshop["owner"]
    token = csrf_token(owner, f"/workshops/{workshop_id}/settings")
    refused = owner.post(f"/workshops/{workshop_id}/facilitators", data={"csrf_token": token, "username": "evaluator"})
    assert refused.status_code == 422 and "kein aktives Moderationskonto" in page_text(refused)
    added = owner.post(f"/workshops/{workshop_id}/facilitators", data={"csrf_token": token, "username": "lena"})
    assert added.status_code == 302
    lena = _logged_in(app, "lena")
    assert lena.get(f"/workshops/{workshop_id}").status_code == 200
    assert workshop["code"] in lena.get("/workshops/").get_data(as_text=True)
    lena_id = get_store(app).find_user("lena")["id"]
    owner.post(f"/workshops/{workshop_id}/facilitators/{lena_id}/remove", data={"csrf_token": token})
    assert lena.get(f"/workshops/{workshop_id}").status_code == 403
    # the last facilitator stays
    owner_id = get_store(app).find_user("facilitator")["id"]
    owner.post(f"/workshops/{workshop_id}/facilitators/{owner_id}/remove", data={"csrf_token": token})
    assert owner.get(f"/workshops/{workshop_id}").status_code == 200
    assert [e["action"] for e in _audit(app) if e["action"].startswith("workshop.facilitator")] == [
        "workshop.facilitator_added", "workshop.facilitator_removed"]


def test_older_workshops_belong_to_their_creator(app):
    """Workshops stored before facilitators were listed name only their creator."""
    with app.app_context():
        create_user("lena", PASSWORD, "facilitator")
        store = get_store()
        record = store.add_workshop({"title": "Alt", "date": "2025-01-01", "join_code": "ABCDEF", "languages": ["de"],
                                     "polls": [], "created_by": "facilitator"})
        # as an older version stored it: no facilitators, neither in the document nor in the index
        store.change_workshop(record["id"], lambda stored: {k: v for k, v in stored.items() if k != "facilitators"})
    assert _logged_in(app, "facilitator").get(f"/workshops/{record['id']}").status_code == 200
    lena = _logged_in(app, "lena")
    assert lena.get(f"/workshops/{record['id']}").status_code == 403
    assert "ABCDEF" not in lena.get("/workshops/").get_data(as_text=True)


# --------------------------------------------------------------------------- 2. sessions end on the server

def test_a_cookie_copied_before_logout_opens_nothing_afterwards(app):
    admin = _logged_in(app, "admin")
    assert admin.get("/admin/").status_code == 200
    copied = admin.get_cookie("session").value
    admin.post("/logout", data={"csrf_token": csrf_token(admin, "/admin/")})
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/admin/")
    assert response.status_code == 302 and "/login" in response.location


def test_a_new_password_or_a_disabled_account_ends_other_sessions(app):
    laptop = _logged_in(app, "evaluator")
    phone = _logged_in(app, "evaluator")
    token = csrf_token(laptop, "/account/password")
    changed = laptop.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                     "password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD})
    assert changed.status_code == 302
    assert laptop.get("/results/").status_code == 200  # the session that changed it goes on
    assert phone.get("/results/").status_code == 302
    assert login(app.test_client(), "evaluator", PASSWORD).status_code == 422
    # an admin disables the account: its open session ends at once
    admin = _logged_in(app, "admin")
    user_id = get_store(app).find_user("evaluator")["id"]
    admin.post(f"/accounts/{user_id}/disable", data={"csrf_token": csrf_token(admin, f"/accounts/{user_id}")})
    assert laptop.get("/results/").status_code == 302
    refused = login(app.test_client(), "evaluator", OTHER_PASSWORD)
    assert refused.status_code == 403 and "Dieses Konto ist gesperrt" in page_text(refused)


def test_the_csrf_token_is_renewed_at_login(app):
    client = app.test_client()
    before = csrf_token(client, "/login")
    client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": before})
    after = csrf_token(client, "/accounts/")
    assert after != before
    # a token planted before the login does not work after it
    planted = client.post("/accounts/", data={"username": "kim", "role": "admin", "password": PASSWORD,
                                              "csrf_token": before})
    assert planted.status_code == 400
    assert get_store(app).find_user("kim") is None


def test_a_session_ends_after_the_idle_time(app):
    app.config["SESSION_IDLE_MINUTES"] = 30
    admin = _logged_in(app, "admin")
    copied = admin.get_cookie("session").value
    with admin.session_transaction() as session:
        session["seen"] = int(time.time()) - 31 * 60  # half an hour without a request
    response = admin.get("/admin/")
    assert response.status_code == 302 and "/login" in response.location
    assert "30 Minuten ohne Aktivität" in page_text(admin.get(response.location))
    # the session is over on the server too: an earlier copy of the cookie is no use either
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/admin/").status_code == 302


def test_activity_keeps_a_session_alive(app):
    app.config["SESSION_IDLE_MINUTES"] = 30
    admin = _logged_in(app, "admin")
    with admin.session_transaction() as session:
        session["seen"] = int(time.time()) - 29 * 60
    assert admin.get("/admin/").status_code == 200
    with admin.session_transaction() as session:
        assert session["seen"] >= int(time.time()) - 5


# --------------------------------------------------------------------------- 3. accounts and passwords

@pytest.mark.parametrize("password", [" " * 10, "a" * 10, " " * 12, "a" * 12, "password1234", "qwertzuiop12",
                                      "123456789012", "Passwort2024", "kimkimkimkim"])
def test_weak_passwords_are_refused(app, password):
    admin = _logged_in(app, "admin")
    response = admin.post("/accounts/", data={"username": "kim", "role": "evaluator", "password": password,
                                              "csrf_token": csrf_token(admin, "/accounts/")})
    assert response.status_code == 422
    field = response.get_data(as_text=True).split('id="password"')[1]
    assert "mindestens 12 Zeichen" in field or "zu leicht zu erraten" in field
    assert get_store(app).find_user("kim") is None


@pytest.mark.parametrize("name", ["admin\u200b", "\u202eadmin", "ad min", "anna\u2066"])
def test_user_names_with_invisible_or_direction_changing_characters_are_refused(app, name):
    admin = _logged_in(app, "admin")
    response = admin.post("/accounts/", data={"username": name, "role": "admin", "password": PASSWORD,
                                              "csrf_token": csrf_token(admin, "/accounts/")})
    assert response.status_code == 422 and "keine unsichtbaren" in page_text(response)
    assert len(get_store(app).list_users()) == 3


def test_control_characters_never_reach_a_stored_user_name(app):
    # Every form input loses its control characters when it is read (survey_app.text.clean).
    admin = _logged_in(app, "admin")
    response = admin.post("/accounts/", data={"username": "kim\u0000", "role": "evaluator", "password": PASSWORD,
                                              "csrf_token": csrf_token(admin, "/accounts/"), "one_time": ""})
    assert response.status_code == 302
    assert [u["username"] for u in get_store(app).list_users() if u["username"].startswith("kim")] == ["kim"]


def test_user_names_are_nfkc_normalised(app):
    admin = _logged_in(app, "admin")
    token = csrf_token(admin, "/accounts/")
    lookalike = admin.post("/accounts/", data={"username": "ａｄｍｉｎ", "role": "admin", "password": PASSWORD,
                                               "csrf_token": token})
    assert lookalike.status_code == 422 and "bereits vergeben" in page_text(lookalike)
    created = admin.post("/accounts/", data={"username": "ｋｉｍ", "role": "evaluator", "password": PASSWORD,
                                             "csrf_token": token, "one_time": ""})
    assert created.status_code == 302
    assert get_store(app).find_user("kim")["username"] == "kim"
    assert login(app.test_client(), "ｋｉｍ").status_code == 302  # typed in full width, found all the same


def test_an_admin_disables_enables_deletes_and_changes_roles(app):
    admin = _logged_in(app, "admin")
    store = get_store(app)
    user_id = store.find_user("facilitator")["id"]
    token = csrf_token(admin, f"/accounts/{user_id}")
    admin.post(f"/accounts/{user_id}/disable", data={"csrf_token": token})
    assert store.get_user(user_id)["disabled"] is True
    assert login(app.test_client(), "facilitator").status_code == 403
    admin.post(f"/accounts/{user_id}/enable", data={"csrf_token": token})
    assert login(app.test_client(), "facilitator").status_code == 302
    admin.post(f"/accounts/{user_id}/role", data={"csrf_token": token, "role": "evaluator"})
    assert store.get_user(user_id)["role"] == "evaluator"
    unconfirmed = admin.post(f"/accounts/{user_id}/delete", data={"csrf_token": token})
    assert unconfirmed.status_code == 422 and store.get_user(user_id) is not None
    admin.post(f"/accounts/{user_id}/delete", data={"csrf_token": token, "confirm": "y"})
    assert store.get_user(user_id) is None
    assert login(app.test_client(), "facilitator").status_code == 422
    actions = [e["action"] for e in _audit(app) if e["action"].startswith("account.")]
    assert actions == ["account.disabled", "account.enabled", "account.role_changed", "account.deleted"]


def test_the_last_admin_and_the_admin_themself_stay(app):
    admin = _logged_in(app, "admin")
    store = get_store(app)
    own_id = store.find_user("admin")["id"]
    token = csrf_token(admin, f"/accounts/{own_id}")
    for action, data in (("disable", {}), ("role", {"role": "evaluator"}), ("delete", {"confirm": "y"})):
        admin.post(f"/accounts/{own_id}/{action}", data={"csrf_token": token, **data})
    record = store.find_user("admin")
    assert record["role"] == "admin" and not record.get("disabled")
    # a second admin may not demote the only other active admin once the first is disabled
    with app.app_context():
        create_user("berta", PASSWORD, "admin")
    berta_id = store.find_user("berta")["id"]
    admin.post(f"/accounts/{berta_id}/disable", data={"csrf_token": token})
    berta = _logged_in(app, "admin")  # the first admin again, berta is disabled now
    page = berta.post(f"/accounts/{own_id}/role", data={"csrf_token": csrf_token(berta, f"/accounts/{own_id}"),
                                                        "role": "evaluator"}, follow_redirects=True)
    assert "eigenen Konto" in page_text(page)
    assert store.find_user("admin")["role"] == "admin"


def test_a_one_time_password_must_be_changed_at_first_login(app):
    admin = _logged_in(app, "admin")
    created = admin.post("/accounts/", data={"username": "kim", "role": "evaluator", "password": PASSWORD,
                                             "one_time": "y", "csrf_token": csrf_token(admin, "/accounts/")})
    assert created.status_code == 302
    kim = _client(app)
    first = login(kim, "kim")
    assert first.status_code == 302
    for url in ("/results/", "/", "/workshops/"):
        response = kim.get(url)
        assert response.status_code == 302 and response.location.endswith("/account/password"), url
    token = csrf_token(kim, "/account/password")
    same = kim.post("/account/password", data={"csrf_token": token, "current": PASSWORD, "password": PASSWORD,
                                               "confirm": PASSWORD})
    assert same.status_code == 422
    changed = kim.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                  "password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD})
    assert changed.status_code == 302 and changed.location.endswith("/results/")
    assert kim.get("/results/").status_code == 200
    # an admin sets a one-time password for a forgotten one: every session of kim ends
    user_id = get_store(app).find_user("kim")["id"]
    admin.post(f"/accounts/{user_id}/password", data={"csrf_token": csrf_token(admin, f"/accounts/{user_id}"),
                                                      "password": "lantern meadow violin"})
    assert kim.get("/results/").status_code == 302
    again = _client(app)
    login(again, "kim", "lantern meadow violin")
    assert again.get("/results/").location.endswith("/account/password")


def test_everybody_changes_their_own_password(app):
    facilitator = _logged_in(app, "facilitator")
    token = csrf_token(facilitator, "/account/password")
    wrong = facilitator.post("/account/password", data={"csrf_token": token, "current": "not it at all",
                                                        "password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD})
    assert wrong.status_code == 422 and "bisherige Passwort ist falsch" in page_text(wrong)
    weak = facilitator.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                       "password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"})
    assert weak.status_code == 422
    differ = facilitator.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                         "password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD + "x"})
    assert differ.status_code == 422
    ok = facilitator.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                     "password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD})
    assert ok.status_code == 302
    assert login(app.test_client(), "facilitator", OTHER_PASSWORD).status_code == 302


def test_login_hashes_once_for_unknown_and_known_names(app, monkeypatch):
    """The same key derivation runs whether the name exists or not, so timing tells nothing."""
    import hashlib as hashlib_module

    calls: list[tuple] = []
    real_scrypt = hashlib_module.scrypt

    def counting_scrypt(password, *, salt, n, r, p, maxmem=0, dklen=64):
        calls.append((n, r, p))
        return real_scrypt(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)

    login(_client(app, "192.0.2.3"), "nobody-else", "some wrong password")  # the process's first makes its dummy hash
    monkeypatch.setattr(hashlib_module, "scrypt", counting_scrypt)
    login(_client(app, "192.0.2.1"), "nobody-by-this-name", "some wrong password")
    unknown, calls[:] = list(calls), []
    login(_client(app, "192.0.2.2"), "evaluator", "some wrong password")
    known = list(calls)
    assert unknown == known and len(known) == 1


# --------------------------------------------------------------------------- 4. the audit log

def test_the_audit_log_records_who_did_what_and_never_answers(app, respondent):
    respondent.complete({"comments": "Geheimer Kommentar 4711"})
    login(_client(app), "admin", "a wrong password")
    login(_client(app), "Kommentar-als-Name", "a wrong password")  # an unknown name is not written down
    admin = _logged_in(app, "admin")
    admin.post("/accounts/", data={"username": "kim", "role": "evaluator", "password": PASSWORD,
                                   "csrf_token": csrf_token(admin, "/accounts/")})
    survey = get_store(app).find_survey_by_slug("staff-self-assessment")
    admin.post(f"/admin/surveys/{survey.id}/close", data={"csrf_token": csrf_token(admin, "/admin/")})
    events = _audit(app)
    assert [(e["action"], e["actor"], e["target"]) for e in events] == [
        ("login.failed", "", "admin"), ("login.failed", "", ""), ("login", "admin", "admin"),
        ("account.created", "admin", "kim"), ("fielding.closed", "admin", survey.slug)]
    assert all(e["at"] and e["address"] == "127.0.0.1" for e in events)
    raw = json.dumps(list(get_store(app).audit_events()), ensure_ascii=False)
    assert "4711" not in raw and "Kommentar" not in raw and PASSWORD not in raw and "wrong password" not in raw


@pytest.mark.data_folder
def test_the_audit_log_is_only_appended_to(app):
    store = get_store(app)
    with app.test_request_context():
        from survey_app.web import audit
        audit.record("fielding.opened", "a")
        before = store.audit_path.read_bytes()
        audit.record("fielding.closed", "a")
    after = store.audit_path.read_bytes()
    assert after.startswith(before) and after.count(b"\n") == 2
    with pytest.raises(ValueError), app.test_request_context():
        audit.record("answers.read", "x")  # unknown actions are refused, not written


def test_admins_filter_the_audit_log_and_download_it(app):
    login(_client(app), "evaluator", "a wrong password")
    _logged_in(app, "evaluator")
    admin = _logged_in(app, "admin")
    page = page_text(admin.get("/admin/audit/?action=login.failed"))
    assert "Fehlgeschlagene Anmeldung" in page and "1 von 1 passenden Ereignissen" in page
    by_user = page_text(admin.get("/admin/audit/?actor=nobody"))
    assert "Keine Ereignisse." in by_user
    bad_day = admin.get("/admin/audit/?since=yesterday")
    assert bad_day.status_code == 200 and "JJJJ-MM-TT" in page_text(bad_day)
    download = admin.get("/admin/audit/audit.csv?action=login")
    assert download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["action"], r["target"]) for r in rows] == [
        ("login.failed", "evaluator"), ("login", "evaluator"), ("login", "admin")]
    for role in ("evaluator", "facilitator"):
        other = _logged_in(app, role)
        assert other.get("/admin/audit/").status_code == 403
        assert other.get("/admin/audit/audit.csv").status_code == 403


@pytest.mark.data_folder
def test_an_unreadable_line_is_left_out_and_counted(app):
    admin = _logged_in(app, "admin")
    with open(get_store(app).audit_path, "a", encoding="utf-8") as f:
        f.write('{"at": "2026-01-01T00:00:00+00:00", "action": "log')  # cut off by a crash
    page = page_text(admin.get("/admin/audit/"))
    assert "1 Zeilen des Protokolls konnten nicht gelesen werden" in page


def test_raw_downloads_and_workshop_resets_are_audited(app, workshop):
    with app.app_context():
        store = get_store()
        questionnaire = get_questionnaire("staff-self-assessment")
        survey = store.find_survey_by_slug("staff-self-assessment")
        for _ in range(6):
            store.add_response(survey.id, build_response(survey, questionnaire, {"language": "de", "answers": {}}))
    evaluator = _logged_in(app, "evaluator")
    assert evaluator.get(f"/results/{survey.id}/download/responses.csv").status_code == 200
    assert evaluator.get(f"/results/{survey.id}/download/codebook.csv").status_code == 200  # not raw data
    owner = workshop["owner"]
    owner.post(f"/workshops/{workshop['id']}/control", data={"csrf_token": csrf_token(owner, "/workshops/"),
                                                              "action": "reset", "confirm": "yes"})
    events = [(e["action"], e["actor"], e["target"]) for e in _audit(app)
              if e["action"] in ("download.raw", "workshop.reset")]
    assert events == [("download.raw", "evaluator", "staff-self-assessment"),
                      ("workshop.reset", "facilitator", "Quartiersworkshop")]


# --------------------------------------------------------------------------- 5. brakes on guessing

def test_wrong_join_codes_do_not_lock_the_login(app):
    app.config["CODE_FAILURE_LIMIT"] = 3
    client = _client(app)
    token = csrf_token(client, "/w/")
    for c in "23456789":
        client.post("/w/", data={"csrf_token": token, "code": f"ZZZZZ{c}"})
    refused = client.post("/w/", data={"csrf_token": token, "code": "ZZZZZY"}, follow_redirects=True)
    assert refused.status_code == 429   # after the redirect every phone POST gets (no form sent again)
    assert login(client, "admin").status_code == 302


def test_a_known_browser_logs_in_while_strangers_are_braked(app):
    """The admin's own browser keeps working while someone at the same address (or anywhere)
    guesses the admin's password; a browser that never logged in waits."""
    app.config["LOGIN_FAILURE_LIMIT"] = 3
    own = _logged_in(app, "admin")
    own.post("/logout", data={"csrf_token": csrf_token(own, "/admin/")})
    for i in range(8):
        login(_client(app), "admin", f"guess number {i}")
    stranger = login(_client(app), "admin")
    assert stranger.status_code == 429
    assert login(own, "admin").status_code == 302


def test_ipv6_addresses_are_braked_per_64_network(app):
    app.config["CODE_FAILURE_LIMIT"] = 3
    statuses = []
    for host in range(1, 9):
        client = _client(app, f"2001:db8:1:2::{host:x}")
        statuses.append(client.post("/w/", data={"csrf_token": csrf_token(client, "/w/"), "code": "ZZZZZZ"},
                                    follow_redirects=True).status_code)
    assert statuses[:2] == [404, 404] and set(statuses[2:]) == {429}
    neighbour = _client(app, "2001:db8:1:3::1")  # another /64
    assert neighbour.post("/w/", data={"csrf_token": csrf_token(neighbour, "/w/"), "code": "ZZZZZZ"},
                          follow_redirects=True).status_code == 404


def test_network_of():
    assert guessing.network_of("203.0.113.7") == "203.0.113.7"
    assert guessing.network_of("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64"
    assert guessing.network_of("2001:db8:1:2::1") == guessing.network_of("2001:db8:1:2:ffff::9")
    assert guessing.network_of("::ffff:203.0.113.7") == "203.0.113.7"
    assert guessing.network_of("fe80::1%eth0") == "fe80::/64"


def test_each_account_is_braked_with_growing_delays(app, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(guessing.time, "time", lambda: clock[0])
    app.config["LOGIN_FAILURE_LIMIT"] = 1000
    waits = []
    for attempt in range(9):
        # every attempt from another address: only the per-account brake can stop them
        response = login(_client(app, f"198.51.100.{attempt + 1}"), "admin", "wrong password here")
        assert response.status_code == 422, attempt
        if attempt >= 4:
            refused = login(_client(app, "198.51.100.200"), "admin")  # even the right password waits
            assert refused.status_code == 429
            waits.append(int(re.search(r"warten Sie (\d+) Sekunden", page_text(refused)).group(1)))
            clock[0] += waits[-1]
    assert waits == [1, 2, 4, 8, 16]
    # an unknown name meets the same brake: it tells nothing about which names exist
    for attempt in range(6):
        login(_client(app, f"198.51.100.{attempt + 50}"), "nobody-here", "wrong password here")
    assert login(_client(app), "nobody-here", "x").status_code == 429
    clock[0] += 3600
    assert login(_client(app, "198.51.100.201"), "admin").status_code == 302


def test_the_counter_file_touched_by_a_failure_stays_small_after_3000(tmp_path):
    store = Store(tmp_path / "data")
    keys = [hashlib.sha256(str(i).encode()).hexdigest()[:32] for i in range(3000)]
    for second, key in enumerate(keys):  # 3,000 clients, one wrong code a second, 10-minute windows
        store.count_brake_failure("join", key, now=float(second), window=600)
    for _ in range(3000):  # and one client 3,000 times
        counter = store.count_brake_failure("resume", keys[0], now=3000.0, window=600)
    assert counter["count"] == 3000
    last = store._brake_path("join", keys[-1])
    entries = json.loads(last.read_text())
    # only the clients of the last window that share the file: about 600 / 64, never the history
    assert len(entries) <= 30 and last.stat().st_size < 4000
    assert len(json.loads(store._brake_path("resume", keys[0]).read_text())) == 1
    assert all(f.stat().st_size < 4000 for f in (tmp_path / "data" / "brakes").iterdir())
    assert store.brake_counter("join", keys[0], now=3000.0) is None  # its window has passed
    assert store.brake_counter("join", keys[-1], now=3000.0)["count"] == 1


def test_a_damaged_counter_file_starts_afresh(tmp_path):
    store = Store(tmp_path / "data")
    key = "ab" * 16
    store.count_brake_failure("login", key, now=10.0, window=600)
    store._brake_path("login", key).write_text('{"ab', encoding="utf-8")
    assert store.brake_counter("login", key, now=11.0) is None
    assert store.count_brake_failure("login", key, now=12.0, window=600)["count"] == 1


# --------------------------------------------------------------------------- 9. three smaller holes

def test_with_https_the_invitation_links_say_https_without_a_proxy_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_APP_HTTPS", "1")
    monkeypatch.delenv("SURVEY_APP_PROXIES", raising=False)
    # the proxy speaks plain HTTP to the app; the test client's cookies must travel over it
    app = make_app(tmp_path, SESSION_COOKIE_SECURE=False)
    with app.app_context():
        create_user("admin", PASSWORD, "admin")
    admin = app.test_client()
    browser = {"Referer": "https://localhost/"}  # as browsers send it; Flask-WTF checks it under HTTPS
    login_form = {"username": "admin", "password": PASSWORD, "csrf_token": csrf_token(admin)}
    assert admin.post("/login", data=login_form, headers=browser).status_code == 302
    survey = get_store(app).find_survey_by_slug("staff-self-assessment")
    token = csrf_token(admin, f"/admin/surveys/{survey.id}")
    response = admin.post(f"/admin/surveys/{survey.id}/invitations", data={"csrf_token": token, "count": 3},
                          headers=browser)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))[1:]
    links = [cell for row in rows for cell in row if "/s/" in cell]
    assert len(links) == 3 and all(link.startswith("https://") for link in links)


def test_hiding_a_free_text_with_stray_query_arguments_redirects(app, client, respondent):
    respondent.complete({"comments": "Ein Kommentar"})
    survey = get_store(app).find_survey_by_slug("staff-self-assessment")
    [response_record] = get_store(app).responses(survey.id)
    login(client, "evaluator")
    token = csrf_token(client, "/results/")
    url = f"/results/{survey.id}/texts/comments/{response_record['id']}"
    hidden = client.post(f"{url}?survey_id=x&endpoint=y&texts=1", data={"csrf_token": token})
    assert hidden.status_code == 302
    assert hidden.location.startswith(f"/results/{survey.id}?texts=1")
    assert get_store(app).get_survey(survey.id).hidden_texts == {"comments": [response_record["id"]]}


@pytest.mark.parametrize("role, start", [("admin", "/admin/"), ("evaluator", "/results/"),
                                         ("facilitator", "/workshops/")])
def test_each_role_lands_on_its_own_start_page(app, role, start):
    response = login(_client(app), role)
    assert response.status_code == 302 and response.location == start
    client = _client(app)
    token = csrf_token(client, "/login")
    asked = client.post("/login?next=/workshops/", data={"username": role, "password": PASSWORD, "csrf_token": token})
    assert asked.location == "/workshops/"
