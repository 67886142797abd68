"""The data folder of the TinyDB adapter: its layout, locks, atomic writes and the check that a
file holds what the app wrote (shared by every part of the store; the only TinyDB importer
besides the parts in this package).

TinyDB is safe neither for threads nor for processes, so every unit of work
  1. takes a cross-process file lock (one per unit: users, surveys, one per survey, ...),
  2. opens a fresh TinyDB (a long-lived one caches queries and next ids),
  3. writes through AtomicJSONStorage (temp file, fsync, rename, fsync dir).
Reads take the lock too. Business ids are uuid4 strings, never TinyDB doc ids.

A file that does not hold what this package wrote (cut off, not JSON, not a TinyDB table of the
expected documents) raises DamagedFileError when read and is never written over: a write reads
the file first, so it stops there too. It is logged once per process.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from filelock import FileLock, Timeout
from tinydb import Query, TinyDB
from tinydb.storages import Storage

from survey_app.storage.ids import new_id, now, valid_id  # noqa: F401 (used by every part)
from survey_app.storage.interface import DamagedDataError

# Waiting longer than this for a lock means something is stuck; fail loudly instead of hanging.
LOCK_TIMEOUT = 30
SHARD_RE = re.compile(r"^responses-(\d{6})\.json$")
# write_atomic's temporary files: "." + name + "." + 8 random characters (tempfile's) + ".tmp"
TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")

log = logging.getLogger("survey_app.storage.tinydb.store")


@dataclass(frozen=True)
class FileProblem:
    """What is wrong with one file of the data folder."""
    path: Path
    kind: str      # EMPTY, SYNTAX, SHAPE, CONTENT or TEMP
    detail: str = ""

    @property
    def reason(self) -> str:
        text = _PROBLEM_TEXTS[self.kind]
        return f"{text}: {self.detail}" if self.detail else text

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


EMPTY, SYNTAX, SHAPE, CONTENT, TEMP = "empty", "syntax", "shape", "content", "temp"
_PROBLEM_TEXTS = {
    EMPTY: "holds no data (0 bytes): the file was cut off",
    SYNTAX: "is not valid JSON (cut off or changed by hand)",
    SHAPE: "does not hold the expected table",
    CONTENT: "does not match the checksum in its name",
    TEMP: "temporary file left by an interrupted write (safe to delete; removed at the next start)",
}


def owner_of(data_dir: Path, path: Path) -> tuple[str, str] | None:
    """("survey", id) or ("workshop", id) when `path` is a file of one survey or workshop."""
    try:
        parts = Path(path).relative_to(data_dir).parts
    except ValueError:
        return None
    if len(parts) >= 3 and parts[0] in ("surveys", "workshops") and valid_id(parts[1]):
        return ("survey" if parts[0] == "surveys" else "workshop"), parts[1]
    return None


class DamagedFileError(DamagedDataError):
    """A data file does not hold what the app wrote there; nothing was written to it."""

    def __init__(self, problem: FileProblem, data_dir: Path | None = None):
        super().__init__(str(problem))
        self.problem = problem
        self.data_dir = data_dir  # set by Files.open: what the file belongs to follows from it

    @property
    def path(self) -> Path:
        return self.problem.path

    @property
    def owner(self) -> tuple[str, str] | None:
        return owner_of(self.data_dir, self.path) if self.data_dir else None

    @property
    def draft(self) -> bool:
        return self.owner is not None and self.path.parent.name == "drafts"

    @property
    def location(self) -> str:
        return os.path.relpath(self.path, self.data_dir) if self.data_dir else str(self.path)


# Which documents each kind of table file holds: required keys, and whether it holds exactly one.
_TABLE_KEYS = {
    "users.json": ("id", "username", "password_hash", "role", "created_at"),
    "surveys.json": ("id", "slug", "questionnaire_id", "created_at"),
    "workshops.json": ("id", "join_code", "created_at"),
    "invitations.json": ("hash", "used"),
    "submitted.json": ("hashes",),
    "workshop.json": ("id", "version", "created_at"),
    "consultation.json": ("id", "created_at"),
    "versions.json": ("number", "created_at"),
}
_SHARDED_KEYS = ((SHARD_RE, ("id",)), (re.compile(r"^participants-\d\d\.json$"), ("id",)),
                 (re.compile(r"^votes-\d\d\.json$"), ("id", "participant")))


def _expected_documents(path: Path) -> tuple[tuple[str, ...], bool]:
    """(required keys of every document, exactly one document) for a table file."""
    if path.parent.name == "drafts":
        return ("id", "status", "answers"), True
    if path.name in ("workshop.json", "consultation.json"):
        return _TABLE_KEYS[path.name], True
    if path.parent.name == "statements":
        return ("organisation", "status"), True
    if path.parent.name == "decisions":
        return ("key", "record"), False
    for pattern, keys in _SHARDED_KEYS:
        if pattern.match(path.name):
            return keys, False
    return _TABLE_KEYS.get(path.name, ()), False


def parse_table(path: Path, raw: bytes) -> dict:
    """The TinyDB tables stored in `raw` (the bytes of `path`); DamagedFileError if it is not
    a TinyDB file of the documents expected there."""
    def damaged(kind: str, detail: str = "") -> DamagedFileError:
        return DamagedFileError(FileProblem(path, kind, detail))

    if not raw.strip():
        raise damaged(EMPTY)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise damaged(SYNTAX, str(error)) from None
    if not isinstance(data, dict):
        raise damaged(SHAPE, "not a JSON object of tables")
    required, single = _expected_documents(path)
    keys = frozenset(required)
    for name, table in data.items():
        if not isinstance(table, dict):
            raise damaged(SHAPE, f"table {name!r} is not a JSON object")
        for doc_id, doc in table.items():
            if not (isinstance(doc, dict) and doc_id.isdigit()):
                raise damaged(SHAPE, f"entry {doc_id!r} of table {name!r} is not a numbered document")
            if not keys.issubset(doc.keys()):
                missing = [key for key in required if key not in doc]
                raise damaged(SHAPE, f"document {doc_id} lacks {', '.join(missing)}")
    if single and len(data.get("_default", {})) != 1:
        raise damaged(SHAPE, f"{len(data.get('_default', {}))} documents instead of one")
    if path.parent.name == "drafts" and not isinstance(next(iter(data["_default"].values()))["answers"], dict):
        raise damaged(SHAPE, "the answers are not a JSON object")
    return data


# Paths (with their size and time) whose damage this process has logged: each is logged once.
_logged: set[tuple[str, int, int]] = set()


def log_damage(problem: FileProblem) -> None:
    try:
        stat = problem.path.stat()
        key = (str(problem.path), stat.st_size, stat.st_mtime_ns)
    except OSError:
        key = (str(problem.path), -1, -1)
    if key not in _logged:
        _logged.add(key)
        log.error("damaged data file %s (nothing was written to it; "
                  "`flask --app survey_app check-data` lists every damaged file)", problem)


def sync(fd: int) -> None:
    """os.fsync. Under gevent (gunicorn's gevent workers) it waits in a thread of gevent's
    pool, so that the worker process serves its other requests while the disk works (a sync
    takes milliseconds, and a room of phones voting at once asks for many)."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("socket"):
        import gevent

        gevent.get_hub().threadpool.apply(os.fsync, (fd,))
    else:
        os.fsync(fd)


def sync_all(fds: list[int]) -> None:
    """sync() of several files at once: under gevent in parallel threads of gevent's pool, so
    that the file system commits them together instead of one after another."""
    monkey = sys.modules.get("gevent.monkey")
    if len(fds) > 1 and monkey is not None and monkey.is_module_patched("socket"):
        import gevent

        gevent.get_hub().threadpool.map(os.fsync, fds)
    else:
        for fd in fds:
            sync(fd)


def fsync_dir(path: Path) -> None:
    # A rename or a new entry is only durable once its directory is synced.
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        sync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, text: str, sync_dir: bool = True) -> None:
    """Replace `path` with `text` so that readers see the old or the new file, never a mix.
    With sync_dir=False the caller syncs the folder (once after several files)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            sync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if sync_dir:
        fsync_dir(path.parent)


class _Turn:
    """The requests of this process that wait for one lock file, in the order they came."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0


_turns: dict[str, _Turn] = {}
_turns_guard = threading.Lock()


@contextmanager
def _in_turn(key: str, file_lock: FileLock) -> Iterator[None]:
    """Hold `file_lock` (against other processes) after this process's earlier requests for it.
    Only one request of a process polls the lock file; the others wait for their turn without
    polling (under gevent, a room's votes or joins would otherwise each poll every 2 ms, and
    starve the one request that holds the lock while its write is synced)."""
    with _turns_guard:
        turn = _turns.setdefault(key, _Turn())
        turn.users += 1
    try:
        if not turn.lock.acquire(timeout=LOCK_TIMEOUT):
            raise Timeout(key)
        try:
            with file_lock:
                yield
        finally:
            turn.lock.release()
    finally:
        with _turns_guard:
            turn.users -= 1
            if turn.users == 0:
                _turns.pop(key, None)


def append_lines(path: Path, lines: list[str]) -> int:
    """Append `lines` (JSON texts without a line break) to the journal `path` in one write and
    return its open descriptor: the caller syncs it (after releasing its lock) before the lines
    count as stored, and closes it. A line cut off by a crash before its sync was never
    acknowledged: it is ended first, so that it cannot swallow the lines after it."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        size = os.fstat(fd).st_size
        ended = size == 0 or _last_byte(path, size) == b"\n"
        data = ("" if ended else "\n").encode() + "".join(line + "\n" for line in lines).encode("utf-8")
        while data:
            data = data[os.write(fd, data):]
    except BaseException:
        os.close(fd)
        raise
    return fd


def _last_byte(path: Path, size: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(size - 1)
        return f.read(1)


def read_lines(path: Path) -> Iterator[Any]:
    """The JSON values of a journal written by append_lines, in order; a line cut off by a
    crash (never acknowledged) is skipped."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return
    for line in raw.split(b"\n"):
        if line.strip():
            try:
                yield json.loads(line)
            except ValueError:
                continue


def journal_problem(path: Path, raw: bytes) -> FileProblem | None:
    """What is wrong with a vote journal: a line that is not a vote. A line cut off by a crash
    (the start of a JSON object) was never acknowledged and is no problem."""
    for number, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            if line.startswith(b'{"'):
                continue
            return FileProblem(path, SYNTAX, f"line {number}")
        if not (isinstance(value, dict) and {"id", "participant"} <= value.keys()):
            return FileProblem(path, SHAPE, f"line {number} is not a vote")
    return None


def make_dirs(path: Path) -> None:
    """Create `path` (and parents) durably."""
    if path.is_dir():
        return
    make_dirs(path.parent)
    path.mkdir(exist_ok=True)
    fsync_dir(path.parent)


class AtomicJSONStorage(Storage):
    """TinyDB storage: whole-file JSON, replaced atomically on every write."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def read(self) -> dict | None:
        # An existing file was written with at least one document: empty means cut off, and
        # raising here (TinyDB reads before every write) keeps a damaged file from being replaced.
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        return parse_table(self.path, raw)

    def write(self, data: dict) -> None:
        write_atomic(self.path, json.dumps(data, ensure_ascii=False))

    def close(self) -> None:
        pass


class Files:
    """The data folder: where each unit lives, its lock, a fresh TinyDB on one of its files."""

    def __init__(self, data_dir: str | os.PathLike):
        self.data_dir = Path(data_dir)
        self.survey_root = self.data_dir / "surveys"

    @staticmethod
    def lock(path: Path):
        # New lock object per use: flock is per open file, so threads and processes both exclude.
        return _in_turn(f"{path}.lock", FileLock(f"{path}.lock", timeout=LOCK_TIMEOUT))

    @staticmethod
    def quick_lock(path: Path):
        # Like lock, but a waiter re-checks every 2 ms instead of filelock's default 50 ms:
        # a full room votes within seconds and each write holds the lock for about a millisecond.
        return _in_turn(f"{path}.lock", FileLock(f"{path}.lock", timeout=LOCK_TIMEOUT, poll_interval=0.002))

    @contextmanager
    def open(self, path: Path, log_it: bool = True) -> Iterator[TinyDB]:
        """A fresh TinyDB on `path`; call only while holding the unit's lock."""
        try:
            with TinyDB(path, storage=AtomicJSONStorage) as db:
                yield db
        except DamagedFileError as error:
            error.data_dir = error.data_dir or self.data_dir
            if log_it:
                log_damage(error.problem)
            raise

    # -- where the units live --------------------------------------------------------

    def survey_dir(self, survey_id: str) -> Path | None:
        return self.survey_root / survey_id if valid_id(survey_id) else None

    def survey_dir_for_write(self, survey_id: str) -> Path:
        survey_dir = self.survey_dir(survey_id)
        if survey_dir is None:
            raise LookupError(f"invalid survey id: {survey_id!r}")
        make_dirs(survey_dir / "drafts")
        return survey_dir

    def draft_path(self, survey_id: str, draft_id: str) -> Path | None:
        survey_dir = self.survey_dir(survey_id)
        if survey_dir is None or not valid_id(draft_id):
            return None
        return survey_dir / "drafts" / f"{draft_id}.json"

    def workshop_dir(self, workshop_id: str) -> Path | None:
        return self.data_dir / "workshops" / workshop_id if valid_id(workshop_id) else None


# -- helpers on an open table --------------------------------------------------------------

def read_one(db: TinyDB) -> dict | None:
    """The document of a one-document file (a draft, a workshop)."""
    docs = db.all()
    return dict(docs[0]) if docs else None


def write_one(db: TinyDB, changes: dict) -> None:
    # One update = one atomic file write (truncate + insert would be two, with a crash window).
    db.update(changes, doc_ids=[doc.doc_id for doc in db.all()])


def replaced_by(new: dict) -> Callable[[dict], None]:
    """A TinyDB update that makes a document `new` (keys it lacks are removed)."""
    def replace(doc: dict) -> None:
        doc.clear()
        doc.update(new)
    return replace


def replace_one(db: TinyDB, new: dict) -> None:
    """Replace the document of a one-document file, in one atomic file write."""
    db.update(replaced_by(new), doc_ids=[doc.doc_id for doc in db.all()])


def update_by_id(db: TinyDB, doc_id: str, changes: dict) -> dict | None:
    cond = Query().id == doc_id
    if db.get(cond) is None:
        return None
    db.update(changes, cond)
    return dict(db.get(cond))
