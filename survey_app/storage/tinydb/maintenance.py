"""The data folder as a whole: checks, clean-up at start, the snapshot a backup is made of
(only this adapter has files to look after)."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Iterator

from survey_app.storage.tinydb.files import (
    EMPTY,
    TEMP,
    TEMP_RE,
    DamagedFileError,
    FileProblem,
    Files,
    log,
    log_damage,
    owner_of,
    journal_problem,
    parse_table,
)
from survey_app.storage.tinydb.surveys import version_problem

# A temporary file this old was left by a killed process; a younger one may be a write in progress.
STALE_TEMP_SECONDS = 60
# Files renamed aside by hand or by older versions (<name>.damaged-<UTC time>) are not checked.
_DAMAGED_ASIDE = ".damaged-"


def _data_files(folder: Path) -> Iterator[Path]:
    """Every file under `folder` except lock files and moved-aside damaged ones, sorted."""
    for current, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".lock") and _DAMAGED_ASIDE not in name:
                yield Path(current) / name


def _check_file(data_dir: Path, path: Path) -> FileProblem | None:
    """What is wrong with one file of the data folder, None if nothing (or unknown to us)."""
    if TEMP_RE.match(path.name):
        try:
            age = time.time() - path.stat().st_mtime
        except FileNotFoundError:
            return None
        return FileProblem(path, TEMP) if age > STALE_TEMP_SECONDS else None
    try:
        raw = path.read_bytes()
    except FileNotFoundError:  # removed since it was listed
        return None
    parts = path.relative_to(data_dir).parts
    if parts[0] == "brakes":
        return None  # disposable counters, written in place: an unreadable one just starts afresh
    if path.suffix == ".json":
        try:
            parse_table(path, raw)
        except DamagedFileError as error:
            return error.problem
    elif path.suffix == ".jsonl":
        return journal_problem(path, raw)
    elif parts == ("secret_key",) or parts[0] == "questionnaires":
        if not raw.strip():
            return FileProblem(path, EMPTY)
    elif parts[0] == "definitions" and path.suffix == ".yaml":
        return version_problem(path, raw)
    return None


def check_data_folder(data_dir: str | os.PathLike) -> tuple[int, list[FileProblem]]:
    """Read every file the app keeps in `data_dir` (tables, drafts, shards, kept definition
    versions, the secret key) and list what is damaged, and temporary files left by killed
    processes. Returns (files checked, problems). Changes nothing."""
    data_dir = Path(data_dir)
    checked, problems = 0, []
    for path in _data_files(data_dir):
        checked += 1
        problem = _check_file(data_dir, path)
        if problem is not None:
            problems.append(problem)
    return checked, problems


class DataFolderMaintenance:
    """Part of Store."""

    files: Files
    _checked: dict[Path, tuple]  # damaged_files: what each file looked like when read

    @property
    def data_dir(self) -> Path:
        return self.files.data_dir

    def owner_of(self, path: Path) -> tuple[str, str] | None:
        return owner_of(self.data_dir, path)

    def remove_stale_temp_files(self) -> list[Path]:
        removed = []
        for path in _data_files(self.data_dir):
            if TEMP_RE.match(path.name) and _check_file(self.data_dir, path) is not None:
                path.unlink(missing_ok=True)
                removed.append(path)
        if removed:
            log.warning("removed %d temporary file(s) left by interrupted writes: %s",
                        len(removed), ", ".join(str(p) for p in removed))
        return removed

    def damaged_files(self) -> list[FileProblem]:
        checked: dict[Path, tuple[tuple, FileProblem | None]] = {}
        problems = []
        earlier = getattr(self, "_checked", {})
        for path in _data_files(self.data_dir):
            if TEMP_RE.match(path.name):
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            signature = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
            found = earlier.get(path)
            if found is None or found[0] != signature:
                found = (signature, _check_file(self.data_dir, path))
            checked[path] = found
            if found[1] is not None:
                log_damage(found[1])
                problems.append(found[1])
        self._checked = checked
        return problems

    def snapshot(self) -> Iterator[tuple[str, bytes]]:
        root = self.data_dir

        def read(paths: list[Path]) -> list[tuple[str, bytes]]:
            found = []
            for path in paths:
                try:
                    found.append((path.relative_to(root).as_posix(), path.read_bytes()))
                except FileNotFoundError:  # removed since it was listed
                    pass
            return found

        def files_in(folder: Path) -> list[Path]:
            return [p for p in _data_files(folder) if not TEMP_RE.match(p.name)]

        def unit_folders(name: str) -> list[Path]:
            return sorted(p for p in (root / name).iterdir() if p.is_dir()) if (root / name).is_dir() else []

        for folder in unit_folders("surveys") + unit_folders("consultations"):
            with self.files.lock(folder):
                found = read(files_in(folder))
            yield from found
        for folder in unit_folders("workshops"):
            for path in files_in(folder):
                with self.files.lock(folder if path == folder / "workshop.json" else path):
                    found = read([path])
                yield from found
        in_units = {folder for name in ("surveys", "workshops", "consultations") for folder in unit_folders(name)}
        others = [p for p in files_in(root) if not in_units.intersection(p.parents)]
        for path in sorted(others, key=lambda p: (p.parent == root, p)):  # top-level tables last
            if path.suffix == ".json" or path.name == "secret_key":
                with self.files.lock(path):
                    found = read([path])
            else:  # written once, atomically, and never changed
                found = read([path])
            yield from found
