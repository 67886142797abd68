"""Surveys (fieldings) and the kept versions of questionnaire definitions (tables surveys,
definitions)."""
from __future__ import annotations

import hashlib
import logging

from psycopg import errors

from survey_app.fieldings.model import Fielding
from survey_app.storage.ids import new_id, now, valid_definition_version, valid_id
from survey_app.storage.interface import DuplicateError
from survey_app.storage.postgres.connection import Database, dump, load, one_record, one_value

log = logging.getLogger("survey_app.storage.postgres")


class SurveyStore:
    """Part of Store: one row per survey, its stored record (Fielding.to_record) as jsonb."""

    db: Database

    def add_survey(self, fielding: Fielding) -> Fielding:
        record = {**fielding.to_record(), "id": new_id(), "created_at": now()}
        try:
            self.db.run(lambda cur: cur.execute(
                "INSERT INTO surveys (id, slug, created_at, record) VALUES (%s, %s, %s, %s)",
                (record["id"], record["slug"], record["created_at"], dump(record))))
        except errors.UniqueViolation:
            raise DuplicateError(f"slug already taken: {record['slug']}") from None
        return Fielding.from_record(record)

    def get_survey(self, survey_id: str) -> Fielding | None:
        if not valid_id(survey_id):
            return None
        found = self.db.run(lambda cur: one_record(cur.execute("SELECT record FROM surveys WHERE id = %s", (survey_id,))))
        return Fielding.from_record(found) if found else None

    def find_survey_by_slug(self, slug: str) -> Fielding | None:
        found = self.db.run(lambda cur: one_record(cur.execute("SELECT record FROM surveys WHERE slug = %s", (slug,))))
        return Fielding.from_record(found) if found else None

    def list_surveys(self) -> list[Fielding]:
        rows = self.db.run(lambda cur: cur.execute("SELECT record FROM surveys ORDER BY created_at, seq").fetchall())
        return [Fielding.from_record(load(row[0])) for row in rows]

    def update_survey(self, survey_id: str, **changes) -> Fielding | None:
        if not valid_id(survey_id):
            return None
        changes = {key: value for key, value in changes.items() if key not in ("id", "created_at")}

        def work(cur):
            found = one_record(cur.execute("SELECT record FROM surveys WHERE id = %s FOR UPDATE", (survey_id,)))
            if found is None:
                return None
            new = {**found, **changes}
            cur.execute("UPDATE surveys SET slug = %s, record = %s WHERE id = %s", (new["slug"], dump(new), survey_id))
            return new
        try:
            found = self.db.run(work)
        except errors.UniqueViolation:
            raise DuplicateError(f"slug already taken: {changes.get('slug')}") from None
        return Fielding.from_record(found) if found else None


class DefinitionStore:
    """Part of Store: every questionnaire version that was served, one row each, never changed."""

    db: Database

    def keep_definition_version(self, questionnaire_id: str, content_hash: str, text: str) -> None:
        if not valid_definition_version(questionnaire_id, content_hash):
            return
        self.db.run(lambda cur: cur.execute(
            "INSERT INTO definitions (questionnaire_id, content_hash, text) VALUES (%s, %s, %s) "
            "ON CONFLICT DO NOTHING", (questionnaire_id, content_hash, text)))

    def definition_version(self, questionnaire_id: str, content_hash: str) -> str | None:
        if not valid_definition_version(questionnaire_id, content_hash):
            return None
        text = self.db.run(lambda cur: one_value(cur.execute(
            "SELECT text FROM definitions WHERE questionnaire_id = %s AND content_hash = %s",
            (questionnaire_id, content_hash))))
        if text is not None and hashlib.sha256(text.encode("utf-8")).hexdigest() != content_hash:
            log.error("kept definition version %s/%s does not match its hash", questionnaire_id, content_hash)
            return None
        return text
