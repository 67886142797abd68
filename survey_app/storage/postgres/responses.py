"""Responses of a survey (table responses, in the order they were stored) and the submission
that turns a draft into one, in one transaction: the draft's row locked, the invitation used up,
the response stored (without the draft's id), the draft's hash inserted into submitted_drafts
and the draft deleted. The primary key of submitted_drafts makes a second submission of the
same draft impossible even for code that forgets the lock; a submit waiting for the lock finds
the draft gone and its hash there, and stores nothing."""
from __future__ import annotations

from typing import Callable

from survey_app.storage.ids import new_id, valid_id
from survey_app.storage.postgres.connection import Database, dump, load, one_record, one_value
from survey_app.storage.postgres.drafts import draft_hash, was_submitted
from survey_app.storage.postgres.invitations import use_invitation


class ResponseStore:
    """Part of Store."""

    db: Database

    def submit_draft(self, survey_id: str, draft_id: str, response: dict, close: Callable[[dict], dict],
                     invitation: str | None = None) -> tuple[str | None, bool]:
        if not (valid_id(survey_id) and valid_id(draft_id)):
            raise LookupError(f"unknown draft {draft_id!r} in survey {survey_id!r}")

        def work(cur):
            draft = one_record(cur.execute("SELECT record FROM drafts WHERE survey_id = %s AND id = %s FOR UPDATE",
                                     (survey_id, draft_id)))
            if draft is None:
                if was_submitted(cur, survey_id, draft_id):   # double click, retry, another process
                    return None, False
                raise LookupError(f"unknown draft {draft_id!r} in survey {survey_id!r}")
            # A draft holding a response id: a data-folder submit that stopped half-way, copied
            # here (this adapter never commits one). It is finished, the response stored only once.
            reserved = draft.get("response_id")
            created = not (valid_id(reserved) and one_value(cur.execute(
                "SELECT 1 FROM responses WHERE survey_id = %s AND id = %s", (survey_id, reserved))))
            if invitation is not None:
                use_invitation(cur, survey_id, invitation, again=not created)
            if created:
                response_id = reserved if valid_id(reserved) else new_id()
                record = {key: value for key, value in response.items() if key != "submission_key"}
                cur.execute("INSERT INTO responses (survey_id, id, record) VALUES (%s, %s, %s)",
                            (survey_id, response_id, dump({**record, "id": response_id})))
            else:
                response_id = reserved
            close(dict(draft))           # the draft's end: nothing of it is kept
            cur.execute("INSERT INTO submitted_drafts (survey_id, hash) VALUES (%s, %s)",
                        (survey_id, draft_hash(draft_id)))
            cur.execute("DELETE FROM drafts WHERE id = %s", (draft_id,))
            return response_id, created
        return self.db.run(work)

    def forget_submission_links(self) -> int:
        """At start: records of versions before issue 10 made unlinkable. Migration 3 remembered
        and deleted the submitted drafts and dropped the columns of draft ids and days of use;
        here the responses' records lose "submission_key", and drafts closed with their response
        stored since (copied in) are remembered and deleted. Returns the records changed."""
        def work(cur):
            changed = 0
            rows = cur.execute("SELECT id, record FROM responses WHERE record LIKE %s FOR UPDATE",
                               ('%"submission_key"%',)).fetchall()
            for response_id, text in rows:
                record = load(text)
                if isinstance(record, dict) and "submission_key" in record:
                    del record["submission_key"]
                    cur.execute("UPDATE responses SET record = %s WHERE id = %s", (dump(record), response_id))
                    changed += 1
            done = cur.execute(
                "SELECT d.survey_id, d.id FROM drafts d WHERE d.response_id IS NOT NULL AND EXISTS "
                "(SELECT 1 FROM responses r WHERE r.id = d.response_id) FOR UPDATE OF d").fetchall()
            if done:
                cur.executemany("INSERT INTO submitted_drafts (survey_id, hash) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                                [(survey_id, draft_hash(draft_id)) for survey_id, draft_id in done])
                cur.execute("DELETE FROM drafts WHERE id = ANY(%s::uuid[])", ([draft_id for _, draft_id in done],))
                changed += len(done)
            return changed
        return self.db.run(work)

    def add_response(self, survey_id: str, response: dict) -> str:
        if not valid_id(survey_id):
            raise LookupError(f"invalid survey id {survey_id!r}")
        response_id = new_id()
        record = {**response, "id": response_id}
        self.db.run(lambda cur: cur.execute(
            "INSERT INTO responses (survey_id, id, record) VALUES (%s, %s, %s)",
            (survey_id, response_id, dump(record))))
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
            removed_drafts = 0
            if drafts:      # open drafts and the memory of the submitted ones
                removed_drafts = cur.execute("DELETE FROM drafts WHERE survey_id = %s", (survey_id,)).rowcount
                removed_drafts += cur.execute("DELETE FROM submitted_drafts WHERE survey_id = %s",
                                              (survey_id,)).rowcount
            return len(doomed), removed_drafts
        return self.db.run(work)
