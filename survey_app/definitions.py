"""The questionnaire catalogue of a running app.

Definitions are re-read when a file in the folder changes, so an admin who fixes
a YAML file sees the result without restarting; a broken file never hides the others.
"""
from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app

from .questionnaire import Catalogue, Questionnaire, load_folder
from .store import write_atomic


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
