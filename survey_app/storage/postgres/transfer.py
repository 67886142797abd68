"""Everything in the database as records, and an empty database filled from records: the
PostgreSQL side of storage.copy (flask --app survey_app copy-storage). Records keep their ids.

The export reads in one REPEATABLE READ transaction, so it is one consistent moment even while
the app runs; the import is one transaction: a copy that fails leaves the database empty."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from survey_app.storage.postgres.connection import Database, dump, load

TABLES = ("app_secret", "users", "surveys", "definitions", "drafts", "submitted_drafts", "responses", "invitations",
          "workshops", "participants", "votes", "audit_log", "consultations", "consultation_versions", "statements",
          "decision_records")


class DatabaseTransfer:
    """Part of Store."""

    db: Database

    def is_empty(self) -> bool:
        """True when no table holds a row (brakes aside: they are disposable)."""
        return self.db.run(lambda cur: not any(
            cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0] for table in TABLES))

    def export_records(self) -> Iterator[tuple[str, dict]]:
        with self.db.connect() as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cur = conn.cursor()
            for (key,) in cur.execute("SELECT key FROM app_secret").fetchall():
                yield "secret", {"key": key}
            for (record,) in cur.execute("SELECT record FROM users ORDER BY id").fetchall():
                yield "user", load(record)
            for (record,) in cur.execute("SELECT record FROM surveys ORDER BY created_at, seq").fetchall():
                yield "survey", load(record)
            for qid, content_hash, text in cur.execute(
                    "SELECT questionnaire_id, content_hash, text FROM definitions ORDER BY 1, 2").fetchall():
                yield "definition", {"questionnaire_id": qid, "content_hash": content_hash, "text": text}
            for survey_id, record in cur.execute("SELECT survey_id, record FROM drafts ORDER BY survey_id, id"):
                yield "draft", {"survey_id": survey_id, "record": load(record)}
            for survey_id, hash_ in cur.execute("SELECT survey_id, hash FROM submitted_drafts ORDER BY survey_id, hash"):
                yield "submitted", {"survey_id": survey_id, "hash": hash_}
            for survey_id, record in cur.execute("SELECT survey_id, record FROM responses ORDER BY survey_id, seq"):
                yield "response", {"survey_id": survey_id, "record": load(record)}
            for survey_id, hash_, number, used in cur.execute(
                    "SELECT survey_id, hash, number, used FROM invitations ORDER BY survey_id, number"):
                yield "invitation", {"survey_id": survey_id, "hash": hash_, "number": number, "used": used}
            workshops = cur.execute("SELECT id, record FROM workshops ORDER BY created_at, id").fetchall()
            for workshop_id, record in workshops:
                yield "workshop", load(record)
                for (participant,) in cur.execute(
                        "SELECT record FROM participants WHERE workshop_id = %s ORDER BY id", (workshop_id,)).fetchall():
                    yield "participant", {"workshop_id": workshop_id, "record": load(participant)}
                for run, vote in cur.execute(
                        "SELECT run, record FROM votes WHERE workshop_id = %s ORDER BY run, participant",
                        (workshop_id,)).fetchall():
                    yield "vote", {"workshop_id": workshop_id, "run": run, "record": load(vote)}
            for (event,) in cur.execute("SELECT event FROM audit_log ORDER BY seq"):
                yield "audit", load(event)
            consultations = cur.execute("SELECT id, record FROM consultations ORDER BY seq").fetchall()
            for consultation_id, record in consultations:
                yield "consultation", load(record)
                for (version,) in cur.execute("SELECT record FROM consultation_versions WHERE consultation_id = %s "
                                              "ORDER BY number", (consultation_id,)).fetchall():
                    yield "consultation_version", {"consultation_id": consultation_id, "record": load(version)}
                for (statement,) in cur.execute("SELECT record FROM statements WHERE consultation_id = %s AND "
                                                "record IS NOT NULL ORDER BY organisation",
                                                (consultation_id,)).fetchall():
                    yield "statement", {"consultation_id": consultation_id, "record": load(statement)}
            for kind, key, record in cur.execute("SELECT kind, key, record FROM decision_records WHERE record IS NOT "
                                                 'NULL ORDER BY kind, key COLLATE "C"').fetchall():
                yield "decision_record", {"kind": kind, "key": key, "record": load(record)}
            conn.rollback()

    def import_records(self, records: Iterable[tuple[str, dict]]) -> None:
        def work(cur):
            for kind, record in records:
                if kind == "secret":
                    cur.execute("INSERT INTO app_secret (key) VALUES (%s)", (record["key"],))
                elif kind == "user":
                    cur.execute("INSERT INTO users (id, username_key, record) VALUES (%s, %s, %s)",
                                (record["id"], record["username"].casefold(), dump(record)))
                elif kind == "survey":
                    cur.execute("INSERT INTO surveys (id, slug, created_at, record) VALUES (%s, %s, %s, %s)",
                                (record["id"], record["slug"], record["created_at"], dump(record)))
                elif kind == "definition":
                    cur.execute("INSERT INTO definitions (questionnaire_id, content_hash, text) VALUES (%s, %s, %s)",
                                (record["questionnaire_id"], record["content_hash"], record["text"]))
                elif kind == "draft":
                    draft = record["record"]
                    cur.execute("INSERT INTO drafts (survey_id, id, response_id, record) VALUES (%s, %s, %s, %s)",
                                (record["survey_id"], draft["id"], draft.get("response_id"), dump(draft)))
                elif kind == "submitted":
                    cur.execute("INSERT INTO submitted_drafts (survey_id, hash) VALUES (%s, %s)",
                                (record["survey_id"], record["hash"]))
                elif kind == "response":
                    response = record["record"]
                    cur.execute("INSERT INTO responses (survey_id, id, record) VALUES (%s, %s, %s)",
                                (record["survey_id"], response["id"], dump(response)))
                elif kind == "invitation":      # a day of use (used_on) is not kept: the check tells
                    cur.execute("INSERT INTO invitations (survey_id, hash, number, used) VALUES (%s, %s, %s, %s)",
                                (record["survey_id"], record["hash"], record["number"], bool(record["used"])))
                elif kind == "workshop":
                    cur.execute("INSERT INTO workshops (id, join_code, created_at, version, record) "
                                "VALUES (%s, %s, %s, %s, %s)", (record["id"], record["join_code"], record["created_at"],
                                                                record["version"], dump(record)))
                elif kind == "participant":
                    cur.execute("INSERT INTO participants (workshop_id, id, record) VALUES (%s, %s, %s)",
                                (record["workshop_id"], record["record"]["id"], dump(record["record"])))
                elif kind == "vote":
                    vote = record["record"]
                    cur.execute("INSERT INTO votes (workshop_id, run, participant, record) VALUES (%s, %s, %s, %s)",
                                (record["workshop_id"], record["run"], vote["participant"], dump(vote)))
                elif kind == "audit":
                    cur.execute("INSERT INTO audit_log (event) VALUES (%s)", (dump(record),))
                elif kind == "consultation":
                    cur.execute("INSERT INTO consultations (id, created_at, record) VALUES (%s, %s, %s)",
                                (record["id"], record["created_at"], dump(record)))
                elif kind == "consultation_version":
                    cur.execute("INSERT INTO consultation_versions (consultation_id, number, record) "
                                "VALUES (%s, %s, %s)", (record["consultation_id"], record["record"]["number"],
                                                        dump(record["record"])))
                elif kind == "statement":
                    cur.execute("INSERT INTO statements (consultation_id, organisation, record) VALUES (%s, %s, %s)",
                                (record["consultation_id"], record["record"]["organisation"], dump(record["record"])))
                elif kind == "decision_record":
                    cur.execute("INSERT INTO decision_records (kind, key, version, record) VALUES (%s, %s, %s, %s)",
                                (record["kind"], record["key"], record["record"]["version"], dump(record["record"])))
                else:
                    raise ValueError(f"unknown kind of record: {kind!r}")
        self.db.run(work)
