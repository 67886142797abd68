"""Join codes: six characters a room can read off a screen and type on a phone."""
from __future__ import annotations

import secrets

from survey_app.codes import new_code, normalize_code

JOIN_CODE_LENGTH = 6


def new_join_code(randbelow=secrets.randbelow) -> str:
    return new_code(JOIN_CODE_LENGTH, randbelow)


def normalize_join_code(text: str) -> str | None:
    return normalize_code(text, JOIN_CODE_LENGTH)
