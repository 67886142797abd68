"""Personal invitations: single-use links for a fielding (pure).

Only a hash of each token is stored, with a running number. In an anonymous fielding (the
default) nothing in the response refers to the invitation, and the invitation records only
the day it was used, so a response cannot be traced back to the person the link was sent to.
A confidential fielding records the invitation's number in the response instead, so that the
team holding the mail-merge list can tell who answered; respondents are told so.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
import secrets

MAX_PER_BATCH = 2000


def new_token() -> str:
    return secrets.token_urlsafe(16)   # 128 bits: cannot be guessed


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_invitations(count: int) -> tuple[list[str], list[str]]:
    """`count` new tokens and their hashes (store the hashes, hand out the tokens once)."""
    tokens = [new_token() for _ in range(count)]
    return tokens, [token_hash(t) for t in tokens]


def invitation_state(record: Mapping | None) -> str | None:
    """"unused", "used", or None for an invitation that does not exist."""
    return None if record is None else ("used" if record["used"] else "unused")


def invitation_table(numbers: list[int], links: list[str]) -> tuple[list[str], list[list]]:
    """Rows for a mail merge: the invitation's running number and its personal link."""
    return ["number", "link"], [[number, link] for number, link in zip(numbers, links)]
