"""Answer patterns (regular expressions) in definitions: checked once when a definition is
loaded, so that no pattern can take very long to check an answer (pure)."""
from __future__ import annotations

import re
from re import _constants as sre_constants, _parser as sre_parse  # to spot slow patterns

from survey_app.definitions.loader import Collector, kind

# Longest pattern accepted; answers are checked against it on every submission.
MAX_PATTERN_LENGTH = 500


def check_pattern(c: Collector, loc: str, value: object) -> str | None:
    """A regular expression that the whole answer must match, rejected here when it is
    invalid or could take very long to check (nested repetition such as (a+)+)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        c.add(loc, f'"pattern" must be a regular expression written as text, got {kind(value)}')
        return None
    if len(value) > MAX_PATTERN_LENGTH:
        c.add(loc, f'"pattern" is longer than {MAX_PATTERN_LENGTH} characters')
        return None
    try:
        re.compile(value)
    except re.error as exc:
        c.add(loc, f'"pattern" is not a valid regular expression: {exc}')
        return None
    if _has_nested_repeat(sre_parse.parse(value)):
        c.add(loc, '"pattern" repeats a part that itself repeats (like "(a+)+"); such patterns can '
                   "take very long to check, so please write it without the nesting")
        return None
    return value


_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}


def _has_nested_repeat(parsed, inside_repeat: bool = False) -> bool:
    """True when a repeated part contains a part repeated a variable number of times:
    the shape ("(a+)+", "(a*b?)*") whose checking time can grow exponentially."""
    for op, arg in parsed:
        if op in _REPEATS:
            low, high, sub = arg
            if inside_repeat and low != high:
                return True
            if _has_nested_repeat(sub, inside_repeat or high > 1):
                return True
        elif any(_has_nested_repeat(sub, inside_repeat) for sub in _subpatterns(arg)):
            return True
    return False


def _subpatterns(arg):
    if isinstance(arg, sre_parse.SubPattern):
        yield arg
    elif isinstance(arg, (tuple, list)):
        for part in arg:
            yield from _subpatterns(part)
