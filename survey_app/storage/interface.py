"""What the app needs from its storage (placeholder; the Protocols follow)."""
from __future__ import annotations

import errno


class DuplicateError(Exception):
    """A username, slug or join code that must be unique is already taken; nothing was stored."""


class InvitationUsedError(Exception):
    """The invitation was used up (or never existed) by the time the response arrived; nothing
    was stored."""


class DamagedDataError(Exception):
    """Stored data cannot be read because it does not hold what the app wrote; nothing was
    written over it."""

    owner: tuple[str, str] | None = None   # ("survey", id) or ("workshop", id) it belongs to
    draft: bool = False                    # it is one respondent's saved answers
    location: str = ""                     # where it is, for admins


# A write failed because the storage cannot take one now (disk full, quota, read-only): nothing
# was changed, and the same request can succeed once an admin has made room.
UNAVAILABLE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def storage_unavailable(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in UNAVAILABLE_ERRNOS
