"""The minimum group size: the one rule every shown number, chart, list and download follows (pure).

A group of fewer than the minimum number of people is never shown, nor anything from which it
could be derived. The app has one minimum (config MIN_GROUP_SIZE, default 5, never below 3); a
fielding or a workshop may raise it for its own results, never lower it.
"""
from __future__ import annotations

FLOOR = 3      # below this, even a published count of two would let colleagues tell who is who
DEFAULT = 5    # the documented default


class MinimumTooLow(ValueError):
    """A configured minimum group size below the floor (or not a whole number)."""


def checked_app_minimum(value: object) -> int:
    """The app-wide minimum from the configuration; MinimumTooLow when it cannot be used."""
    if isinstance(value, str) and value.strip().isdigit():  # from the environment
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise MinimumTooLow(f"MIN_GROUP_SIZE must be a whole number of at least {FLOOR}, got {value!r}")
    if value < FLOOR:
        raise MinimumTooLow(f"MIN_GROUP_SIZE is {value}, but it may not be below {FLOOR}: with smaller "
                            f"groups single people's answers could be recognised")
    return value


def effective_minimum(app_minimum: int, *settings: int | None) -> int:
    """The minimum that applies: the app's, raised by any setting of a fielding or workshop."""
    return max(app_minimum, FLOOR, *(s for s in settings if isinstance(s, int) and not isinstance(s, bool)))
