"""One expression toolkit for every importer: a tokenizer, a bounded recursive-descent grammar
and the mapping of the tree onto show_if conditions.

The formats differ only in small tables: a `Syntax` names the token pattern, the operator
words and spellings, the precedence levels (`Chain`, `Binary`, `Prefix`), what an empty
expression means and the wording of its messages ("expression" for XLSForm, "equation" for
LimeSurvey's ExpressionScript). definitions/xlsform/expressions.py and
definitions/limesurvey/conditions.py hold those tables; xlsform/relevant.py and
limesurvey/conditions.py subclass `Translator` for what a comparison means in each format.

Bounds: the text is at most MAX_LENGTH characters (checked by the caller's `parse`), and
parentheses, function calls and prefix operators nest at most `Syntax.max_nesting` levels, so
no expression can exhaust the stack; a condition deeper than show_if allows is refused by
`to_show_if`. The tree is made of tuples:

    ("or", [a, b, ...]) ("and", [...]) ("not", a) ("compare", op, a, b) ("arithmetic", op, a, b)
    ("negative", a) ("literal", value) ("ref", name) ("call", name, [args])

plus what a format's `Parser.special` adds (XLSForm: ("self",), ("path", text)).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from survey_app.definitions.conditions import MAX_DEPTH as MAX_CONDITION_DEPTH
from survey_app.definitions.imports import N_, ImportFailure, Message, combine, depth, negate

MAX_LENGTH = 10_000
MAX_NESTING = 40


class ExpressionError(ImportFailure):
    """An expression that cannot be read or has no counterpart here (msgid with parameters)."""

    def message_object(self) -> Message:
        return Message(self.message, tuple(self.params.items()))


# --------------------------------------------------------------------------- grammar tables

@dataclass(frozen=True)
class Chain:
    """`a op b op c` -> (node, [a, b, c])."""
    node: str
    operators: tuple[str, ...]


@dataclass(frozen=True)
class Binary:
    """`a op b op c` -> (node, op, (node, op, a, b), c), left to right; with `once` (a msgid) a
    second operator of the level is refused; `refused` names operators refused here instead."""
    node: str
    operators: tuple[str, ...]
    once: str | None = None
    refused: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Prefix:
    """`op x` (nested any number of times, within the nesting bound): `!` -> the syntax's
    negation, `-` before a number -> the negative number, before anything else -> ("negative", x);
    with `sign_error` (a msgid) `-` stands only right before a number."""
    operators: tuple[str, ...]
    sign_error: str | None = None


@dataclass(frozen=True)
class Syntax:
    token: re.Pattern            # named groups: space, number, string, name, op (and what `kinds` renames)
    levels: tuple                # Chain | Binary | Prefix, loosest first; the primary comes last
    messages: Mapping[str, str]  # msgids: "empty" (None: empty means true), "ends", "nested"
    words: Mapping[str, str] = field(default_factory=dict)    # name tokens that are operators
    aliases: Mapping[str, str] = field(default_factory=dict)  # operator spellings -> the one in the tree
    kinds: Mapping[str, str] = field(default_factory=dict)    # token group -> kind ("sgqa" -> "name")
    negation: Callable = lambda inner: ("not", inner)
    unquote: Callable[[str], str] = lambda text: text[1:-1]
    check_token: Callable | None = None   # (kind, value, match) -> (kind, value), may raise
    max_nesting: int = MAX_NESTING


def tokens(text: str, syntax: Syntax) -> list[tuple[str, str]]:
    result, position = [], 0
    while position < len(text):
        match = syntax.token.match(text, position)
        if not match:
            raise ExpressionError(N_("cannot read “%(rest)s”"), rest=text[position:position + 20])
        position = match.end()
        kind, value = syntax.kinds.get(match.lastgroup, match.lastgroup), match.group()
        if kind == "space":
            continue
        if syntax.check_token is not None:
            kind, value = syntax.check_token(kind, value, match)
        if kind == "name" and value.lower() in syntax.words:
            kind, value = "op", syntax.words[value.lower()]
        elif kind == "op":
            value = syntax.aliases.get(value, value)
        result.append((kind, value))
    return result


def numeric(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


class Parser:
    """Recursive descent over `syntax.levels`; `special` reads primaries a format adds and
    `after` what may follow a primary (both: None / the node by default)."""

    def __init__(self, text: str, syntax: Syntax):
        self.syntax = syntax
        self.tokens = tokens(text, syntax)
        self.position = 0
        self.depth = 0

    def parse(self):
        if not self.tokens:
            if self.syntax.messages.get("empty") is None:
                return ("literal", 1)
            raise ExpressionError(self.syntax.messages["empty"])
        node = self._level(0)
        if self.position != len(self.tokens):
            raise ExpressionError(N_("unexpected “%(token)s”"), token=self.tokens[self.position][1][:40])
        return node

    def _peek(self) -> str | None:
        if self.position < len(self.tokens) and self.tokens[self.position][0] == "op":
            return self.tokens[self.position][1]
        return None

    def _take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise ExpressionError(self.syntax.messages["ends"])
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _deeper(self):
        self.depth += 1
        if self.depth > self.syntax.max_nesting:
            raise ExpressionError(self.syntax.messages["nested"], limit=self.syntax.max_nesting)

    def _expect(self, op: str):
        if self._peek() != op:
            raise ExpressionError(N_("a parenthesis is not closed"))
        self._take()

    def _level(self, index: int):
        if index == len(self.syntax.levels):
            return self._primary()
        level = self.syntax.levels[index]
        if isinstance(level, Prefix):
            if self._peek() not in level.operators:
                return self._level(index + 1)
            op = self._take()[1]
            if op == "-" and level.sign_error:
                kind, value = self._take()
                if kind != "number":
                    raise ExpressionError(level.sign_error)
                return ("literal", -numeric(value))
            self._deeper()
            inner = self._level(index)
            self.depth -= 1
            return self._prefixed(level, op, inner)
        node = self._level(index + 1)
        if isinstance(level, Chain):
            parts = [node]
            while self._peek() in level.operators:
                self._take()
                parts.append(self._level(index + 1))
            return node if len(parts) == 1 else (level.node, parts)
        if self._peek() not in level.operators:
            for op, message in level.refused:
                if self._peek() == op:
                    raise ExpressionError(message)
        while self._peek() in level.operators:
            op = self._take()[1]
            node = (level.node, op, node, self._level(index + 1))
            if level.once and self._peek() in level.operators:
                raise ExpressionError(level.once)
        return node

    def _prefixed(self, level: Prefix, op: str, inner):
        if op != "-":
            return self.syntax.negation(inner)
        if inner[0] == "literal" and isinstance(inner[1], (int, float)):
            return ("literal", -inner[1])
        return ("negative", inner)

    def _primary(self):
        kind, value = self._take()
        if kind == "op" and value == "(":
            self._deeper()
            node = self._level(0)
            self.depth -= 1
            self._expect(")")
            return self.after(node)
        if kind == "number":
            return ("literal", numeric(value))
        if kind == "string":
            return ("literal", self.syntax.unquote(value))
        if kind == "name":
            if self._peek() != "(":
                return self.after(("ref", value))
            self._take()
            self._deeper()
            args = []
            if self._peek() != ")":
                args.append(self._level(0))
                while self._peek() == ",":
                    self._take()
                    args.append(self._level(0))
            self._expect(")")
            self.depth -= 1
            return self.after(("call", value.lower(), args))
        node = self.special(kind, value)
        if node is None:
            raise ExpressionError(N_("unexpected “%(token)s”"), token=value[:40])
        return self.after(node)

    def special(self, kind: str, value: str):
        return None

    def after(self, node):
        return node


def check_length(text: str, message: str, limit: int = MAX_LENGTH) -> None:
    if len(text) > limit:
        raise ExpressionError(message, limit=limit)


# --------------------------------------------------------------------------- values

def code_text(value, strip: bool = True) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if strip else str(value)


def number_of(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if number.is_integer() else number


def day_of(text: str) -> str | None:
    """"2018-06-30" (also with a time of day after it) as a valid YYYY-MM-DD date, else None."""
    match = re.match(r"(\d{4}-\d{2}-\d{2})(?:[ T][0-9:.+\-Z]*)?$", text.strip())
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None


FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "==": "==", "!=": "!="}
EQUAL = ("=", "==")
ORDER = {"<": "less_than", "<=": "at_most", ">": "greater_than", ">=": "at_least"}


# --------------------------------------------------------------------------- tree -> show_if

@dataclass(frozen=True)
class Target:
    """What a name in an imported expression stands for in the converted definition."""
    kind: str              # choice, multiple, scale, yes_no, number, date, text, option, none
    question: str = ""     # our question id
    values: tuple = ()     # choice, multiple, scale: ((their code, our value), ...) or the points
    ordered: bool = False  # scale: its points are ordered
    option: str = ""       # option (of a multiple choice, LimeSurvey): our option value
    page: int = 0          # index of the page it is on
    reason: str = ""       # none: msgid saying why it cannot be used ("%(name)s" is the name)


class Translator:
    """Turns a tree into a show_if condition (a dict), True (always shown) or False (never).
    `resolve` gives the Target of a name; `changes` collects what was read differently (as
    Messages), for the report. A format implements `other(node)` (calls, comparisons,
    references) and the `compare_<kind>` it needs beyond the shared ones."""

    def __init__(self, resolve: Callable[[str], Target]):
        self.resolve = resolve
        self.changes: list[Message] = []

    def condition(self, node) -> dict | bool:
        kind = node[0]
        if kind in ("or", "and"):
            parts = [self.condition(child) for child in node[1]]
            absorbing, neutral = (True, False) if kind == "or" else (False, True)
            if absorbing in parts:
                return absorbing
            parts = [p for p in parts if p is not neutral]
            if not parts:
                return neutral
            return combine("any" if kind == "or" else "all", parts)
        if kind == "not":
            return self.negation(self.condition(node[1]))
        if kind == "literal":
            return bool(node[1]) and node[1] != "0"
        return self.other(node)

    def other(self, node) -> dict | bool:
        raise NotImplementedError

    @staticmethod
    def negation(inner: dict | bool) -> dict | bool:
        return (not inner) if isinstance(inner, bool) else negate(inner)

    def target(self, name: str) -> Target:
        target = self.resolve(name)
        if target.kind == "none":
            raise ExpressionError(target.reason, name=name[:60])
        return target

    def compare(self, target: Target, op: str, value, name: str) -> dict | bool:
        return getattr(self, f"compare_{target.kind}")(target, op, value, name)

    @staticmethod
    def equality(target: Target, op: str, value) -> dict:
        condition = {"question": target.question, "equals": value}
        # `!=` also holds while the question is unanswered ('' != 'a'), in XPath and ExpressionScript.
        return condition if op in EQUAL else {"not": condition}

    def compare_number(self, target, op, value, name):
        number = number_of(value)
        if number is None:
            raise ExpressionError(N_("“%(name)s” is a number; it cannot be compared with “%(value)s”"),
                                  name=name, value=str(value)[:40])
        if op in EQUAL or op == "!=":
            return self.equality(target, op, number)
        return {"question": target.question, ORDER[op]: number}

    def compare_date(self, target, op, value, name):
        day = day_of(str(value))
        if day is None:
            raise ExpressionError(N_("“%(name)s” is a date; it can only be compared with a date written "
                                     "YYYY-MM-DD"), name=name)
        if op in EQUAL or op == "!=":
            return self.equality(target, op, day)
        return {"question": target.question, ORDER[op]: day}

    def compare_text(self, target, op, value, name):
        raise ExpressionError(N_("compares the text of “%(name)s” with a value; show_if can only ask whether a "
                                 "text was given"), name=name)


def to_show_if(translator: Translator, tree) -> dict | bool:
    """The condition of a tree; ExpressionError when it is deeper than show_if allows."""
    condition = translator.condition(tree)
    if isinstance(condition, dict) and depth(condition) > MAX_CONDITION_DEPTH:
        raise ExpressionError(N_("the condition is nested more than %(limit)d levels deep"),
                              limit=MAX_CONDITION_DEPTH)
    return condition
