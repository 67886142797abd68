"""Consultations with the versions of their draft and the organisations' statements.

  consultations/<id>/consultation.json            one document: settings, organisations, decisions
  consultations/<id>/versions.json                the draft's versions, numbered 1, 2, ...
  consultations/<id>/statements/<org-id>.json     one document: the organisation's statement

Every file of a consultation is written under the consultation's lock (consultations/<id>.lock):
a consultation has a few dozen organisations, whose statements are saved now and then, so one
lock costs nothing and makes each change one step.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

from survey_app.storage.tinydb.files import Files, fsync_dir, make_dirs, new_id, now, read_one, replace_one, valid_id


class ConsultationStore:
    """Part of Store."""

    files: Files

    @property
    def _consultation_root(self) -> Path:
        return self.files.data_dir / "consultations"

    def _consultation_dir(self, consultation_id: str) -> Path | None:
        return self._consultation_root / consultation_id if valid_id(consultation_id) else None

    def _existing(self, consultation_id: str) -> Path | None:
        folder = self._consultation_dir(consultation_id)
        return folder if folder is not None and (folder / "consultation.json").exists() else None

    def add_consultation(self, record: dict) -> dict:
        consultation = {**record, "id": new_id(), "created_at": now()}
        folder = self._consultation_dir(consultation["id"])
        make_dirs(folder / "statements")
        with self.files.lock(folder), self.files.open(folder / "consultation.json") as db:
            db.insert(consultation)
        return consultation

    def get_consultation(self, consultation_id: str) -> dict | None:
        folder = self._existing(consultation_id)
        if folder is None:
            return None
        with self.files.lock(folder):
            if not (folder / "consultation.json").exists():  # removed meanwhile
                return None
            with self.files.open(folder / "consultation.json") as db:
                return read_one(db)

    def list_consultations(self) -> list[dict]:
        if not self._consultation_root.is_dir():
            return []
        found = []
        for folder in sorted(p for p in self._consultation_root.iterdir() if p.is_dir() and valid_id(p.name)):
            record = self.get_consultation(folder.name)
            if record is not None:
                found.append(record)
        return sorted(found, key=lambda r: r["created_at"])

    def change_consultation(self, consultation_id: str, change: Callable[[dict], dict]) -> dict | None:
        folder = self._existing(consultation_id)
        if folder is None:
            return None
        with self.files.lock(folder):
            if not (folder / "consultation.json").exists():
                return None
            with self.files.open(folder / "consultation.json") as db:
                old = read_one(db)
                new = {**change(dict(old)), "id": old["id"], "created_at": old["created_at"]}
                if new != old:
                    replace_one(db, new)
        return new

    def remove_consultation(self, consultation_id: str) -> bool:
        folder = self._consultation_dir(consultation_id)
        if folder is None:
            return False
        with self.files.lock(folder):
            there = folder.is_dir()
            if there:
                # The document first: a folder without it is never listed, even if removal stops here.
                (folder / "consultation.json").unlink(missing_ok=True)
                fsync_dir(folder)
                shutil.rmtree(folder)
                fsync_dir(folder.parent)
        return there

    def add_consultation_version(self, consultation_id: str, make: Callable[[dict | None], dict]) -> dict:
        folder = self._existing(consultation_id)
        if folder is None:
            raise LookupError(f"unknown consultation {consultation_id!r}")
        with self.files.lock(folder), self.files.open(folder / "versions.json") as db:
            versions = db.all()
            latest = dict(max(versions, key=lambda v: v["number"])) if versions else None
            version = {**make(latest), "number": (latest["number"] if latest else 0) + 1, "created_at": now()}
            db.insert(version)
        return version

    def consultation_versions(self, consultation_id: str) -> list[dict]:
        folder = self._existing(consultation_id)
        if folder is None or not (folder / "versions.json").exists():
            return []
        with self.files.lock(folder), self.files.open(folder / "versions.json") as db:
            return sorted((dict(v) for v in db.all()), key=lambda v: v["number"])

    def _statement_path(self, consultation_id: str, organisation_id: str) -> Path | None:
        folder = self._existing(consultation_id)
        if folder is None or not valid_id(organisation_id):
            return None
        return folder / "statements" / f"{organisation_id}.json"

    def change_statement(self, consultation_id: str, organisation_id: str,
                         change: Callable[[dict | None], dict]) -> dict:
        path = self._statement_path(consultation_id, organisation_id)
        if path is None:
            raise LookupError(f"unknown consultation or invalid organisation: {consultation_id!r} {organisation_id!r}")
        with self.files.lock(path.parent.parent):
            if not path.parent.parent.joinpath("consultation.json").exists():
                raise LookupError(f"unknown consultation {consultation_id!r}")
            make_dirs(path.parent)
            with self.files.open(path) as db:
                old = read_one(db)
                new = {**change(dict(old) if old else None), "organisation": organisation_id}
                if old is None:
                    db.insert(new)
                elif new != old:
                    replace_one(db, new)
        return new

    def get_statement(self, consultation_id: str, organisation_id: str) -> dict | None:
        path = self._statement_path(consultation_id, organisation_id)
        if path is None or not path.exists():
            return None
        with self.files.lock(path.parent.parent), self.files.open(path) as db:
            return read_one(db)

    def statements(self, consultation_id: str) -> list[dict]:
        folder = self._existing(consultation_id)
        if folder is None:
            return []
        found = []
        with self.files.lock(folder):
            for path in sorted((folder / "statements").glob("*.json")):
                with self.files.open(path) as db:
                    statement = read_one(db)
                if statement is not None:
                    found.append(statement)
        return found
