"""Responses of a survey (table responses, in the order they were stored) and the submission
that turns a draft into one: one transaction with the draft's row locked, the invitation used
up and the response stored; the unique (survey_id, submission_key) makes a second response for
the same draft impossible even for code that forgets the lock."""
from __future__ import annotations

from typing import Callable

from survey_app.storage.ids import new_id, valid_id
from survey_app.storage.postgres.connection import Database, dump, load, one_record, one_value
from survey_app.storage.postgres.invitations import use_invitation


class ResponseStore:
    """Part of Store."""

    db: Database

    def submit_draft(self, survey_id: str, draft_id: str, response: dict, close: Callable[[dict], dict],
                     invitation: str | None = None) -> tuple[str, bool]:
        if not (valid_id(survey_id) and valid_id(draft_id)):
            raise LookupError(f"unknown draft {draft_id!r} in survey {survey_id!r}")

        def work(cur):
            draft = one_record(cur.execute("SELECT record FROM drafts WHERE survey_id = %s AND id = %s FOR UPDATE",
                                     (survey_id, draft_id)))
            if draft is None:
                raise LookupError(f"unknown draft {draft_id!r} in survey {survey_id!r}")
            if draft.get("response_id") is not None:
                return draft["response_id"], False
            if invitation is not None:
                use_invitation(cur, survey_id, invitation)
            # A response stored for this draft without the draft being closed (copied over from
            # a data folder where a submit stopped half-way): it is the one.
            earlier = one_value(cur.execute("SELECT id FROM responses WHERE survey_id = %s AND submission_key = %s",
                                       (survey_id, draft_id)))
            if earlier is None:
                response_id = new_id()
                cur.execute("INSERT INTO responses (survey_id, id, submission_key, record) VALUES (%s, %s, %s, %s)",
                            (survey_id, response_id, draft_id,
                             dump({**response, "id": response_id, "submission_key": draft_id})))
            else:
                response_id = earlier
            closed = {**close(dict(draft)), "id": draft_id, "response_id": response_id}
            cur.execute("UPDATE drafts SET response_id = %s, record = %s WHERE id = %s",
                        (response_id, dump(closed), draft_id))
            return response_id, earlier is None
        return self.db.run(work)

    def add_response(self, survey_id: str, response: dict) -> str:
        if not valid_id(survey_id):
            raise LookupError(f"invalid survey id {survey_id!r}")
        response_id = new_id()
        record = {**response, "id": response_id}
        key = record.get("submission_key")
        self.db.run(lambda cur: cur.execute(
            "INSERT INTO responses (survey_id, id, submission_key, record) VALUES (%s, %s, %s, %s)",
            (survey_id, response_id, key if valid_id(key) else None, dump(record))))
        return response_id

    def responses(self, survey_id: str) -> list[dict]:
        if not valid_id(survey_id):
            return []
        rows = self.db.run(lambda cur: cur.execute(
            "SELECT record FROM responses WHERE survey_id = %s ORDER BY seq", (survey_id,)).fetchall())
        return [load(row[0]) for row in rows]

    def count_responses(self, survey_id: str) -> int:
        if not valid_id(survey_id):
            return 0
        return self.db.run(lambda cur: cur.execute(
            "SELECT count(*) FROM responses WHERE survey_id = %s", (survey_id,)).fetchone()[0])

    def change_response(self, survey_id: str, response_id: str, change: Callable[[dict], dict]) -> dict | None:
        if not (valid_id(survey_id) and valid_id(response_id)):
            return None

        def work(cur):
            stored = one_record(cur.execute("SELECT record FROM responses WHERE survey_id = %s AND id = %s FOR UPDATE",
                                      (survey_id, response_id)))
            if stored is None:
                return None
            new = {**change(dict(stored)), "id": response_id}
            if "submission_key" in stored:
                new["submission_key"] = stored["submission_key"]
            if new != stored:
                cur.execute("UPDATE responses SET record = %s WHERE id = %s", (dump(new), response_id))
            return new
        return self.db.run(work)

    def remove_responses(self, survey_id: str, where: Callable[[dict], bool],
                         drafts: bool = False) -> tuple[int, int]:
        if not valid_id(survey_id):
            return 0, 0

        def work(cur):
            rows = cur.execute("SELECT id, record FROM responses WHERE survey_id = %s FOR UPDATE",
                               (survey_id,)).fetchall()
            doomed = [row[0] for row in rows if where(load(row[1]))]
            if doomed:
                cur.execute("DELETE FROM responses WHERE id = ANY(%s::uuid[])", (doomed,))
            removed_drafts = cur.execute("DELETE FROM drafts WHERE survey_id = %s", (survey_id,)).rowcount if drafts else 0
            return len(doomed), removed_drafts
        return self.db.run(work)
