"""survey_app.storage.tinydb.store on real files: round trips, sharding, threads, processes, kill -9."""

import json
import os
import queue
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from survey_app.fieldings.drafts import changed, closed, new_draft
from survey_app.fieldings.model import Fielding
from survey_app.storage.tinydb.store import DuplicateError, Store

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).with_name("store_workers.py")
SURVEY = "6f1c2b1e-3d4a-4c5b-9e8f-0a1b2c3d4e5f"
BAD_IDS = ["../x", "..", "", "not-a-uuid", "6F1C2B1E-3D4A-4C5B-9E8F-0A1B2C3D4E5F",
           "6f1c2b1e-3d4a-4c5b-9e8f-0a1b2c3d4e5f/../../etc", None]


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "data")


def shard_files(data_dir, survey_id=SURVEY):
    return sorted((Path(data_dir) / "surveys" / survey_id).glob("responses-*.json"))


# -- helpers for subprocess tests ----------------------------------------------------

def spawn(*args):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, str(WORKER), *map(str, args)], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def run_together(arg_lists, timeout=60):
    """Start one worker per argument list, release them at once, return each one's output lines."""
    procs = [spawn(*args) for args in arg_lists]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready"
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        outputs = []
        for p in procs:
            out, _ = p.communicate(timeout=timeout)
            assert p.returncode == 0
            outputs.append(out.splitlines())
        return outputs
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


# -- secret key -----------------------------------------------------------------------

def test_secret_key_is_stable_and_private(tmp_path):
    key = Store(tmp_path).secret_key()
    assert len(key) == 64
    assert Store(tmp_path).secret_key() == key
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_secret_key_same_across_concurrent_processes(tmp_path):
    outputs = run_together([["secret", tmp_path]] * 4)
    keys = {lines[0] for lines in outputs}
    assert len(keys) == 1
    assert keys == {Store(tmp_path).secret_key()}


# -- users ----------------------------------------------------------------------------

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

    changed = store.update_user(bob["id"], role="admin", id="hijack")
    assert changed["role"] == "admin" and changed["id"] == bob["id"]
    assert store.get_user(bob["id"]) == changed
    with pytest.raises(DuplicateError):
        store.update_user(bob["id"], username="ALICE")
    assert store.update_user(bob["id"], username="Bob")["username"] == "Bob"
    assert store.update_user("00000000-0000-4000-8000-000000000000", role="x") is None
    for bad in BAD_IDS:
        assert store.get_user(bad) is None
        assert store.update_user(bad, role="x") is None


# -- surveys --------------------------------------------------------------------------

def test_surveys_round_trip(store):
    first = store.add_survey(Fielding.new("staff-2025", "staff", title="Staff"))
    second = store.add_survey(Fielding.new("stakeholders", "stake", status="closed"))
    assert first.status == "open" and first.extra["title"] == "Staff"
    assert second.status == "closed"
    assert store.get_survey(first.id) == first
    assert store.find_survey_by_slug("stake") == second
    assert store.find_survey_by_slug("nope") is None
    assert [s.id for s in store.list_surveys()] == [first.id, second.id]
    with pytest.raises(DuplicateError):
        store.add_survey(Fielding.new("other", "staff"))
    with pytest.raises(DuplicateError):
        store.update_survey(second.id, slug="staff")

    closed = store.update_survey(first.id, status="closed")
    assert closed.status == "closed" and store.get_survey(first.id) == closed
    for bad in BAD_IDS:
        assert store.get_survey(bad) is None
        assert store.update_survey(bad, status="open") is None


# -- drafts and responses ------------------------------------------------------------

def test_draft_merge_and_remove(store):
    draft = store.add_draft(SURVEY, new_draft(SURVEY, "de"))
    assert draft["answers"] == {} and draft["page"] == 0 and draft["status"] == "open"
    assert draft["response_id"] is None and draft["survey_id"] == SURVEY
    assert store.get_draft(SURVEY, draft["id"]) == draft

    store.change_draft(SURVEY, draft["id"], changed({"q1": 1, "q2": "a"}, page=1))
    updated = store.change_draft(SURVEY, draft["id"], changed({"q2": None, "q3": [1, 2]}, language="en"))
    assert updated["answers"] == {"q1": 1, "q3": [1, 2]}
    assert updated["page"] == 1 and updated["language"] == "en"
    assert store.get_draft(SURVEY, draft["id"]) == updated
    assert store.get_draft(SURVEY, "6f1c2b1e-0000-4000-8000-000000000000") is None


def test_submit_draft_twice_stores_one_response(store):
    draft = store.add_draft(SURVEY, new_draft(SURVEY, "de"))
    store.change_draft(SURVEY, draft["id"], changed({"q1": 5}))
    response_id, created = store.submit_draft(SURVEY, draft["id"], {"answers": {"q1": 5}}, closed)
    assert created
    again = store.submit_draft(SURVEY, draft["id"], {"answers": {"q1": 4}}, closed)
    assert again == (response_id, False)

    [stored] = store.responses(SURVEY)
    assert stored["id"] == response_id and stored["answers"] == {"q1": 5}
    assert stored["submission_key"] == draft["id"]
    submitted = store.get_draft(SURVEY, draft["id"])
    assert submitted["status"] == "submitted" and submitted["response_id"] == response_id
    assert submitted["answers"] == {}
    # A submitted draft no longer changes.
    assert store.change_draft(SURVEY, draft["id"], changed({"q1": 1}, page=3)) == submitted
    assert store.get_draft(SURVEY, draft["id"]) == submitted


def test_submit_after_crash_between_writes_reuses_stored_response(store):
    # Simulate a crash after the response was appended but before the draft was marked.
    draft = store.add_draft(SURVEY, new_draft(SURVEY, "de"))
    earlier = store.add_response(SURVEY, {"submission_key": draft["id"]})
    assert store.submit_draft(SURVEY, draft["id"], {"answers": {}}, closed) == (earlier, False)
    assert store.count_responses(SURVEY) == 1
    assert store.get_draft(SURVEY, draft["id"])["response_id"] == earlier


def test_unknown_or_invalid_ids(store, tmp_path):
    draft = store.add_draft(SURVEY, new_draft(SURVEY, "de"))
    for bad in BAD_IDS:
        assert store.get_draft(SURVEY, bad) is None
        assert store.get_draft(bad, draft["id"]) is None
        assert store.change_draft(bad, draft["id"], changed({"q": 1})) is None
        assert store.change_draft(SURVEY, bad, changed({"q": 1})) is None
        assert store.responses(bad) == []
        assert store.count_responses(bad) == 0
        with pytest.raises(LookupError):
            store.submit_draft(SURVEY, bad, {}, closed)
        with pytest.raises(LookupError):
            store.add_response(bad, {})
        with pytest.raises(LookupError):
            store.add_draft(bad, new_draft(bad, "de"))
    with pytest.raises(LookupError):
        store.submit_draft(SURVEY, "6f1c2b1e-0000-4000-8000-000000000000", {}, closed)
    assert store.responses("00000000-0000-4000-8000-000000000000") == []
    # Nothing was created outside the data folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_responses_are_sharded(tmp_path):
    store = Store(tmp_path, shard_size=5)
    ids = [store.add_response(SURVEY, {"i": i}) for i in range(12)]
    shards = shard_files(tmp_path)
    assert [p.name for p in shards] == [f"responses-00000{n}.json" for n in (1, 2, 3)]
    sizes = [len(json.loads(p.read_text())["_default"]) for p in shards]
    assert sizes == [5, 5, 2]
    stored = store.responses(SURVEY)
    assert [r["id"] for r in stored] == ids
    assert [r["i"] for r in stored] == list(range(12))
    assert store.count_responses(SURVEY) == 12


def test_add_response_does_not_change_callers_dict(store):
    response = {"answers": {"q1": 1}}
    store.add_response(SURVEY, response)
    assert response == {"answers": {"q1": 1}}


# -- concurrency ------------------------------------------------------------------------

def test_threads_add_responses(tmp_path):
    store = Store(tmp_path, shard_size=16)
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


def test_processes_add_responses(tmp_path):
    outputs = run_together([["add", tmp_path, SURVEY, 200]] * 4)
    acknowledged = [line for lines in outputs for line in lines]
    stored = [r["id"] for r in Store(tmp_path).responses(SURVEY)]
    assert len(stored) == 800 and len(set(stored)) == 800
    assert sorted(stored) == sorted(acknowledged)
    assert all(len(json.loads(p.read_text())["_default"]) <= 128 for p in shard_files(tmp_path))


def test_processes_race_on_same_drafts(tmp_path):
    store = Store(tmp_path)
    drafts = [store.add_draft(SURVEY, new_draft(SURVEY, "de"))["id"] for _ in range(50)]
    outputs = run_together([["submit", tmp_path, SURVEY, seed, *drafts] for seed in range(4)])
    results = [line.split() for lines in outputs for line in lines]
    assert len(results) == 200
    assert sum(created == "True" for _, created in results) == 50

    stored = store.responses(SURVEY)
    assert len(stored) == 50
    assert sorted(r["draft"] for r in stored) == sorted(drafts)
    # Every caller got the id of the one stored response of its draft.
    by_draft = {r["draft"]: r["id"] for r in stored}
    assert {response_id for response_id, _ in results} == set(by_draft.values())
    for draft_id in drafts:
        assert store.get_draft(SURVEY, draft_id)["response_id"] == by_draft[draft_id]


# -- crash safety -------------------------------------------------------------------------

def read_lines_until(proc, count, timeout, between):
    """Lines the process printed once at least `count` arrived (or the timeout passed), calling
    `between()` while waiting; and a function returning the rest, to call after the process ended."""
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)
    reader.start()
    got, deadline = [], time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        between()
        while not lines.empty():
            got.append(lines.get())

    def rest():
        reader.join(timeout=10)
        return list(lines.queue)

    return got, rest


def assert_shards_whole(data_dir):
    for shard in shard_files(data_dir):
        try:
            json.loads(shard.read_text())
        except FileNotFoundError:  # replaced between listing and reading
            pass


def test_kill_9_keeps_every_acknowledged_write(tmp_path):
    acknowledged = []
    for round_, extra_delay in enumerate([0.0, 0.003, 0.011]):
        proc = spawn("crash", tmp_path, SURVEY, 16)  # small shards: kills also hit shard rollovers
        try:
            # Reading the files without the lock while the writer runs: never a half-written file.
            got, rest = read_lines_until(proc, 100 + 17 * round_, timeout=20,
                                         between=lambda: assert_shards_whole(tmp_path))
            time.sleep(extra_delay)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            got += rest()  # printed before the kill, so acknowledged too
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            proc.stdin.close()
            proc.stdout.close()
        assert len(got) >= 100
        acknowledged += [line.strip() for line in got if line.endswith("\n")]

        assert_shards_whole(tmp_path)
        stored = [r["id"] for r in Store(tmp_path, shard_size=16).responses(SURVEY)]
        assert len(set(stored)) == len(stored)
        assert set(acknowledged) <= set(stored)
