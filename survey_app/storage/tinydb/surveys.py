"""Surveys (fieldings) and the kept versions of questionnaire definitions
(surveys.json, definitions/<questionnaire-id>/<hash>.yaml)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from tinydb import Query

from survey_app.fieldings.model import Fielding
from survey_app.storage.ids import valid_definition_version
from survey_app.storage.interface import DuplicateError
from survey_app.storage.tinydb.files import (
    CONTENT,
    FileProblem,
    Files,
    log_damage,
    make_dirs,
    new_id,
    now,
    update_by_id,
    valid_id,
    write_atomic,
)


class SurveyStore:
    """Part of Store: surveys.json, one document per survey."""

    files: Files

    @property
    def _surveys(self) -> Path:
        return self.files.data_dir / "surveys.json"

    def add_survey(self, fielding: Fielding) -> Fielding:
        record = {**fielding.to_record(), "id": new_id(), "created_at": now()}
        with self.files.lock(self._surveys), self.files.open(self._surveys) as db:
            if db.contains(Query().slug == record["slug"]):
                raise DuplicateError(f"slug already taken: {record['slug']}")
            db.insert(record)
        return Fielding.from_record(record)

    def get_survey(self, survey_id: str) -> Fielding | None:
        if not valid_id(survey_id):
            return None
        with self.files.lock(self._surveys), self.files.open(self._surveys) as db:
            found = db.get(Query().id == survey_id)
        return Fielding.from_record(found) if found else None

    def find_survey_by_slug(self, slug: str) -> Fielding | None:
        with self.files.lock(self._surveys), self.files.open(self._surveys) as db:
            found = db.get(Query().slug == slug)
        return Fielding.from_record(found) if found else None

    def list_surveys(self) -> list[Fielding]:
        with self.files.lock(self._surveys), self.files.open(self._surveys) as db:
            records = db.all()
        return sorted((Fielding.from_record(r) for r in records), key=lambda f: f.created_at)

    def update_survey(self, survey_id: str, **changes) -> Fielding | None:
        if not valid_id(survey_id):
            return None
        changes = {key: value for key, value in changes.items() if key not in ("id", "created_at")}
        with self.files.lock(self._surveys), self.files.open(self._surveys) as db:
            if "slug" in changes:
                other = db.get(Query().slug == changes["slug"])
                if other is not None and other["id"] != survey_id:
                    raise DuplicateError(f"slug already taken: {changes['slug']}")
            found = update_by_id(db, survey_id, changes)
        return Fielding.from_record(found) if found else None


def version_problem(path: Path, raw: bytes) -> FileProblem | None:
    """A kept definition version is named by the hash of its text: CONTENT when it is not."""
    return FileProblem(path, CONTENT) if hashlib.sha256(raw).hexdigest() != path.stem else None


class DefinitionStore:
    """Part of Store: every questionnaire version that was served, one file each, never changed."""

    files: Files

    def _version_path(self, questionnaire_id: str, content_hash: str) -> Path | None:
        if not valid_definition_version(questionnaire_id, content_hash):
            return None
        return self.files.data_dir / "definitions" / questionnaire_id / f"{content_hash}.yaml"

    def keep_definition_version(self, questionnaire_id: str, content_hash: str, text: str) -> None:
        path = self._version_path(questionnaire_id, content_hash)
        if path is None or path.exists():
            return
        make_dirs(path.parent)
        with self.files.lock(path):
            if not path.exists():
                write_atomic(path, text)

    def definition_version(self, questionnaire_id: str, content_hash: str) -> str | None:
        path = self._version_path(questionnaire_id, content_hash)
        if path is None or not path.exists():
            return None
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        problem = version_problem(path, raw)
        if problem is not None:
            log_damage(problem)
            return None
        return path.read_text(encoding="utf-8")
