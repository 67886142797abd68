"""The workshops section of survey_app.storage.tinydb.store on real files: round trips, join codes, sharded
votes, and several processes voting and changing a workshop at the same moment."""
from __future__ import annotations

import json
import multiprocessing
import random
import uuid
from pathlib import Path

import pytest

from survey_app.storage.tinydb.store import DuplicateError, Store


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "data")


def workshop_record(code="ABCDEF", title="Workshop"):
    return {"title": title, "date": "2025-05-20", "join_code": code, "languages": ["de"], "polls": [],
            "current_poll": None, "voting_open": False, "counter": 0}


def test_workshop_round_trip_and_index(store):
    first = store.add_workshop(workshop_record("ABCDEF", "Erster"))
    second = store.add_workshop({**workshop_record("GHJKMN", "Zweiter"), "date": "2025-06-01"})
    assert store.get_workshop(first["id"]) == first and first["version"] == 1
    assert store.find_workshop_by_code("GHJKMN")["id"] == second["id"]
    assert store.find_workshop_by_code("ZZZZZZ") is None
    assert [w["title"] for w in store.list_workshops()] == ["Zweiter", "Erster"]  # newest date first
    with pytest.raises(DuplicateError):
        store.add_workshop(workshop_record("ABCDEF"))


def test_change_workshop_counts_versions_and_updates_the_index(store):
    workshop = store.add_workshop(workshop_record())
    changed = store.change_workshop(workshop["id"], lambda w: {**w, "title": "Neu", "voting_open": True})
    assert changed["version"] == 2 and store.get_workshop(workshop["id"])["voting_open"] is True
    assert store.list_workshops()[0]["title"] == "Neu"

    def refuse(w):
        raise ValueError("no")

    with pytest.raises(ValueError):
        store.change_workshop(workshop["id"], refuse)
    assert store.get_workshop(workshop["id"])["version"] == 2  # nothing written
    assert store.change_workshop(str(uuid.uuid4()), lambda w: w) is None


@pytest.mark.parametrize("bad", ["../x", "", "not-a-uuid", None, "6F1C2B1E-3D4A-4C5B-9E8F-0A1B2C3D4E5F"])
def test_ids_from_outside_never_reach_the_file_system(store, bad):
    workshop = store.add_workshop(workshop_record())
    assert store.get_workshop(bad) is None
    assert store.get_vote(workshop["id"], bad, str(uuid.uuid4())) is None
    assert store.votes(workshop["id"], bad) == []
    with pytest.raises(LookupError):
        store.put_vote(workshop["id"], bad, str(uuid.uuid4()), {"value": 1})
    with pytest.raises(LookupError):
        store.put_vote(workshop["id"], str(uuid.uuid4()), bad, {"value": 1})


def test_a_changed_vote_replaces_the_earlier_one(store):
    workshop = store.add_workshop(workshop_record())
    run, other_run = str(uuid.uuid4()), str(uuid.uuid4())
    participant = store.add_participant(workshop["id"], "qm")["id"]
    first, replaced = store.put_vote(workshop["id"], run, participant, {"value": "a", "group": "qm"})
    assert not replaced
    second, replaced = store.put_vote(workshop["id"], run, participant, {"value": "b", "group": "qm"})
    assert replaced and second["id"] != first["id"]
    store.put_vote(workshop["id"], other_run, participant, {"value": "c"})
    assert [v["value"] for v in store.votes(workshop["id"], run)] == ["b"]
    assert store.get_vote(workshop["id"], run, participant)["value"] == "b"
    assert store.count_votes(workshop["id"], other_run) == 1
    assert store.count_participants(workshop["id"]) == 1


def test_votes_are_spread_over_a_fixed_number_of_small_files(store, tmp_path):
    workshop = store.add_workshop(workshop_record())
    run = str(uuid.uuid4())
    for _ in range(200):
        store.put_vote(workshop["id"], run, str(uuid.uuid4()), {"value": "a"})
    files = list((tmp_path / "data" / "workshops" / workshop["id"] / "runs" / run).glob("votes-*.json"))
    assert 1 < len(files) <= Store.WORKSHOP_SHARDS
    assert sum(len(json.loads(f.read_text())["_default"]) for f in files) == 200
    assert store.count_votes(workshop["id"], run) == 200


def _vote_worker(data_dir, workshop_id, runs, participants, seed, start, results):
    store = Store(data_dir)
    order = [(run, p) for run in runs for p in participants]
    random.Random(seed).shuffle(order)
    start.wait()
    for run, participant in order:
        store.put_vote(workshop_id, run, participant, {"value": f"{seed}:{participant}"})
    results.put(seed)


def _change_worker(data_dir, workshop_id, times, start, results):
    store = Store(data_dir)
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


def test_one_vote_per_participant_and_round_when_processes_vote_at_once(tmp_path):
    store = Store(tmp_path / "data")
    workshop = store.add_workshop(workshop_record())
    runs = [str(uuid.uuid4()), str(uuid.uuid4())]
    participants = [store.add_participant(workshop["id"], None)["id"] for _ in range(30)]
    # six processes each vote for every participant in both runs, in their own random order
    seeds = list(range(6))
    _run_processes([(_vote_worker, (tmp_path / "data", workshop["id"], runs, participants, seed))
                    for seed in seeds])
    for run in runs:
        stored = store.votes(workshop["id"], run)
        assert sorted(v["participant"] for v in stored) == sorted(participants)  # exactly one each
        for vote in stored:
            seed, participant = vote["value"].split(":")
            assert participant == vote["participant"] and int(seed) in seeds
        assert store.count_votes(workshop["id"], run) == len(participants)


def test_no_change_to_a_workshop_is_lost_between_processes(tmp_path):
    store = Store(tmp_path / "data")
    workshop = store.add_workshop(workshop_record())
    _run_processes([(_change_worker, (tmp_path / "data", workshop["id"], 15)) for _ in range(4)])
    final = store.get_workshop(workshop["id"])
    assert final["counter"] == 60 and final["version"] == 61
