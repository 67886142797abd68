"""Decision records (issue 16): decisions/<kind>.json, one file per kind, one document
{"key", "record"} per record. A kind holds a few dozen small records (task profiles,
scenarios, pack selections), so a file per kind under its own lock keeps each put one atomic
write, with its version check in the same step."""
from __future__ import annotations

from pathlib import Path

from tinydb import Query

from survey_app.storage.records import check_version, found_key, record_key, record_kind, stored_record
from survey_app.storage.tinydb.files import Files, make_dirs, replaced_by

FOLDER = "decisions"


class DecisionRecordStore:
    """Part of Store."""

    files: Files

    def _records_path(self, kind: str) -> Path:
        return self.files.data_dir / FOLDER / f"{record_kind(kind)}.json"

    def get_record(self, kind: str, key: str) -> dict | None:
        path, key = self._records_path(kind), found_key(kind, key)
        if key is None or not path.exists():
            return None
        with self.files.lock(path), self.files.open(path) as db:
            doc = db.get(Query().key == key)
        return dict(doc["record"]) if doc else None

    def put_record(self, kind: str, key: str, value: dict, *, expected_version: int | None = None,
                   updated_by: str | None = None) -> int:
        path, key = self._records_path(kind), record_key(key)
        stored_record(value, 1, updated_by)     # a bad value is refused before anything is touched
        make_dirs(path.parent)
        with self.files.lock(path), self.files.open(path) as db:
            doc = db.get(Query().key == key)
            stored = doc["record"]["version"] if doc else 0
            check_version(kind, key, expected_version, stored)
            record = stored_record(value, stored + 1, updated_by)
            if doc is None:
                db.insert({"key": key, "record": record})
            else:
                db.update(replaced_by({"key": key, "record": record}), doc_ids=[doc.doc_id])
        return record["version"]

    def list_records(self, kind: str) -> list[tuple[str, dict]]:
        path = self._records_path(kind)
        if not path.exists():
            return []
        with self.files.lock(path), self.files.open(path) as db:
            docs = db.all()
        return sorted(((doc["key"], dict(doc["record"])) for doc in docs), key=lambda item: item[0])

    def delete_record(self, kind: str, key: str) -> bool:
        path, key = self._records_path(kind), found_key(kind, key)
        if key is None or not path.exists():
            return False
        with self.files.lock(path), self.files.open(path) as db:
            return bool(db.remove(Query().key == key))
