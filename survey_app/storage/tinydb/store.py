"""Persistence for users, surveys, drafts and responses (the only module that touches TinyDB).

TinyDB is safe neither for threads nor for processes, so every unit of work here
  1. takes a cross-process file lock (one per unit: users, surveys, one per survey),
  2. opens a fresh TinyDB (a long-lived one caches queries and next ids),
  3. writes through AtomicJSONStorage (temp file, fsync, rename, fsync dir).
Reads take the lock too. Business ids are uuid4 strings, never TinyDB doc ids.

Layout of data_dir:
  secret_key                        Flask secret, mode 0600
  users.json, surveys.json          small metadata tables
  surveys/<survey_id>/responses-000001.json ...   at most shard_size responses each
  surveys/<survey_id>/drafts/<draft_id>.json      one in-progress answer set each
  brakes/<purpose>-NN.json          counters of recent wrong passwords and codes (keyed hashes)
  audit.log                         who did what, one JSON line per event, append-only

A file that does not hold what this module wrote (cut off, not JSON, not a TinyDB table of the
expected documents) raises DamagedFileError when read and is never written over: a write reads
the file first, so it stops there too. It is logged once per process; check_data_folder lists
every such file, and the views turn the error into a page about the one survey or workshop it
belongs to.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from filelock import FileLock
from tinydb import Query, TinyDB
from tinydb.storages import Storage

# Waiting longer than this for a lock means something is stuck; fail loudly instead of hanging.
LOCK_TIMEOUT = 30
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DEFINITION_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_HASH_RE = re.compile(r"^[0-9a-f]{64}$")
_SHARD_RE = re.compile(r"^responses-(\d{6})\.json$")
# write_atomic's temporary files: "." + name + "." + 8 random characters (tempfile's) + ".tmp"
_TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
# A temporary file this old was left by a killed process; a younger one may be a write in progress.
STALE_TEMP_SECONDS = 60
# Files renamed aside by hand or by older versions (<name>.damaged-<UTC time>) are not checked.
_DAMAGED_ASIDE = ".damaged-"

log = logging.getLogger(__name__)


# A write failed because the data folder cannot take one now (disk full, quota, read-only):
# nothing was changed, and the same request can succeed once an admin has made room.
UNAVAILABLE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def storage_unavailable(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in UNAVAILABLE_ERRNOS

_PURPOSE_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_KEY_RE = re.compile(r"^[0-9a-f]{8,64}$")
# Copied from a workshop's document into the index (the list page reads only the index).
WORKSHOP_INDEX_KEYS = ("id", "created_at", "join_code", "title", "date", "facilitators")


class InvitationUsedError(Exception):
    """The invitation was used up (or never existed) by the time the response arrived."""


class DuplicateError(Exception):
    """A username or slug that must be unique is already taken."""


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


class DamagedFileError(Exception):
    """A data file does not hold what the app wrote there; nothing was written to it."""

    def __init__(self, problem: FileProblem):
        super().__init__(str(problem))
        self.problem = problem

    @property
    def path(self) -> Path:
        return self.problem.path


# Which documents each kind of table file holds: required keys, and whether it holds exactly one.
_TABLE_KEYS = {
    "users.json": ("id", "username", "password_hash", "role", "created_at"),
    "surveys.json": ("id", "slug", "questionnaire_id", "created_at"),
    "workshops.json": ("id", "join_code", "created_at"),
    "invitations.json": ("hash", "used"),
    "workshop.json": ("id", "version", "created_at"),
}
_SHARDED_KEYS = ((_SHARD_RE, ("id",)), (re.compile(r"^participants-\d\d\.json$"), ("id",)),
                 (re.compile(r"^votes-\d\d\.json$"), ("id", "participant")))


def _expected_documents(path: Path) -> tuple[tuple[str, ...], bool]:
    """(required keys of every document, exactly one document) for a table file."""
    if path.parent.name == "drafts":
        return ("id", "status", "answers"), True
    if path.name == "workshop.json":
        return _TABLE_KEYS["workshop.json"], True
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


def _log_damage(problem: FileProblem) -> None:
    try:
        stat = problem.path.stat()
        key = (str(problem.path), stat.st_size, stat.st_mtime_ns)
    except OSError:
        key = (str(problem.path), -1, -1)
    if key not in _logged:
        _logged.add(key)
        log.error("damaged data file %s (nothing was written to it; "
                  "`flask --app survey_app check-data` lists every damaged file)", problem)


def _valid_id(value: Any) -> bool:
    # Ids from URLs and cookies end up in file paths: only canonical uuids may pass.
    return isinstance(value, str) and bool(_UUID_RE.match(value))


def _new_id() -> str:
    return str(uuid.uuid4())


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _fsync_dir(path: Path) -> None:
    # A rename or a new entry is only durable once its directory is synced.
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` so that readers see the old or the new file, never a mix."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _merge(stored: dict, changes: dict | None) -> dict:
    """`stored` with `changes` applied key by key; None deletes a key."""
    merged = dict(stored)
    for key, value in (changes or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _makedirs(path: Path) -> None:
    """Create `path` (and parents) durably."""
    if path.is_dir():
        return
    _makedirs(path.parent)
    path.mkdir(exist_ok=True)
    _fsync_dir(path.parent)


make_dirs = _makedirs  # for the other writers into the data folder (uploaded definitions)


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


class Store:
    def __init__(self, data_dir: str | os.PathLike, shard_size: int = 128):
        self.data_dir = Path(data_dir)
        self.shard_size = shard_size
        self._users = self.data_dir / "users.json"
        self._surveys = self.data_dir / "surveys.json"
        self._survey_root = self.data_dir / "surveys"
        self._checked: dict[Path, tuple] = {}  # damaged_files: what each file looked like when read
        _makedirs(self._survey_root)

    # -- helpers ---------------------------------------------------------------

    @staticmethod
    def _lock(path: Path) -> FileLock:
        # New lock object per use: flock is per open file, so threads and processes both exclude.
        return FileLock(f"{path}.lock", timeout=LOCK_TIMEOUT)

    @staticmethod
    @contextmanager
    def _open(path: Path, log_damage: bool = True) -> Iterator[TinyDB]:
        """A fresh TinyDB on `path`; call only while holding the unit's lock."""
        try:
            with TinyDB(path, storage=AtomicJSONStorage) as db:
                yield db
        except DamagedFileError as error:
            if log_damage:
                _log_damage(error.problem)
            raise

    def _survey_dir(self, survey_id: str) -> Path | None:
        return self._survey_root / survey_id if _valid_id(survey_id) else None

    def _shard_paths(self, survey_dir: Path) -> list[Path]:
        """Existing shards, oldest first (zero-padded names sort numerically)."""
        try:
            names = sorted(n for n in os.listdir(survey_dir) if _SHARD_RE.match(n))
        except FileNotFoundError:
            return []
        return [survey_dir / n for n in names]

    def _survey_dir_for_write(self, survey_id: str) -> Path:
        survey_dir = self._survey_dir(survey_id)
        if survey_dir is None:
            raise LookupError(f"invalid survey id: {survey_id!r}")
        _makedirs(survey_dir / "drafts")
        return survey_dir

    def _append_response(self, survey_dir: Path, doc: dict) -> None:
        """Append to the newest shard, or start a new one when it is full. Hold the survey lock."""
        shards = self._shard_paths(survey_dir)
        target = shards[-1] if shards else survey_dir / "responses-000001.json"
        with self._open(target) as db:
            if len(db) < self.shard_size:
                db.insert(doc)
                return
        number = int(_SHARD_RE.match(target.name).group(1)) + 1
        with self._open(survey_dir / f"responses-{number:06d}.json") as db:
            db.insert(doc)

    def _find_submission(self, survey_dir: Path, key: str) -> dict | None:
        """Response stored for draft `key` by an earlier submit that crashed before marking the draft."""
        for shard in self._shard_paths(survey_dir)[-2:]:
            with self._open(shard) as db:
                found = db.get(Query().submission_key == key)
            if found is not None:
                return dict(found)
        return None

    @staticmethod
    def _update_by_id(db: TinyDB, doc_id: str, changes: dict) -> dict | None:
        cond = Query().id == doc_id
        if db.get(cond) is None:
            return None
        db.update(changes, cond)
        return dict(db.get(cond))

    # -- definition versions -----------------------------------------------------

    def _version_path(self, questionnaire_id: str, content_hash: str) -> Path | None:
        if not (_DEFINITION_ID_RE.match(questionnaire_id) and _HASH_RE.match(content_hash)):
            return None
        return self.data_dir / "definitions" / questionnaire_id / f"{content_hash}.yaml"

    def keep_definition_version(self, questionnaire_id: str, content_hash: str, text: str) -> None:
        """Keep the text of a definition version, once, so that answers to it stay explainable
        after the file has been edited."""
        path = self._version_path(questionnaire_id, content_hash)
        if path is None or path.exists():
            return
        _makedirs(path.parent)
        with self._lock(path):
            if not path.exists():
                write_atomic(path, text)

    def definition_version(self, questionnaire_id: str, content_hash: str) -> str | None:
        """The kept text, None when it was never kept or no longer matches its hash (damaged,
        logged; check-data lists it)."""
        path = self._version_path(questionnaire_id, content_hash)
        if path is None or not path.exists():
            return None
        problem = _check_file(self.data_dir, path)
        if problem is not None:
            _log_damage(problem)
            return None
        return path.read_text(encoding="utf-8")

    # -- secret key ------------------------------------------------------------

    def secret_key(self) -> str:
        path = self.data_dir / "secret_key"
        with self._lock(path):
            if not path.exists():
                write_atomic(path, secrets.token_hex(32))
            key = path.read_text(encoding="utf-8").strip()
        if not key:  # never replaced: sessions and keyed hashes depend on it
            raise DamagedFileError(FileProblem(path, EMPTY))
        return key

    # -- users -----------------------------------------------------------------

    def add_user(self, username: str, password_hash: str, role: str) -> dict:
        user = {"id": _new_id(), "username": username, "password_hash": password_hash,
                "role": role, "created_at": _now()}
        with self._lock(self._users), self._open(self._users) as db:
            if self._username_taken(db, username):
                raise DuplicateError(f"username already taken: {username}")
            db.insert(user)
        return user

    @staticmethod
    def _username_taken(db: TinyDB, username: str, except_id: str | None = None) -> bool:
        wanted = username.casefold()
        return any(u["username"].casefold() == wanted and u["id"] != except_id for u in db.all())

    def get_user(self, user_id: str) -> dict | None:
        if not _valid_id(user_id):
            return None
        with self._lock(self._users), self._open(self._users) as db:
            found = db.get(Query().id == user_id)
        return dict(found) if found else None

    def find_user(self, username: str) -> dict | None:
        wanted = username.casefold()
        with self._lock(self._users), self._open(self._users) as db:
            found = db.get(Query().username.test(lambda u: u.casefold() == wanted))
        return dict(found) if found else None

    def list_users(self) -> list[dict]:
        with self._lock(self._users), self._open(self._users) as db:
            users = [dict(u) for u in db.all()]
        return sorted(users, key=lambda u: u["username"].casefold())

    def update_user(self, user_id: str, **changes) -> dict | None:
        """Change fields of a user; the id cannot change, a new username must be free."""
        if not _valid_id(user_id):
            return None
        changes.pop("id", None)
        with self._lock(self._users), self._open(self._users) as db:
            if "username" in changes and self._username_taken(db, changes["username"], except_id=user_id):
                raise DuplicateError(f"username already taken: {changes['username']}")
            return self._update_by_id(db, user_id, changes)

    def delete_user(self, user_id: str) -> bool:
        """Remove an account for good (its sessions go with it); False if unknown."""
        if not _valid_id(user_id):
            return False
        with self._lock(self._users), self._open(self._users) as db:
            return bool(db.remove(Query().id == user_id))

    # Sessions of a user: random ids kept with the account. A login cookie names one of them
    # and is only valid while it is listed, so logging out, a new password or a disabled account
    # ends a session on the server, whatever copies of the cookie exist.

    def add_session(self, user_id: str, session_id: str, keep: int = 10) -> None:
        """List a new session of the user; beyond `keep` sessions the oldest ones end."""
        with self._lock(self._users), self._open(self._users) as db:
            found = db.get(Query().id == user_id) if _valid_id(user_id) else None
            if found is None:
                raise LookupError(f"unknown user {user_id!r}")
            sessions = [*found.get("sessions", []), session_id][-keep:]
            db.update({"sessions": sessions, "last_login": _now()}, Query().id == user_id)

    def end_sessions(self, user_id: str, *session_ids: str, keep: str | None = None) -> None:
        """End the named sessions of a user, or all of them (but `keep`) when none are named."""
        if not _valid_id(user_id):
            return
        with self._lock(self._users), self._open(self._users) as db:
            found = db.get(Query().id == user_id)
            if found is None:
                return
            sessions = [s for s in found.get("sessions", [])
                        if (s not in session_ids if session_ids else s == keep)]
            db.update({"sessions": sessions}, Query().id == user_id)

    # -- surveys ---------------------------------------------------------------

    def add_survey(self, questionnaire_id: str, slug: str, **fields) -> dict:
        survey = {"status": "open", "created_at": _now(), **fields,
                  "id": _new_id(), "questionnaire_id": questionnaire_id, "slug": slug}
        with self._lock(self._surveys), self._open(self._surveys) as db:
            if db.contains(Query().slug == slug):
                raise DuplicateError(f"slug already taken: {slug}")
            db.insert(survey)
        return survey

    def get_survey(self, survey_id: str) -> dict | None:
        if not _valid_id(survey_id):
            return None
        with self._lock(self._surveys), self._open(self._surveys) as db:
            found = db.get(Query().id == survey_id)
        return dict(found) if found else None

    def find_survey_by_slug(self, slug: str) -> dict | None:
        with self._lock(self._surveys), self._open(self._surveys) as db:
            found = db.get(Query().slug == slug)
        return dict(found) if found else None

    def list_surveys(self) -> list[dict]:
        with self._lock(self._surveys), self._open(self._surveys) as db:
            surveys = [dict(s) for s in db.all()]
        return sorted(surveys, key=lambda s: s["created_at"])

    def update_survey(self, survey_id: str, **changes) -> dict | None:
        """Change fields of a survey; the id cannot change, a new slug must be free."""
        if not _valid_id(survey_id):
            return None
        changes.pop("id", None)
        with self._lock(self._surveys), self._open(self._surveys) as db:
            if "slug" in changes:
                other = db.get(Query().slug == changes["slug"])
                if other is not None and other["id"] != survey_id:
                    raise DuplicateError(f"slug already taken: {changes['slug']}")
            return self._update_by_id(db, survey_id, changes)

    # -- drafts ----------------------------------------------------------------
    # A draft file holds one document; all draft and response files of a survey share its lock,
    # so that submit_draft can change both atomically.

    def _draft_path(self, survey_id: str, draft_id: str) -> Path | None:
        survey_dir = self._survey_dir(survey_id)
        if survey_dir is None or not _valid_id(draft_id):
            return None
        return survey_dir / "drafts" / f"{draft_id}.json"

    @staticmethod
    def _read_draft(db: TinyDB) -> dict | None:
        docs = db.all()
        return dict(docs[0]) if docs else None

    @staticmethod
    def _write_draft(db: TinyDB, changes: dict) -> None:
        # One update = one atomic file write (truncate + insert would be two, with a crash window).
        db.update(changes, doc_ids=[doc.doc_id for doc in db.all()])

    def create_draft(self, survey_id: str, language: str, resume_code: str | None = None,
                     pseudonym: str | None = None) -> dict:
        survey_dir = self._survey_dir_for_write(survey_id)
        draft = {"id": _new_id(), "survey_id": survey_id, "language": language, "answers": {},
                 "page": 0, "status": "open", "response_id": None, "resume_code": resume_code,
                 "pseudonym": pseudonym,
                 "created_on": date.today().isoformat()}  # day only: less to re-identify a respondent
        with self._lock(survey_dir), self._open(survey_dir / "drafts" / f"{draft['id']}.json") as db:
            db.insert(draft)
        return draft

    def get_draft(self, survey_id: str, draft_id: str) -> dict | None:
        path = self._draft_path(survey_id, draft_id)
        if path is None or not path.exists():  # no lock file for surveys that never existed
            return None
        with self._lock(path.parent.parent), self._open(path) as db:
            return self._read_draft(db)

    def list_drafts(self, survey_id: str) -> list[dict]:
        """Every readable draft of a survey, open and submitted (reads one small file per draft)."""
        return self.read_drafts(survey_id)[0]

    def read_drafts(self, survey_id: str) -> tuple[list[dict], list[Path]]:
        """(every readable draft, the damaged draft files): one damaged draft concerns only
        its respondent."""
        survey_dir = self._survey_dir(survey_id)
        if survey_dir is None or not (survey_dir / "drafts").is_dir():
            return [], []
        drafts, damaged = [], []
        with self._lock(survey_dir):
            for path in sorted((survey_dir / "drafts").glob("*.json")):
                try:
                    with self._open(path) as db:
                        draft = self._read_draft(db)
                except DamagedFileError as error:
                    damaged.append(error.path)
                    continue
                if draft is not None:
                    drafts.append(draft)
        return drafts, damaged

    def update_draft(self, survey_id: str, draft_id: str, answers: dict | None = None,
                     page: int | None = None, language: str | None = None,
                     entered: dict | None = None) -> dict | None:
        """Merge `answers` and `entered` (the input as typed, see forms.draft_changes) key by
        key (None deletes a key); a submitted draft is left unchanged."""
        path = self._draft_path(survey_id, draft_id)
        if path is None or not path.exists():
            return None
        with self._lock(path.parent.parent), self._open(path) as db:
            draft = self._read_draft(db)
            if draft is None or draft["status"] == "submitted":
                return draft
            changes = {"answers": _merge(draft["answers"], answers)}
            if entered:
                changes["entered"] = _merge(draft.get("entered") or {}, entered)
            if page is not None:
                changes["page"] = page
            if language is not None:
                changes["language"] = language
            self._write_draft(db, changes)
        return {**draft, **changes}

    # -- responses -------------------------------------------------------------

    def submit_draft(self, survey_id: str, draft_id: str, response: dict,
                     invitation: str | None = None, record_invitation: bool = False) -> tuple[str, bool]:
        """Store `response` once per draft; returns (response_id, created).

        A resubmit (double click, retry, back button) returns the first response's id and
        created=False. The response carries submission_key=draft_id so that a crash between
        storing it and marking the draft is also caught on retry. With `invitation` (the hash
        of a personal invitation) the invitation is used up in the same locked step;
        InvitationUsedError when it is not (or no longer) unused. Nothing links the two, unless
        `record_invitation` (a confidential, not anonymous fielding): then the response carries
        the invitation's running number.
        """
        path = self._draft_path(survey_id, draft_id)
        if path is None or not path.exists():
            raise LookupError(f"unknown draft {draft_id!r} in survey {survey_id!r}")
        survey_dir = path.parent.parent
        with self._lock(survey_dir):
            with self._open(path) as db:
                draft = self._read_draft(db)
            if draft is None:
                raise LookupError(f"unknown draft {draft_id!r} in survey {survey_id!r}")
            if draft["status"] == "submitted":
                return draft["response_id"], False
            if invitation is not None:
                number = self._use_invitation(survey_dir, invitation)
                if record_invitation:
                    response = {**response, "invitation": number}
            earlier = self._find_submission(survey_dir, draft_id)
            if earlier is None:
                response_id = _new_id()
                self._append_response(survey_dir, {**response, "id": response_id, "submission_key": draft_id})
            else:
                response_id = earlier["id"]
            with self._open(path) as db:
                # The answers now live only in the response.
                self._write_draft(db, {"status": "submitted", "response_id": response_id, "answers": {},
                                       "entered": {}})
        return response_id, earlier is None

    # -- personal invitations (only hashes are stored) ------------------------------

    def add_invitations(self, survey_id: str, hashes: list[str]) -> list[int]:
        """Store new invitations; returns their running numbers (1, 2, ... over all batches)."""
        survey_dir = self._survey_dir_for_write(survey_id)
        with self._lock(survey_dir), self._open(survey_dir / "invitations.json") as db:
            first = len(db) + 1
            numbers = list(range(first, first + len(hashes)))
            db.insert_multiple({"hash": h, "number": n, "used": False} for h, n in zip(hashes, numbers))
        return numbers

    def invitation_state(self, survey_id: str, invitation: str) -> str | None:
        """"unused", "used" or None (unknown)."""
        survey_dir = self._survey_dir(survey_id)
        if survey_dir is None or not (survey_dir / "invitations.json").exists():
            return None
        with self._lock(survey_dir), self._open(survey_dir / "invitations.json") as db:
            found = db.get(Query().hash == invitation)
        return None if found is None else ("used" if found["used"] else "unused")

    def count_invitations(self, survey_id: str) -> tuple[int, int]:
        """(invitations, used ones)."""
        survey_dir = self._survey_dir(survey_id)
        if survey_dir is None or not (survey_dir / "invitations.json").exists():
            return 0, 0
        with self._lock(survey_dir), self._open(survey_dir / "invitations.json") as db:
            return len(db), db.count(Query().used == True)  # noqa: E712 (a TinyDB query)

    def _use_invitation(self, survey_dir: Path, invitation: str) -> int | None:
        """Mark an invitation used and return its number; hold the survey lock. Only the day
        is recorded."""
        with self._open(survey_dir / "invitations.json") as db:
            unused = (Query().hash == invitation) & (Query().used == False)  # noqa: E712
            found = db.get(unused)
            if found is None:
                raise InvitationUsedError(invitation)
            db.update({"used": True, "used_on": date.today().isoformat()}, unused)
        return found.get("number")

    def add_response(self, survey_id: str, response: dict) -> str:
        survey_dir = self._survey_dir_for_write(survey_id)
        response_id = _new_id()
        with self._lock(survey_dir):
            self._append_response(survey_dir, {**response, "id": response_id})
        return response_id

    def responses(self, survey_id: str) -> list[dict]:
        """All responses in submission order (shard order, then insertion order)."""
        survey_dir = self._survey_dir(survey_id)
        if survey_dir is None or not survey_dir.is_dir():
            return []
        result: list[dict] = []
        with self._lock(survey_dir):
            for shard in self._shard_paths(survey_dir):
                with self._open(shard) as db:
                    result.extend(dict(doc) for doc in db.all())
        return result

    def count_responses(self, survey_id: str) -> int:
        survey_dir = self._survey_dir(survey_id)
        if survey_dir is None or not survey_dir.is_dir():
            return 0
        with self._lock(survey_dir):
            total = 0
            for shard in self._shard_paths(survey_dir):
                with self._open(shard) as db:
                    total += len(db)
        return total

    # -- keeping demo and test data out of results ------------------------------------
    # An excluded response stays stored with excluded_by (a username) and excluded_at (UTC);
    # counting it again removes both and records included_by and included_at instead.

    def set_response_excluded(self, survey_id: str, response_id: str, excluded: bool, by: str) -> dict | None:
        """Exclude a response from results (or count it again) under the survey lock, in one
        atomic rewrite of its shard; its answers are never touched. A response already in the
        wanted state is left as it is (so the first exclusion's who and when stay). Returns the
        stored response, None when there is none with that id."""
        survey_dir = self._survey_dir(survey_id)
        if survey_dir is None or not _valid_id(response_id) or not survey_dir.is_dir():
            return None
        mark, drop = (("excluded_by", "excluded_at"), ("included_by", "included_at")) if excluded \
            else (("included_by", "included_at"), ("excluded_by", "excluded_at"))

        def change(doc: dict) -> None:
            for key in drop:
                doc.pop(key, None)
            doc.update(zip(mark, (by, _now())))

        cond = Query().id == response_id
        with self._lock(survey_dir):
            for shard in self._shard_paths(survey_dir):
                with self._open(shard) as db:
                    found = db.get(cond)
                    if found is None:
                        continue
                    if bool(found.get("excluded_at")) != excluded:
                        db.update(change, cond)
                        found = db.get(cond)
                    return dict(found)
        return None

    def remove_responses(self, survey_id: str, where: Callable[[dict], bool],
                         drafts: bool = False) -> tuple[int, int]:
        """Delete the responses for which where(response) is true, and with `drafts` every draft
        of the survey, under the survey lock: each shard that holds one is rewritten atomically,
        the others are not written at all. Returns (responses, drafts) deleted."""
        survey_dir = self._survey_dir(survey_id)
        if survey_dir is None or not survey_dir.is_dir():
            return 0, 0
        responses = removed_drafts = 0
        with self._lock(survey_dir):
            for shard in self._shard_paths(survey_dir):
                with self._open(shard) as db:
                    doomed = [doc.doc_id for doc in db.all() if where(dict(doc))]
                    if doomed:
                        db.remove(doc_ids=doomed)
                        responses += len(doomed)
            if drafts and (survey_dir / "drafts").is_dir():
                for path in (survey_dir / "drafts").glob("*.json"):
                    path.unlink()
                    removed_drafts += 1
                _fsync_dir(survey_dir / "drafts")
        return responses, removed_drafts

    # -- workshops -------------------------------------------------------------
    # workshops.json                               index: id, join code, title, date
    # workshops/<id>/workshop.json                 one document: polls and live state (lock: workshops/<id>.lock)
    # workshops/<id>/participants-NN.json          who joined, spread over WORKSHOP_SHARDS files
    # workshops/<id>/runs/<run>/votes-NN.json      one round of one poll: at most one vote per participant
    # A vote locks only its shard, so hundreds of phones voting at once rarely wait for each other,
    # and no file grows with the workshop's history: each run has its own files.
    # workshop.json holds one document, read and replaced in one write like a draft file
    # (_read_draft / _write_draft).

    WORKSHOP_SHARDS = 16

    @staticmethod
    def _quick_lock(path: Path) -> FileLock:
        # Like _lock, but a waiter re-checks every 2 ms instead of filelock's default 50 ms:
        # a full room votes within seconds and each write holds the lock for about a millisecond.
        return FileLock(f"{path}.lock", timeout=LOCK_TIMEOUT, poll_interval=0.002)

    @property
    def _workshop_index(self) -> Path:
        return self.data_dir / "workshops.json"

    def _workshop_dir(self, workshop_id: str) -> Path | None:
        return self.data_dir / "workshops" / workshop_id if _valid_id(workshop_id) else None

    def _workshop_shard(self, folder: Path, prefix: str, key: str) -> Path:
        # uuid4 hex digits are uniform, so the first eight spread keys evenly over the shards.
        return folder / f"{prefix}-{int(key[:8], 16) % self.WORKSHOP_SHARDS:02d}.json"

    def _workshop_shards(self, folder: Path, prefix: str) -> list[Path]:
        return [folder / f"{prefix}-{number:02d}.json" for number in range(self.WORKSHOP_SHARDS)
                if (folder / f"{prefix}-{number:02d}.json").exists()]

    def _run_dir(self, workshop_id: str, run: str) -> Path | None:
        workshop_dir = self._workshop_dir(workshop_id)
        return workshop_dir / "runs" / run if workshop_dir is not None and _valid_id(run) else None

    def add_workshop(self, record: dict) -> dict:
        """Store a new workshop; its join code must be free (DuplicateError otherwise)."""
        workshop = {**record, "id": _new_id(), "created_at": _now(), "version": 1}
        workshop_dir = self._workshop_dir(workshop["id"])
        with self._lock(self._workshop_index), self._open(self._workshop_index) as index:
            if index.contains(Query().join_code == workshop["join_code"]):
                raise DuplicateError(f"join code already taken: {workshop['join_code']}")
            _makedirs(workshop_dir)
            # The document first: the index never points to a workshop that is not there.
            with self._open(workshop_dir / "workshop.json") as db:
                db.insert(workshop)
            index.insert({key: workshop.get(key) for key in WORKSHOP_INDEX_KEYS})
        return workshop

    def list_workshops(self) -> list[dict]:
        """Index entries (id, join_code, title, date, created_at, facilitators), newest first."""
        with self._lock(self._workshop_index), self._open(self._workshop_index) as index:
            entries = [dict(entry) for entry in index.all()]
        return sorted(entries, key=lambda e: (e.get("date") or "", e["created_at"]), reverse=True)

    def get_workshop(self, workshop_id: str) -> dict | None:
        workshop_dir = self._workshop_dir(workshop_id)
        if workshop_dir is None or not workshop_dir.is_dir():
            return None
        with self._quick_lock(workshop_dir), self._open(workshop_dir / "workshop.json") as db:
            return self._read_draft(db)

    def workshop_signal(self, workshop_id: str) -> tuple | None:
        """A cheap value that is different after every change of the workshop's document (None:
        no such workshop), so that each worker process can keep the workshop in memory and ask
        this a few times a second instead of reading the document for every phone.

        Here: the document file's identity, size and times. Every write replaces the file by a
        new one (a new inode, synced and renamed), so a change gives a new value; repeating an
        old value would need the same inode, size and timestamps again. Another storage gives
        e.g. the version counter, kept current by LISTEN/NOTIFY."""
        workshop_dir = self._workshop_dir(workshop_id)
        if workshop_dir is None:
            return None
        try:
            found = os.stat(workshop_dir / "workshop.json")
        except FileNotFoundError:
            return None
        return (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)

    def find_workshop_by_code(self, join_code: str) -> dict | None:
        with self._lock(self._workshop_index), self._open(self._workshop_index) as index:
            entry = index.get(Query().join_code == join_code)
        return self.get_workshop(entry["id"]) if entry else None

    def change_workshop(self, workshop_id: str, change: Callable[[dict], dict]) -> dict | None:
        """Replace the workshop by change(workshop) under its lock and count up its version.

        If `change` raises, nothing is written. Returns the new document, None if unknown.
        """
        workshop_dir = self._workshop_dir(workshop_id)
        if workshop_dir is None or not workshop_dir.is_dir():
            return None
        with self._quick_lock(workshop_dir):
            with self._open(workshop_dir / "workshop.json") as db:
                old = self._read_draft(db)
                new = {**change(dict(old)), "id": workshop_id, "created_at": old["created_at"],
                       "version": old["version"] + 1}
                self._write_draft(db, new)
            changed = {key: new.get(key) for key in WORKSHOP_INDEX_KEYS[2:] if new.get(key) != old.get(key)}
            if changed:
                with self._lock(self._workshop_index), self._open(self._workshop_index) as index:
                    index.update(changed, Query().id == workshop_id)
        return new

    def remove_workshop(self, workshop_id: str) -> bool:
        """Delete a workshop with its participants and votes: first from the index (so it is
        never listed without its files), then its folder. True when there was anything."""
        workshop_dir = self._workshop_dir(workshop_id)
        if workshop_dir is None:
            return False
        with self._lock(self._workshop_index), self._open(self._workshop_index) as index:
            listed = bool(index.remove(Query().id == workshop_id))
        with self._quick_lock(workshop_dir):
            there = workshop_dir.is_dir()
            if there:
                shutil.rmtree(workshop_dir)
                _fsync_dir(workshop_dir.parent)
        return listed or there

    def add_participant(self, workshop_id: str, group: str | None) -> dict:
        workshop_dir = self._workshop_dir(workshop_id)
        if workshop_dir is None or not workshop_dir.is_dir():
            raise LookupError(f"unknown workshop {workshop_id!r}")
        participant = {"id": _new_id(), "group": group, "joined_on": date.today().isoformat()}
        path = self._workshop_shard(workshop_dir, "participants", participant["id"])
        with self._quick_lock(path), self._open(path) as db:
            db.insert(participant)
        return participant

    def count_participants(self, workshop_id: str) -> int:
        workshop_dir = self._workshop_dir(workshop_id)
        if workshop_dir is None:
            return 0
        total = 0
        for path in self._workshop_shards(workshop_dir, "participants"):
            with self._quick_lock(path), self._open(path) as db:
                total += len(db)
        return total

    def put_vote(self, workshop_id: str, run: str, participant_id: str, vote: dict) -> tuple[dict, bool]:
        """Store the participant's vote in `run`, replacing their earlier one there in the same
        write. Returns (stored vote, replaced). Each stored vote gets a new id."""
        run_dir = self._run_dir(workshop_id, run)
        if run_dir is None or not _valid_id(participant_id):
            raise LookupError(f"invalid workshop, run or participant id: {workshop_id!r} {run!r} {participant_id!r}")
        _makedirs(run_dir)
        stored = {**vote, "id": _new_id(), "participant": participant_id}
        path = self._workshop_shard(run_dir, "votes", participant_id)
        mine = Query().participant == participant_id
        with self._quick_lock(path), self._open(path) as db:
            replaced = db.contains(mine)
            db.upsert(stored, mine)
        return stored, replaced

    def get_vote(self, workshop_id: str, run: str, participant_id: str) -> dict | None:
        run_dir = self._run_dir(workshop_id, run)
        if run_dir is None or not _valid_id(participant_id):
            return None
        path = self._workshop_shard(run_dir, "votes", participant_id)
        if not path.exists():
            return None
        with self._quick_lock(path), self._open(path) as db:
            found = db.get(Query().participant == participant_id)
        return dict(found) if found else None

    def votes(self, workshop_id: str, run: str) -> list[dict]:
        run_dir = self._run_dir(workshop_id, run)
        if run_dir is None:
            return []
        result: list[dict] = []
        for path in self._workshop_shards(run_dir, "votes"):
            with self._quick_lock(path), self._open(path) as db:
                result.extend(dict(doc) for doc in db.all())
        return result

    def count_votes(self, workshop_id: str, run: str) -> int:
        run_dir = self._run_dir(workshop_id, run)
        if run_dir is None:
            return 0
        total = 0
        for path in self._workshop_shards(run_dir, "votes"):
            with self._quick_lock(path), self._open(path) as db:
                total += len(db)
        return total

    # -- brakes on guessing ----------------------------------------------------------
    # brakes/<purpose>-NN.json: one counter per (keyed-hash) client or account and purpose,
    # spread over BRAKE_SHARDS small files by key. A counter is dropped from its file once its
    # window has passed, whenever that file is written: a file holds only the keys that failed
    # within the window, so the cost of a failure does not grow with the history.

    BRAKE_SHARDS = 64

    def _brake_path(self, purpose: str, key: str) -> Path:
        if not (_PURPOSE_RE.match(purpose) and _KEY_RE.match(key)):
            raise ValueError(f"invalid brake purpose or key: {purpose!r} {key!r}")
        return self.data_dir / "brakes" / f"{purpose}-{int(key[:8], 16) % self.BRAKE_SHARDS:02d}.json"

    @staticmethod
    def _write_counters(path: Path, counters: dict) -> None:
        # Written in place under the lock, neither renamed nor synced: counters are disposable
        # (a file cut short by a crash reads as empty), and a failure must stay cheap.
        # (Overwriting and then cutting to length, rather than truncating first, also spares
        # ext4 the flush it does for a file truncated to zero and written again.)
        data = json.dumps(counters, separators=(",", ":")).encode("utf-8")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            os.pwrite(fd, data, 0)
            os.ftruncate(fd, len(data))
        finally:
            os.close(fd)

    @staticmethod
    def _read_counters(path: Path) -> dict:
        try:
            counters = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}  # counters are disposable: a damaged file starts afresh
        return counters if isinstance(counters, dict) else {}

    def brake_counter(self, purpose: str, key: str, now: float) -> dict | None:
        """The key's counter {count, start, last, expires} (times in epoch seconds), or None
        when it has no failures within its window."""
        path = self._brake_path(purpose, key)
        if not path.exists():
            return None
        with self._quick_lock(path):
            counter = self._read_counters(path).get(key)
        return counter if isinstance(counter, dict) and counter.get("expires", 0) > now else None

    def count_brake_failure(self, purpose: str, key: str, now: float, window: float) -> dict:
        """Count one failure of `key`; a counter whose window has passed starts again at 1 with
        a new window of `window` seconds. Returns the counter."""
        path = self._brake_path(purpose, key)
        _makedirs(path.parent)
        with self._quick_lock(path):
            counters = {k: c for k, c in self._read_counters(path).items()
                        if isinstance(c, dict) and c.get("expires", 0) > now}
            counter = counters.get(key) or {"count": 0, "start": now, "expires": now + window}
            counter = {**counter, "count": counter["count"] + 1, "last": now}
            counters[key] = counter
            self._write_counters(path, counters)
        return counter

    def clear_brake(self, purpose: str, key: str) -> None:
        """Forget the failures of `key` (after a successful login)."""
        path = self._brake_path(purpose, key)
        if not path.exists():
            return
        with self._quick_lock(path):
            counters = self._read_counters(path)
            if counters.pop(key, None) is not None:
                self._write_counters(path, counters)

    # -- audit log -------------------------------------------------------------------
    # audit.log: one JSON object per line, only ever appended to (and synced). Rotating it is
    # the operator's job: move it aside and a new one starts with the next event.

    @property
    def audit_path(self) -> Path:
        return self.data_dir / "audit.log"

    def append_audit_event(self, event: dict) -> None:
        line = json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock(self.audit_path):
            fd = os.open(self.audit_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)

    def audit_events(self) -> Iterator[dict | None]:
        """The events, oldest first; None for a line that cannot be read (e.g. cut off by a crash)."""
        try:
            f = open(self.audit_path, encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return
        with f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    event = json.loads(line)
                except ValueError:
                    event = None
                yield event if isinstance(event, dict) else None

    # -- the data folder as a whole: checks, clean-up at start, backup ---------------------------

    def owner_of(self, path: Path) -> tuple[str, str] | None:
        """("survey", id) or ("workshop", id) when `path` is a file of one survey or workshop."""
        try:
            parts = Path(path).relative_to(self.data_dir).parts
        except ValueError:
            return None
        if len(parts) >= 3 and parts[0] in ("surveys", "workshops") and _valid_id(parts[1]):
            return ("survey" if parts[0] == "surveys" else "workshop"), parts[1]
        return None

    def remove_stale_temp_files(self) -> list[Path]:
        """Delete temporary files that killed processes left behind (older than
        STALE_TEMP_SECONDS: a younger one may belong to a write in progress)."""
        removed = []
        for path in _data_files(self.data_dir):
            if _TEMP_RE.match(path.name) and _check_file(self.data_dir, path) is not None:
                path.unlink(missing_ok=True)
                removed.append(path)
        if removed:
            log.warning("removed %d temporary file(s) left by interrupted writes: %s",
                        len(removed), ", ".join(str(p) for p in removed))
        return removed

    def damaged_files(self) -> list[FileProblem]:
        """The damaged files of the data folder, as check_data_folder finds them (temporary
        files left out). A file is read again only once it changed, so this is cheap to call
        on every visit of the admin page."""
        checked: dict[Path, tuple[tuple, FileProblem | None]] = {}
        problems = []
        earlier = self._checked
        for path in _data_files(self.data_dir):
            if _TEMP_RE.match(path.name):
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
                _log_damage(found[1])
                problems.append(found[1])
        self._checked = checked
        return problems

    def snapshot(self) -> Iterator[tuple[str, bytes]]:
        """(path relative to the data folder, content) of every file, each unit read whole
        under the lock its writers take: a survey's folder (responses, drafts, invitations)
        under the survey's lock, so a response stored before the snapshot started is in it
        together with its used draft and invitation; a workshop document under the workshop's
        lock and every other table under its own. Survey and workshop folders come before the
        index files that name them. Lock and temporary files are left out."""
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
            return [p for p in _data_files(folder) if not _TEMP_RE.match(p.name)]

        def unit_folders(name: str) -> list[Path]:
            return sorted(p for p in (root / name).iterdir() if p.is_dir()) if (root / name).is_dir() else []

        for folder in unit_folders("surveys"):
            with self._lock(folder):
                found = read(files_in(folder))
            yield from found
        for folder in unit_folders("workshops"):
            for path in files_in(folder):
                with self._lock(folder if path == folder / "workshop.json" else path):
                    found = read([path])
                yield from found
        in_units = {folder for name in ("surveys", "workshops") for folder in unit_folders(name)}
        others = [p for p in files_in(root) if not in_units.intersection(p.parents)]
        for path in sorted(others, key=lambda p: (p.parent == root, p)):  # top-level tables last
            if path.suffix == ".json" or path.name == "secret_key":
                with self._lock(path):
                    found = read([path])
            else:  # written once, atomically, and never changed
                found = read([path])
            yield from found


def _data_files(folder: Path) -> Iterator[Path]:
    """Every file under `folder` except lock files and moved-aside damaged ones, sorted."""
    for current, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".lock") and _DAMAGED_ASIDE not in name:
                yield Path(current) / name


def _check_file(data_dir: Path, path: Path) -> FileProblem | None:
    """What is wrong with one file of the data folder, None if nothing (or unknown to us)."""
    if _TEMP_RE.match(path.name):
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
    elif parts == ("secret_key",) or parts[0] == "questionnaires":
        if not raw.strip():
            return FileProblem(path, EMPTY)
    elif parts[0] == "definitions" and path.suffix == ".yaml":
        if hashlib.sha256(raw).hexdigest() != path.stem:  # a kept version is named by its hash
            return FileProblem(path, CONTENT)
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
