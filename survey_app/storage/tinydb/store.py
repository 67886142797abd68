"""The TinyDB adapter: one Store object over a data folder, made of one part per kind of data.

Layout of data_dir:
  secret_key                        Flask secret, mode 0600                        users.py
  users.json, surveys.json          accounts (with their sessions), surveys      users.py, surveys.py
  definitions/<questionnaire-id>/<hash>.yaml   every definition version served   surveys.py
  surveys/<survey_id>/responses-000001.json ...   at most shard_size responses  responses.py
  surveys/<survey_id>/drafts/<draft_id>.json      one in-progress answer set     drafts.py
  surveys/<survey_id>/invitations.json            personal invitations (hashes)  invitations.py
  workshops.json, workshops/<id>/...              workshops, participants, votes workshops.py
  consultations/<id>/...            a consultation, its draft's versions, statements consultations.py
  decisions/<kind>.json             the evaluator's decision records of one kind    decisions.py
  brakes/<purpose>-NN.json          counters of recent wrong passwords and codes brakes.py
  audit.log                         who did what, one JSON line per event       brakes.py

Locks, atomic writes and the damage check are shared by every part (files.py); checks of the
whole folder, the clean-up at start and the snapshot for backups are in maintenance.py.
"""
from __future__ import annotations

import os

from survey_app.storage.tinydb.brakes import AuditLog, BrakeStore
from survey_app.storage.tinydb.consultations import ConsultationStore
from survey_app.storage.tinydb.decisions import DecisionRecordStore
from survey_app.storage.tinydb.drafts import DraftStore
from survey_app.storage.tinydb.files import Files, make_dirs
from survey_app.storage.tinydb.invitations import InvitationStore
from survey_app.storage.tinydb.maintenance import DataFolderMaintenance
from survey_app.storage.tinydb.responses import ResponseStore
from survey_app.storage.tinydb.surveys import DefinitionStore, SurveyStore
from survey_app.storage.tinydb.transfer import DataFolderTransfer
from survey_app.storage.tinydb.users import UserStore
from survey_app.storage.tinydb.workshops import WorkshopStore


class Store(UserStore, SurveyStore, DefinitionStore, DraftStore, ResponseStore, InvitationStore,
            WorkshopStore, ConsultationStore, DecisionRecordStore, BrakeStore, AuditLog, DataFolderMaintenance,
            DataFolderTransfer):
    """Every kind of data of the app in one data folder; each part uses `files`."""

    def __init__(self, data_dir: str | os.PathLike, shard_size: int = 128):
        self.files = Files(data_dir)
        self.shard_size = shard_size
        self._checked = {}
        make_dirs(self.files.survey_root)
