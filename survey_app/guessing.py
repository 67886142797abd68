"""A brake on guessing short codes (workshop join codes, resume codes): wrong codes count
against the client, and after too many within a window every lookup from it pauses.

Only a keyed hash of the client's address is stored, never the address itself.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from flask import current_app, request

from .db import get_store

FAILURE_LIMIT = 20                  # wrong codes per client and window (config CODE_FAILURE_LIMIT)
FAILURE_WINDOW = timedelta(minutes=10)


def _client_key() -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hashlib.sha256(secret + (request.remote_addr or "").encode()).hexdigest()[:32]


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _limit() -> int:
    return current_app.config.get("CODE_FAILURE_LIMIT", FAILURE_LIMIT)


def _since() -> str:
    return _stamp(datetime.now(timezone.utc) - FAILURE_WINDOW)


def locked_out() -> bool:
    """The client has tried too many wrong codes lately."""
    return get_store().count_join_failures(_client_key(), _since()) >= _limit()


def count_wrong_code() -> bool:
    """Record one wrong code; True when the client is now locked out."""
    now = _stamp(datetime.now(timezone.utc))
    return get_store().add_join_failure(_client_key(), now, _since()) >= _limit()
