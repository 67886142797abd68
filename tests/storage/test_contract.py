"""The storage contract (survey_app/storage/interface.py), run against every adapter in
support.storage.ADAPTERS: round trips, ids from outside, one response per draft, invitations
used once, changes that are never lost, and several threads and processes at the same moment.

Nothing here looks at how an adapter keeps its data (that is tests/storage/test_tinydb_files.py
for the TinyDB adapter)."""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import random
import threading
import uuid

import pytest

from support.storage import SURVEY, adapter_params, run_together
from survey_app.analysis.counting import exclusion
from survey_app.fieldings.drafts import changed, closed, new_draft
from survey_app.fieldings.model import CLOSED, Fielding
from survey_app.storage.interface import PROTOCOLS, DuplicateError, InvitationUsedError, RecordConflict, Storage

BAD_IDS = ["../x", "..", "", "not-a-uuid", "6F1C2B1E-3D4A-4C5B-9E8F-0A1B2C3D4E5F",
           "6f1c2b1e-3d4a-4c5b-9e8f-0a1b2c3d4e5f/../../etc", "6f1c2b1e-3d4a-4c5b-9e8f-0a1b2c3d4e5f\n", None]
UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(params=adapter_params(), ids=str)
def adapter(request):
    return request.param


@pytest.fixture
def store(adapter, tmp_path) -> Storage:
    return adapter.open(tmp_path, False)


def draft_in(store, survey_id=SURVEY, language="de") -> dict:
    return store.add_draft(survey_id, new_draft(survey_id, language))


def test_every_adapter_implements_every_protocol(store):
    assert isinstance(store, Storage)
    for protocol in PROTOCOLS:
        assert isinstance(store, protocol), protocol.__name__


# -- users and sessions ----------------------------------------------------------------------

def test_users_round_trip(store):
    alice = store.add_user("Alice", "hash-a", "admin")
    bob = store.add_user("bob", "hash-b", "evaluator")
    assert set(alice) == {"id", "username", "password_hash", "role", "created_at"}
    assert store.get_user(alice["id"]) == alice
    assert store.find_user("ALICE") == alice
    assert store.find_user("carol") is None
    assert [u["username"] for u in store.list_users()] == ["Alice", "bob"]
    with pytest.raises(DuplicateError):
        store.add_user("aLiCe", "x", "admin")

    changed_bob = store.update_user(bob["id"], role="admin", id="hijack")
    assert changed_bob["role"] == "admin" and changed_bob["id"] == bob["id"]
    assert store.get_user(bob["id"]) == changed_bob
    with pytest.raises(DuplicateError):
        store.update_user(bob["id"], username="ALICE")
    assert store.get_user(bob["id"])["username"] == "bob"       # nothing changed
    assert store.update_user(bob["id"], username="Bob")["username"] == "Bob"
    assert store.update_user(UNKNOWN, role="x") is None
    for bad in BAD_IDS:
        assert store.get_user(bad) is None
        assert store.update_user(bad, role="x") is None
        assert store.delete_user(bad) is False
    assert store.delete_user(bob["id"]) is True and store.get_user(bob["id"]) is None
    assert store.delete_user(bob["id"]) is False and store.find_user("bob") is None


def test_sessions_are_listed_with_their_account_and_end_on_the_server(store):
    user = store.add_user("anna", "hash", "admin")
    for number in range(12):
        store.add_session(user["id"], f"s{number}", keep=10)
    stored = store.get_user(user["id"])
    assert stored["sessions"] == [f"s{number}" for number in range(2, 12)] and stored["last_login"]
    store.end_sessions(user["id"], "s3", "s5", "nope")
    assert "s3" not in store.get_user(user["id"])["sessions"] and len(store.get_user(user["id"])["sessions"]) == 8
    store.end_sessions(user["id"], keep="s11")                  # a new password: every other session ends
    assert store.get_user(user["id"])["sessions"] == ["s11"]
    store.end_sessions(UNKNOWN)
    store.end_sessions("../x")
    with pytest.raises(LookupError):
        store.add_session(UNKNOWN, "s")
    with pytest.raises(LookupError):
        store.add_session("../x", "s")


def test_secret_key_is_made_once(adapter, tmp_path):
    key = adapter.open(tmp_path, False).secret_key()
    assert len(key) == 64 and set(key) <= set("0123456789abcdef")
    assert adapter.open(tmp_path, False).secret_key() == key


def test_secret_key_same_across_concurrent_processes(adapter, tmp_path):
    outputs = run_together([["secret", adapter.name, tmp_path]] * 4)
    assert {lines[0] for lines in outputs} == {adapter.open(tmp_path, False).secret_key()}


# -- surveys and definition versions ---------------------------------------------------------

def test_surveys_round_trip(store):
    first = store.add_survey(Fielding.new("staff-2025", "staff", label="Staff", title="kept as it is"))
    second = store.add_survey(Fielding.new("stakeholders", "stake", status=CLOSED, min_group_size=7))
    assert isinstance(first, Fielding) and first.id and first.created_at
    assert first.status == "open" and first.label == "Staff" and first.extra == {"title": "kept as it is"}
    assert second.status == "closed" and second.min_group_size == 7
    assert store.get_survey(first.id) == first
    assert store.find_survey_by_slug("stake") == second
    assert store.find_survey_by_slug("nope") is None
    assert [s.id for s in store.list_surveys()] == [first.id, second.id]
    with pytest.raises(DuplicateError):
        store.add_survey(Fielding.new("other", "staff"))
    with pytest.raises(DuplicateError):
        store.update_survey(second.id, slug="staff")
    assert store.get_survey(second.id).slug == "stake"

    closed_first = store.update_survey(first.id, status="closed", opens_on="2026-01-01", id=UNKNOWN,
                                       created_at="2000-01-01")
    assert closed_first.status == "closed" and closed_first.opens_on == "2026-01-01"
    assert (closed_first.id, closed_first.created_at) == (first.id, first.created_at)
    assert store.get_survey(first.id) == closed_first
    assert store.update_survey(first.id, opens_on=None).opens_on is None
    for bad in BAD_IDS:
        assert store.get_survey(bad) is None
        assert store.update_survey(bad, status="open") is None
    assert store.update_survey(UNKNOWN, status="open") is None


def test_definition_versions_are_kept_once(store):
    text = "id: staff\n"
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert store.definition_version("staff", digest) is None
    store.keep_definition_version("staff", digest, text)
    store.keep_definition_version("staff", digest, "something else")   # kept already: left as it is
    assert store.definition_version("staff", digest) == text
    for questionnaire_id, content_hash in (("../x", digest), ("staff", "../../etc"), ("Staff", digest)):
        store.keep_definition_version(questionnaire_id, content_hash, text)
        assert store.definition_version(questionnaire_id, content_hash) is None


# -- drafts ----------------------------------------------------------------------------------

def test_drafts_change_key_by_key(store):
    draft = draft_in(store)
    assert draft["answers"] == {} and draft["page"] == 0 and draft["status"] == "open"
    assert draft["response_id"] is None and draft["survey_id"] == SURVEY and draft["id"]
    assert store.get_draft(SURVEY, draft["id"]) == draft

    store.change_draft(SURVEY, draft["id"], changed({"q1": 1, "q2": "a"}, page=1))
    updated = store.change_draft(SURVEY, draft["id"], changed({"q2": None, "q3": [1, 2]}, language="en"))
    assert updated["answers"] == {"q1": 1, "q3": [1, 2]}
    assert updated["page"] == 1 and updated["language"] == "en"
    assert store.get_draft(SURVEY, draft["id"]) == updated
    assert store.get_draft(SURVEY, "6f1c2b1e-0000-4000-8000-000000000000") is None
    assert store.list_drafts(SURVEY) == [updated] and store.read_drafts(SURVEY) == ([updated], 0)


def test_a_change_that_fails_stores_nothing_and_cannot_touch_the_id(store):
    draft = draft_in(store)

    def refuse(_draft):
        raise ValueError("no")

    with pytest.raises(ValueError):
        store.change_draft(SURVEY, draft["id"], refuse)
    assert store.get_draft(SURVEY, draft["id"]) == draft
    hijacked = store.change_draft(SURVEY, draft["id"], lambda d: {**d, "id": UNKNOWN, "response_id": UNKNOWN})
    assert hijacked["id"] == draft["id"] and hijacked["response_id"] is None
    assert store.get_draft(SURVEY, UNKNOWN) is None


def test_changes_to_one_draft_from_many_threads_are_none_of_them_lost(store):
    draft = draft_in(store)
    errors = []

    def answer(question):
        try:
            store.change_draft(SURVEY, draft["id"], changed({question: 1}))
        except Exception as error:  # surfaced below; a thread's exception would be lost
            errors.append(error)

    threads = [threading.Thread(target=answer, args=(f"q{n}",)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and store.get_draft(SURVEY, draft["id"])["answers"] == {f"q{n}": 1 for n in range(16)}


# -- responses: one per draft ----------------------------------------------------------------

def test_submit_draft_twice_stores_one_response(store):
    draft = draft_in(store)
    store.change_draft(SURVEY, draft["id"], changed({"q1": 5}))
    response_id, created = store.submit_draft(SURVEY, draft["id"], {"answers": {"q1": 5}}, closed)
    assert created
    again = store.submit_draft(SURVEY, draft["id"], {"answers": {"q1": 4}}, closed)
    assert again == (None, False)

    [stored] = store.responses(SURVEY)
    assert stored["id"] == response_id and stored["answers"] == {"q1": 5}
    # unlinkable: the response has no draft id, the draft is gone, only "it was submitted" is kept
    assert draft["id"] not in json.dumps(stored)
    assert store.get_draft(SURVEY, draft["id"]) is None and store.list_drafts(SURVEY) == []
    assert store.was_submitted(SURVEY, draft["id"]) and store.count_submitted(SURVEY) == 1
    assert not store.was_submitted(SURVEY, draft_in(store)["id"])
    # A submitted draft no longer changes.
    called = []
    assert store.change_draft(SURVEY, draft["id"], lambda d: called.append(d) or {**d, "page": 3}) is None
    assert called == []


def test_old_records_lose_their_links_at_start(store):
    """Data of versions before issue 10: a response with its draft id, the submitted draft kept,
    an invitation with its day of use."""
    draft = draft_in(store)
    earlier = store.add_response(SURVEY, {"submission_key": draft["id"], "answers": {}})
    store.change_draft(SURVEY, draft["id"], lambda d: d)
    if hasattr(store, "files"):   # write the old forms directly (an adapter's own older format)
        from tinydb import Query
        from survey_app.storage.tinydb.files import replace_one
        path = store.files.draft_path(SURVEY, draft["id"])
        with store.files.open(path) as db:
            replace_one(db, {**draft, "status": "submitted", "response_id": earlier, "answers": {}})
        store.add_invitations(SURVEY, ["c" * 64])
        with store.files.open(store.files.survey_dir(SURVEY) / "invitations.json") as db:
            db.update({"used": True, "used_on": "2026-11-20"}, Query().hash == "c" * 64)
    assert store.forget_submission_links() >= 1
    [stored] = store.responses(SURVEY)
    assert "submission_key" not in stored and stored["id"] == earlier
    if hasattr(store, "files"):
        assert store.get_draft(SURVEY, draft["id"]) is None and store.was_submitted(SURVEY, draft["id"])
        assert "used_on" not in store.find_invitation(SURVEY, "c" * 64)
    assert store.forget_submission_links() == 0             # nothing left to do


def submit_stopping_half_way(store, draft_id, stored=True):
    """The state a TinyDB submit leaves when the process dies after reserving the response's id
    in the draft (and, with `stored`, after storing the response)."""
    if not hasattr(store, "files"):
        pytest.skip("the adapter's own crash states")
    from survey_app.storage.tinydb.files import read_one, replace_one
    response_id = store.add_response(SURVEY, {"answers": {}}) if stored else str(uuid.uuid4())
    path = store.files.draft_path(SURVEY, draft_id)
    with store.files.open(path) as db:
        replace_one(db, {**read_one(db), "response_id": response_id})
    return response_id


def test_submit_that_stopped_before_storing_stores_once(store):
    draft = draft_in(store)
    reserved = submit_stopping_half_way(store, draft["id"], stored=False)
    assert store.submit_draft(SURVEY, draft["id"], {"answers": {"q1": 2}}, closed) == (reserved, True)
    assert [r["id"] for r in store.responses(SURVEY)] == [reserved]
    assert store.submit_draft(SURVEY, draft["id"], {"answers": {}}, closed) == (None, False)


def test_submit_that_stopped_half_way_finishes_without_storing_twice(store):
    # A submit that stopped after the response was stored and before the draft was deleted:
    # the draft, closed, holds the response's id.
    draft = draft_in(store)
    submit_stopping_half_way(store, draft["id"])
    assert store.submit_draft(SURVEY, draft["id"], {"answers": {}}, closed) == (store.responses(SURVEY)[0]["id"], False)
    assert store.count_responses(SURVEY) == 1
    assert store.get_draft(SURVEY, draft["id"]) is None and store.was_submitted(SURVEY, draft["id"])


def test_an_invitation_is_used_up_once_in_the_same_step(store):
    [number] = store.add_invitations(SURVEY, ["a" * 64])
    assert store.find_invitation(SURVEY, "a" * 64) == {"hash": "a" * 64, "number": number, "used": False}
    first, second = draft_in(store), draft_in(store)
    response_id, _ = store.submit_draft(SURVEY, first["id"], {"answers": {}}, closed, invitation="a" * 64)
    used = store.find_invitation(SURVEY, "a" * 64)
    assert used == {"hash": "a" * 64, "number": number, "used": True}   # no day, no time
    with pytest.raises(InvitationUsedError):
        store.submit_draft(SURVEY, second["id"], {"answers": {}}, closed, invitation="a" * 64)
    with pytest.raises(InvitationUsedError):
        store.submit_draft(SURVEY, second["id"], {"answers": {}}, closed, invitation="b" * 64)
    assert [r["id"] for r in store.responses(SURVEY)] == [response_id]   # nothing stored for the second
    assert store.get_draft(SURVEY, second["id"]) == second
    # The first one's retry is no new use of the invitation.
    assert store.submit_draft(SURVEY, first["id"], {"answers": {}}, closed, invitation="a" * 64) == (None, False)
    assert store.count_invitations(SURVEY) == (1, 1)


def test_invitation_numbers_run_on_over_batches(store):
    assert store.add_invitations(SURVEY, ["1" * 64, "2" * 64]) == [1, 2]
    assert store.add_invitations(SURVEY, ["3" * 64]) == [3]
    assert store.count_invitations(SURVEY) == (3, 0)
    assert store.find_invitation(SURVEY, "3" * 64)["number"] == 3
    assert store.find_invitation(SURVEY, "4" * 64) is None
    for bad in BAD_IDS:
        assert store.find_invitation(bad, "1" * 64) is None and store.count_invitations(bad) == (0, 0)


def test_unknown_or_invalid_ids(store):
    draft = draft_in(store)
    for bad in BAD_IDS:
        assert store.get_draft(SURVEY, bad) is None
        assert store.get_draft(bad, draft["id"]) is None
        assert store.change_draft(bad, draft["id"], changed({"q": 1})) is None
        assert store.change_draft(SURVEY, bad, changed({"q": 1})) is None
        assert store.responses(bad) == [] and store.list_drafts(bad) == []
        assert store.count_responses(bad) == 0
        assert store.remove_responses(bad, lambda r: True) == (0, 0)
        with pytest.raises(LookupError):
            store.submit_draft(SURVEY, bad, {}, closed)
        with pytest.raises(LookupError):
            store.add_response(bad, {})
        with pytest.raises(LookupError):
            store.add_draft(bad, new_draft(SURVEY, "de"))
        with pytest.raises(LookupError):
            store.add_invitations(bad, ["a" * 64])
    with pytest.raises(LookupError):
        store.submit_draft(SURVEY, "6f1c2b1e-0000-4000-8000-000000000000", {}, closed)
    assert store.responses(UNKNOWN) == [] and store.get_draft(SURVEY, draft["id"]) == draft


def test_records_passed_in_are_not_changed(store):
    response = {"answers": {"q1": 1}}
    store.add_response(SURVEY, response)
    assert response == {"answers": {"q1": 1}}
    draft = new_draft(SURVEY, "de")
    stored = store.add_draft(SURVEY, draft)
    assert "id" not in draft and stored["id"]
    read = store.get_draft(SURVEY, stored["id"])
    read["answers"]["q1"] = 2                                   # a copy: nothing stored changes
    assert store.get_draft(SURVEY, stored["id"])["answers"] == {}


def test_removing_responses_takes_only_what_is_asked_for(adapter, tmp_path):
    store = adapter.open(tmp_path, True)   # small units: removals cross their borders
    one = store.add_survey(Fielding.new("q", "one"))
    two = store.add_survey(Fielding.new("q", "two"))
    kept = [store.add_response(one.id, {"answers": {"n": i}}) for i in range(4)]
    demo = [store.add_response(one.id, {"answers": {"n": i}, "demo": True}) for i in range(4)]
    store.add_response(one.id, {"answers": {}})
    theirs = [store.add_response(two.id, {"answers": {"n": i}, "demo": True}) for i in range(2)]
    draft = draft_in(store, one.id)
    assert store.remove_responses(one.id, lambda r: r.get("demo") is True) == (4, 0)
    assert [r["id"] for r in store.responses(one.id)][:4] == kept and store.count_responses(one.id) == 5
    assert [r["id"] for r in store.responses(two.id)] == theirs          # the other survey is untouched
    assert store.get_draft(one.id, draft["id"]) is not None
    assert store.remove_responses(one.id, lambda r: True, drafts=True) == (5, 1)
    assert store.responses(one.id) == [] and store.list_drafts(one.id) == []
    new = store.add_response(one.id, {"answers": {}})                     # the survey takes answers again
    assert [r["id"] for r in store.responses(one.id)] == [new]
    assert demo[0] not in {r["id"] for r in store.responses(one.id)}


def test_a_change_of_a_response_concerns_only_that_response(adapter, tmp_path):
    store = adapter.open(tmp_path, True)
    survey = store.add_survey(Fielding.new("q", "one"))
    ids = [store.add_response(survey.id, {"answers": {"n": i}}) for i in range(5)]
    marked = store.change_response(survey.id, ids[3], exclusion(True, "anna"))
    assert (marked["excluded_by"], marked["answers"]) == ("anna", {"n": 3})
    assert store.change_response(survey.id, ids[3], exclusion(True, "bert"))["excluded_by"] == "anna"
    assert [bool(r.get("excluded_at")) for r in store.responses(survey.id)] == [False, False, False, True, False]
    back = store.change_response(survey.id, ids[3], exclusion(False, "bert"))
    assert "excluded_by" not in back and back["included_by"] == "bert" and back["answers"] == {"n": 3}
    assert store.responses(survey.id)[3] == back
    assert store.change_response(survey.id, "nope", exclusion(True, "anna")) is None
    assert store.change_response("nope", ids[0], exclusion(True, "anna")) is None
    other = store.add_survey(Fielding.new("q", "two"))
    assert store.change_response(other.id, ids[0], exclusion(True, "anna")) is None
    kept_id = store.change_response(survey.id, ids[0], lambda r: {"id": UNKNOWN, "answers": {}})
    assert kept_id["id"] == ids[0] and store.responses(survey.id)[0] == kept_id


# -- several writers at once -----------------------------------------------------------------

def test_threads_add_responses(adapter, tmp_path):
    store = adapter.open(tmp_path, True)
    ids, errors = [], []

    def work():
        try:
            for i in range(50):
                ids.append(store.add_response(SURVEY, {"i": i}))
        except Exception as exc:  # surfaced below; a thread's exception would be lost
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stored = [r["id"] for r in store.responses(SURVEY)]
    assert len(stored) == 400 and sorted(stored) == sorted(ids)


def test_processes_add_responses(adapter, tmp_path):
    outputs = run_together([["add", adapter.name, tmp_path, SURVEY, 200]] * 4)
    acknowledged = [line for lines in outputs for line in lines]
    stored = [r["id"] for r in adapter.open(tmp_path, False).responses(SURVEY)]
    assert len(stored) == 800 and len(set(stored)) == 800
    assert sorted(stored) == sorted(acknowledged)
    adapter.check_kept(tmp_path)


def test_processes_race_on_same_drafts(adapter, tmp_path):
    store = adapter.open(tmp_path, False)
    drafts = [draft_in(store)["id"] for _ in range(50)]
    outputs = run_together([["submit", adapter.name, tmp_path, SURVEY, seed, *drafts] for seed in range(4)])
    results = [line.split() for lines in outputs for line in lines]
    assert len(results) == 200
    assert sum(created == "True" for _, created in results) == 50

    stored = store.responses(SURVEY)
    assert len(stored) == 50
    assert sorted(r["draft"] for r in stored) == sorted(drafts)
    # The caller that stored a draft's response got its id; the others were told it was done.
    by_draft = {r["draft"]: r["id"] for r in stored}
    assert {response_id for response_id, created in results if created == "True"} == set(by_draft.values())
    assert all(response_id == "None" for response_id, created in results if created == "False")
    for draft_id in drafts:
        assert store.get_draft(SURVEY, draft_id) is None and store.was_submitted(SURVEY, draft_id)
    adapter.check_kept(tmp_path)


# -- workshops -------------------------------------------------------------------------------

def workshop_record(code="ABCDEF", title="Workshop"):
    return {"title": title, "date": "2025-05-20", "join_code": code, "languages": ["de"], "polls": [],
            "current_poll": None, "voting_open": False, "counter": 0}


def test_workshop_round_trip_and_index(store):
    first = store.add_workshop(workshop_record("ABCDEF", "Erster"))
    second = store.add_workshop({**workshop_record("GHJKMN", "Zweiter"), "date": "2025-06-01"})
    assert store.get_workshop(first["id"]) == first and first["version"] == 1 and first["created_at"]
    assert store.find_workshop_by_code("GHJKMN")["id"] == second["id"]
    assert store.find_workshop_by_code("ZZZZZZ") is None
    entries = store.list_workshops()
    assert [w["title"] for w in entries] == ["Zweiter", "Erster"]  # newest date first
    assert set(entries[0]) == {"id", "created_at", "join_code", "title", "date", "facilitators"}
    with pytest.raises(DuplicateError):
        store.add_workshop(workshop_record("ABCDEF"))


def test_change_workshop_counts_versions_and_updates_the_index(store):
    workshop = store.add_workshop({**workshop_record(), "facilitators": ["f1"]})
    changed_workshop = store.change_workshop(workshop["id"], lambda w: {"title": "Neu", "voting_open": True,
                                                                        "id": UNKNOWN, "version": 99})
    assert changed_workshop["version"] == 2 and changed_workshop["id"] == workshop["id"]
    stored = store.get_workshop(workshop["id"])
    assert stored["voting_open"] is True and stored["facilitators"] == ["f1"]   # fields left out are kept
    assert store.list_workshops()[0]["title"] == "Neu"

    def refuse(w):
        raise ValueError("no")

    with pytest.raises(ValueError):
        store.change_workshop(workshop["id"], refuse)
    assert store.get_workshop(workshop["id"])["version"] == 2  # nothing written
    assert store.change_workshop(str(uuid.uuid4()), lambda w: w) is None


@pytest.mark.parametrize("bad", ["../x", "", "not-a-uuid", None, "6F1C2B1E-3D4A-4C5B-9E8F-0A1B2C3D4E5F"])
def test_ids_from_outside_never_reach_the_workshops(store, bad):
    workshop = store.add_workshop(workshop_record())
    assert store.get_workshop(bad) is None
    assert store.get_vote(workshop["id"], bad, str(uuid.uuid4())) is None
    assert store.votes(workshop["id"], bad) == [] and store.count_votes(workshop["id"], bad) == 0
    assert store.count_participants(bad) == 0 and store.remove_workshop(bad) is False
    with pytest.raises(LookupError):
        store.put_vote(workshop["id"], bad, str(uuid.uuid4()), {"value": 1})
    with pytest.raises(LookupError):
        store.put_vote(workshop["id"], str(uuid.uuid4()), bad, {"value": 1})
    with pytest.raises(LookupError):
        store.add_participant(bad, None)


def test_a_changed_vote_replaces_the_earlier_one(store):
    workshop = store.add_workshop(workshop_record())
    run, other_run = str(uuid.uuid4()), str(uuid.uuid4())
    participant = store.add_participant(workshop["id"], "qm")
    assert participant["group"] == "qm" and len(participant["joined_on"]) == 10
    first, replaced = store.put_vote(workshop["id"], run, participant["id"], {"value": "a", "group": "qm"})
    assert not replaced and first["participant"] == participant["id"]
    second, replaced = store.put_vote(workshop["id"], run, participant["id"], {"value": "b", "group": "qm"})
    assert replaced and second["id"] != first["id"]
    store.put_vote(workshop["id"], other_run, participant["id"], {"value": "c"})
    assert [v["value"] for v in store.votes(workshop["id"], run)] == ["b"]
    assert store.get_vote(workshop["id"], run, participant["id"])["value"] == "b"
    assert store.count_votes(workshop["id"], other_run) == 1
    assert store.count_participants(workshop["id"]) == 1


def test_votes_stored_together_count_once_each(store):
    workshop = store.add_workshop(workshop_record())
    run = str(uuid.uuid4())
    people = [store.add_participant(workshop["id"], None)["id"] for _ in range(40)]
    store.put_vote(workshop["id"], run, people[0], {"value": "before"})
    batch = [(p, {"value": f"a{n}"}) for n, p in enumerate(people)] + [(people[1], {"value": "again"})]
    results = store.put_votes(workshop["id"], run, batch)
    assert [replaced for _stored, replaced in results] == [True] + [False] * 39 + [True]
    assert [stored["participant"] for stored, _r in results] == [p for p, _v in batch]
    by_participant = {v["participant"]: v["value"] for v in store.votes(workshop["id"], run)}
    assert len(store.votes(workshop["id"], run)) == 40 == store.count_votes(workshop["id"], run)
    assert by_participant[people[0]] == "a0" and by_participant[people[1]] == "again"   # the last one counts
    assert by_participant[people[39]] == "a39" and store.get_vote(workshop["id"], run, people[2])["value"] == "a2"
    assert store.put_votes(workshop["id"], run, []) == []
    with pytest.raises(LookupError):
        store.put_votes(workshop["id"], run, [(people[3], {"value": 1}), ("../x", {"value": 2})])
    assert store.get_vote(workshop["id"], run, people[3])["value"] == "a3"   # nothing of it stored


def test_removing_a_workshop_takes_its_participants_and_votes(store):
    keep = store.add_workshop(workshop_record("KEEPAA", "Bleibt"))
    gone = store.add_workshop(workshop_record("GONEAA", "Geht"))
    person = store.add_participant(gone["id"], None)
    run = "0b6d7a47-2a8c-4b53-9a5c-3f2c4f3f9d11"
    store.put_vote(gone["id"], run, person["id"], {"value": "a"})
    store.put_vote(keep["id"], run, store.add_participant(keep["id"], None)["id"], {"value": "b"})
    assert store.remove_workshop(gone["id"]) is True
    assert [w["id"] for w in store.list_workshops()] == [keep["id"]]
    assert store.get_workshop(gone["id"]) is None and store.find_workshop_by_code("GONEAA") is None
    assert store.votes(gone["id"], run) == [] and store.count_participants(gone["id"]) == 0
    assert [v["value"] for v in store.votes(keep["id"], run)] == ["b"] and store.count_participants(keep["id"]) == 1
    assert store.remove_workshop(gone["id"]) is False and store.remove_workshop(UNKNOWN) is False


def _vote_worker(adapter, where, workshop_id, runs, participants, seed, start, results):
    store = adapter.open(where, False)
    order = [(run, p) for run in runs for p in participants]
    random.Random(seed).shuffle(order)
    start.wait()
    if seed % 2:   # one at a time
        for run, participant in order:
            store.put_vote(workshop_id, run, participant, {"value": f"{seed}:{participant}"})
    else:          # in batches of one run, as a worker process collects the votes arriving together
        rng = random.Random(seed)
        while order:
            run = order[0][0]
            batch = [p for r, p in order[:rng.randint(1, 12)] if r == run]
            order = order[len(batch):]
            store.put_votes(workshop_id, run, [(p, {"value": f"{seed}:{p}"}) for p in batch])
    results.put(seed)


def _change_worker(adapter, where, workshop_id, times, start, results):
    store = adapter.open(where, False)
    start.wait()
    for _ in range(times):
        store.change_workshop(workshop_id, lambda w: {**w, "counter": w["counter"] + 1})
    results.put(times)


def _run_processes(targets):
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    processes = [context.Process(target=target, args=(*args, start, results)) for target, args in targets]
    for process in processes:
        process.start()
    start.set()
    try:
        outputs = [results.get(timeout=120) for _ in processes]
        for process in processes:
            process.join(timeout=30)
            assert process.exitcode == 0
        return outputs
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()


def test_one_vote_per_participant_and_round_when_processes_vote_at_once(adapter, tmp_path):
    store = adapter.open(tmp_path, False)
    workshop = store.add_workshop(workshop_record())
    runs = [str(uuid.uuid4()), str(uuid.uuid4())]
    participants = [store.add_participant(workshop["id"], None)["id"] for _ in range(30)]
    # six processes each vote for every participant in both runs, in their own random order
    seeds = list(range(6))
    _run_processes([(_vote_worker, (adapter, tmp_path, workshop["id"], runs, participants, seed))
                    for seed in seeds])
    for run in runs:
        stored = store.votes(workshop["id"], run)
        assert sorted(v["participant"] for v in stored) == sorted(participants)  # exactly one each
        for vote in stored:
            seed, participant = vote["value"].split(":")
            assert participant == vote["participant"] and int(seed) in seeds
        assert store.count_votes(workshop["id"], run) == len(participants)


def test_no_change_to_a_workshop_is_lost_between_processes(adapter, tmp_path):
    store = adapter.open(tmp_path, False)
    workshop = store.add_workshop(workshop_record())
    _run_processes([(_change_worker, (adapter, tmp_path, workshop["id"], 15)) for _ in range(4)])
    final = store.get_workshop(workshop["id"])
    assert final["counter"] == 60 and final["version"] == 61


# -- brakes and the audit log ----------------------------------------------------------------

KEY = "0123456789abcdef"


def test_a_brake_counts_failures_within_its_window(store):
    assert store.brake_counter("login", KEY, now=1000.0) is None
    assert store.count_brake_failure("login", KEY, now=1000.0, window=600)["count"] == 1
    counter = store.count_brake_failure("login", KEY, now=1010.0, window=600)
    assert counter == {"count": 2, "start": 1000.0, "expires": 1600.0, "last": 1010.0}
    assert store.brake_counter("login", KEY, now=1500.0) == counter
    assert store.brake_counter("join", KEY, now=1500.0) is None            # each purpose its own
    assert store.brake_counter("login", KEY, now=1600.0) is None           # the window has passed
    again = store.count_brake_failure("login", KEY, now=1700.0, window=600)
    assert again["count"] == 1 and again["start"] == 1700.0
    store.clear_brake("login", KEY)
    assert store.brake_counter("login", KEY, now=1700.0) is None
    store.clear_brake("login", "f" * 16)                                   # nothing to forget
    for purpose, key in (("login", "../etc"), ("Login", KEY), ("login", "XYZ12345")):
        with pytest.raises(ValueError):
            store.count_brake_failure(purpose, key, now=1.0, window=1)


def test_no_failure_is_lost_when_threads_count_at_once(store):
    threads = [threading.Thread(target=lambda: [store.count_brake_failure("join", KEY, now=5.0, window=600)
                                                for _ in range(10)]) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.brake_counter("join", KEY, now=6.0)["count"] == 80


def test_audit_events_come_back_oldest_first(store):
    assert list(store.audit_events()) == []
    events = [{"action": "login", "actor": "anna", "n": n, "text": "Grüße"} for n in range(3)]
    for event in events:
        store.append_audit_event(event)
    assert list(store.audit_events()) == events


# -- consultations ---------------------------------------------------------------------------

def consultation_record(**extra) -> dict:
    return {"title": "Aufgabenbeschreibung", "organisations": [], "decisions": {}, **extra}


ORG_A, ORG_B = str(uuid.uuid4()), str(uuid.uuid4())


def test_consultations_round_trip(store):
    first = store.add_consultation(consultation_record(mode="named"))
    second = store.add_consultation(consultation_record(title="Zweite"))
    assert first["id"] != second["id"] and first["created_at"] and first["title"] == "Aufgabenbeschreibung"
    assert store.get_consultation(first["id"]) == first
    assert [c["id"] for c in store.list_consultations()] == [first["id"], second["id"]]
    changed_one = store.change_consultation(first["id"], lambda c: {**c, "title": "Neu", "id": "hijack",
                                                                     "created_at": "x"})
    assert changed_one["title"] == "Neu" and changed_one["id"] == first["id"]
    assert changed_one["created_at"] == first["created_at"]
    assert store.get_consultation(first["id"]) == changed_one
    assert store.change_consultation(UNKNOWN, lambda c: c) is None

    def fails(record):
        raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        store.change_consultation(first["id"], fails)
    assert store.get_consultation(first["id"]) == changed_one      # nothing stored


def test_draft_versions_are_numbered_in_one_step_and_made_from_the_one_before(store):
    consultation = store.add_consultation(consultation_record())
    seen = []

    def make(latest):
        seen.append(latest and latest["number"])
        return {"blocks": [len(seen)], "note": "ü"}

    assert store.consultation_versions(consultation["id"]) == []
    first = store.add_consultation_version(consultation["id"], make)
    second = store.add_consultation_version(consultation["id"], make)
    assert (first["number"], second["number"]) == (1, 2) and seen == [None, 1]
    assert first["created_at"] and second["blocks"] == [2]
    assert store.consultation_versions(consultation["id"]) == [first, second]
    with pytest.raises(LookupError):
        store.add_consultation_version(UNKNOWN, make)
    assert store.consultation_versions(UNKNOWN) == []


def test_statements_one_per_organisation_and_a_refused_change_stores_nothing(store):
    consultation = store.add_consultation(consultation_record())
    cid = consultation["id"]
    assert store.get_statement(cid, ORG_A) is None and store.statements(cid) == []
    created = store.change_statement(cid, ORG_A, lambda old: {"status": "open", "seen": old, "organisation": "x"})
    assert created == {"status": "open", "seen": None, "organisation": ORG_A}
    store.change_statement(cid, ORG_A, lambda old: {**old, "status": "submitted", "seen": "twice"})
    store.change_statement(cid, ORG_B, lambda old: {"status": "open"})

    def refuse_submitted(old):
        if old and old["status"] == "submitted":
            raise PermissionError("submitted")
        return {**(old or {}), "status": "open", "changed": True}

    with pytest.raises(PermissionError):
        store.change_statement(cid, ORG_A, refuse_submitted)
    assert store.get_statement(cid, ORG_A) == {"status": "submitted", "seen": "twice", "organisation": ORG_A}
    assert sorted(s["organisation"] for s in store.statements(cid)) == sorted([ORG_A, ORG_B])


@pytest.mark.parametrize("bad", BAD_IDS)
def test_ids_from_outside_never_reach_the_consultations(store, bad):
    consultation = store.add_consultation(consultation_record())
    assert store.get_consultation(bad) is None
    assert store.change_consultation(bad, lambda c: c) is None
    assert store.remove_consultation(bad) is False
    assert store.consultation_versions(bad) == [] and store.statements(bad) == []
    with pytest.raises(LookupError):
        store.add_consultation_version(bad, lambda latest: {})
    with pytest.raises(LookupError):
        store.change_statement(bad, ORG_A, lambda old: {"status": "open"})
    with pytest.raises(LookupError):
        store.change_statement(consultation["id"], bad, lambda old: {"status": "open"})
    assert store.get_statement(consultation["id"], bad) is None and store.get_statement(bad, ORG_A) is None
    with pytest.raises(LookupError):
        store.change_statement(UNKNOWN, ORG_A, lambda old: {"status": "open"})


def test_removing_a_consultation_takes_its_versions_and_statements(store):
    kept = store.add_consultation(consultation_record(title="bleibt"))
    gone = store.add_consultation(consultation_record())
    for consultation in (kept, gone):
        store.add_consultation_version(consultation["id"], lambda latest: {"blocks": []})
        store.change_statement(consultation["id"], ORG_A, lambda old: {"status": "open"})
    assert store.remove_consultation(gone["id"]) is True
    assert store.get_consultation(gone["id"]) is None and store.statements(gone["id"]) == []
    assert store.consultation_versions(gone["id"]) == []
    assert [c["id"] for c in store.list_consultations()] == [kept["id"]]
    assert len(store.statements(kept["id"])) == 1 and len(store.consultation_versions(kept["id"])) == 1
    assert store.remove_consultation(gone["id"]) is False


def _submit_statement_worker(adapter, where, consultation_id, seed, start, results):
    store = adapter.open(where, False)

    def submit(old):
        if old and old.get("status") == "submitted":
            raise PermissionError("submitted")
        return {**(old or {}), "status": "submitted", "by": seed}

    start.wait()
    try:
        store.change_statement(consultation_id, ORG_A, submit)
        results.put(f"submitted {seed}")
    except PermissionError:
        results.put("refused")


def _decision_worker(adapter, where, consultation_id, seed, start, results):
    store = adapter.open(where, False)
    start.wait()
    for number in range(10):
        store.change_consultation(consultation_id, lambda c: {
            **c, "decisions": {**c["decisions"], f"{seed}/{number}": {"decision": "noted"}}})
    results.put(seed)


def test_one_submission_per_organisation_when_processes_submit_at_once(adapter, tmp_path):
    store = adapter.open(tmp_path, False)
    consultation = store.add_consultation(consultation_record())
    outputs = _run_processes([(_submit_statement_worker, (adapter, tmp_path, consultation["id"], seed))
                              for seed in range(5)])
    submitted = [o for o in outputs if o.startswith("submitted")]
    assert len(submitted) == 1 and outputs.count("refused") == 4
    assert store.get_statement(consultation["id"], ORG_A)["by"] == int(submitted[0].split()[1])


def test_no_decision_is_lost_between_processes(adapter, tmp_path):
    store = adapter.open(tmp_path, False)
    consultation = store.add_consultation(consultation_record())
    _run_processes([(_decision_worker, (adapter, tmp_path, consultation["id"], seed)) for seed in range(4)])
    assert len(store.get_consultation(consultation["id"])["decisions"]) == 40


# -- decision records ------------------------------------------------------------------------

def test_decision_records_round_trip_with_versions(store):
    assert store.get_record("task_profile", "task.networking") is None
    assert store.list_records("task_profile") == []
    value = {"classification": "core", "description": "Vernetzung im Quartier", "actors": ["Jugendamt"]}
    assert store.put_record("task_profile", "task.networking", value, updated_by="anna") == 1
    assert value == {"classification": "core", "description": "Vernetzung im Quartier", "actors": ["Jugendamt"]}
    record = store.get_record("task_profile", "task.networking")
    assert record == {**value, "version": 1, "updated_at": record["updated_at"], "updated_by": "anna"}
    assert len(record["updated_at"]) == 10 and record["updated_at"][4] == "-"     # the day only
    record["actors"].append("changed")                                               # a copy
    assert store.get_record("task_profile", "task.networking")["actors"] == ["Jugendamt"]
    # read, change, put back: the stored fields in the value are the storage's, not the caller's
    again = {**store.get_record("task_profile", "task.networking"), "classification": "shared", "version": 99}
    assert store.put_record("task_profile", "task.networking", again) == 2
    stored = store.get_record("task_profile", "task.networking")
    assert stored["classification"] == "shared" and stored["version"] == 2 and stored["updated_by"] is None
    store.put_record("task_profile", "task.case_work", {"classification": "other"})
    store.put_record("staffing_scenario", "task.networking", {"hours": {}})          # kinds are apart
    assert [key for key, _ in store.list_records("task_profile")] == ["task.case_work", "task.networking"]
    assert store.list_records("task_profile")[1] == ("task.networking", stored)
    assert store.list_records("committee_pack") == []
    assert store.delete_record("task_profile", "task.networking") is True
    assert store.delete_record("task_profile", "task.networking") is False
    assert store.get_record("task_profile", "task.networking") is None
    assert store.get_record("staffing_scenario", "task.networking")["hours"] == {}
    assert store.put_record("task_profile", "task.networking", {"classification": "core"}) == 1   # starts again


def test_a_record_changed_meanwhile_is_not_overwritten(store):
    # two evaluators open the same scenario (version 1); the first saves, the second is refused
    store.put_record("staffing_scenario", "Szenario A", {"hours": {"task.networking": 10}})
    assert store.put_record("staffing_scenario", "Szenario A", {"hours": {"task.networking": 12}},
                            expected_version=1) == 2
    with pytest.raises(RecordConflict) as refused:
        store.put_record("staffing_scenario", "Szenario A", {"hours": {"task.networking": 0}}, expected_version=1)
    assert (refused.value.expected, refused.value.stored) == (1, 2)
    assert store.get_record("staffing_scenario", "Szenario A")["hours"] == {"task.networking": 12}
    # 0: create only, refused when one exists; a version for a record that is gone: refused
    with pytest.raises(RecordConflict):
        store.put_record("staffing_scenario", "Szenario A", {"hours": {}}, expected_version=0)
    assert store.put_record("staffing_scenario", "Szenario B", {"hours": {}}, expected_version=0) == 1
    store.delete_record("staffing_scenario", "Szenario B")
    with pytest.raises(RecordConflict) as gone:
        store.put_record("staffing_scenario", "Szenario B", {"hours": {}}, expected_version=1)
    assert gone.value.stored == 0
    assert [key for key, _ in store.list_records("staffing_scenario")] == ["Szenario A"]
    assert store.get_record("staffing_scenario", "Szenario A")["version"] == 2


ODD_KEYS = ["Szenario 2027 – Vernetzung ↑", "Größe/Straße", "💼‍🧑🏽‍🤝‍🧑🏻 team", "ملف المهمة", "a" * 200,
            "../../etc/passwd", r"x\u0000y \n", "'; DROP TABLE decision_records; --", "%s %(key)s", "名前.仕事", "Z", "ä"]


def test_odd_unicode_keys_round_trip_and_sort_by_code_point(store):
    for number, key in enumerate(ODD_KEYS):
        assert store.put_record("committee_pack", key, {"n": number}) == 1
    listed = store.list_records("committee_pack")
    assert [key for key, _ in listed] == sorted(ODD_KEYS)
    assert [record["n"] for _, record in listed] == [ODD_KEYS.index(key) for key in sorted(ODD_KEYS)]
    for number, key in enumerate(ODD_KEYS):
        assert store.get_record("committee_pack", key)["n"] == number
    # a key typed with a combining accent is the same key as the composed one (NFC)
    assert store.get_record("committee_pack", "a\u0308")["n"] == ODD_KEYS.index("ä")
    assert store.put_record("committee_pack", "a\u0308", {"n": -1}) == 2
    assert [key for key, _ in store.list_records("committee_pack")].count("ä") == 1
    assert store.delete_record("committee_pack", "a\u0308") is True and store.get_record("committee_pack", "ä") is None


BAD_KEYS = ["", " leading", "trailing ", "line\nbreak", "nul\x00", "tab\tin", "sep\u2028", "lone \ud800",
            "a" * 201, None, 3, b"bytes"]
BAD_KINDS = ["", "Task", "task-profile", "1task", "task profile", "../x", "a" * 41, None, "täsk"]


def test_invalid_keys_and_kinds_find_nothing_and_store_nothing(store):
    for bad in BAD_KEYS:
        with pytest.raises(ValueError):
            store.put_record("task_profile", bad, {"x": 1})
        assert store.get_record("task_profile", bad) is None
        assert store.delete_record("task_profile", bad) is False
    assert store.list_records("task_profile") == []
    for bad in BAD_KINDS:
        for call in (lambda: store.put_record(bad, "key", {"x": 1}), lambda: store.get_record(bad, "key"),
                     lambda: store.list_records(bad), lambda: store.delete_record(bad, "key")):
            with pytest.raises(ValueError):
                call()


def test_a_value_that_is_no_json_object_is_refused(store):
    for bad in ([1, 2], "text", None):
        with pytest.raises(ValueError):
            store.put_record("task_profile", "task.x", bad)
    with pytest.raises(ValueError):
        store.put_record("task_profile", "task.x", {}, expected_version="1")
    assert store.get_record("task_profile", "task.x") is None


def _record_worker(adapter, where, seed, start, results):
    """Counts up a shared record 10 times, each a read and a put with the version read; on a
    conflict it reads again (as an evaluator's page would after its message)."""
    store = adapter.open(where, False)
    start.wait()
    conflicts = 0
    created = None
    try:
        store.put_record("committee_pack", "erste", {"by": seed}, expected_version=0)
        created = seed
    except RecordConflict:
        pass
    for _ in range(10):
        while True:
            record = store.get_record("staffing_scenario", "gemeinsam")
            try:
                store.put_record("staffing_scenario", "gemeinsam", {**record, "count": record["count"] + 1},
                                 expected_version=record["version"])
                break
            except RecordConflict:
                conflicts += 1
    results.put((seed, created, conflicts))


def test_no_put_is_lost_and_one_create_wins_when_processes_edit_at_once(adapter, tmp_path):
    store = adapter.open(tmp_path, False)
    store.put_record("staffing_scenario", "gemeinsam", {"count": 0})
    outputs = _run_processes([(_record_worker, (adapter, tmp_path, seed)) for seed in range(4)])
    final = store.get_record("staffing_scenario", "gemeinsam")
    assert final["count"] == 40 and final["version"] == 41
    creators = [created for _, created, _ in outputs if created is not None]
    assert len(creators) == 1 and store.get_record("committee_pack", "erste") == {
        "by": creators[0], "version": 1, "updated_at": final["updated_at"], "updated_by": None}


def test_the_workshop_signal_moves_with_every_change(store):
    workshop = store.add_workshop(workshop_record())
    seen = {store.workshop_signal(workshop["id"])}
    assert None not in seen and store.workshop_signal(workshop["id"]) in seen   # asking changes nothing
    for title in ("A", "B", "A"):   # also back to an earlier content
        store.change_workshop(workshop["id"], lambda w, title=title: {"title": title})
        signal = store.workshop_signal(workshop["id"])
        assert signal not in seen
        seen.add(signal)
    assert store.workshop_signal(UNKNOWN) is None
    store.remove_workshop(workshop["id"])
    assert store.workshop_signal(workshop["id"]) is None
