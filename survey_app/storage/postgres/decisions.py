"""Decision records (issue 16): table decision_records (schema migration 4), one row per kind
and key with its version beside the record. A put makes the row if it is missing and then
reads it FOR UPDATE, so the version check and the write are one step, also for two first
puts of the same key at once."""
from __future__ import annotations

from survey_app.storage.postgres.connection import Database, dump, load, one_record
from survey_app.storage.records import check_version, found_key, record_key, record_kind, stored_record


class DecisionRecordStore:
    """Part of Store."""

    db: Database

    def get_record(self, kind: str, key: str) -> dict | None:
        key = found_key(kind, key)
        if key is None:
            return None
        return self.db.run(lambda cur: one_record(cur.execute(
            "SELECT record FROM decision_records WHERE kind = %s AND key = %s AND record IS NOT NULL", (kind, key))))

    def put_record(self, kind: str, key: str, value: dict, *, expected_version: int | None = None,
                   updated_by: str | None = None) -> int:
        kind, key = record_kind(kind), record_key(key)
        stored_record(value, 1, updated_by)     # a bad value is refused before anything is touched

        def work(cur):
            cur.execute("INSERT INTO decision_records (kind, key, version, record) VALUES (%s, %s, 0, NULL) "
                        "ON CONFLICT DO NOTHING", (kind, key))
            stored = cur.execute("SELECT version FROM decision_records WHERE kind = %s AND key = %s FOR UPDATE",
                                 (kind, key)).fetchone()[0]
            check_version(kind, key, expected_version, stored)   # raises: the row made here is rolled back
            record = stored_record(value, stored + 1, updated_by)
            cur.execute("UPDATE decision_records SET version = %s, record = %s WHERE kind = %s AND key = %s",
                        (record["version"], dump(record), kind, key))
            return record["version"]
        return self.db.run(work)

    def list_records(self, kind: str) -> list[tuple[str, dict]]:
        kind = record_kind(kind)
        rows = self.db.run(lambda cur: cur.execute(   # "C": code point order, as Python sorts
            'SELECT key, record FROM decision_records WHERE kind = %s AND record IS NOT NULL ORDER BY key COLLATE "C"',
            (kind,)).fetchall())
        return [(key, load(record)) for key, record in rows]

    def delete_record(self, kind: str, key: str) -> bool:
        key = found_key(kind, key)
        if key is None:
            return False
        return self.db.run(lambda cur: cur.execute(
            "DELETE FROM decision_records WHERE kind = %s AND key = %s AND record IS NOT NULL", (kind, key)).rowcount > 0)
