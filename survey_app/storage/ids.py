"""What every adapter gives and checks the same way: ids (uuid4 strings, the canonical
lower-case form), time stamps (UTC, ISO 8601 with microseconds), the names of kept definition
versions and of brakes. fullmatch, not match with "$": "$" lets a trailing newline through."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from typing import Any

_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Kept definition versions: a questionnaire id and the SHA-256 of the text.
DEFINITION_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
# Brakes: a purpose and a keyed hash.
PURPOSE_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
KEY_RE = re.compile(r"^[0-9a-f]{8,64}$")


def valid_id(value: Any) -> bool:
    # Ids from URLs and cookies end up in file paths and queries: only canonical uuids may pass.
    return isinstance(value, str) and bool(_UUID_RE.fullmatch(value))


def new_id() -> str:
    return str(uuid.uuid4())


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def valid_definition_version(questionnaire_id: Any, content_hash: Any) -> bool:
    return (isinstance(questionnaire_id, str) and isinstance(content_hash, str)
            and bool(DEFINITION_ID_RE.fullmatch(questionnaire_id) and HASH_RE.fullmatch(content_hash)))


def valid_brake(purpose: Any, key: Any) -> bool:
    return isinstance(purpose, str) and isinstance(key, str) and bool(PURPOSE_RE.fullmatch(purpose) and KEY_RE.fullmatch(key))


def today() -> str:
    """The day (UTC) as YYYY-MM-DD, for what records only the day of a change."""
    return datetime.now(timezone.utc).date().isoformat()
