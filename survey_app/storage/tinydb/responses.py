"""Responses of a survey (surveys/<id>/responses-000001.json ...: at most shard_size each) and
the submission that turns a draft into one.

A response carries no draft id: submitting reserves the response's id in the draft (its answers
kept, so that a failed write loses nothing), stores the response, uses up the invitation, adds the draft to the set of submitted ones
(submitted.py: a hash, no time, no order) and deletes the draft, all under the survey's lock. A
submit that stopped half-way finds its reserved id in the draft and finishes, storing nothing twice."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, TypeVar

from tinydb import Query, TinyDB
from tinydb.operations import delete

from survey_app.storage.tinydb.files import (
    SHARD_RE,
    DamagedFileError,
    Files,
    fsync_dir,
    new_id,
    read_one,
    replace_one,
    replaced_by,
    valid_id,
)
from survey_app.storage.tinydb import submitted
from survey_app.storage.tinydb.invitations import check_invitation, forget_use_days, use_invitation

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

    def _has_response(self, survey_dir: Path, response_id: str) -> bool:
        """Whether a submit that stopped half-way stored its response (in the newest shards)."""
        for shard in self._shard_paths(survey_dir)[-2:]:
            with self.files.open(shard) as db:
                if db.contains(Query().id == response_id):
                    return True
        return False

    def submit_draft(self, survey_id: str, draft_id: str, response: dict, close: Callable[[dict], dict],
                     invitation: str | None = None) -> tuple[str | None, bool]:
        path = self.files.draft_path(survey_id, draft_id)
        survey_dir = self.files.survey_dir(survey_id)
        if path is None or survey_dir is None:
            raise LookupError(f"unknown draft {draft_id!r} in survey {survey_id!r}")
        with self.files.lock(survey_dir):
            draft = None
            if path.exists():
                with self.files.open(path) as db:
                    draft = read_one(db)
            if draft is None:
                if submitted.was_submitted(self.files, survey_dir, draft_id):
                    return None, False
                raise LookupError(f"unknown draft {draft_id!r} in survey {survey_id!r}")
            reserved = draft.get("response_id")
            created = not (reserved and self._has_response(survey_dir, reserved))
            if created:
                if invitation is not None:     # not used yet by this submit: it uses it after storing
                    check_invitation(self.files, survey_dir, invitation)
                response_id = reserved or new_id()
                if not reserved:   # the draft (answers kept) holds the id until the end of this step
                    with self.files.open(path) as db:
                        replace_one(db, {**draft, "response_id": response_id})
                self._append_response(survey_dir, {key: value for key, value in response.items()
                                                   if key != "submission_key"} | {"id": response_id})
            else:
                response_id = reserved
            if invitation is not None:
                use_invitation(self.files, survey_dir, invitation, again=not created)
            close(dict(draft))         # the draft's end: nothing of it is kept
            submitted.remember(self.files, survey_dir, [draft_id])
            path.unlink()
            fsync_dir(path.parent)
        return response_id, created

    def forget_submission_links(self) -> int:
        """At start: data of versions before issue 10 made unlinkable. Responses lose their
        "submission_key" (the draft id), submitted drafts are deleted (remembered in the
        submitted set), invitations lose their day of use. Returns the records changed; a
        damaged file is left as it is (the data folder check lists it)."""
        changed = 0
        root = self.files.survey_root
        for survey_dir in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else ():
            try:
                with self.files.lock(survey_dir):
                    changed += self._forget_links(survey_dir)
            except DamagedFileError:
                continue
        return changed

    def _forget_links(self, survey_dir: Path) -> int:
        changed = 0
        ids: set[str] = set()
        for shard in self._shard_paths(survey_dir):
            with self.files.open(shard) as db:
                keyed = Query().submission_key.exists()
                found = db.count(keyed)
                if found:
                    db.update(delete("submission_key"), keyed)
                    changed += found
                ids.update(doc.get("id") for doc in db.all())
        done = []
        for path in sorted((survey_dir / "drafts").glob("*.json")) if (survey_dir / "drafts").is_dir() else ():
            with self.files.open(path) as db:
                draft = read_one(db)
            if draft and draft.get("response_id") in ids:   # submitted: its response is stored
                done.append((path, draft.get("id") or path.stem))
        if done:
            submitted.remember(self.files, survey_dir, [draft_id for _, draft_id in done])
            for path, _ in done:
                path.unlink()
            fsync_dir(survey_dir / "drafts")
            changed += len(done)
        return changed + forget_use_days(self.files, survey_dir)

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
            if drafts:
                removed_drafts += submitted.count(self.files, survey_dir)
                (survey_dir / submitted.NAME).unlink(missing_ok=True)
                fsync_dir(survey_dir)
        return responses, removed_drafts
