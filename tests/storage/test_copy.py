"""flask --app survey_app copy-storage: everything from a data folder into PostgreSQL and back
(and folder to folder), every id kept, verified by counts and checksums; a target that holds
data already is refused."""
from __future__ import annotations

import hashlib
import uuid

import pytest

from support.storage import TEST_DATABASE_URL, postgres_required, postgres_url
from survey_app.fieldings.drafts import changed, closed, new_draft
from survey_app.fieldings.model import Fielding
from survey_app.storage.copy import summarize
from survey_app.storage.tinydb.store import Store
from survey_app.web.db import open_store

from conftest import make_app


def fill(store) -> dict:
    """One of everything the app keeps; returns what to look for after the copy."""
    user = store.add_user("Anna", "hash", "admin")
    store.add_session(user["id"], "session-1")
    survey = store.add_survey(Fielding.new("staff", "staff", label="Team"))
    text = "id: staff\n"
    store.keep_definition_version("staff", hashlib.sha256(text.encode()).hexdigest(), text)
    store.add_invitations(survey.id, ["a" * 64, "b" * 64])
    submitted = store.add_draft(survey.id, new_draft(survey.id, "de"))
    store.change_draft(survey.id, submitted["id"], changed({"q1": 4}))
    response_id, _ = store.submit_draft(survey.id, submitted["id"], {"answers": {"q1": 4}, "nan": float("nan")},
                                        closed, invitation="a" * 64)
    store.add_response(survey.id, {"answers": {"q1": 2}, "demo": True})
    open_draft = store.add_draft(survey.id, new_draft(survey.id, "en"))
    workshop = store.add_workshop({"title": "W", "date": "2025-05-20", "join_code": "ABCDEF", "polls": []})
    store.change_workshop(workshop["id"], lambda w: {"voting_open": True})
    person = store.add_participant(workshop["id"], "qm")
    run = str(uuid.uuid4())
    store.put_vote(workshop["id"], run, person["id"], {"value": "x"})
    store.append_audit_event({"action": "login", "actor": "Anna", "text": "Grüße"})
    store.append_audit_event({"action": "logout", "actor": "Anna"})
    consultation = store.add_consultation({"title": "Aufgabenbeschreibung", "organisations": []})
    store.add_consultation_version(consultation["id"], lambda latest: {"text": "# Aufgaben\n\nEins."})
    store.add_consultation_version(consultation["id"], lambda latest: {"text": "# Aufgaben\n\nZwei."})
    organisation = str(uuid.uuid4())
    store.change_statement(consultation["id"], organisation, lambda old: {"status": "submitted", "general": "Einverstanden"})
    store.put_record("task_profile", "task.networking", {"classification": "core", "text": "Vernetzung"})
    store.put_record("task_profile", "task.networking", {"classification": "shared", "text": "Vernetzung"},
                     expected_version=1, updated_by="Anna")
    store.put_record("staffing_scenario", "Szenario 2027 – ↑ Größe 💼", {"hours": {"task.networking": 12.5}})
    return {"consultation": consultation["id"], "organisation": organisation, "user": user["id"], "survey": survey.id, "response": response_id, "open_draft": open_draft["id"],
            "submitted": submitted["id"], "workshop": workshop["id"], "run": run, "person": person["id"]}


def same_data(store, ids, secret) -> None:
    assert store.secret_key() == secret
    assert store.get_user(ids["user"])["sessions"] == ["session-1"]
    assert store.find_survey_by_slug("staff").id == ids["survey"]
    responses = store.responses(ids["survey"])
    assert [r["id"] for r in responses][0] == ids["response"] and len(responses) == 2
    assert responses[0]["nan"] != responses[0]["nan"]             # NaN as it was stored
    assert store.get_draft(ids["survey"], ids["submitted"]) is None          # deleted, remembered
    assert store.was_submitted(ids["survey"], ids["submitted"]) and store.count_submitted(ids["survey"]) == 1
    assert store.get_draft(ids["survey"], ids["open_draft"])["response_id"] is None
    assert store.count_invitations(ids["survey"]) == (2, 1)
    assert store.add_invitations(ids["survey"], ["c" * 64]) == [3]   # numbers run on after the copy
    assert store.get_workshop(ids["workshop"])["version"] == 2
    assert store.get_vote(ids["workshop"], ids["run"], ids["person"])["value"] == "x"
    assert [e["action"] for e in store.audit_events()] == ["login", "logout"]
    assert [c["id"] for c in store.list_consultations()] == [ids["consultation"]]
    assert [v["number"] for v in store.consultation_versions(ids["consultation"])] == [1, 2]
    assert store.get_statement(ids["consultation"], ids["organisation"])["general"] == "Einverstanden"
    profile = store.get_record("task_profile", "task.networking")
    assert (profile["classification"], profile["version"], profile["updated_by"]) == ("shared", 2, "Anna")
    assert [key for key, _ in store.list_records("staffing_scenario")] == ["Szenario 2027 – ↑ Größe 💼"]
    # and the copy works on: a resubmit is recognised, a second vote replaces the first
    assert store.submit_draft(ids["survey"], ids["submitted"], {}, closed) == (None, False)
    assert store.count_responses(ids["survey"]) == 2
    assert store.put_vote(ids["workshop"], ids["run"], ids["person"], {"value": "y"})[1] is True
    assert store.put_record("task_profile", "task.networking", profile, expected_version=2) == 3   # versions run on


def copy(source_app, target: str):
    return source_app.test_cli_runner().invoke(args=["copy-storage", "--to", target])


def test_a_data_folder_copied_to_another_holds_the_same(tmp_path):
    source = Store(tmp_path / "one" / "data")
    ids, secret = fill(source), source.secret_key()
    result = copy(make_app(tmp_path / "one", DATABASE_URL=None), str(tmp_path / "two"))
    assert result.exit_code == 0, result.output
    assert "counts and checksums match" in result.output and "response            2" in result.output
    assert "submitted           1" in result.output and "decision_record        2" in result.output
    copied = Store(tmp_path / "two")
    assert summarize(copied.export_records()) == summarize(source.export_records())
    same_data(copied, ids, secret)
    again = copy(make_app(tmp_path / "one", DATABASE_URL=None), str(tmp_path / "two"))
    assert again.exit_code != 0 and "already holds data" in again.output


@pytest.mark.skipif(not TEST_DATABASE_URL and not postgres_required(), reason="needs SURVEY_APP_TEST_DATABASE_URL")
def test_a_data_folder_moves_to_postgresql_and_back(tmp_path):
    source = Store(tmp_path / "folder" / "data")
    ids, secret = fill(source), source.secret_key()
    url = postgres_url(tmp_path / "database")
    result = copy(make_app(tmp_path / "folder", DATABASE_URL=None), url)
    assert result.exit_code == 0, result.output
    database = open_store(url)
    try:
        assert summarize(database.export_records()) == summarize(source.export_records())
        refused = copy(make_app(tmp_path / "folder", DATABASE_URL=None), url)
        assert refused.exit_code != 0 and "already holds data" in refused.output
        back_app = make_app(tmp_path / "unused", DATABASE_URL=url)
        back = copy(back_app, str(tmp_path / "back"))
        assert back.exit_code == 0, back.output
        back_app.extensions["survey_store"].close()
        returned = Store(tmp_path / "back")
        assert summarize(returned.export_records()) == summarize(source.export_records())
        same_data(database, ids, secret)
        same_data(returned, ids, secret)
    finally:
        database.close()
