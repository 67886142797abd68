"""Questionnaires uploaded by admins (storage.interface.UploadedQuestionnaires; tables
uploaded_questionnaires and questionnaire_drafts, schema migration 5), so that every app server
serves the same ones. Each change of a published definition takes a new number from the
sequence uploaded_questionnaires_changes: the signature is one indexed query."""
from __future__ import annotations

from survey_app.storage.ids import new_upload_draft_id, valid_upload_draft, valid_upload_name
from survey_app.storage.postgres.connection import Database, dump, load


class QuestionnaireTable:
    """The uploads in one database (Store.uploaded_questionnaires())."""

    def __init__(self, db: Database):
        self.db = db

    def signature(self) -> tuple:
        return self.db.run(lambda cur: tuple(cur.execute(
            "SELECT count(*), coalesce(max(changed), 0) FROM uploaded_questionnaires").fetchone()))

    def published(self) -> list[tuple[str, bytes]]:
        rows = self.db.run(lambda cur: cur.execute(
            'SELECT name, text FROM uploaded_questionnaires ORDER BY name COLLATE "C"').fetchall())
        return [(name, text.encode("utf-8")) for name, text in rows]

    def location(self, name: str) -> str:
        return f"database: uploaded questionnaire {name}"

    def add_draft(self, text: str, about: dict) -> str:
        draft_id = new_upload_draft_id()
        self.db.run(lambda cur: cur.execute("INSERT INTO questionnaire_drafts (id, text, about) VALUES (%s, %s, %s)",
                                            (draft_id, text, dump(about))))
        return draft_id

    def draft(self, draft_id: str) -> tuple[str, dict] | None:
        if not valid_upload_draft(draft_id):
            return None
        row = self.db.run(lambda cur: cur.execute(
            "SELECT text, about FROM questionnaire_drafts WHERE id = %s", (draft_id,)).fetchone())
        return (row[0], load(row[1])) if row else None

    def drafts(self) -> list[tuple[str, str, dict]]:
        rows = self.db.run(lambda cur: cur.execute("SELECT id, text, about FROM questionnaire_drafts ORDER BY id").fetchall())
        return [(draft_id, text, load(about)) for draft_id, text, about in rows]

    def change_draft(self, draft_id: str, text: str, about: dict) -> bool:
        if not valid_upload_draft(draft_id):
            return False

        def work(cur):
            row = cur.execute("SELECT about FROM questionnaire_drafts WHERE id = %s FOR UPDATE", (draft_id,)).fetchone()
            if row is None:
                return False
            cur.execute("UPDATE questionnaire_drafts SET text = %s, about = %s WHERE id = %s",
                        (text, dump({**load(row[0]), **about}), draft_id))
            return True
        return self.db.run(work)

    def discard_draft(self, draft_id: str) -> bool:
        if not valid_upload_draft(draft_id):
            return False
        return self.db.run(lambda cur: cur.execute(
            "DELETE FROM questionnaire_drafts WHERE id = %s", (draft_id,)).rowcount > 0)

    def publish_draft(self, draft_id: str, checked_text: str, name: str) -> bool:
        if not valid_upload_name(name):
            raise ValueError(f"not the file name of a questionnaire: {name!r}")
        if not valid_upload_draft(draft_id):
            return False

        def work(cur):
            row = cur.execute("SELECT text FROM questionnaire_drafts WHERE id = %s FOR UPDATE", (draft_id,)).fetchone()
            if row is None or row[0] != checked_text:
                return False
            cur.execute("DELETE FROM questionnaire_drafts WHERE id = %s", (draft_id,))
            cur.execute("INSERT INTO uploaded_questionnaires (name, text, changed) "
                        "VALUES (%s, %s, nextval('uploaded_questionnaires_changes')) "
                        "ON CONFLICT (name) DO UPDATE SET text = EXCLUDED.text, changed = EXCLUDED.changed",
                        (name, row[0]))
            return True
        return self.db.run(work)


class QuestionnaireStore:
    """Part of Store."""

    db: Database

    def uploaded_questionnaires(self) -> QuestionnaireTable:
        if getattr(self, "_uploads", None) is None:
            self._uploads = QuestionnaireTable(self.db)
        return self._uploads
