"""The questionnaire catalogue of a running app.

Shipped definitions are read (never written) from QUESTIONNAIRE_DIR in the checkout or package;
definitions that admins publish are written into <DATA_DIR>/questionnaires/, so that the data
folder holds everything a backup needs. The catalogue reads both; an id defined in both is a
problem of the uploaded file, which stays out.

An upload is first kept as a draft in <DATA_DIR>/questionnaires/drafts/<draft id>/ (the
definition text and who uploaded it when), which the catalogue does not read: admins review,
correct and preview it, then publish it (only then it is served and gets its survey) or
discard it. A draft with the id of a published upload is its next version; the live version
keeps serving until the draft is published over it.

Definitions are re-read when a file in either folder changes, so an admin who fixes
a YAML file sees the result without restarting; a broken file never hides the others.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import yaml
from filelock import FileLock
from flask import Flask, current_app

from survey_app.definitions.model import Questionnaire
from survey_app.definitions.questionnaire import Catalogue
from survey_app.definitions.loader import Problem
from survey_app.definitions.questionnaire import load_bytes, load_folder
from survey_app.storage.tinydb.files import make_dirs, write_atomic
from survey_app.definitions.versions import Change, breaking_changes

UPLOADS = "questionnaires"  # the folder for uploaded definitions, inside the data folder
DRAFTS = "drafts"           # inside UPLOADS: uploaded definitions not published yet
_DRAFT_ID = re.compile(r"[0-9a-f]{16}")
_DRAFT_TEXT, _DRAFT_ABOUT = "definition.yaml", "about.yaml"
# Why a draft cannot be published (the view words them)
SHIPPED, FILE_EXISTS = "shipped", "file_exists"


@dataclass(frozen=True)
class Draft:
    id: str
    text: str
    about: dict   # uploaded_by, uploaded_at (UTC), file, importer, notes; changed_by, changed_at


@dataclass(frozen=True)
class Publishing:
    """What publishing a draft with a given questionnaire id would do."""
    target: Path | None = None              # the file it is written to
    replaces: Questionnaire | None = None   # the live version it replaces
    refused: str | None = None              # SHIPPED or FILE_EXISTS


def _signature(folder: Path) -> tuple:
    if not folder.is_dir():
        return ()
    return tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(folder.iterdir())
        if p.suffix in (".yaml", ".yml")
    )


class DefinitionFolder:
    def __init__(self, shipped: str | Path, uploads: str | Path):
        self.shipped = Path(shipped)
        self.uploads = Path(uploads)
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._catalogue = Catalogue()
        self._paths: dict[str, Path] = {}

    def _current_signature(self) -> tuple:
        return _signature(self.shipped), _signature(self.uploads)

    def catalogue(self) -> Catalogue:
        signature = self._current_signature()
        with self._lock:
            if signature != self._signature:
                self._catalogue, self._paths = self._load()
                self._signature = signature
            return self._catalogue

    def _load(self) -> tuple[Catalogue, dict[str, Path]]:
        catalogue = load_folder(self.shipped)
        paths = {q.id: self.shipped / q.source for q in catalogue.questionnaires.values()}
        if not self.uploads.is_dir():  # nothing uploaded yet (or a data folder from before uploads lived here)
            return catalogue, paths
        uploaded = load_folder(self.uploads)
        # Problems of uploaded files name the whole path: the admin must find the file to fix it.
        catalogue.problems += [replace(p, file=str(self.uploads / p.file)) for p in uploaded.problems]
        catalogue.warnings += [replace(p, file=str(self.uploads / p.file)) for p in uploaded.warnings]
        for questionnaire in uploaded.questionnaires.values():
            shipped = catalogue.questionnaires.get(questionnaire.id)
            if shipped is not None:
                catalogue.problems.append(Problem(
                    str(self.uploads / questionnaire.source), "id",
                    f'questionnaire id "{questionnaire.id}" is already used by the shipped file {shipped.source}; '
                    "this uploaded file is left out"))
                continue
            catalogue.questionnaires[questionnaire.id] = questionnaire
            paths[questionnaire.id] = self.uploads / questionnaire.source
        return catalogue, paths

    def path_of(self, questionnaire_id: str) -> Path | None:
        """The file the loaded questionnaire `questionnaire_id` came from."""
        self.catalogue()
        return self._paths.get(questionnaire_id)

    def publishing(self, questionnaire_id: str) -> Publishing:
        """Where a draft with this id would be published: over the live uploaded version, as a
        new file, or not at all (the id of a shipped questionnaire, or of a file in either
        folder that does not load)."""
        live = self.catalogue().questionnaires.get(questionnaire_id)
        path = self.path_of(questionnaire_id)
        if live is not None and path is not None:
            return Publishing(path, live) if path.parent == self.uploads else Publishing(refused=SHIPPED)
        if any((folder / f"{questionnaire_id}{suffix}").exists()
               for folder in (self.shipped, self.uploads) for suffix in (".yaml", ".yml")):
            return Publishing(refused=FILE_EXISTS)
        return Publishing(self.uploads / f"{questionnaire_id}.yaml")

    # -- drafts ------------------------------------------------------------------

    @property
    def drafts(self) -> Path:
        return self.uploads / DRAFTS

    def _draft_lock(self) -> FileLock:
        make_dirs(self.uploads)
        return FileLock(str(self.uploads / "drafts.lock"), timeout=30)

    def add_draft(self, text: str, **about) -> str:
        """Keep an uploaded definition as a new draft; returns its id."""
        draft_id = secrets.token_hex(8)
        folder = self.drafts / draft_id
        make_dirs(folder)
        write_atomic(folder / _DRAFT_ABOUT, _about_text({**about, "uploaded_at": _now()}))
        write_atomic(folder / _DRAFT_TEXT, text)  # last: a draft without its text is not listed
        return draft_id

    def draft(self, draft_id: str) -> Draft | None:
        if not _DRAFT_ID.fullmatch(draft_id or ""):
            return None
        folder = self.drafts / draft_id
        try:
            text = (folder / _DRAFT_TEXT).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        try:
            about = yaml.load((folder / _DRAFT_ABOUT).read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (OSError, yaml.YAMLError):
            about = None
        return Draft(draft_id, text, about if isinstance(about, dict) else {})

    def list_drafts(self) -> list[Draft]:
        """Every draft, the latest upload first."""
        if not self.drafts.is_dir():
            return []
        found = [self.draft(entry.name) for entry in self.drafts.iterdir() if entry.is_dir()]
        return sorted((d for d in found if d), key=lambda d: str(d.about.get("uploaded_at", "")), reverse=True)

    def change_draft(self, draft_id: str, text: str, **about) -> bool:
        """Replace a draft's text (corrected on its page); False when it is gone."""
        with self._draft_lock():
            draft = self.draft(draft_id)
            if draft is None:
                return False
            folder = self.drafts / draft_id
            write_atomic(folder / _DRAFT_ABOUT, _about_text({**draft.about, **about, "changed_at": _now()}))
            write_atomic(folder / _DRAFT_TEXT, text)
            return True

    def discard_draft(self, draft_id: str) -> bool:
        with self._draft_lock():
            if self.draft(draft_id) is None:
                return False
            shutil.rmtree(self.drafts / draft_id)
            return True

    def publish_draft(self, draft_id: str, checked_text: str, target: Path) -> bool:
        """Write the draft over `target` (the live file, or a new one) and remove the draft;
        False when it is gone or was changed since it was checked as `checked_text`."""
        with self._draft_lock():
            draft = self.draft(draft_id)
            if draft is None or draft.text != checked_text:
                return False
            make_dirs(self.uploads)
            write_atomic(target, draft.text)
            shutil.rmtree(self.drafts / draft_id)
            return True


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _about_text(about: dict) -> str:
    return yaml.safe_dump(about, allow_unicode=True, sort_keys=False)


def init_app(app: Flask) -> None:
    app.extensions["survey_definitions"] = DefinitionFolder(app.config["QUESTIONNAIRE_DIR"],
                                                            Path(app.config["DATA_DIR"]) / UPLOADS)


def definition_folder() -> DefinitionFolder:
    return current_app.extensions["survey_definitions"]


def get_catalogue() -> Catalogue:
    return definition_folder().catalogue()


def get_questionnaire(questionnaire_id: str) -> Questionnaire | None:
    return get_catalogue().questionnaires.get(questionnaire_id)


def keep_versions(store, catalogue: Catalogue) -> None:
    """Keep the text of every valid definition version in the data folder."""
    for questionnaire in catalogue.questionnaires.values():
        path = definition_folder().path_of(questionnaire.id)
        try:
            raw = path.read_bytes() if path else b""
        except OSError:
            continue  # removed since it was loaded; the next load tries again
        if hashlib.sha256(raw).hexdigest() == questionnaire.content_hash:  # not edited meanwhile
            store.keep_definition_version(questionnaire.id, questionnaire.content_hash, raw.decode("utf-8"))


def version_changes(store, questionnaire: Questionnaire, content_hash: str) -> list[Change] | None:
    """What changed in a breaking way since the version `content_hash`; None when that
    version's text was never kept (answered before versions were kept)."""
    if content_hash == questionnaire.content_hash:
        return []
    text = store.definition_version(questionnaire.id, content_hash)
    if text is None:
        return None
    old, _problems = load_bytes(text.encode("utf-8"), questionnaire.source)
    return breaking_changes(old, questionnaire) if old else None
