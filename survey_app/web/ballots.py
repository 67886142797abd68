"""Votes that arrive together in one worker process are stored together (group commit).

When the facilitator says "vote now", a room of phones sends its votes within a second. Each
stored vote costs a synced write of a file (two fsyncs); under gevent a sync blocks the whole
worker process. So the first vote of a workshop round becomes the writer: it lets the other
requests of this process that are ready run first, then stores every vote that is waiting in
one put_votes call (one write per file touched), and hands the writing on to the next waiting
vote. The others wait for their batch's result. "One vote per participant and round" stays
the storage's rule (put_votes replaces a participant's earlier vote in the same step), also
across processes.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

# A writer waits this long for more votes of its process (a 1,000-phone burst fills its batch).
GATHER_S = 0.005
# ... and stores at most this many at once (so that no phone waits for a very long write).
BATCH_LIMIT = 200


@dataclass
class _Vote:
    participant: str
    vote: dict
    done: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    result: tuple | None = None
    error: BaseException | None = None


class BallotBox:
    """put(workshop, run, participant, vote) for the requests of one process."""

    def __init__(self, store, gather_s: float = GATHER_S):
        self.store = store
        self.gather_s = gather_s
        self._lock = threading.Lock()
        self._waiting: dict[tuple[str, str], list[_Vote]] = {}
        self._writing: set[tuple[str, str]] = set()

    def put(self, workshop_id: str, run: str, participant_id: str, vote: dict) -> tuple[dict, bool]:
        """Store the vote (as store.put_vote would) together with others arriving now."""
        key = (workshop_id, run)
        mine = _Vote(participant_id, vote)
        with self._lock:
            self._waiting.setdefault(key, []).append(mine)
            mine.lead = key not in self._writing
            if mine.lead:
                self._writing.add(key)
        if not mine.lead:
            mine.done.wait()
        if mine.lead:   # first of a round, or handed on by the writer before: write a batch
            time.sleep(self.gather_s)   # the process's other ready requests add their votes
            self._write(key)
        if mine.error is not None:
            raise mine.error
        return mine.result

    def _write(self, key: tuple[str, str]) -> None:
        with self._lock:
            waiting = self._waiting.pop(key, [])
            batch, rest = waiting[:BATCH_LIMIT], waiting[BATCH_LIMIT:]
            if rest:
                self._waiting[key] = rest
        try:
            results = self.store.put_votes(*key, [(one.participant, one.vote) for one in batch])
        except BaseException as error:   # each request answers it (a full disk: "send again")
            for one in batch:
                one.error = error
        else:
            for one, result in zip(batch, results):
                one.result = result
        with self._lock:
            following = self._waiting.get(key)
            if following:
                following[0].lead = True   # the next batch: its first vote writes it
                following[0].done.set()
            else:
                self._writing.discard(key)
        for one in batch:
            one.done.set()


def get_ballot_box(app=None) -> BallotBox:
    """This process's BallotBox for the app (made on first use)."""
    from flask import current_app

    from survey_app.web.db import get_store

    app = app or current_app
    box = app.extensions.get("survey_ballots")
    if box is None:
        box = app.extensions.setdefault("survey_ballots", BallotBox(get_store(app)))
    return box
