"""The questionnaire catalogue of a running app.

Shipped definitions are read (never written) from QUESTIONNAIRE_DIR in the checkout or package;
definitions that admins publish are kept by the storage (storage.interface.UploadedQuestionnaires:
files in <DATA_DIR>/questionnaires/ with the data folder, so that it holds everything a backup
needs; tables in PostgreSQL, so that every app server serves the same ones). The catalogue
reads both; an id defined in both is a problem of the uploaded definition, which stays out.

An upload is first kept as a draft (the definition text and who uploaded it when), which the
catalogue does not read: admins review, correct and preview it, then publish it (only then it is
served and gets its survey) or discard it. A draft with the id of a published upload is its next
version; the live version keeps serving until the draft is published over it.

Definitions are re-read when a shipped file or a published upload changes (the storage's
signature), so an admin who fixes a YAML file sees the result without restarting; a broken file
never hides the others.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask, current_app

from survey_app.definitions.model import Questionnaire
from survey_app.definitions.questionnaire import Catalogue
from survey_app.definitions.loader import ERROR, WARNING, Problem
from survey_app.definitions.questionnaire import load_bytes, load_folder
from survey_app.definitions.versions import Change, breaking_changes
from survey_app.storage.interface import UploadedQuestionnaires

# Why a draft cannot be published (the view words them)
SHIPPED, FILE_EXISTS = "shipped", "file_exists"
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Draft:
    id: str
    text: str
    about: dict   # uploaded_by, uploaded_at (UTC), file, importer, notes; changed_by, changed_at


@dataclass(frozen=True)
class Publishing:
    """What publishing a draft with a given questionnaire id would do."""
    target: str | None = None               # the name it is published as ("<id>.yaml")
    replaces: Questionnaire | None = None   # the live version it replaces
    refused: str | None = None              # SHIPPED or FILE_EXISTS


def _signature(folder: Path) -> tuple:
    if not folder.is_dir():
        return ()
    return tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(folder.iterdir())
        if p.suffix in SUFFIXES
    )


def load_uploads(uploads: UploadedQuestionnaires, published: list[tuple[str, bytes]] | None = None) -> Catalogue:
    """The published uploads as a catalogue (like load_folder); problems name where each is kept."""
    catalogue = Catalogue()
    for name, raw in uploads.published() if published is None else published:
        questionnaire, problems = load_bytes(raw, name)
        where = uploads.location(name)
        catalogue.problems.extend(replace(p, file=where) for p in problems if p.severity == ERROR)
        catalogue.warnings.extend(replace(p, file=where) for p in problems if p.severity == WARNING)
        if questionnaire is None:
            continue
        other = catalogue.questionnaires.get(questionnaire.id)
        if other is not None:
            catalogue.problems.append(Problem(where, "id", f'questionnaire id "{questionnaire.id}" is already used '
                                                           f"by {other.source}"))
            continue
        catalogue.questionnaires[questionnaire.id] = questionnaire
    return catalogue


class DefinitionFolder:
    def __init__(self, shipped: str | Path, uploads: Callable[[], UploadedQuestionnaires]):
        self.shipped = Path(shipped)
        self._uploads = uploads       # called on use: the app's storage may be opened late
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._catalogue = Catalogue()
        self._sources: dict[str, tuple[str, bytes | None]] = {}   # id -> (file name, bytes of an upload)

    @property
    def uploads(self) -> UploadedQuestionnaires:
        return self._uploads()

    def _current_signature(self) -> tuple:
        return _signature(self.shipped), self.uploads.signature()

    def catalogue(self) -> Catalogue:
        signature = self._current_signature()
        with self._lock:
            if signature != self._signature:
                self._catalogue, self._sources = self._load()
                self._signature = signature
            return self._catalogue

    def _load(self) -> tuple[Catalogue, dict[str, tuple[str, bytes | None]]]:
        catalogue = load_folder(self.shipped)
        sources = {q.id: (q.source, None) for q in catalogue.questionnaires.values()}
        published = self.uploads.published()
        uploaded = load_uploads(self.uploads, published)
        catalogue.problems += uploaded.problems
        catalogue.warnings += uploaded.warnings
        for questionnaire in uploaded.questionnaires.values():
            shipped = catalogue.questionnaires.get(questionnaire.id)
            if shipped is not None:
                catalogue.problems.append(Problem(
                    self.uploads.location(questionnaire.source), "id",
                    f'questionnaire id "{questionnaire.id}" is already used by the shipped file {shipped.source}; '
                    "this uploaded file is left out"))
                continue
            catalogue.questionnaires[questionnaire.id] = questionnaire
            sources[questionnaire.id] = (questionnaire.source, dict(published)[questionnaire.source])
        return catalogue, sources

    def raw_of(self, questionnaire_id: str) -> bytes | None:
        """The bytes the loaded questionnaire `questionnaire_id` came from (None: gone meanwhile)."""
        self.catalogue()
        found = self._sources.get(questionnaire_id)
        if found is None:
            return None
        name, uploaded = found
        if uploaded is not None:
            return uploaded
        try:
            return (self.shipped / name).read_bytes()
        except OSError:
            return None

    def publishing(self, questionnaire_id: str) -> Publishing:
        """Where a draft with this id would be published: over the live uploaded version, as a
        new definition, or not at all (the id of a shipped questionnaire, or of a file in either
        place that does not load)."""
        live = self.catalogue().questionnaires.get(questionnaire_id)
        found = self._sources.get(questionnaire_id)
        if live is not None and found is not None:
            name, uploaded = found
            return Publishing(name, live) if uploaded is not None else Publishing(refused=SHIPPED)
        names = {f"{questionnaire_id}{suffix}" for suffix in SUFFIXES}
        if any((self.shipped / name).exists() for name in names) or names & {n for n, _ in self.uploads.published()}:
            return Publishing(refused=FILE_EXISTS)
        return Publishing(f"{questionnaire_id}.yaml")

    # -- drafts ------------------------------------------------------------------

    def add_draft(self, text: str, **about) -> str:
        """Keep an uploaded definition as a new draft; returns its id."""
        return self.uploads.add_draft(text, {**about, "uploaded_at": _now()})

    def draft(self, draft_id: str) -> Draft | None:
        found = self.uploads.draft(draft_id or "")
        return Draft(draft_id, *found) if found else None

    def list_drafts(self) -> list[Draft]:
        """Every draft, the latest upload first."""
        found = [Draft(*draft) for draft in self.uploads.drafts()]
        return sorted(found, key=lambda d: str(d.about.get("uploaded_at", "")), reverse=True)

    def change_draft(self, draft_id: str, text: str, **about) -> bool:
        """Replace a draft's text (corrected on its page); False when it is gone."""
        return self.uploads.change_draft(draft_id, text, {**about, "changed_at": _now()})

    def discard_draft(self, draft_id: str) -> bool:
        return self.uploads.discard_draft(draft_id)

    def publish_draft(self, draft_id: str, checked_text: str, target: str) -> bool:
        """Publish the draft as `target` (the live definition's name, or a new one) and remove
        the draft; False when it is gone or was changed since it was checked as `checked_text`."""
        return self.uploads.publish_draft(draft_id, checked_text, target)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def init_app(app: Flask) -> None:
    from survey_app.web.db import get_store

    app.extensions["survey_definitions"] = DefinitionFolder(app.config["QUESTIONNAIRE_DIR"],
                                                            lambda: get_store(app).uploaded_questionnaires())


def definition_folder() -> DefinitionFolder:
    return current_app.extensions["survey_definitions"]


def get_catalogue() -> Catalogue:
    return definition_folder().catalogue()


def get_questionnaire(questionnaire_id: str) -> Questionnaire | None:
    return get_catalogue().questionnaires.get(questionnaire_id)


def keep_versions(store, catalogue: Catalogue) -> None:
    """Keep the text of every valid definition version in the storage."""
    for questionnaire in catalogue.questionnaires.values():
        raw = definition_folder().raw_of(questionnaire.id) or b""   # b"": removed since; the next load tries
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
