"""Workshops with their participants and votes.

  workshops.json                               index: id, join code, title, date
  workshops/<id>/workshop.json                 one document: polls and live state (lock: workshops/<id>.lock)
  workshops/<id>/participants-NN.json          who joined, spread over WORKSHOP_SHARDS files
  workshops/<id>/runs/<run>/votes-NN.jsonl     one round of one poll: one line per vote cast, the
                                               participant's last line counts (votes-NN.json: a copy's)

A vote locks only its shard, and only to append its line, so hundreds of phones voting at once
rarely wait for each other and no vote rewrites a file; no file grows with the workshop's
history: each run has its own files. workshop.json holds
one document, read and replaced in one write like a draft file.
"""
from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Callable

from tinydb import Query

from survey_app.storage.interface import DuplicateError
from survey_app.storage.tinydb.files import (Files, append_lines, fsync_dir, make_dirs, new_id, now, read_lines,
                                            read_one, sync_all, valid_id, write_one)

# Copied from a workshop's document into the index (the list page reads only the index).
WORKSHOP_INDEX_KEYS = ("id", "created_at", "join_code", "title", "date", "facilitators")


class WorkshopStore:
    """Part of Store."""

    files: Files
    WORKSHOP_SHARDS = 16

    @property
    def _workshop_index(self) -> Path:
        return self.files.data_dir / "workshops.json"

    def _workshop_shard(self, folder: Path, prefix: str, key: str) -> Path:
        # uuid4 hex digits are uniform, so the first eight spread keys evenly over the shards.
        return folder / f"{prefix}-{int(key[:8], 16) % self.WORKSHOP_SHARDS:02d}.json"

    def _workshop_shards(self, folder: Path, prefix: str) -> list[Path]:
        return [folder / f"{prefix}-{number:02d}.json" for number in range(self.WORKSHOP_SHARDS)
                if (folder / f"{prefix}-{number:02d}.json").exists()]

    def _run_dir(self, workshop_id: str, run: str) -> Path | None:
        workshop_dir = self.files.workshop_dir(workshop_id)
        return workshop_dir / "runs" / run if workshop_dir is not None and valid_id(run) else None

    def _count(self, paths: list[Path]) -> int:
        total = 0
        for path in paths:
            with self.files.quick_lock(path), self.files.open(path) as db:
                total += len(db)
        return total

    def add_workshop(self, record: dict) -> dict:
        workshop = {**record, "id": new_id(), "created_at": now(), "version": 1}
        workshop_dir = self.files.workshop_dir(workshop["id"])
        with self.files.lock(self._workshop_index), self.files.open(self._workshop_index) as index:
            if index.contains(Query().join_code == workshop["join_code"]):
                raise DuplicateError(f"join code already taken: {workshop['join_code']}")
            make_dirs(workshop_dir)
            # The document first: the index never points to a workshop that is not there.
            with self.files.open(workshop_dir / "workshop.json") as db:
                db.insert(workshop)
            index.insert({key: workshop.get(key) for key in WORKSHOP_INDEX_KEYS})
        return workshop

    def list_workshops(self) -> list[dict]:
        with self.files.lock(self._workshop_index), self.files.open(self._workshop_index) as index:
            entries = [dict(entry) for entry in index.all()]
        return sorted(entries, key=lambda e: (e.get("date") or "", e["created_at"]), reverse=True)

    def get_workshop(self, workshop_id: str) -> dict | None:
        workshop_dir = self.files.workshop_dir(workshop_id)
        if workshop_dir is None or not workshop_dir.is_dir():
            return None
        with self.files.quick_lock(workshop_dir), self.files.open(workshop_dir / "workshop.json") as db:
            return read_one(db)

    def workshop_signal(self, workshop_id: str) -> tuple | None:
        """Here: the document file's identity, size and times. Every write replaces the file by
        a new one (a new inode, synced and renamed), so a change gives a new value; repeating an
        old value would need the same inode, size and timestamps again."""
        workshop_dir = self.files.workshop_dir(workshop_id)
        if workshop_dir is None:
            return None
        try:
            found = os.stat(workshop_dir / "workshop.json")
        except FileNotFoundError:
            return None
        return (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)

    def find_workshop_by_code(self, join_code: str) -> dict | None:
        with self.files.lock(self._workshop_index), self.files.open(self._workshop_index) as index:
            entry = index.get(Query().join_code == join_code)
        return self.get_workshop(entry["id"]) if entry else None

    def change_workshop(self, workshop_id: str, change: Callable[[dict], dict]) -> dict | None:
        workshop_dir = self.files.workshop_dir(workshop_id)
        if workshop_dir is None or not workshop_dir.is_dir():
            return None
        with self.files.quick_lock(workshop_dir):
            with self.files.open(workshop_dir / "workshop.json") as db:
                old = read_one(db)
                new = {**old, **change(dict(old)), "id": workshop_id, "created_at": old["created_at"],
                       "version": old["version"] + 1}
                write_one(db, new)
            changed = {key: new.get(key) for key in WORKSHOP_INDEX_KEYS[2:] if new.get(key) != old.get(key)}
            if changed:
                with self.files.lock(self._workshop_index), self.files.open(self._workshop_index) as index:
                    index.update(changed, Query().id == workshop_id)
        return new

    def remove_workshop(self, workshop_id: str) -> bool:
        workshop_dir = self.files.workshop_dir(workshop_id)
        if workshop_dir is None:
            return False
        with self.files.lock(self._workshop_index), self.files.open(self._workshop_index) as index:
            listed = bool(index.remove(Query().id == workshop_id))
        with self.files.quick_lock(workshop_dir):
            there = workshop_dir.is_dir()
            if there:
                shutil.rmtree(workshop_dir)
                fsync_dir(workshop_dir.parent)
        return listed or there

    def add_participant(self, workshop_id: str, group: str | None) -> dict:
        workshop_dir = self.files.workshop_dir(workshop_id)
        if workshop_dir is None or not workshop_dir.is_dir():
            raise LookupError(f"unknown workshop {workshop_id!r}")
        participant = {"id": new_id(), "group": group, "joined_on": date.today().isoformat()}
        path = self._workshop_shard(workshop_dir, "participants", participant["id"])
        with self.files.quick_lock(path), self.files.open(path) as db:
            db.insert(participant)
        return participant

    def count_participants(self, workshop_id: str) -> int:
        workshop_dir = self.files.workshop_dir(workshop_id)
        return 0 if workshop_dir is None else self._count(self._workshop_shards(workshop_dir, "participants"))

    def put_vote(self, workshop_id: str, run: str, participant_id: str, vote: dict) -> tuple[dict, bool]:
        return self.put_votes(workshop_id, run, [(participant_id, vote)])[0]

    def put_votes(self, workshop_id: str, run: str, votes: list[tuple[str, dict]]) -> list[tuple[dict, bool]]:
        """Each vote is appended as one line to its shard's journal (votes-NN.jsonl) under the
        shard's lock, which only orders the lines (no file is read and rewritten per vote, no
        sync is waited for while holding it); then every journal touched is synced, and only
        then does any vote of the batch count as stored. The later line of a participant wins."""
        run_dir = self._run_dir(workshop_id, run)
        if run_dir is None or not all(valid_id(participant_id) for participant_id, _vote in votes):
            raise LookupError(f"invalid workshop, run or participant id: {workshop_id!r} {run!r}")
        make_dirs(run_dir)
        stored = [{**vote, "id": new_id(), "participant": participant_id} for participant_id, vote in votes]
        replaced = [False] * len(stored)
        by_shard: dict[Path, list[int]] = {}
        for index, one in enumerate(stored):
            by_shard.setdefault(self._workshop_shard(run_dir, "votes", one["participant"]), []).append(index)
        written: list[int] = []
        created = False
        try:
            for path, indexes in sorted(by_shard.items()):
                journal = path.with_suffix(".jsonl")
                with self.files.quick_lock(path):
                    earlier = self._shard_votes(path)
                    for index in indexes:
                        replaced[index] = stored[index]["participant"] in earlier
                        earlier[stored[index]["participant"]] = stored[index]
                    created = created or not journal.exists()
                    written.append(append_lines(journal, [json.dumps(stored[i], ensure_ascii=False) for i in indexes]))
            sync_all(written)
            if created:
                fsync_dir(run_dir)
        finally:
            for fd in written:
                os.close(fd)
        return list(zip(stored, replaced))

    def _shard_votes(self, path: Path) -> dict[str, dict]:
        """participant -> vote of one shard (call holding its lock): the table a copy wrote
        (votes-NN.json), then the journal's lines in order, the later one winning."""
        found: dict[str, dict] = {}
        if path.exists():
            with self.files.open(path) as db:
                found.update((doc["participant"], dict(doc)) for doc in db.all())
        for vote in read_lines(path.with_suffix(".jsonl")):
            if isinstance(vote, dict) and valid_id(vote.get("participant")) and "id" in vote:
                found[vote["participant"]] = vote
        return found

    def _vote_shards(self, run_dir: Path) -> list[Path]:
        return [run_dir / f"votes-{number:02d}.json" for number in range(self.WORKSHOP_SHARDS)
                if (run_dir / f"votes-{number:02d}.json").exists()
                or (run_dir / f"votes-{number:02d}.jsonl").exists()]

    def get_vote(self, workshop_id: str, run: str, participant_id: str) -> dict | None:
        run_dir = self._run_dir(workshop_id, run)
        if run_dir is None or not valid_id(participant_id) or not run_dir.is_dir():
            return None
        path = self._workshop_shard(run_dir, "votes", participant_id)
        with self.files.quick_lock(path):
            return self._shard_votes(path).get(participant_id)

    def votes(self, workshop_id: str, run: str) -> list[dict]:
        run_dir = self._run_dir(workshop_id, run)
        if run_dir is None or not run_dir.is_dir():
            return []
        result: list[dict] = []
        for path in self._vote_shards(run_dir):
            with self.files.quick_lock(path):
                result.extend(self._shard_votes(path).values())
        return result

    def count_votes(self, workshop_id: str, run: str) -> int:
        return len(self.votes(workshop_id, run))
