"""XLSForm `constraint` -> the limits our questions have: min/max, lengths, numbers of
choices, dates and a pattern (regex). Parts without a counterpart are returned, to be reported."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from survey_app.definitions.imports import N_, Message
from survey_app.definitions.xlsform.expressions import FLIP, ExpressionError, day_of, number_of, parse_expression


@dataclass
class Limits:
    keys: dict                 # min, max, min_length, max_length, min_choices, max_choices, min_date, max_date
    pattern: str | None        # a regex(.) in our form (the whole answer matches)
    left_out: list[tuple[str, Message]]   # (part of the expression, why)


def constraint_to_limits(expression: str, kind: str, integer: bool, own_name: str = "") -> Limits:
    """The parts of a constraint that our question keys can hold. `kind` is our question type.
    ExpressionError when the expression cannot be read at all."""
    tree = parse_expression(expression)
    parts = tree[1] if tree[0] == "and" else [tree]
    result = Limits({}, None, [])
    for part in parts:
        try:
            _limit(part, kind, integer, own_name, result)
        except ExpressionError as error:
            result.left_out.append((_source(part), error.message_object()))
    return result


def _is_self(node, own: str) -> bool:
    return node[0] == "self" or (node[0] == "ref" and own and node[1] == own)


def _limit(node, kind: str, integer: bool, own: str, result: Limits) -> None:
    if node[0] == "call" and node[1] == "regex" and len(node[2]) == 2 and _is_self(node[2][0], own) \
            and node[2][1][0] == "literal":
        if kind not in ("short_text", "long_text"):
            raise ExpressionError(N_("regex() on a question that is not a text"))
        result.pattern = whole_answer_pattern(str(node[2][1][1]))
        return
    if node[0] != "compare":
        raise ExpressionError(N_("only simple limits (. >= 0, string-length(.) <= 50, regex(., …)) are "
                                 "carried over"))
    op, left, right = node[1], node[2], node[3]
    if _measure(right, own) and not _measure(left, own):
        left, right, op = right, left, FLIP[op]
    measure = _measure(left, own)
    if right[0] == "call" and right[1] == "date" and len(right[2]) == 1:
        right = right[2][0]
    if measure is None or right[0] != "literal":
        raise ExpressionError(N_("only limits against fixed values are carried over"))
    value = right[1]
    if measure == "value" and kind == "number":
        number = number_of(value)
        if number is None:
            raise ExpressionError(N_("compares a number with a text"))
        _bound(result.keys, "min", "max", op, number, 1 if integer else None)
    elif measure == "value" and kind == "date":
        day = day_of(str(value))
        if day is None:
            raise ExpressionError(N_("a date can only be limited by a date written YYYY-MM-DD"))
        step = dt.timedelta(days=1)
        base = dt.date.fromisoformat(day)
        moved = {">": base + step, "<": base - step}.get(op, base).isoformat()
        _bound(result.keys, "min_date", "max_date", op, moved, 0, dates=True)
    elif measure == "length" and kind in ("short_text", "long_text"):
        _bound(result.keys, "min_length", "max_length", op, _whole(value), 1)
    elif measure == "count" and kind == "multiple_choice":
        _bound(result.keys, "min_choices", "max_choices", op, _whole(value), 1)
    else:
        raise ExpressionError(N_("this limit does not fit the question's type"))


def _measure(node, own: str) -> str | None:
    if _is_self(node, own):
        return "value"
    if node[0] == "call" and len(node[2]) == 1 and _is_self(node[2][0], own):
        return {"string-length": "length", "count-selected": "count", "number": "value", "int": "value",
                "decimal-date-time": None}.get(node[1])
    return None


def _whole(value) -> int:
    number = number_of(value)
    if not isinstance(number, int) or number < 0:
        raise ExpressionError(N_("a length or count must be a whole number"))
    return number


def _bound(keys: dict, low: str, high: str, op: str, value, step, dates: bool = False) -> None:
    if op == "!=":
        raise ExpressionError(N_("“not equal” has no counterpart among the limits"))
    if op in ("<", ">") and not dates:
        if step is None:
            raise ExpressionError(N_("a strict limit (< or >) on decimals has no counterpart; only ≤ and ≥ do"))
        value = value + step if op == ">" else value - step
    if op in (">", ">=", "="):
        keys[low] = max(keys[low], value) if low in keys else value
    if op in ("<", "<=", "="):
        keys[high] = min(keys[high], value) if high in keys else value


def whole_answer_pattern(xpath_regex: str) -> str:
    """An XPath regex (found anywhere in the answer unless anchored with ^ and $) as a
    pattern the whole answer must match, as ours are."""
    body = xpath_regex
    if body.startswith("^") and body.endswith("$") and not body.endswith("\\$") and "|" not in body:
        return body[1:-1]
    return f"(?s:.*?)(?:{body})(?s:.*)"


def _source(node, level: int = 0) -> str:
    """A short text form of a tree, for the report."""
    kind = node[0]
    if level > 12:
        return "…"
    level += 1
    if kind == "literal":
        return repr(node[1]) if isinstance(node[1], str) else str(node[1])
    if kind == "ref":
        return "${" + node[1] + "}"
    if kind == "self":
        return "."
    if kind == "call":
        return f"{node[1]}({', '.join(_source(a, level) for a in node[2])})"
    if kind == "compare" or kind == "arithmetic":
        return f"{_source(node[2], level)} {node[1]} {_source(node[3], level)}"
    if kind in ("and", "or"):
        return f" {kind} ".join(_source(p, level) for p in node[1])
    if kind == "negative":
        return "-" + _source(node[1], level)
    return "…"
