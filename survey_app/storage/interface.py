"""What the app needs from its storage: one Protocol per kind of data, and the errors.

An adapter implements every Protocol on one object (storage.tinydb.store.Store on a data
folder, storage.postgres.store.Store on PostgreSQL), and tests/storage/test_contract.py checks each of them against the
contract written here. Nothing here names a file, a table or a library: records are plain,
JSON-ready dicts (fieldings travel as fieldings.model.Fielding), ids are strings.

What every adapter guarantees
-----------------------------
* Ids are made by the storage: uuid4 strings, the canonical lower-case form. An id that is not
  one (from a URL or cookie: "../x", "", None, upper case) finds nothing, or raises LookupError
  for operations that must write into what it names; it never reaches a file name or a query.
* Each operation is atomic and isolated: other threads and processes see all of it or nothing,
  and an operation acknowledged (returned) is durable: it survives a crash (kill -9, power loss
  after return) of the process that made it.
* Read operations return copies: changing a returned record changes nothing stored, and the
  dicts passed in are never changed.
* "change" operations take a function `change(record) -> new record` that the adapter calls with
  the stored record while nothing else can change it, and stores what it returns in the same
  step. If `change` raises, nothing is stored. The function may be called again on a retry, so
  it must not have side effects.
* Stored data that cannot be read (damaged) raises DamagedDataError for the unit it belongs to
  (one survey's responses, one respondent's draft, one workshop, a table) and is never written
  over; the other units keep working.
* A write the storage cannot take now (disk full, read-only) raises an error for which
  storage_unavailable(error) is true, and changes nothing.

Rules that are the domain's, not the storage's: what a draft holds and how it changes
(fieldings.drafts), what a response records (fieldings.drafts.build_response), which responses
count (analysis.counting), a fielding's fields and states (fieldings.model), a workshop's
polls and rounds (workshops), a consultation's statements and decisions (consultations).
The storage only keeps what they hand it, and does in one step what must not be split: a
response stored once per draft together with its invitation used up, a change applied to the
record it was computed from.
"""
from __future__ import annotations

import errno
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from survey_app.fieldings.model import Fielding


# -- errors ----------------------------------------------------------------------------------

class DuplicateError(Exception):
    """A username, slug or join code that must be unique is already taken; nothing was stored."""


class InvitationUsedError(Exception):
    """The invitation was used up (or never existed) by the time the response arrived; nothing
    was stored."""


class RecordConflict(Exception):
    """A decision record was changed (or created, or deleted) by someone else since the version
    the caller read: nothing was stored. `stored` is the version stored now (0: none)."""

    def __init__(self, kind: str, key: str, expected: int, stored: int):
        super().__init__(f"decision record {kind}/{key!r}: expected version {expected}, stored is {stored}")
        self.kind, self.key, self.expected, self.stored = kind, key, expected, stored


class DamagedDataError(Exception):
    """Stored data cannot be read because it does not hold what the app wrote; nothing was
    written over it."""

    owner: tuple[str, str] | None = None   # ("survey", id) or ("workshop", id) it belongs to
    draft: bool = False                    # it is one respondent's saved answers
    location: str = ""                     # where it is, for admins (never shown to others)


# A write failed because the storage cannot take one now (disk full, quota, read-only): nothing
# was changed, and the same request can succeed once an admin has made room.
UNAVAILABLE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


class StorageUnavailableError(OSError):
    """A database cannot take the request now (cannot be reached, full, read-only): nothing was
    changed, and the same request can succeed once it is back."""


def storage_unavailable(error: BaseException) -> bool:
    return isinstance(error, StorageUnavailableError) or (
        isinstance(error, OSError) and error.errno in UNAVAILABLE_ERRNOS)


# -- users and sessions ------------------------------------------------------------------

@runtime_checkable
class Users(Protocol):
    """Accounts: {"id", "username", "password_hash", "role", "created_at", ...} plus whatever the
    caller stores with update_user (disabled, must_change_password, ...); usernames are unique
    regardless of case. A login names one of the account's sessions and is valid only while it
    is listed."""

    def secret_key(self) -> str:
        """The app's secret (64 hex digits), made once on first use and the same for every
        process ever after. DamagedDataError when it was lost; it is never replaced."""

    def add_user(self, username: str, password_hash: str, role: str) -> dict:
        """Store a new account and return it (id and created_at given here). DuplicateError
        when the username is taken in any case."""

    def get_user(self, user_id: str) -> dict | None:
        """The account, None when unknown."""

    def find_user(self, username: str) -> dict | None:
        """The account of this username in any case, None when unknown."""

    def list_users(self) -> list[dict]:
        """Every account, by username regardless of case."""

    def update_user(self, user_id: str, **changes) -> dict | None:
        """Set the given fields (id cannot change) and return the account, None when unknown.
        DuplicateError (nothing changed) when a new username is taken by another account."""

    def delete_user(self, user_id: str) -> bool:
        """Remove an account for good, its sessions with it; False when unknown."""

    def add_session(self, user_id: str, session_id: str, keep: int = 10) -> None:
        """List a new session of the account and record the time as last_login; beyond `keep`
        sessions the oldest end. LookupError when the account is unknown."""

    def end_sessions(self, user_id: str, *session_ids: str, keep: str | None = None) -> None:
        """End the named sessions, or all of them but `keep` when none are named. Unknown
        accounts and sessions are ignored."""


# -- surveys (fieldings) and definition versions -------------------------------------------

@runtime_checkable
class Surveys(Protocol):
    """Fieldings, each with a unique slug (its public link)."""

    def add_survey(self, fielding: Fielding) -> Fielding:
        """Store a new fielding and return it with the id and created_at given here (those of
        the argument are ignored). DuplicateError when the slug is taken."""

    def get_survey(self, survey_id: str) -> Fielding | None:
        """The fielding, None when unknown."""

    def find_survey_by_slug(self, slug: str) -> Fielding | None:
        """The fielding with this slug (exact), None when there is none."""

    def list_surveys(self) -> list[Fielding]:
        """Every fielding, oldest first."""

    def update_survey(self, survey_id: str, **changes) -> Fielding | None:
        """Set the given stored fields (Fielding.to_record names; None stores "unset"; id and
        created_at cannot change) and return the fielding, None when unknown. DuplicateError
        (nothing changed) when a new slug is taken by another fielding."""


@runtime_checkable
class Definitions(Protocol):
    """The text of every questionnaire version that was served, by questionnaire id and the
    SHA-256 of the text, so that answers to it stay explainable after the file changed."""

    def keep_definition_version(self, questionnaire_id: str, content_hash: str, text: str) -> None:
        """Keep the text once (idempotent: a version kept before is left as it is). Ids that
        are not a questionnaire id or a hex SHA-256 are ignored."""

    def definition_version(self, questionnaire_id: str, content_hash: str) -> str | None:
        """The kept text; None when it was never kept or no longer matches its hash (damaged:
        logged, and listed by the maintenance check where there is one)."""


# -- drafts, responses, invitations: one survey's data ---------------------------------------

@runtime_checkable
class Drafts(Protocol):
    """Drafts of respondents still filling in: records the domain makes (fieldings.drafts).
    The storage reads two of their fields: "id", which it gives, and "response_id", which
    Responses.submit_draft sets while it submits: a draft whose response_id is set never
    changes again. A submitted draft is deleted; the storage remembers only that it was
    submitted (no time, no order, no link to its response)."""

    def add_draft(self, survey_id: str, draft: dict) -> dict:
        """Store a new draft of the survey and return it with its id (an "id" given is
        ignored). LookupError for an invalid survey id."""

    def get_draft(self, survey_id: str, draft_id: str) -> dict | None:
        """The draft, None when the survey has no such draft."""

    def was_submitted(self, survey_id: str, draft_id: str) -> bool:
        """Whether this (deleted) draft was submitted."""

    def count_submitted(self, survey_id: str) -> int:
        """How many drafts of the survey were submitted (and deleted)."""

    def list_drafts(self, survey_id: str) -> list[dict]:
        """Every readable draft of the survey (those not submitted)."""

    def read_drafts(self, survey_id: str) -> tuple[list[dict], int]:
        """(every readable draft, how many cannot be read): a damaged draft concerns only its
        respondent, so it is counted instead of raising."""

    def change_draft(self, survey_id: str, draft_id: str, change: Callable[[dict], dict]) -> dict | None:
        """Replace the draft by change(draft) (id and response_id kept) and return it; None
        when there is no such draft. A submitted draft is returned as it is, and `change` is
        not called."""


@runtime_checkable
class Responses(Protocol):
    """Responses of a survey in the order they were stored, each with its "id" (given here).
    A response carries nothing that links it to its draft or invitation (docs/storage.md)."""

    def submit_draft(self, survey_id: str, draft_id: str, response: dict, close: Callable[[dict], dict],
                     invitation: str | None = None) -> tuple[str | None, bool]:
        """Store `response` once per draft, in one step with the draft's end: returns
        (response id, created).

        In one step: if the draft was submitted already (double click, retry, back button, a
        second process), nothing is stored and (None, False) is returned. Otherwise the
        invitation (the hash of a personal invitation) is used up, or InvitationUsedError is
        raised and nothing is stored; the response is stored (without the draft's id); the
        draft is deleted and remembered as submitted (was_submitted); close(draft) is called
        once the response is stored, right before. An adapter that cannot do all of it
        atomically may keep the response's id in the draft (answers kept) in the meantime, so
        that a submit that stopped half-way finishes without storing twice; it returns (that id,
        False) then. LookupError when there is no such draft.
        """

    def forget_submission_links(self) -> int:
        """At start: records written before issue 10 made unlinkable (responses without draft
        id, submitted drafts deleted, invitations without day of use); returns how many changed."""

    def add_response(self, survey_id: str, response: dict) -> str:
        """Store a response that comes from no draft (demo data, imports); returns its id.
        LookupError for an invalid survey id."""

    def responses(self, survey_id: str) -> list[dict]:
        """Every response of the survey, oldest first; [] for an unknown survey."""

    def count_responses(self, survey_id: str) -> int:
        """len(responses(survey_id)), without reading them all where the adapter can."""

    def change_response(self, survey_id: str, response_id: str, change: Callable[[dict], dict]) -> dict | None:
        """Replace the response by change(response) (id kept) and return it;
        None when the survey has no such response. Nothing is written when it returns the
        response unchanged."""

    def remove_responses(self, survey_id: str, where: Callable[[dict], bool],
                         drafts: bool = False) -> tuple[int, int]:
        """Delete, in one step, the responses for which where(response) is true and, with
        `drafts`, every draft of the survey (and the memory of the submitted ones). Returns
        (responses, drafts) deleted, submitted drafts counted among the drafts."""


@runtime_checkable
class Invitations(Protocol):
    """Personal invitations of a survey: {"hash", "number", "used"}. Only the hash of a token
    is stored; numbers run 1, 2, ... over all batches of the survey; an invitation is used up by
    Responses.submit_draft, which records no date or time (with the responses' days it would
    link a response to an invitation number, and the mail-merge list names the person)."""

    def add_invitations(self, survey_id: str, hashes: list[str]) -> list[int]:
        """Store new unused invitations in one step; returns their numbers, continuing after the
        survey's last one (two batches at the same moment never share a number)."""

    def find_invitation(self, survey_id: str, invitation: str) -> dict | None:
        """The invitation with this hash, None when the survey has none."""

    def count_invitations(self, survey_id: str) -> tuple[int, int]:
        """(invitations, used ones) of the survey."""


# -- workshops -------------------------------------------------------------------------------

@runtime_checkable
class Workshops(Protocol):
    """Workshops (the record the workshops package makes, with a unique "join_code"), the
    participants who joined one, and their votes: at most one per participant in each run (one
    round of one poll). The storage gives a workshop its id, created_at and "version", which
    counts up by one with every change, in the same step."""

    def add_workshop(self, record: dict) -> dict:
        """Store a new workshop (version 1) and return it. DuplicateError when its join code is
        taken."""

    def list_workshops(self) -> list[dict]:
        """Short entries (id, created_at, join_code, title, date, facilitators) of every
        workshop, newest date first."""

    def get_workshop(self, workshop_id: str) -> dict | None:
        """The workshop, None when unknown."""

    def workshop_signal(self, workshop_id: str) -> Hashable | None:
        """A cheap value that differs after every change of the workshop (None: unknown), so
        that each worker process keeps the workshop in memory and asks only this a few times a
        second (web/rooms.py) instead of reading the workshop for every phone. A database may
        answer the version, kept current by its notifications (LISTEN/NOTIFY)."""

    def find_workshop_by_code(self, join_code: str) -> dict | None:
        """The workshop with this join code (exact), None when there is none."""

    def change_workshop(self, workshop_id: str, change: Callable[[dict], dict]) -> dict | None:
        """Write the fields of change(workshop) over the stored ones (fields it leaves out keep
        their values; id and created_at cannot change), count up the version, and return the
        new record; None when unknown. No change is lost between processes."""

    def remove_workshop(self, workshop_id: str) -> bool:
        """Delete a workshop with its participants and votes; True when there was anything.
        It is never listed without its data, even half-way."""

    def add_participant(self, workshop_id: str, group: str | None) -> dict:
        """Store a new participant {"id", "group", "joined_on" (the day only)}. LookupError when
        the workshop is unknown."""

    def count_participants(self, workshop_id: str) -> int:
        """How many joined; 0 for an unknown workshop."""

    def put_vote(self, workshop_id: str, run: str, participant_id: str, vote: dict) -> tuple[dict, bool]:
        """Store the participant's vote in `run` (with a new id and "participant"), replacing
        their earlier one there in the same step. Returns (stored vote, replaced). LookupError
        for invalid ids."""

    def put_votes(self, workshop_id: str, run: str, votes: list[tuple[str, dict]]) -> list[tuple[dict, bool]]:
        """put_vote for several (participant id, vote) at once, in fewer writes (a room's votes
        that arrive together); a participant named twice keeps the last. Returns what put_vote
        would for each, in order. When it raises, some may be stored: storing them again
        replaces them, so nothing counts twice."""

    def get_vote(self, workshop_id: str, run: str, participant_id: str) -> dict | None:
        """The participant's vote in `run`, None when there is none."""

    def votes(self, workshop_id: str, run: str) -> list[dict]:
        """Every vote in `run` (no order promised)."""

    def count_votes(self, workshop_id: str, run: str) -> int:
        """len(votes(workshop_id, run))."""


# -- consultations ---------------------------------------------------------------------------

@runtime_checkable
class Consultations(Protocol):
    """Consultations on a draft text (the record consultations.model makes), the versions of
    their draft, and one statement per invited organisation (consultations.statements). The
    storage gives a consultation its id and created_at, and each version its "number" (1, 2,
    ...) and created_at. Organisation ids are uuid4 strings made by the domain."""

    def add_consultation(self, record: dict) -> dict:
        """Store a new consultation and return it."""

    def get_consultation(self, consultation_id: str) -> dict | None:
        """The consultation, None when unknown."""

    def list_consultations(self) -> list[dict]:
        """Every consultation, oldest first."""

    def change_consultation(self, consultation_id: str, change: Callable[[dict], dict]) -> dict | None:
        """Replace the consultation by change(consultation) (id and created_at kept) and return
        it; None when unknown. No change is lost between processes."""

    def remove_consultation(self, consultation_id: str) -> bool:
        """Delete a consultation with its versions and statements; True when there was anything.
        It is never listed without its data, even half-way."""

    def add_consultation_version(self, consultation_id: str, make: Callable[[dict | None], dict]) -> dict:
        """Store make(latest version, None before the first) as the next version, numbered one
        after the latest, in one step (two versions made at once never share a number, and each
        is made from the one before it); returns it. LookupError when the consultation is
        unknown."""

    def consultation_versions(self, consultation_id: str) -> list[dict]:
        """Every version of the draft, oldest first; [] for an unknown consultation."""

    def change_statement(self, consultation_id: str, organisation_id: str,
                         change: Callable[[dict | None], dict]) -> dict:
        """Replace the organisation's statement by change(statement, None when it has none yet)
        with "organisation" set, and return it. LookupError when the consultation is unknown
        or an id is invalid."""

    def get_statement(self, consultation_id: str, organisation_id: str) -> dict | None:
        """The organisation's statement, None when it has none."""

    def statements(self, consultation_id: str) -> list[dict]:
        """Every statement of the consultation (no order promised); [] when unknown."""


# -- the evaluator's decision work -----------------------------------------------------------

@runtime_checkable
class DecisionRecords(Protocol):
    """Small JSON documents of the evaluator's decision work (issue 16): task profiles'
    classifications and descriptions, staffing scenarios, committee-pack selections. Each is
    named by a kind (a short identifier the domain picks: "task_profile", "staffing_scenario",
    "committee_pack"; storage.records.record_kind) and a key within it (any text of 1 to 200
    characters: "task.networking", a scenario's name; storage.records.record_key, which also
    NFC-normalises it). An invalid kind or key raises ValueError.

    A stored record is the value put with three fields the storage sets: "version" (1, 2, ...,
    counting up with every put), "updated_at" (the day, YYYY-MM-DD) and "updated_by" (as given,
    None when not). Those names in a value put are ignored, so that a record read, changed and
    put again round-trips. Two evaluators editing the same record do not overwrite each other
    silently: each puts with the version they read (expected_version), and the second gets
    RecordConflict."""

    def get_record(self, kind: str, key: str) -> dict | None:
        """The stored record, None when there is none (also for an invalid key)."""

    def put_record(self, kind: str, key: str, value: dict, *, expected_version: int | None = None,
                   updated_by: str | None = None) -> int:
        """Store value as the record (create or replace) and return its new version: 1 for a
        new record, one more than the stored one otherwise. With expected_version, in the same
        step: RecordConflict (nothing stored) unless the stored version is that one (0: there
        must be no record yet). ValueError for an invalid kind or key, or a value that is not
        a JSON object."""

    def list_records(self, kind: str) -> list[tuple[str, dict]]:
        """(key, record) of every record of the kind, sorted by key (code point order)."""

    def delete_record(self, kind: str, key: str) -> bool:
        """Delete the record; True when there was one. (Put again, it starts at version 1.)"""


# -- brakes on guessing and the audit log ----------------------------------------------------

@runtime_checkable
class Brakes(Protocol):
    """Counters of recent failures (wrong passwords and codes) per purpose and key (a keyed hash
    of a network or account: lower-case hex, 8 to 64 digits). Counters are disposable: an
    adapter may lose them in a crash, never raise for them."""

    def brake_counter(self, purpose: str, key: str, now: float) -> dict | None:
        """{count, start, last, expires} (epoch seconds), None when the key has no failure
        whose window is still open at `now`."""

    def count_brake_failure(self, purpose: str, key: str, now: float, window: float) -> dict:
        """Count one failure in one step (none is lost between processes); a counter whose
        window has passed starts again at 1 with a window of `window` seconds from `now`.
        Returns the counter. ValueError for an invalid purpose or key."""

    def clear_brake(self, purpose: str, key: str) -> None:
        """Forget the failures of `key` (after a success)."""


@runtime_checkable
class AuditLog(Protocol):
    """Who did what when: events are only ever appended."""

    def append_audit_event(self, event: dict) -> None:
        """Append one event (a JSON-ready dict); durable when it returns."""

    def audit_events(self) -> Iterator[dict | None]:
        """The events, oldest first; None for one that cannot be read (e.g. cut off by a crash)."""


# -- everything the app uses -------------------------------------------------------------

@runtime_checkable
class Storage(Users, Surveys, Definitions, Drafts, Responses, Invitations, Workshops, Consultations,
              DecisionRecords, Brakes, AuditLog, Protocol):
    """All kinds of data on one object: what the app is given (web.db.get_store).

    Data-folder maintenance (DataFolder) comes on top where the data lives in files."""


PROTOCOLS = (Users, Surveys, Definitions, Drafts, Responses, Invitations, Workshops, Consultations, DecisionRecords,
             Brakes, AuditLog)


# -- moving to another storage (storage.copy) -------------------------------------------------

@runtime_checkable
class Transfer(Protocol):
    """What an adapter gives for copying: every record with its ids, and an empty storage filled."""

    def is_empty(self) -> bool:
        """True when the storage holds no data yet."""

    def export_records(self) -> Iterator[tuple[str, dict]]:
        """(kind, record) for everything kept: one of storage.copy.KINDS; drafts, responses and invitations as
        {"survey_id", "record"} (invitations flat), submitted drafts as {"survey_id", "hash"},
        participants and votes with their workshop (and run), decision records as {"kind",
        "key", "record"}; responses of a survey and audit events in their stored order."""

    def import_records(self, records: Iterable[tuple[str, dict]]) -> None:
        """Store the records of export_records into this empty storage, keeping every id."""



# -- live workshops across processes and servers -----------------------------------------------

@runtime_checkable
class WorkshopSignals(Protocol):
    """A cheap value per workshop that differs after every change of it, whichever process or
    server made the change, so that each process can keep a live room's state in memory and
    ask this many times a second (web/rooms.py on the live-room branch). The PostgreSQL adapter
    answers from LISTEN/NOTIFY without a query and also offers on_workshop_change(callback)
    to be woken at once (storage/postgres/live.py)."""

    def workshop_signal(self, workshop_id: str):
        """A hashable value that changes with every change of the workshop; None when unknown."""


# -- looking after a data folder (adapters that keep files only) ----------------------------

@runtime_checkable
class DataFolder(Protocol):
    """A storage that keeps its data as files in one folder (the TinyDB adapter): the admins'
    list of damaged files, the clean-up at start and the snapshot a backup is made of. A
    database adapter has none of this (its database has its own tools): the admin page then
    lists no damaged files, and storage.tinydb.backup, which reads the snapshot, is not for it."""

    data_dir: Path

    def damaged_files(self) -> list:
        """What check-data finds damaged (objects with path, kind, detail, reason), temporary
        files left out; cheap to call on every visit of the admin page."""

    def owner_of(self, path: Path) -> tuple[str, str] | None:
        """("survey", id) or ("workshop", id) when `path` is a file of one survey or workshop."""

    def remove_stale_temp_files(self) -> list[Path]:
        """Delete the temporary files that killed processes left behind; returns them."""

    def snapshot(self) -> Iterator[tuple[str, bytes]]:
        """(path relative to the folder, content) of every file, each unit read whole under
        the lock its writers take: a response stored before the snapshot started is in it
        together with its used draft and invitation."""
