"""The questionnaire catalogue of a running app.

Definitions are re-read when a file in the folder changes, so an admin who fixes
a YAML file sees the result without restarting; a broken file never hides the others.
"""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from flask import Flask, current_app

from .questionnaire import Catalogue, Questionnaire, load_bytes, load_folder
from .store import write_atomic
from .versions import Change, breaking_changes


class DefinitionFolder:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._catalogue = Catalogue()

    def _current_signature(self) -> tuple:
        if not self.folder.is_dir():
            return ()
        return tuple(
            (p.name, p.stat().st_mtime_ns, p.stat().st_size)
            for p in sorted(self.folder.iterdir())
            if p.suffix in (".yaml", ".yml")
        )

    def catalogue(self) -> Catalogue:
        signature = self._current_signature()
        with self._lock:
            if signature != self._signature:
                self._catalogue = load_folder(self.folder)
                self._signature = signature
            return self._catalogue


def init_app(app: Flask) -> None:
    app.extensions["survey_definitions"] = DefinitionFolder(app.config["QUESTIONNAIRE_DIR"])


def get_catalogue() -> Catalogue:
    return current_app.extensions["survey_definitions"].catalogue()


def get_questionnaire(questionnaire_id: str) -> Questionnaire | None:
    return get_catalogue().questionnaires.get(questionnaire_id)


def add_definition_file(name: str, text: str) -> None:
    """Write a new, already validated definition into the folder (never replaces one)."""
    folder = Path(current_app.config["QUESTIONNAIRE_DIR"])
    target = folder / name
    if target.exists():
        raise FileExistsError(target)
    write_atomic(target, text)


def keep_versions(store, catalogue: Catalogue, folder: str | Path) -> None:
    """Keep the text of every valid definition version in the data folder."""
    for questionnaire in catalogue.questionnaires.values():
        path = Path(folder) / questionnaire.source
        try:
            raw = path.read_bytes()
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
