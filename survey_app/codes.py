"""Short codes people read from a screen or paper and type on a phone (pure).

No 0/O, 1/I/L: a code cannot be misread; any case, spaces and dashes are accepted.
"""
from __future__ import annotations

import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code(length: int, randbelow=secrets.randbelow) -> str:
    return "".join(ALPHABET[randbelow(len(ALPHABET))] for _i in range(length))


def normalize_code(text: str | None, length: int) -> str | None:
    """The code as typed in canonical form, or None if it cannot be one."""
    code = re.sub(r"[\s-]", "", text or "").upper()
    if len(code) != length or any(ch not in ALPHABET for ch in code):
        return None
    return code
