"""Responses of a survey (surveys/<id>/responses-000001.json ...: at most shard_size each) and
the submission that turns a draft into one."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, TypeVar

from tinydb import Query, TinyDB

from survey_app.storage.tinydb.files import (
    SHARD_RE,
    Files,
    fsync_dir,
    new_id,
    read_one,
    replace_one,
    replaced_by,
    valid_id,
)
from survey_app.storage.tinydb.invitations import use_invitation

T = TypeVar("T")


class ResponseStore:
    """Part of Store."""

    files: Files
    shard_size: int = 128

    @staticmethod
    def _shard_paths(survey_dir: Path) -> list[Path]:
        """Existing shards, oldest first (zero-padded names sort numerically)."""
        try:
            names = sorted(n for n in os.listdir(survey_dir) if SHARD_RE.match(n))
        except FileNotFoundError:
            return []
        return [survey_dir / n for n in names]

    def _append_response(self, survey_dir: Path, doc: dict) -> None:
        """Append to the newest shard, or start a new one when it is full. Hold the survey lock."""
        shards = self._shard_paths(survey_dir)
        target = shards[-1] if shards else survey_dir / "responses-000001.json"
        with self.files.open(target) as db:
            if len(db) < self.shard_size:
                db.insert(doc)
                return
        number = int(SHARD_RE.match(target.name).group(1)) + 1
        with self.files.open(survey_dir / f"responses-{number:06d}.json") as db:
            db.insert(doc)

    def _find_submission(self, survey_dir: Path, key: str) -> dict | None:
        """Response stored for draft `key` by an earlier submit that crashed before marking the draft."""
        for shard in self._shard_paths(survey_dir)[-2:]:
            with self.files.open(shard) as db:
                found = db.get(Query().submission_key == key)
            if found is not None:
                return dict(found)
        return None

    def submit_draft(self, survey_id: str, draft_id: str, response: dict, close: Callable[[dict], dict],
                     invitation: str | None = None) -> tuple[str, bool]:
        path = self.files.draft_path(survey_id, draft_id)
        if path is None or not path.exists():
            raise LookupError(f"unknown draft {draft_id!r} in survey {survey_id!r}")
        survey_dir = path.parent.parent
        with self.files.lock(survey_dir):
            with self.files.open(path) as db:
                draft = read_one(db)
            if draft is None:
                raise LookupError(f"unknown draft {draft_id!r} in survey {survey_id!r}")
            if draft.get("response_id") is not None:
                return draft["response_id"], False
            if invitation is not None:
                use_invitation(self.files, survey_dir, invitation)
            # A response stored for this draft by an earlier submit that crashed before the
            # draft was marked: it is the one.
            earlier = self._find_submission(survey_dir, draft_id)
            if earlier is None:
                response_id = new_id()
                self._append_response(survey_dir, {**response, "id": response_id, "submission_key": draft_id})
            else:
                response_id = earlier["id"]
            closed = {**close(dict(draft)), "id": draft_id, "response_id": response_id}
            with self.files.open(path) as db:
                replace_one(db, closed)
        return response_id, earlier is None

    def add_response(self, survey_id: str, response: dict) -> str:
        survey_dir = self.files.survey_dir_for_write(survey_id)
        response_id = new_id()
        with self.files.lock(survey_dir):
            self._append_response(survey_dir, {**response, "id": response_id})
        return response_id

    def _each_shard(self, survey_id: str, read: Callable[[TinyDB], T]) -> list[T]:
        """read(db) of each shard of the survey, oldest first, under the survey lock."""
        survey_dir = self.files.survey_dir(survey_id)
        if survey_dir is None or not survey_dir.is_dir():
            return []
        with self.files.lock(survey_dir):
            found = []
            for shard in self._shard_paths(survey_dir):
                with self.files.open(shard) as db:
                    found.append(read(db))
        return found

    def responses(self, survey_id: str) -> list[dict]:
        return [dict(doc) for docs in self._each_shard(survey_id, lambda db: db.all()) for doc in docs]

    def count_responses(self, survey_id: str) -> int:
        return sum(self._each_shard(survey_id, len))

    def change_response(self, survey_id: str, response_id: str, change: Callable[[dict], dict]) -> dict | None:
        survey_dir = self.files.survey_dir(survey_id)
        if survey_dir is None or not valid_id(response_id) or not survey_dir.is_dir():
            return None
        cond = Query().id == response_id
        with self.files.lock(survey_dir):
            for shard in self._shard_paths(survey_dir):
                with self.files.open(shard) as db:
                    found = db.get(cond)
                    if found is None:
                        continue
                    stored = dict(found)
                    new = {**change(dict(stored)), "id": response_id}
                    if "submission_key" in stored:
                        new["submission_key"] = stored["submission_key"]
                    if new != stored:
                        db.update(replaced_by(new), cond)
                    return new
        return None

    def remove_responses(self, survey_id: str, where: Callable[[dict], bool],
                         drafts: bool = False) -> tuple[int, int]:
        survey_dir = self.files.survey_dir(survey_id)
        if survey_dir is None or not survey_dir.is_dir():
            return 0, 0
        responses = removed_drafts = 0
        with self.files.lock(survey_dir):
            for shard in self._shard_paths(survey_dir):
                with self.files.open(shard) as db:
                    doomed = [doc.doc_id for doc in db.all() if where(dict(doc))]
                    if doomed:
                        db.remove(doc_ids=doomed)
                        responses += len(doomed)
            if drafts and (survey_dir / "drafts").is_dir():
                for path in (survey_dir / "drafts").glob("*.json"):
                    path.unlink()
                    removed_drafts += 1
                fsync_dir(survey_dir / "drafts")
        return responses, removed_drafts
