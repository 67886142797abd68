"""What only the PostgreSQL adapter has: transactions (a submission is all or nothing, also when
the domain's step fails half-way), unique constraints the database itself keeps (one vote per
participant and run, one response per draft), a submission another process waits for, versioned
schema upgrades that servers may run at the same moment, workshop changes heard across servers
(LISTEN/NOTIFY), and two app servers on one database sharing sessions, secret and votes.

Runs when SURVEY_APP_TEST_DATABASE_URL names a database (.ci/run starts one); skipped otherwise."""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import uuid

import pytest

from conftest import PASSWORD, csrf_token, login
from support.storage import NO_POSTGRES, SURVEY, TEST_DATABASE_URL, postgres_required, postgres_url, spawn, stop
from survey_app.fieldings.drafts import closed, new_draft
from survey_app.storage.interface import InvitationUsedError, storage_unavailable

if not TEST_DATABASE_URL and not postgres_required():
    pytest.skip(NO_POSTGRES, allow_module_level=True)

psycopg = pytest.importorskip("psycopg")

from survey_app.storage.postgres import schema  # noqa: E402
from survey_app.storage.postgres.store import SchemaError, Store  # noqa: E402


@pytest.fixture
def url(tmp_path):
    return postgres_url(tmp_path)


@pytest.fixture
def store(url):
    opened = Store(url, pool_size=4)
    yield opened
    opened.close()


def workshop_record(code="ABCDEF"):
    return {"title": "W", "date": "2025-05-20", "join_code": code, "languages": ["de"], "polls": [],
            "current_poll": None, "voting_open": False}


# -- transactions and constraints ------------------------------------------------------------

def test_a_submission_that_fails_half_way_stores_nothing_and_keeps_the_invitation(store):
    store.add_invitations(SURVEY, ["a" * 64])
    draft = store.add_draft(SURVEY, new_draft(SURVEY, "de"))

    def broken_close(_draft):   # fails after the response was written in the same transaction
        raise RuntimeError("the domain's step failed")

    with pytest.raises(RuntimeError):
        store.submit_draft(SURVEY, draft["id"], {"answers": {}}, broken_close, invitation="a" * 64)
    assert store.responses(SURVEY) == [] and store.get_draft(SURVEY, draft["id"]) == draft
    assert store.find_invitation(SURVEY, "a" * 64)["used"] is False
    response_id, created = store.submit_draft(SURVEY, draft["id"], {"answers": {}}, closed, invitation="a" * 64)
    assert created and [r["id"] for r in store.responses(SURVEY)] == [response_id]
    with pytest.raises(InvitationUsedError):
        store.submit_draft(SURVEY, store.add_draft(SURVEY, new_draft(SURVEY, "de"))["id"], {}, closed,
                           invitation="a" * 64)


def test_the_database_itself_refuses_a_second_vote_or_a_second_response_per_draft(store, url):
    workshop = store.add_workshop(workshop_record())
    run, person = str(uuid.uuid4()), store.add_participant(workshop["id"], None)["id"]
    store.put_vote(workshop["id"], run, person, {"value": "a"})
    draft = store.add_draft(SURVEY, new_draft(SURVEY, "de"))
    store.submit_draft(SURVEY, draft["id"], {"answers": {}}, closed)
    with psycopg.connect(url) as conn:     # code that forgot the rules, straight in SQL
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO votes (workshop_id, run, participant, record) VALUES (%s, %s, %s, '{}')",
                         (workshop["id"], run, person))
        conn.rollback()
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO submitted_drafts (survey_id, hash) VALUES (%s, %s)",
                         (SURVEY, hashlib.sha256(draft["id"].encode()).hexdigest()))
    assert store.count_votes(workshop["id"], run) == 1 and store.count_responses(SURVEY) == 1


def test_a_data_folder_submit_that_stopped_half_way_finishes_here_once(store):
    """copy-storage may bring a draft holding its reserved response id (the TinyDB adapter's
    crash state), with or without the response stored: the submit finishes, storing once."""
    before, after = (store.add_draft(SURVEY, new_draft(SURVEY, "de")) for _ in range(2))
    reserved = str(uuid.uuid4())
    stored = store.add_response(SURVEY, {"answers": {}})
    store.add_invitations(SURVEY, ["b" * 64])
    with psycopg.connect(store.db.url) as conn:
        for draft, response_id in ((before, reserved), (after, stored)):
            conn.execute("UPDATE drafts SET response_id = %s, record = %s WHERE id = %s",
                         (response_id, json.dumps({**draft, "response_id": response_id}), draft["id"]))
    assert store.submit_draft(SURVEY, before["id"], {"answers": {"q1": 2}}, closed) == (reserved, True)
    assert store.submit_draft(SURVEY, after["id"], {"answers": {}}, closed, invitation="b" * 64) == (stored, False)
    assert [r["id"] for r in store.responses(SURVEY)] == [stored, reserved]
    assert store.list_drafts(SURVEY) == [] and store.count_submitted(SURVEY) == 2
    assert store.find_invitation(SURVEY, "b" * 64)["used"] is True


def test_a_second_process_waits_for_a_submission_under_way_and_gets_its_response(store, tmp_path):
    draft = store.add_draft(SURVEY, new_draft(SURVEY, "de"))
    paused = spawn("pause", "postgres", tmp_path, SURVEY, draft["id"])
    try:
        assert paused.stdout.readline().strip() == "paused"      # inside the transaction, draft row locked
        result: list = []
        other = threading.Thread(target=lambda: result.append(
            store.submit_draft(SURVEY, draft["id"], {"answers": {}}, closed)))
        other.start()
        other.join(timeout=0.5)
        assert other.is_alive()                                  # waits for the lock, stores nothing
        paused.stdin.write("go\n")
        paused.stdin.flush()
        first_id = paused.stdout.readline().strip()
        other.join(timeout=30)
        assert result == [(None, False)]                          # the draft gone, remembered as submitted
        assert [r["id"] for r in store.responses(SURVEY)] == [first_id]
    finally:
        stop(paused)


def test_an_unreachable_database_is_storage_unavailable(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]               # nothing listens there
    with pytest.raises(OSError) as caught:
        Store(f"postgresql://nobody@127.0.0.1:{port}/none?connect_timeout=2")
    assert storage_unavailable(caught.value)


# -- the schema ------------------------------------------------------------------------------

def drop_tables(url):
    """A database as it is before the first db-upgrade."""
    with psycopg.connect(url) as conn:
        assert schema.current_version(conn) == schema.LATEST
        tables = [row[0] for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()]
        conn.execute("DROP TABLE " + ", ".join(tables) + " CASCADE")
        conn.commit()
        assert schema.current_version(conn) == 0


def test_upgrade_is_versioned_idempotent_and_safe_from_several_processes(tmp_path):
    url = postgres_url(tmp_path)      # upgraded once already
    drop_tables(url)
    with pytest.raises(SchemaError):
        Store(url)
    results = []
    threads = [threading.Thread(target=lambda: results.append(schema.upgrade_database(url))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(applied) for applied, _ in results) == [0, 0, 0, len(schema.MIGRATIONS)]
    assert {version for _, version in results} == {schema.LATEST}
    assert schema.upgrade_database(url) == ([], schema.LATEST)


def test_migration_3_unlinks_the_submissions_of_earlier_versions(tmp_path):
    """A database of schema version 2: a response naming its draft, the submitted draft kept,
    an invitation with its day of use. Upgraded and started, nothing links them any more."""
    url = postgres_url(tmp_path)
    drop_tables(url)
    submitted, open_draft, response_id = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE schema_version (version integer PRIMARY KEY, description text NOT NULL, "
                     "applied_at timestamptz NOT NULL DEFAULT now())")
        for version, description, sql in schema.MIGRATIONS[:2]:
            conn.execute(sql)
            conn.execute("INSERT INTO schema_version (version, description) VALUES (%s, %s)", (version, description))
        conn.execute("INSERT INTO drafts (survey_id, id, response_id, record) VALUES (%s, %s, %s, %s)",
                     (SURVEY, submitted, response_id,
                      f'{{"id":"{submitted}","status":"submitted","answers":{{}},"response_id":"{response_id}"}}'))
        conn.execute("INSERT INTO drafts (survey_id, id, record) VALUES (%s, %s, %s)",
                     (SURVEY, open_draft, f'{{"id":"{open_draft}","answers":{{"q1":1}},"response_id":null}}'))
        conn.execute("INSERT INTO responses (survey_id, id, submission_key, record) VALUES (%s, %s, %s, %s)",
                     (SURVEY, response_id, submitted,
                      f'{{"answers":{{"q1":4}},"x":NaN,"id":"{response_id}","submission_key":"{submitted}"}}'))
        conn.execute("INSERT INTO invitations (survey_id, hash, number, used, used_on) VALUES (%s, %s, 1, true, %s)",
                     (SURVEY, "a" * 64, "2026-11-20"))
    with pytest.raises(SchemaError):
        Store(url)
    store = Store(url, upgrade=True)
    try:
        assert store.get_draft(SURVEY, submitted) is None and store.was_submitted(SURVEY, submitted)
        assert store.get_draft(SURVEY, open_draft)["answers"] == {"q1": 1} and store.count_submitted(SURVEY) == 1
        assert store.find_invitation(SURVEY, "a" * 64) == {"hash": "a" * 64, "number": 1, "used": True}
        assert store.forget_submission_links() == 1            # the response's record
        [response] = store.responses(SURVEY)
        assert list(response) == ["answers", "x", "id"] and response["x"] != response["x"]   # NaN kept
        assert store.forget_submission_links() == 0
        assert store.submit_draft(SURVEY, submitted, {"answers": {}}, closed) == (None, False)
        with psycopg.connect(url) as conn:
            columns = {row[0] for row in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()")}
        assert not columns & {"submission_key", "used_on"}
    finally:
        store.close()


def test_the_app_on_an_old_schema_says_what_to_do_and_db_upgrade_fixes_it(tmp_path):
    from conftest import make_app

    url = postgres_url(tmp_path)
    drop_tables(url)
    app = make_app(tmp_path, DATABASE_URL=url)
    page = app.test_client().get("/login")
    assert page.status_code == 503 and "wird gerade aktualisiert" in page.get_data(as_text=True)
    assert b"postgresql" not in page.data and b"127.0.0.1" not in page.data   # no database details
    result = app.test_cli_runner().invoke(args=["db-upgrade"])
    assert result.exit_code == 0 and f"schema version {schema.LATEST}" in result.output
    again = app.test_cli_runner().invoke(args=["db-upgrade"])
    assert again.exit_code == 0 and "up to date" in again.output
    app = make_app(tmp_path, DATABASE_URL=url)
    assert app.test_client().get("/login").status_code == 200
    app.extensions["survey_store"].close()


# -- live workshops across servers -----------------------------------------------------------

def test_a_change_on_one_server_changes_the_signal_on_the_other_within_a_second(url):
    one, other = Store(url, pool_size=2), Store(url, pool_size=2)
    try:
        workshop = one.add_workshop(workshop_record())
        assert other.workshop_signal(workshop["id"]) == 1
        heard = []
        woke = threading.Event()
        end = other.on_workshop_change(lambda workshop_id, version: (heard.append((workshop_id, version)),
                                                                      woke.set()))
        one.change_workshop(workshop["id"], lambda w: {"voting_open": True})
        assert woke.wait(1.0), "the other server heard nothing within a second"
        assert heard == [(workshop["id"], 2)] and other.workshop_signal(workshop["id"]) == 2
        deadline = time.monotonic() + 1.0     # asking the signal alone sees it too
        one.change_workshop(workshop["id"], lambda w: {"voting_open": False})
        while other.workshop_signal(workshop["id"]) != 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert other.workshop_signal(workshop["id"]) == 3
        end()
        one.remove_workshop(workshop["id"])
        deadline = time.monotonic() + 1.0
        while other.workshop_signal(workshop["id"]) is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert other.workshop_signal(workshop["id"]) is None and len(heard) == 2
        assert other.workshop_signal("../x") is None
    finally:
        one.close()
        other.close()


def test_two_app_servers_share_sessions_and_each_vote_is_stored_once(tmp_path):
    """Two apps (two servers with their own pools) on one database: a facilitator logged in on one
    works on the other, a phone that joined on one votes through both, each server sees the
    other's changes at the next request, and a phone's stream on one shows a change made on the
    other within a second, pushed by the notification (its watcher would look only every 30 s)."""
    from conftest import make_app
    from survey_app.web.auth import create_user
    from survey_app.web.db import get_store

    url = postgres_url(tmp_path / "shared")
    servers = [make_app(tmp_path / "a", DATABASE_URL=url, SECRET_KEY=None),
               make_app(tmp_path / "b", DATABASE_URL=url, SECRET_KEY=None, WORKSHOP_PUSH="on",
                        WORKSHOP_WATCH_S=30)]
    assert servers[0].secret_key == servers[1].secret_key      # made once, kept in the database
    with servers[0].app_context():
        create_user("facilitator", PASSWORD, "facilitator")
    staff = servers[0].test_client()
    assert login(staff, "facilitator").status_code == 302
    data = {"csrf_token": csrf_token(staff, "/workshops/"), "title": "W", "date": "2025-05-20",
            "source": "neighbourhood-management-workshop", "languages": "de"}
    workshop_id = staff.post("/workshops/", data=data).location.rsplit("/", 1)[1]
    # the same browser on the other server: same session, same CSRF secret
    staff_b = servers[1].test_client()
    staff_b.set_cookie("session", staff.get_cookie("session").value)
    opened = staff_b.post(f"/workshops/{workshop_id}/control",
                          data={"csrf_token": csrf_token(staff_b, "/workshops/"), "action": "open"})
    assert opened.status_code == 302
    with servers[0].app_context():
        stored = get_store().get_workshop(workshop_id)
    assert stored["voting_open"] is True
    code = stored["join_code"]
    phone_a = servers[0].test_client()
    phone_a.post(f"/w/{code}/join", data={"csrf_token": csrf_token(phone_a, f"/w/{code}"), "group": ""})
    phone_b = servers[1].test_client()
    phone_b.set_cookie("session", phone_a.get_cookie("session").value)
    for phone, points in ((phone_a, "1"), (phone_b, "2"), (phone_a, "3")):
        html = phone.get(f"/w/{code}?change=1").get_data(as_text=True)   # after a vote: "Change vote"
        fields = {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
                  for name in ("csrf_token", "poll", "run")}
        assert phone.post(f"/w/{code}/vote", data={**fields, "points-networks": points}).status_code == 302
    with servers[1].app_context():
        store = get_store()
        run = store.get_workshop(workshop_id)["rounds"]["goals"][-1]["run"]
        [vote] = store.votes(workshop_id, run)
    assert vote["value"] == {"networks": 3}      # one vote, the last one, whichever server took it
    # a phone on server B listens to its stream; the facilitator closes voting on server A
    listening = servers[1].test_client()
    listening.set_cookie("session", phone_a.get_cookie("session").value)
    stream = iter(listening.get(f"/w/{code}/events", buffered=False).response)

    def next_event() -> tuple[float, str]:
        while True:   # (comments and the retry line are not events)
            chunk = next(stream).decode()
            if chunk.startswith("id:") or "event: gone" in chunk:
                return time.monotonic(), chunk

    def soon(work) -> list[float]:
        done: list[float] = []
        threading.Thread(target=lambda: (time.sleep(0.2), done.append(time.monotonic()), work()), daemon=True).start()
        return done

    current = next_event()
    assert '"voted_html"' in current[1]   # the current screen at once
    close = {"csrf_token": csrf_token(staff, "/workshops/"), "action": "close"}
    closed_at = soon(lambda: staff.post(f"/workshops/{workshop_id}/control", data=close))
    changed = next_event()
    assert changed[1] != current[1] and changed[0] - closed_at[0] < 1.0, "server B's phone saw it late"

    def remove() -> None:
        with servers[0].app_context():
            get_store().remove_workshop(workshop_id)

    removed_at = soon(remove)
    gone = next_event()   # the stream ends: pushed too
    assert "event: gone" in gone[1] and gone[0] - removed_at[0] < 1.0
    for server in servers:
        server.extensions["survey_store"].close()

