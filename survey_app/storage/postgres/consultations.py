"""Consultations with the versions of their draft and the organisations' statements (tables
consultations, consultation_versions, statements; schema migration 2).

A version's number is part of its primary key and is given under the consultation's row lock,
so two versions made at once never share one and each is made from the one before it; a
statement is one row per (consultation, organisation), changed under its row lock."""
from __future__ import annotations

from typing import Callable

from psycopg import errors

from survey_app.storage.ids import new_id, now, valid_id
from survey_app.storage.postgres.connection import Database, dump, load, one_record


class ConsultationStore:
    """Part of Store."""

    db: Database

    def add_consultation(self, record: dict) -> dict:
        consultation = {**record, "id": new_id(), "created_at": now()}
        self.db.run(lambda cur: cur.execute(
            "INSERT INTO consultations (id, created_at, record) VALUES (%s, %s, %s)",
            (consultation["id"], consultation["created_at"], dump(consultation))))
        return consultation

    def get_consultation(self, consultation_id: str) -> dict | None:
        if not valid_id(consultation_id):
            return None
        return self.db.run(lambda cur: one_record(cur.execute(
            "SELECT record FROM consultations WHERE id = %s", (consultation_id,))))

    def list_consultations(self) -> list[dict]:
        rows = self.db.run(lambda cur: cur.execute(
            "SELECT record FROM consultations ORDER BY created_at, seq").fetchall())
        return [load(row[0]) for row in rows]

    def change_consultation(self, consultation_id: str, change: Callable[[dict], dict]) -> dict | None:
        if not valid_id(consultation_id):
            return None

        def work(cur):
            old = one_record(cur.execute("SELECT record FROM consultations WHERE id = %s FOR UPDATE",
                                         (consultation_id,)))
            if old is None:
                return None
            new = {**change(dict(old)), "id": old["id"], "created_at": old["created_at"]}
            if new != old:
                cur.execute("UPDATE consultations SET record = %s WHERE id = %s", (dump(new), consultation_id))
            return new
        return self.db.run(work)

    def remove_consultation(self, consultation_id: str) -> bool:
        if not valid_id(consultation_id):
            return False
        return self.db.run(lambda cur: cur.execute(
            "DELETE FROM consultations WHERE id = %s", (consultation_id,)).rowcount > 0)

    def add_consultation_version(self, consultation_id: str, make: Callable[[dict | None], dict]) -> dict:
        if not valid_id(consultation_id):
            raise LookupError(f"unknown consultation {consultation_id!r}")

        def work(cur):
            if cur.execute("SELECT 1 FROM consultations WHERE id = %s FOR UPDATE", (consultation_id,)).fetchone() is None:
                raise LookupError(f"unknown consultation {consultation_id!r}")
            latest = one_record(cur.execute(
                "SELECT record FROM consultation_versions WHERE consultation_id = %s ORDER BY number DESC LIMIT 1",
                (consultation_id,)))
            version = {**make(dict(latest) if latest else None), "number": (latest["number"] if latest else 0) + 1,
                       "created_at": now()}
            cur.execute("INSERT INTO consultation_versions (consultation_id, number, record) VALUES (%s, %s, %s)",
                        (consultation_id, version["number"], dump(version)))
            return version
        return self.db.run(work)

    def consultation_versions(self, consultation_id: str) -> list[dict]:
        if not valid_id(consultation_id):
            return []
        rows = self.db.run(lambda cur: cur.execute(
            "SELECT record FROM consultation_versions WHERE consultation_id = %s ORDER BY number",
            (consultation_id,)).fetchall())
        return [load(row[0]) for row in rows]

    def change_statement(self, consultation_id: str, organisation_id: str,
                         change: Callable[[dict | None], dict]) -> dict:
        if not (valid_id(consultation_id) and valid_id(organisation_id)):
            raise LookupError(f"unknown consultation or invalid organisation: {consultation_id!r} {organisation_id!r}")

        def work(cur):
            # The consultation's row lock: a statement never outlives a removal half-way.
            if cur.execute("SELECT 1 FROM consultations WHERE id = %s FOR SHARE", (consultation_id,)).fetchone() is None:
                raise LookupError(f"unknown consultation {consultation_id!r}")
            cur.execute("INSERT INTO statements (consultation_id, organisation, record) VALUES (%s, %s, NULL) "
                        "ON CONFLICT DO NOTHING", (consultation_id, organisation_id))
            old = one_record(cur.execute(
                "SELECT record FROM statements WHERE consultation_id = %s AND organisation = %s FOR UPDATE",
                (consultation_id, organisation_id)))
            new = {**change(dict(old) if old else None), "organisation": organisation_id}
            if new != old:
                cur.execute("UPDATE statements SET record = %s WHERE consultation_id = %s AND organisation = %s",
                            (dump(new), consultation_id, organisation_id))
            return new
        try:
            return self.db.run(work)
        except errors.ForeignKeyViolation:
            raise LookupError(f"unknown consultation {consultation_id!r}") from None

    def get_statement(self, consultation_id: str, organisation_id: str) -> dict | None:
        if not (valid_id(consultation_id) and valid_id(organisation_id)):
            return None
        return self.db.run(lambda cur: one_record(cur.execute(
            "SELECT record FROM statements WHERE consultation_id = %s AND organisation = %s AND record IS NOT NULL",
            (consultation_id, organisation_id))))

    def statements(self, consultation_id: str) -> list[dict]:
        if not valid_id(consultation_id):
            return []
        rows = self.db.run(lambda cur: cur.execute(
            "SELECT record FROM statements WHERE consultation_id = %s AND record IS NOT NULL ORDER BY organisation",
            (consultation_id,)).fetchall())
        return [load(row[0]) for row in rows]
