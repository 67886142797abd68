"""Decision records (storage.interface.DecisionRecords): what every adapter checks and makes
the same way, in one place: the kind and the key (valid, the key NFC-normalised), the record
stored (the value with its version, day and author), and the version check of a put."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from survey_app.storage.ids import today
from survey_app.storage.interface import RecordConflict

KIND_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
KEY_MAX = 200
# Not in a key: control characters (also "\u0000", which PostgreSQL's text cannot hold), lone
# surrogates (no UTF-8 for them), line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
# Set by the storage on every put; the same names in a value put are ignored.
STORED_FIELDS = ("version", "updated_at", "updated_by")


def record_kind(kind: Any) -> str:
    """The kind as given; ValueError unless it is a short identifier (a lower-case letter, then
    up to 39 lower-case letters, digits and "_")."""
    if not (isinstance(kind, str) and KIND_RE.fullmatch(kind)):
        raise ValueError(f"invalid kind of decision record: {kind!r}")
    return kind


def record_key(key: Any) -> str:
    """The key in its stored form, NFC-normalised (a key typed with combining accents finds the
    one typed with composed ones). ValueError unless it is text of 1 to KEY_MAX characters
    without control characters or line breaks, neither starting nor ending with white space."""
    if not isinstance(key, str):
        raise ValueError(f"invalid key of decision record: {key!r}")
    if any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in key):
        raise ValueError(f"invalid key of decision record: {key!r}")
    key = unicodedata.normalize("NFC", key)
    if not 1 <= len(key) <= KEY_MAX or key != key.strip():
        raise ValueError(f"invalid key of decision record: {key!r}")
    return key


def found_key(kind: Any, key: Any) -> str | None:
    """For reads and deletes: the stored form of the key, None for a key no record can have
    (it finds nothing). ValueError for an invalid kind (a mistake in the code, not in input)."""
    record_kind(kind)
    try:
        return record_key(key)
    except ValueError:
        return None


def check_version(kind: str, key: str, expected: int | None, stored: int) -> None:
    """RecordConflict unless `expected` is None or the version stored (0: none)."""
    if expected is not None and (isinstance(expected, bool) or not isinstance(expected, int)):
        raise ValueError(f"expected_version must be an int or None: {expected!r}")
    if expected is not None and expected != stored:
        raise RecordConflict(kind, key, expected, stored)


def stored_record(value: Any, version: int, updated_by: str | None) -> dict:
    """What is stored: a copy of the value with version, updated_at (today) and updated_by."""
    if not isinstance(value, dict):
        raise ValueError(f"a decision record is a JSON object, not {type(value).__name__}")
    if updated_by is not None and not isinstance(updated_by, str):
        raise ValueError(f"updated_by must be text or None: {updated_by!r}")
    record = {name: item for name, item in value.items() if name not in STORED_FIELDS}
    return {**record, "version": version, "updated_at": today(), "updated_by": updated_by}
