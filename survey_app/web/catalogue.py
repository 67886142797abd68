"""The questionnaire catalogue of a running app.

Shipped definitions are read (never written) from QUESTIONNAIRE_DIR in the checkout or package;
definitions that admins upload are written into <DATA_DIR>/questionnaires/, so that the data
folder holds everything a backup needs. The catalogue reads both; an id defined in both is a
problem of the uploaded file, which stays out.

Definitions are re-read when a file in either folder changes, so an admin who fixes
a YAML file sees the result without restarting; a broken file never hides the others.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import replace
from pathlib import Path

from flask import Flask, current_app

from survey_app.definitions.model import Questionnaire
from survey_app.definitions.questionnaire import Catalogue
from survey_app.definitions.loader import Problem
from survey_app.definitions.questionnaire import load_bytes, load_folder
from survey_app.storage.tinydb.files import make_dirs, write_atomic
from survey_app.definitions.versions import Change, breaking_changes

UPLOADS = "questionnaires"  # the folder for uploaded definitions, inside the data folder


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

    def taken(self, questionnaire_id: str) -> bool:
        """An id a new upload may not use: loaded, or the name of a file in either folder."""
        return questionnaire_id in self.catalogue().questionnaires or any(
            (folder / f"{questionnaire_id}{suffix}").exists()
            for folder in (self.shipped, self.uploads) for suffix in (".yaml", ".yml"))

    def add(self, name: str, text: str) -> Path:
        """Write a new, already validated definition into the uploads folder (never replaces one)."""
        target = self.uploads / name
        if target.exists() or (self.shipped / name).exists():
            raise FileExistsError(target)
        make_dirs(self.uploads)
        write_atomic(target, text)
        return target


def init_app(app: Flask) -> None:
    app.extensions["survey_definitions"] = DefinitionFolder(app.config["QUESTIONNAIRE_DIR"],
                                                            Path(app.config["DATA_DIR"]) / UPLOADS)


def definition_folder() -> DefinitionFolder:
    return current_app.extensions["survey_definitions"]


def get_catalogue() -> Catalogue:
    return definition_folder().catalogue()


def get_questionnaire(questionnaire_id: str) -> Questionnaire | None:
    return get_catalogue().questionnaires.get(questionnaire_id)


def add_definition_file(name: str, text: str) -> Path:
    """Write a new, already validated definition into the data folder (never replaces one)."""
    return definition_folder().add(name, text)


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
