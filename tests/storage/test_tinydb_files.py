"""The TinyDB adapter's files: what they hold (the form older versions wrote, kept as it is),
response shards, the spread of votes, the secret key's mode, nothing written outside the data
folder, and kill -9 while writing. The behaviour every adapter shares is tests/storage/test_contract.py;
damaged files are tests/test_datafolder.py."""
from __future__ import annotations

import json
import os
import queue
import signal
import stat
import threading
import time
import uuid
from pathlib import Path

from support.storage import SURVEY, spawn, stop
from survey_app.fieldings.drafts import changed, closed, new_draft
from survey_app.fieldings.model import CLOSED, Fielding
from survey_app.storage.tinydb.store import Store

BAD_IDS = ["../x", "..", "", "not-a-uuid", "6f1c2b1e-3d4a-4c5b-9e8f-0a1b2c3d4e5f/../../etc", None]


def shard_files(data_dir, survey_id=SURVEY):
    return sorted((Path(data_dir) / "surveys" / survey_id).glob("responses-*.json"))


def documents(path: Path) -> list[dict]:
    return list(json.loads(path.read_text(encoding="utf-8"))["_default"].values())


def test_secret_key_is_private(tmp_path):
    Store(tmp_path).secret_key()
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_responses_are_sharded(tmp_path):
    store = Store(tmp_path, shard_size=5)
    ids = [store.add_response(SURVEY, {"i": i}) for i in range(12)]
    shards = shard_files(tmp_path)
    assert [p.name for p in shards] == [f"responses-00000{n}.json" for n in (1, 2, 3)]
    assert [len(documents(p)) for p in shards] == [5, 5, 2]
    stored = store.responses(SURVEY)
    assert [r["id"] for r in stored] == ids
    assert [r["i"] for r in stored] == list(range(12))
    assert store.count_responses(SURVEY) == 12


def test_ids_from_outside_create_nothing_outside_the_data_folder(tmp_path):
    store = Store(tmp_path / "data")
    for bad in BAD_IDS:
        for write in (lambda: store.add_response(bad, {}), lambda: store.add_draft(bad, new_draft(SURVEY, "de")),
                      lambda: store.add_invitations(bad, ["a" * 64]),
                      lambda: store.put_vote(str(uuid.uuid4()), bad, str(uuid.uuid4()), {})):
            try:
                write()
            except LookupError:
                pass
        store.get_draft(SURVEY, bad), store.responses(bad), store.get_workshop(bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["surveys"]
    assert list((tmp_path / "data" / "surveys").iterdir()) == []


def test_votes_are_spread_over_a_fixed_number_of_small_files(tmp_path):
    store = Store(tmp_path / "data")
    workshop = store.add_workshop({"title": "W", "date": "2025-05-20", "join_code": "ABCDEF"})
    run = str(uuid.uuid4())
    for _ in range(200):
        store.put_vote(workshop["id"], run, str(uuid.uuid4()), {"value": "a"})
    files = list((tmp_path / "data" / "workshops" / workshop["id"] / "runs" / run).glob("votes-*.jsonl"))
    assert 1 < len(files) <= Store.WORKSHOP_SHARDS    # a line per vote, appended: no file rewritten
    assert sum(len(f.read_text().splitlines()) for f in files) == 200
    assert store.count_votes(workshop["id"], run) == 200
    assert store.remove_workshop(workshop["id"]) and not (tmp_path / "data" / "workshops" / workshop["id"]).exists()


def test_a_vote_cut_off_by_a_crash_loses_no_acknowledged_vote(tmp_path):
    """A process killed while appending leaves the start of a line (never acknowledged): the
    votes before it count, the next vote's line is not swallowed by it, check-data is content."""
    from survey_app.storage.tinydb.maintenance import check_data_folder

    store = Store(tmp_path / "data")
    workshop = store.add_workshop({"title": "W", "date": "2025-05-20", "join_code": "ABCDEF"})
    run, first, second = (str(uuid.uuid4()) for _ in range(3))
    second = first[:8] + second[8:]          # the same shard as first
    store.put_vote(workshop["id"], run, first, {"value": "a"})
    [journal] = (tmp_path / "data" / "workshops" / workshop["id"] / "runs" / run).glob("votes-*.jsonl")
    with journal.open("ab") as f:
        f.write(b'{"value": "b", "id": "x", "partic')   # kill -9 in the middle of a write
    store.put_vote(workshop["id"], run, second, {"value": "c"})
    store.put_vote(workshop["id"], run, first, {"value": "d"})   # a changed vote: the later line wins
    assert sorted(v["value"] for v in store.votes(workshop["id"], run)) == ["c", "d"]
    assert store.get_vote(workshop["id"], run, first)["value"] == "d" and store.count_votes(workshop["id"], run) == 2
    assert check_data_folder(tmp_path / "data")[1] == []
    journal.write_bytes(journal.read_bytes() + b"[1]\n")          # changed by hand: reported
    assert [p.path for p in check_data_folder(tmp_path / "data")[1]] == [journal]


# -- the records keep the form older versions wrote ----------------------------------------

SURVEY_RECORD = {  # as add_fielding and the admin pages wrote it before Fielding existed
    "status": "open", "created_at": "2026-11-20T08:00:00.000001+00:00", "label": "Baseline", "opens_on": None,
    "closes_on": "2026-12-31", "min_group_size": 6, "access": "invitation", "pseudonym": False,
    "anonymity": "confidential", "test_run": False, "id": "0b6d7a47-2a8c-4b53-9a5c-3f2c4f3f9d11",
    "questionnaire_id": "staff-self-assessment", "slug": "abcdefghjk",
    "hidden_texts": {"comments": ["6f1c2b1e-3d4a-4c5b-9e8f-0a1b2c3d4e5f"]}, "population": 40,
    "group_sizes": {"question": "programme", "sizes": {"general": 30, "qfi": 10}}, "something_newer": [1, 2],
}


def test_a_stored_survey_reads_as_it_was_written_and_an_update_changes_only_its_fields(tmp_path):
    data = tmp_path / "data"
    store = Store(data)
    (data / "surveys.json").write_text(json.dumps({"_default": {"1": SURVEY_RECORD}}), encoding="utf-8")
    fielding = store.get_survey(SURVEY_RECORD["id"])
    assert (fielding.label, fielding.closes_on, fielding.min_group_size, fielding.population) == \
        ("Baseline", "2026-12-31", 6, 40)
    assert fielding.needs_invitation and fielding.records_invitation and not fielding.test_run
    assert fielding.hidden_texts == SURVEY_RECORD["hidden_texts"] and fielding.extra == {"something_newer": [1, 2]}
    assert fielding.group_sizes == SURVEY_RECORD["group_sizes"]
    store.update_survey(fielding.id, status=CLOSED, opens_on="2026-12-01")
    assert documents(data / "surveys.json") == [{**SURVEY_RECORD, "status": "closed", "opens_on": "2026-12-01"}]


def test_new_records_have_the_keys_older_versions_wrote(tmp_path):
    data = tmp_path / "data"
    store = Store(data)
    fielding = store.add_survey(Fielding.new("staff-self-assessment", "staff-self-assessment"))
    [record] = documents(data / "surveys.json")
    assert record == {"id": fielding.id, "slug": "staff-self-assessment", "questionnaire_id": "staff-self-assessment",
                      "created_at": fielding.created_at, "status": "open"}

    draft = store.add_draft(fielding.id, new_draft(fielding.id, "de", "ABCD2345", None))
    path = data / "surveys" / fielding.id / "drafts" / f"{draft['id']}.json"
    [stored] = documents(path)
    assert list(stored) == ["id", "survey_id", "language", "answers", "page", "status", "response_id",
                            "resume_code", "pseudonym", "created_on"]
    store.change_draft(fielding.id, draft["id"], changed({"q1": 4}, {"q1": ["4"]}, page=1))
    response_id, _ = store.submit_draft(fielding.id, draft["id"], {"answers": {"q1": 4}}, closed)
    assert not path.exists()                 # the submitted draft is deleted ...
    [response] = documents(data / "surveys" / fielding.id / "responses-000001.json")
    assert response == {"answers": {"q1": 4}, "id": response_id}     # ... and not named by its response
    [remembered] = documents(data / "surveys" / fielding.id / "submitted.json")
    assert list(remembered) == ["hashes"] and draft["id"] not in json.dumps(remembered)


# -- several writers at once, and kill -9 -------------------------------------------------

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
    data = tmp_path / "data"
    for round_, extra_delay in enumerate([0.0, 0.003, 0.011]):
        proc = spawn("crash", "tinydb", tmp_path, SURVEY)  # small shards: kills also hit shard rollovers
        try:
            # Reading the files without the lock while the writer runs: never a half-written file.
            got, rest = read_lines_until(proc, 100 + 17 * round_, timeout=20,
                                         between=lambda: assert_shards_whole(data))
            time.sleep(extra_delay)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            got += rest()  # printed before the kill, so acknowledged too
        finally:
            stop(proc)
        assert len(got) >= 100
        acknowledged += [line.strip() for line in got if line.endswith("\n")]

        assert_shards_whole(data)
        stored = [r["id"] for r in Store(data).responses(SURVEY)]
        assert len(set(stored)) == len(stored)
        assert set(acknowledged) <= set(stored)


def test_decision_records_live_in_one_file_per_kind_and_a_damaged_one_is_never_written_over(tmp_path):
    from survey_app.storage.interface import DamagedDataError
    from survey_app.storage.tinydb.maintenance import check_data_folder

    store = Store(tmp_path)
    store.put_record("task_profile", "task.networking", {"classification": "core"})
    store.put_record("staffing_scenario", "../../x", {"hours": {}})       # a key is no path
    assert sorted(p.name for p in (tmp_path / "decisions").iterdir() if p.suffix == ".json") == [
        "staffing_scenario.json", "task_profile.json"]
    assert [d["key"] for d in documents(tmp_path / "decisions" / "staffing_scenario.json")] == ["../../x"]
    assert check_data_folder(tmp_path)[1] == []
    (tmp_path / "decisions" / "task_profile.json").write_text('{"_default": {"1": {"key": "task.x"}}}')
    for call in (lambda: store.get_record("task_profile", "task.networking"),
                 lambda: store.put_record("task_profile", "task.networking", {"classification": "shared"})):
        try:
            call()
            raise AssertionError("no DamagedDataError")
        except DamagedDataError:
            pass
    assert "lacks record" in str(check_data_folder(tmp_path)[1][0])
    assert (tmp_path / "decisions" / "task_profile.json").read_text() == '{"_default": {"1": {"key": "task.x"}}}'
    assert store.get_record("staffing_scenario", "../../x")["version"] == 1     # the other kinds work on
