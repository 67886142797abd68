"""Drafts: the answers of respondents still filling in (table drafts, one row each), and the
memory of the submitted ones (table submitted_drafts: the SHA-256 of each submitted draft's id,
no time, no order, no link to its response; a submitted draft is deleted)."""
from __future__ import annotations

import hashlib
from typing import Callable

from survey_app.storage.ids import new_id, valid_id
from survey_app.storage.postgres.connection import Database, dump, load, one_record, one_value


def draft_hash(draft_id: str) -> str:
    """What submitted_drafts keeps of a draft id (the same as the TinyDB adapter's submitted.json)."""
    return hashlib.sha256(draft_id.encode()).hexdigest()


def was_submitted(cur, survey_id: str, draft_id: str) -> bool:
    return cur.execute("SELECT EXISTS (SELECT 1 FROM submitted_drafts WHERE survey_id = %s AND hash = %s)",
                       (survey_id, draft_hash(draft_id))).fetchone()[0]


class DraftStore:
    """Part of Store."""

    db: Database

    def add_draft(self, survey_id: str, draft: dict) -> dict:
        if not valid_id(survey_id):
            raise LookupError(f"invalid survey id {survey_id!r}")
        draft = {"id": new_id(), **{key: value for key, value in draft.items() if key != "id"}}
        self.db.run(lambda cur: cur.execute(
            "INSERT INTO drafts (survey_id, id, response_id, record) VALUES (%s, %s, %s, %s)",
            (survey_id, draft["id"], draft.get("response_id"), dump(draft))))
        return draft

    def get_draft(self, survey_id: str, draft_id: str) -> dict | None:
        if not (valid_id(survey_id) and valid_id(draft_id)):
            return None
        return self.db.run(lambda cur: one_record(cur.execute(
            "SELECT record FROM drafts WHERE survey_id = %s AND id = %s", (survey_id, draft_id))))

    def was_submitted(self, survey_id: str, draft_id: str) -> bool:
        if not (valid_id(survey_id) and valid_id(draft_id)):
            return False
        return self.db.run(lambda cur: was_submitted(cur, survey_id, draft_id))

    def count_submitted(self, survey_id: str) -> int:
        if not valid_id(survey_id):
            return 0
        return self.db.run(lambda cur: cur.execute(
            "SELECT count(*) FROM submitted_drafts WHERE survey_id = %s", (survey_id,)).fetchone()[0])

    def list_drafts(self, survey_id: str) -> list[dict]:
        return self.read_drafts(survey_id)[0]

    def read_drafts(self, survey_id: str) -> tuple[list[dict], int]:
        if not valid_id(survey_id):
            return [], 0
        rows = self.db.run(lambda cur: cur.execute(
            "SELECT record FROM drafts WHERE survey_id = %s ORDER BY id", (survey_id,)).fetchall())
        return [load(row[0]) for row in rows], 0   # a database row is whole or not there

    def change_draft(self, survey_id: str, draft_id: str, change: Callable[[dict], dict]) -> dict | None:
        if not (valid_id(survey_id) and valid_id(draft_id)):
            return None

        def work(cur):
            draft = one_record(cur.execute("SELECT record FROM drafts WHERE survey_id = %s AND id = %s FOR UPDATE",
                                     (survey_id, draft_id)))
            if draft is None or draft.get("response_id") is not None:
                return draft
            new = {**change(dict(draft)), "id": draft["id"], "response_id": None}
            if new != draft:
                cur.execute("UPDATE drafts SET record = %s WHERE id = %s", (dump(new), draft_id))
            return new
        return self.db.run(work)
