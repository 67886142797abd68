"""Drafts: the answers of respondents still filling in (surveys/<id>/drafts/<draft-id>.json).

A draft file holds one document; all draft and response files of a survey share the survey's
lock, so that a submission changes both in one step (responses.py)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from survey_app.storage.tinydb.files import DamagedFileError, Files, new_id, read_one, write_one


def merge(stored: dict, changes: dict | None) -> dict:
    """`stored` with `changes` applied key by key; None deletes a key."""
    merged = dict(stored)
    for key, value in (changes or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


class DraftStore:
    """Part of Store."""

    files: Files

    def create_draft(self, survey_id: str, language: str, resume_code: str | None = None,
                     pseudonym: str | None = None) -> dict:
        survey_dir = self.files.survey_dir_for_write(survey_id)
        draft = {"id": new_id(), "survey_id": survey_id, "language": language, "answers": {},
                 "page": 0, "status": "open", "response_id": None, "resume_code": resume_code,
                 "pseudonym": pseudonym,
                 "created_on": date.today().isoformat()}  # day only: less to re-identify a respondent
        with self.files.lock(survey_dir), self.files.open(survey_dir / "drafts" / f"{draft['id']}.json") as db:
            db.insert(draft)
        return draft

    def get_draft(self, survey_id: str, draft_id: str) -> dict | None:
        path = self.files.draft_path(survey_id, draft_id)
        if path is None or not path.exists():  # no lock file for surveys that never existed
            return None
        with self.files.lock(path.parent.parent), self.files.open(path) as db:
            return read_one(db)

    def list_drafts(self, survey_id: str) -> list[dict]:
        return self.read_drafts(survey_id)[0]

    def read_drafts(self, survey_id: str) -> tuple[list[dict], list[Path]]:
        survey_dir = self.files.survey_dir(survey_id)
        if survey_dir is None or not (survey_dir / "drafts").is_dir():
            return [], []
        drafts, damaged = [], []
        with self.files.lock(survey_dir):
            for path in sorted((survey_dir / "drafts").glob("*.json")):
                try:
                    with self.files.open(path) as db:
                        draft = read_one(db)
                except DamagedFileError as error:
                    damaged.append(error.path)
                    continue
                if draft is not None:
                    drafts.append(draft)
        return drafts, damaged

    def update_draft(self, survey_id: str, draft_id: str, answers: dict | None = None,
                     page: int | None = None, language: str | None = None,
                     entered: dict | None = None) -> dict | None:
        path = self.files.draft_path(survey_id, draft_id)
        if path is None or not path.exists():
            return None
        with self.files.lock(path.parent.parent), self.files.open(path) as db:
            draft = read_one(db)
            if draft is None or draft["status"] == "submitted":
                return draft
            changes = {"answers": merge(draft["answers"], answers)}
            if entered:
                changes["entered"] = merge(draft.get("entered") or {}, entered)
            if page is not None:
                changes["page"] = page
            if language is not None:
                changes["language"] = language
            write_one(db, changes)
        return {**draft, **changes}
