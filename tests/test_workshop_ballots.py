"""Votes arriving together in one process are stored together (web/ballots.py): each exactly
once, the last of a participant counts, and a failed write reaches every vote of its batch."""
from __future__ import annotations

import errno
import threading
import uuid

import pytest

from survey_app.storage.tinydb.store import Store
from survey_app.web.ballots import BallotBox


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path)


def workshop(store):
    return store.add_workshop({"title": "W", "date": "2025-05-20", "join_code": "ABCDEF", "languages": ["de"],
                               "polls": [], "current_poll": None, "voting_open": False})["id"]


class CountingStore:
    """The real store, counting how often put_votes is called (and failing when told to)."""

    def __init__(self, store):
        self.store, self.calls, self.fail = store, [], None

    def put_votes(self, workshop_id, run, votes):
        self.calls.append(len(votes))
        if self.fail:
            raise self.fail
        return self.store.put_votes(workshop_id, run, votes)


def vote_at_once(box, workshop_id, run, votes):
    start, results, errors = threading.Barrier(len(votes)), {}, {}

    def one(participant, value):
        start.wait()
        try:
            results[participant, value] = box.put(workshop_id, run, participant, {"value": value})
        except OSError as error:
            errors[participant, value] = error

    threads = [threading.Thread(target=one, args=vote) for vote in votes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors


def test_votes_sent_at_once_are_stored_once_each_in_few_writes(store):
    workshop_id, run = workshop(store), str(uuid.uuid4())
    counting = CountingStore(store)
    box = BallotBox(counting, gather_s=0.05)
    people = [store.add_participant(workshop_id, None)["id"] for _ in range(60)]
    results, errors = vote_at_once(box, workshop_id, run, [(p, n) for n, p in enumerate(people)])
    assert not errors and len(results) == 60
    assert all(stored["participant"] == p and stored["value"] == n and not replaced
               for (p, n), (stored, replaced) in results.items())
    stored = store.votes(workshop_id, run)
    assert sorted(v["participant"] for v in stored) == sorted(people)
    assert sum(counting.calls) == 60 and len(counting.calls) < 60   # batched

    # the same people again, twice each: one vote each, one of the two sent last time
    again = [(p, f"{n}-{k}") for n, p in enumerate(people[:20]) for k in "ab"]
    results, errors = vote_at_once(box, workshop_id, run, again)
    assert not errors
    stored = {v["participant"]: v["value"] for v in store.votes(workshop_id, run)}
    assert len(store.votes(workshop_id, run)) == 60
    assert all(stored[p] in (f"{n}-a", f"{n}-b") for n, p in enumerate(people[:20]))


def test_a_failed_write_is_reported_to_every_vote_of_its_batch(store):
    workshop_id, run = workshop(store), str(uuid.uuid4())
    counting = CountingStore(store)
    counting.fail = OSError(errno.ENOSPC, "No space left on device")
    box = BallotBox(counting, gather_s=0.05)
    people = [store.add_participant(workshop_id, None)["id"] for _ in range(10)]
    results, errors = vote_at_once(box, workshop_id, run, [(p, 1) for p in people])
    assert not results and len(errors) == 10 and store.votes(workshop_id, run) == []
    counting.fail = None   # the disk has room again: the same box works, nobody waits forever
    assert box.put(workshop_id, run, people[0], {"value": 2})[0]["value"] == 2
