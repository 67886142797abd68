"""Workshops with their participants and votes (tables workshops, participants, votes).

A vote is one row keyed by (workshop, run, participant): the primary key itself allows one vote
per participant and run, and a changed vote replaces the row in one statement (INSERT ... ON
CONFLICT DO UPDATE), so phones voting through several app servers at once never store two.
Every change of a workshop counts up its version and, in the same transaction, notifies the
channel CHANNEL with "<id> <version>" (delivered to listeners when it commits): see live.py.
"""
from __future__ import annotations

from datetime import date
from typing import Callable

from psycopg import errors

from survey_app.storage.ids import new_id, now, valid_id
from survey_app.storage.interface import DuplicateError
from survey_app.storage.postgres.connection import Database, dump, load, one_record, one_value

CHANNEL = "survey_app_workshops"
WORKSHOP_INDEX_KEYS = ("id", "created_at", "join_code", "title", "date", "facilitators")   # list_workshops


def notify(cur, workshop_id: str, version: int | None) -> None:
    """Tell every listening server that the workshop changed (version None: removed)."""
    cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"{workshop_id} {version if version is not None else 0}"))


class WorkshopStore:
    """Part of Store."""

    db: Database
    _own_change: Callable[[str, int | None], None]   # live.WorkshopSignalStore

    def add_workshop(self, record: dict) -> dict:
        workshop = {**record, "id": new_id(), "created_at": now(), "version": 1}

        def work(cur):
            cur.execute("INSERT INTO workshops (id, join_code, created_at, version, record) VALUES (%s, %s, %s, 1, %s)",
                        (workshop["id"], workshop["join_code"], workshop["created_at"], dump(workshop)))
            notify(cur, workshop["id"], 1)
        try:
            self.db.run(work)
        except errors.UniqueViolation:
            raise DuplicateError(f"join code already taken: {workshop['join_code']}") from None
        return workshop

    def list_workshops(self) -> list[dict]:
        rows = self.db.run(lambda cur: cur.execute("SELECT record FROM workshops").fetchall())
        entries = [{key: record.get(key) for key in WORKSHOP_INDEX_KEYS} for record in map(load, (r[0] for r in rows))]
        return sorted(entries, key=lambda e: (e.get("date") or "", e["created_at"]), reverse=True)

    def get_workshop(self, workshop_id: str) -> dict | None:
        if not valid_id(workshop_id):
            return None
        return self.db.run(lambda cur: one_record(cur.execute("SELECT record FROM workshops WHERE id = %s", (workshop_id,))))

    def find_workshop_by_code(self, join_code: str) -> dict | None:
        return self.db.run(lambda cur: one_record(cur.execute("SELECT record FROM workshops WHERE join_code = %s",
                                                        (join_code,))))

    def workshop_version(self, workshop_id: str) -> int | None:
        """The stored version, None when unknown (one indexed read)."""
        if not valid_id(workshop_id):
            return None
        return self.db.run(lambda cur: one_value(cur.execute("SELECT version FROM workshops WHERE id = %s",
                                                        (workshop_id,))))

    def change_workshop(self, workshop_id: str, change: Callable[[dict], dict]) -> dict | None:
        if not valid_id(workshop_id):
            return None

        def work(cur):
            old = one_record(cur.execute("SELECT record FROM workshops WHERE id = %s FOR UPDATE", (workshop_id,)))
            if old is None:
                return None
            new = {**old, **change(dict(old)), "id": workshop_id, "created_at": old["created_at"],
                   "version": old["version"] + 1}
            cur.execute("UPDATE workshops SET join_code = %s, version = %s, record = %s WHERE id = %s",
                        (new["join_code"], new["version"], dump(new), workshop_id))
            notify(cur, workshop_id, new["version"])
            return new
        try:
            new = self.db.run(work)
        except errors.UniqueViolation:
            raise DuplicateError("join code already taken") from None
        if new is not None:   # our own change counts here at once, before its notification returns
            self._own_change(workshop_id, new["version"])   # (live.WorkshopSignalStore)
        return new

    def remove_workshop(self, workshop_id: str) -> bool:
        if not valid_id(workshop_id):
            return False

        def work(cur):
            gone = cur.execute("DELETE FROM workshops WHERE id = %s", (workshop_id,)).rowcount > 0
            if gone:
                notify(cur, workshop_id, None)
            return gone
        gone = self.db.run(work)
        if gone:
            self._own_change(workshop_id, None)
        return gone

    def add_participant(self, workshop_id: str, group: str | None) -> dict:
        if not valid_id(workshop_id):
            raise LookupError(f"unknown workshop {workshop_id!r}")
        participant = {"id": new_id(), "group": group, "joined_on": date.today().isoformat()}
        try:
            self.db.run(lambda cur: cur.execute(
                "INSERT INTO participants (workshop_id, id, record) VALUES (%s, %s, %s)",
                (workshop_id, participant["id"], dump(participant))))
        except errors.ForeignKeyViolation:
            raise LookupError(f"unknown workshop {workshop_id!r}") from None
        return participant

    def count_participants(self, workshop_id: str) -> int:
        if not valid_id(workshop_id):
            return 0
        return self.db.run(lambda cur: cur.execute(
            "SELECT count(*) FROM participants WHERE workshop_id = %s", (workshop_id,)).fetchone()[0])

    def put_vote(self, workshop_id: str, run: str, participant_id: str, vote: dict) -> tuple[dict, bool]:
        return self.put_votes(workshop_id, run, [(participant_id, vote)])[0]

    def put_votes(self, workshop_id: str, run: str, votes: list[tuple[str, dict]]) -> list[tuple[dict, bool]]:
        """Votes of one round in one transaction: all are stored or none; a participant named
        twice keeps the later vote (the second counts as a replacement)."""
        if not (valid_id(workshop_id) and valid_id(run)
                and all(valid_id(participant_id) for participant_id, _vote in votes)):
            raise LookupError(f"invalid workshop, run or participant id: {workshop_id!r} {run!r}")
        stored = [{**vote, "id": new_id(), "participant": participant_id} for participant_id, vote in votes]
        if not stored:
            return []

        last = {one["participant"]: one for one in stored}   # a participant named twice: the later vote

        def upsert(cur) -> dict[str, bool]:
            # One statement for the batch (a room's votes arrive together): xmax = 0 only for a
            # row this statement inserted, not one it updated.
            rows = cur.execute(
                "INSERT INTO votes (workshop_id, run, participant, record) "
                "SELECT %s, %s, p, r FROM unnest(%s::uuid[], %s::text[]) AS t(p, r) "
                "ON CONFLICT (workshop_id, run, participant) DO UPDATE SET record = EXCLUDED.record "
                "RETURNING participant::text, (xmax = 0)",
                (workshop_id, run, list(last), [dump(one) for one in last.values()])).fetchall()
            return dict(rows)

        try:
            inserted = self.db.run(upsert)
        except errors.ForeignKeyViolation:
            raise LookupError(f"unknown workshop {workshop_id!r}") from None
        results, seen = [], set()
        for one in stored:
            participant = one["participant"]
            results.append((one, participant in seen or not inserted[participant]))
            seen.add(participant)
        return results

    def get_vote(self, workshop_id: str, run: str, participant_id: str) -> dict | None:
        if not (valid_id(workshop_id) and valid_id(run) and valid_id(participant_id)):
            return None
        return self.db.run(lambda cur: one_record(cur.execute(
            "SELECT record FROM votes WHERE workshop_id = %s AND run = %s AND participant = %s",
            (workshop_id, run, participant_id))))

    def votes(self, workshop_id: str, run: str) -> list[dict]:
        if not (valid_id(workshop_id) and valid_id(run)):
            return []
        rows = self.db.run(lambda cur: cur.execute(
            "SELECT record FROM votes WHERE workshop_id = %s AND run = %s", (workshop_id, run)).fetchall())
        return [load(row[0]) for row in rows]

    def count_votes(self, workshop_id: str, run: str) -> int:
        if not (valid_id(workshop_id) and valid_id(run)):
            return 0
        return self.db.run(lambda cur: cur.execute(
            "SELECT count(*) FROM votes WHERE workshop_id = %s AND run = %s", (workshop_id, run)).fetchone()[0])
