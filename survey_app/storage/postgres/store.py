"""The PostgreSQL adapter: one Store object over one database, made of one part per kind of
data (the same parts as the TinyDB adapter's), all of them going through Database.run.

  users, app_secret                    accounts (with their sessions), the secret key   users.py
  surveys, definitions                 fieldings, every definition version served       surveys.py
  drafts, submitted_drafts             answers still being filled in; submitted (hash)  drafts.py
  responses                            responses, one per draft (submission)            responses.py
  invitations                          personal invitations (hashes, numbers, used)     invitations.py
  workshops, participants, votes       workshops, one vote per participant and run      workshops.py
  consultations, consultation_versions, statements   consultations (issue's branch)     consultations.py
  decision_records                     the evaluator's decision records (issue 16)      decisions.py
  brakes, audit_log                    counters of wrong passwords and codes; audit     brakes.py
  (LISTEN/NOTIFY)                      workshop changes across app servers              live.py

The tables are made and migrated by schema.upgrade (flask --app survey_app db-upgrade);
Store refuses a database whose schema is older than this code's.
"""
from __future__ import annotations

from survey_app.storage.postgres import schema
from survey_app.storage.postgres.brakes import AuditLog, BrakeStore
from survey_app.storage.postgres.connection import Database, redacted
from survey_app.storage.postgres.consultations import ConsultationStore
from survey_app.storage.postgres.decisions import DecisionRecordStore
from survey_app.storage.postgres.drafts import DraftStore
from survey_app.storage.postgres.invitations import InvitationStore
from survey_app.storage.postgres.live import WorkshopSignalStore
from survey_app.storage.postgres.responses import ResponseStore
from survey_app.storage.postgres.surveys import DefinitionStore, SurveyStore
from survey_app.storage.postgres.transfer import DatabaseTransfer
from survey_app.storage.postgres.users import UserStore
from survey_app.storage.postgres.workshops import WorkshopStore


class SchemaError(RuntimeError):
    """The database lacks tables this code needs: run `flask --app survey_app db-upgrade`."""


class Store(UserStore, SurveyStore, DefinitionStore, DraftStore, ResponseStore, InvitationStore,
            WorkshopStore, ConsultationStore, DecisionRecordStore, BrakeStore, AuditLog, WorkshopSignalStore, DatabaseTransfer):
    """Every kind of data of the app in one PostgreSQL database."""

    def __init__(self, url: str, pool_size: int = 10, upgrade: bool = False):
        self.db = Database(url, max_size=pool_size)
        with self.db.connect() as conn:
            if upgrade:
                schema.upgrade(conn)
            have = schema.current_version(conn)
        if have < schema.LATEST:
            self.db.close()
            raise SchemaError(f"the database {redacted(url)} has schema version {have}, this code needs "
                              f"{schema.LATEST}: run `flask --app survey_app db-upgrade`")

    def close(self) -> None:
        self.stop_listening()
        self.db.close()
