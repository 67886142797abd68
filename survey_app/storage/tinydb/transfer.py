"""Everything in a data folder as records, and a new data folder made from records: the TinyDB
side of storage.copy (flask --app survey_app copy-storage). Records keep their ids, so that
sessions, drafts and responses still point at each other after the copy.

Reads take the lock of each unit as its writers do; an import writes each file once (all its
documents in one atomic write), into a folder that holds no data yet."""
from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from survey_app.storage.ids import valid_id
from survey_app.storage.interface import DamagedDataError
from survey_app.storage.tinydb import submitted
from survey_app.storage.tinydb.decisions import FOLDER as DECISIONS
from survey_app.storage.tinydb.files import Files, make_dirs, write_atomic
from survey_app.storage.tinydb.surveys import version_problem
from survey_app.storage.tinydb.workshops import WORKSHOP_INDEX_KEYS


class DataFolderTransfer:
    """Part of Store."""

    files: Files
    shard_size: int
    WORKSHOP_SHARDS: int
    _consultation_root: Path

    def is_empty(self) -> bool:
        """True when the folder holds no data yet (it may exist, with empty subfolders)."""
        root = self.files.data_dir
        return not root.exists() or not any(p.is_file() and not p.name.endswith(".lock") for p in root.rglob("*"))

    def _all(self, path: Path) -> list[dict]:
        if not path.exists():
            return []
        with self.files.lock(path), self.files.open(path) as db:
            return [dict(doc) for doc in db.all()]

    def export_records(self) -> Iterator[tuple[str, dict]]:
        root = self.files.data_dir
        secret = root / "secret_key"
        if secret.exists():
            yield "secret", {"key": self.secret_key()}
        for user in self._all(root / "users.json"):
            yield "user", user
        surveys = self._all(root / "surveys.json")
        for survey in surveys:
            yield "survey", survey
        for path in sorted((root / "definitions").glob("*/*.yaml")):
            raw = path.read_bytes()
            if version_problem(path, raw) is None:
                yield "definition", {"questionnaire_id": path.parent.name, "content_hash": path.stem,
                                     "text": raw.decode("utf-8")}
        survey_ids = sorted(p.name for p in self.files.survey_root.glob("*") if p.is_dir() and valid_id(p.name))
        for survey_id in survey_ids:
            drafts, damaged = self.read_drafts(survey_id)
            if damaged:
                raise DamagedDataError(f"{damaged} drafts of survey {survey_id} cannot be read: "
                                       "`flask --app survey_app check-data` lists them")
            for draft in drafts:
                yield "draft", {"survey_id": survey_id, "record": draft}
            survey_dir = self.files.survey_dir(survey_id)
            for hash_ in sorted(h for doc in self._all(survey_dir / submitted.NAME) for h in doc.get("hashes", ())):
                yield "submitted", {"survey_id": survey_id, "hash": hash_}
            for response in self.responses(survey_id):
                yield "response", {"survey_id": survey_id, "record": response}
            for invitation in self._all(self.files.survey_dir(survey_id) / "invitations.json"):
                yield "invitation", {"survey_id": survey_id, **invitation}
        for entry in self._all(root / "workshops.json"):
            workshop_id = entry["id"]
            workshop = self.get_workshop(workshop_id)
            if workshop is None:
                continue
            yield "workshop", workshop
            folder = self.files.workshop_dir(workshop_id)
            for path in self._workshop_shards(folder, "participants"):
                for participant in self._all(path):
                    yield "participant", {"workshop_id": workshop_id, "record": participant}
            for run_dir in sorted((folder / "runs").glob("*")):
                if valid_id(run_dir.name):
                    for vote in self.votes(workshop_id, run_dir.name):
                        yield "vote", {"workshop_id": workshop_id, "run": run_dir.name, "record": vote}
        for consultation in self.list_consultations():
            yield "consultation", consultation
            for version in self.consultation_versions(consultation["id"]):
                yield "consultation_version", {"consultation_id": consultation["id"], "record": version}
            for statement in self.statements(consultation["id"]):
                yield "statement", {"consultation_id": consultation["id"], "record": statement}
        for path in sorted((root / DECISIONS).glob("*.json")):
            for key, record in self.list_records(path.stem):
                yield "decision_record", {"kind": path.stem, "key": key, "record": record}
        for event in self.audit_events():
            if event is not None:   # a line cut off by a crash is not copied (check-data lists it)
                yield "audit", event

    def import_records(self, records: Iterable[tuple[str, dict]]) -> None:
        root = self.files.data_dir
        make_dirs(self.files.survey_root)
        tables: dict[Path, list[dict]] = defaultdict(list)     # written once each, at the end
        responses: dict[str, list[dict]] = defaultdict(list)
        submitted_hashes: dict[str, set[str]] = defaultdict(set)
        audit = []
        for kind, record in records:
            if kind == "secret":
                write_atomic(root / "secret_key", record["key"])
                os.chmod(root / "secret_key", 0o600)
            elif kind in ("user", "survey"):
                tables[root / f"{kind}s.json"].append(record)
            elif kind == "definition":
                path = root / "definitions" / record["questionnaire_id"] / f"{record['content_hash']}.yaml"
                make_dirs(path.parent)
                write_atomic(path, record["text"])
            elif kind == "draft":
                survey_dir = self.files.survey_dir_for_write(record["survey_id"])
                tables[survey_dir / "drafts" / f"{record['record']['id']}.json"].append(record["record"])
            elif kind == "submitted":
                submitted_hashes[record["survey_id"]].add(record["hash"])
            elif kind == "response":
                responses[record["survey_id"]].append(record["record"])
            elif kind == "invitation":
                survey_dir = self.files.survey_dir_for_write(record["survey_id"])
                tables[survey_dir / "invitations.json"].append(
                    {key: value for key, value in record.items() if key != "survey_id"})
            elif kind == "workshop":
                folder = self.files.workshop_dir(record["id"])
                make_dirs(folder)
                tables[folder / "workshop.json"].append(record)
                tables[root / "workshops.json"].append({key: record.get(key) for key in WORKSHOP_INDEX_KEYS})
            elif kind == "participant":
                folder = self.files.workshop_dir(record["workshop_id"])
                tables[self._workshop_shard(folder, "participants", record["record"]["id"])].append(record["record"])
            elif kind == "vote":
                run_dir = self._run_dir(record["workshop_id"], record["run"])
                make_dirs(run_dir)
                vote = record["record"]
                tables[self._workshop_shard(run_dir, "votes", vote["participant"])].append(vote)
            elif kind == "consultation":
                tables[self._consultation_root / record["id"] / "consultation.json"].append(record)
            elif kind == "consultation_version":
                tables[self._consultation_root / record["consultation_id"] / "versions.json"].append(record["record"])
            elif kind == "statement":
                statement = record["record"]
                tables[self._consultation_root / record["consultation_id"] / "statements"
                       / f"{statement['organisation']}.json"].append(statement)
            elif kind == "decision_record":
                tables[root / DECISIONS / f"{record['kind']}.json"].append({"key": record["key"], "record": record["record"]})
            elif kind == "audit":
                audit.append(record)
            else:
                raise ValueError(f"unknown kind of record: {kind!r}")
        for survey_id, stored in responses.items():
            survey_dir = self.files.survey_dir_for_write(survey_id)
            for number, start in enumerate(range(0, len(stored), self.shard_size), start=1):
                tables[survey_dir / f"responses-{number:06d}.json"] = stored[start:start + self.shard_size]
        for survey_id, hashes in submitted_hashes.items():   # one document per survey, sorted
            tables[self.files.survey_dir_for_write(survey_id) / submitted.NAME] = [{"hashes": sorted(hashes)}]
        for path, docs in tables.items():
            make_dirs(path.parent)
            with self.files.lock(path), self.files.open(path) as db:
                db.insert_multiple(docs)
        if audit:
            with open(self.audit_path, "a", encoding="utf-8") as f:
                for event in audit:
                    f.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
                f.flush()
                os.fsync(f.fileno())
