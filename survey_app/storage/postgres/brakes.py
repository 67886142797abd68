"""Brakes on guessing (table brakes) and the audit log (table audit_log).

A failure is counted by one statement (INSERT ... ON CONFLICT DO UPDATE), so none is lost
between servers; a counter whose window has passed starts again there. Counters whose window
passed are deleted now and then by the failures themselves (one in PRUNE_EVERY), so the table
holds about the keys that failed recently."""
from __future__ import annotations

import random
from typing import Iterator

from survey_app.storage.ids import valid_brake
from survey_app.storage.postgres.connection import Database, dump, load, one_record

PRUNE_EVERY = 100
_FIELDS = ("count", "start", "expires", "last")


class BrakeStore:
    """Part of Store."""

    db: Database

    def brake_counter(self, purpose: str, key: str, now: float) -> dict | None:
        if not valid_brake(purpose, key):
            raise ValueError(f"invalid brake purpose or key: {purpose!r} {key!r}")
        row = self.db.run(lambda cur: cur.execute(
            "SELECT count, start, expires, last FROM brakes WHERE purpose = %s AND key = %s AND expires > %s",
            (purpose, key, now)).fetchone())
        return dict(zip(_FIELDS, row)) if row else None

    def count_brake_failure(self, purpose: str, key: str, now: float, window: float) -> dict:
        if not valid_brake(purpose, key):
            raise ValueError(f"invalid brake purpose or key: {purpose!r} {key!r}")

        def work(cur):
            if random.randrange(PRUNE_EVERY) == 0:
                cur.execute("DELETE FROM brakes WHERE expires <= %s", (now,))
            return cur.execute(
                "INSERT INTO brakes AS b (purpose, key, count, start, last, expires) VALUES (%s, %s, 1, %s, %s, %s) "
                "ON CONFLICT (purpose, key) DO UPDATE SET "
                "  count = CASE WHEN b.expires > EXCLUDED.start THEN b.count + 1 ELSE 1 END, "
                "  start = CASE WHEN b.expires > EXCLUDED.start THEN b.start ELSE EXCLUDED.start END, "
                "  expires = CASE WHEN b.expires > EXCLUDED.start THEN b.expires ELSE EXCLUDED.expires END, "
                "  last = EXCLUDED.last "
                "RETURNING count, start, expires, last",
                (purpose, key, now, now, now + window)).fetchone()
        return dict(zip(_FIELDS, self.db.run(work)))

    def clear_brake(self, purpose: str, key: str) -> None:
        if not valid_brake(purpose, key):
            raise ValueError(f"invalid brake purpose or key: {purpose!r} {key!r}")
        self.db.run(lambda cur: cur.execute("DELETE FROM brakes WHERE purpose = %s AND key = %s", (purpose, key)))


class AuditLog:
    """Part of Store."""

    db: Database

    def append_audit_event(self, event: dict) -> None:
        self.db.run(lambda cur: cur.execute("INSERT INTO audit_log (event) VALUES (%s)", (dump(event),)))

    def audit_events(self) -> Iterator[dict | None]:
        rows = self.db.run(lambda cur: cur.execute("SELECT event FROM audit_log ORDER BY seq").fetchall())
        for row in rows:
            event = load(row[0])
            yield event if isinstance(event, dict) else None
