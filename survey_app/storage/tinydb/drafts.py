"""Drafts: the answers of respondents still filling in (surveys/<id>/drafts/<draft-id>.json).

A draft file holds one document; all draft and response files of a survey share the survey's
lock, so that a submission changes both in one step (responses.py)."""
from __future__ import annotations

from typing import Callable

from survey_app.storage.tinydb import submitted
from survey_app.storage.tinydb.files import DamagedFileError, Files, new_id, read_one, replace_one


class DraftStore:
    """Part of Store."""

    files: Files

    def add_draft(self, survey_id: str, draft: dict) -> dict:
        survey_dir = self.files.survey_dir_for_write(survey_id)
        draft = {"id": new_id(), **{key: value for key, value in draft.items() if key != "id"}}
        with self.files.lock(survey_dir), self.files.open(survey_dir / "drafts" / f"{draft['id']}.json") as db:
            db.insert(draft)
        return draft

    def get_draft(self, survey_id: str, draft_id: str) -> dict | None:
        path = self.files.draft_path(survey_id, draft_id)
        if path is None or not path.exists():  # no lock file for surveys that never existed
            return None
        with self.files.lock(path.parent.parent), self.files.open(path) as db:
            return read_one(db)

    def was_submitted(self, survey_id: str, draft_id: str) -> bool:
        survey_dir = self.files.survey_dir(survey_id)
        if survey_dir is None or not survey_dir.is_dir():
            return False
        with self.files.lock(survey_dir):
            return submitted.was_submitted(self.files, survey_dir, draft_id)

    def count_submitted(self, survey_id: str) -> int:
        survey_dir = self.files.survey_dir(survey_id)
        if survey_dir is None or not survey_dir.is_dir():
            return 0
        with self.files.lock(survey_dir):
            return submitted.count(self.files, survey_dir)

    def list_drafts(self, survey_id: str) -> list[dict]:
        return self.read_drafts(survey_id)[0]

    def read_drafts(self, survey_id: str) -> tuple[list[dict], int]:
        survey_dir = self.files.survey_dir(survey_id)
        if survey_dir is None or not (survey_dir / "drafts").is_dir():
            return [], 0
        drafts, damaged = [], 0
        with self.files.lock(survey_dir):
            for path in sorted((survey_dir / "drafts").glob("*.json")):
                try:
                    with self.files.open(path) as db:
                        draft = read_one(db)
                except DamagedFileError:
                    damaged += 1
                    continue
                if draft is not None:
                    drafts.append(draft)
        return drafts, damaged

    def change_draft(self, survey_id: str, draft_id: str, change: Callable[[dict], dict]) -> dict | None:
        path = self.files.draft_path(survey_id, draft_id)
        if path is None or not path.exists():
            return None
        with self.files.lock(path.parent.parent), self.files.open(path) as db:
            draft = read_one(db)
            if draft is None or draft.get("response_id") is not None:
                return draft
            new = {**change(dict(draft)), "id": draft["id"], "response_id": None}
            if new != draft:
                replace_one(db, new)
        return new
