"""XLSForm expressions (XPath 1.0 as ODK writes it), read into a tree.

A real grammar, read by recursive descent with bounds (at most MAX_LENGTH characters and
MAX_NESTING levels of parentheses, function calls and signs; the resulting condition at
most as deep as show_if allows), so that no expression can exhaust the stack:

    or > and > equality (= !=) > relational (< <= > >=) > additive (+ -) >
    multiplicative (* div mod) > unary (-) > union (|) > primary

Primary: a number, a string ('…' or "…"), ${name}, a path (/data/group/name, ../name, .),
a function call, an expression in parentheses. `and`, `or`, `div` and `mod` are operators
also without spaces around them (`'yes'and ${x}`); names may contain `-` and `.`; typographic
quotes count as quotes. relevant.py turns trees into show_if, limits.py into answer limits.
The tree is made of tuples:

    ("or", [a, b, ...]) ("and", [...]) ("compare", op, a, b) ("arithmetic", op, a, b)
    ("negative", a) ("literal", value) ("ref", name) ("self",) ("call", name, [args])
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from survey_app.definitions.imports import N_, ImportFailure, Message

MAX_LENGTH = 10_000
MAX_NESTING = 40


class ExpressionError(ImportFailure):
    """An expression that cannot be read or has no counterpart here (msgid with parameters)."""

    def message_object(self) -> Message:
        return Message(self.message, tuple(self.params.items()))


_NAME = r"[A-Za-z_\u00c0-\u02ff\u0370-\u1fff\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd]" \
        r"[\w.\-\u00b7\u00c0-\u036f\u0370-\u1fff\u203f-\u2040\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufffd]*"
_TOKEN = re.compile(rf"""
    (?P<space>\s+)
  | (?P<ref>\$\{{\s*(?P<refname>[^}}\s]*)\s*\}})
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<string>"[^"]*"|'[^']*')
  | (?P<path>(?:\.\.|\.)?(?:/(?:{_NAME}|\.\.|\.))+|\.\.)
  | (?P<name>{_NAME}(?::{_NAME})?)
  | (?P<op>!=|<=|>=|==|&&|\|\||[=<>()+\-*|,.\[\]!])
""", re.X)
_WORDS = {"and": "and", "or": "or", "div": "div", "mod": "mod"}
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&apos;": "'"}


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise ExpressionError(N_("cannot read “%(rest)s”"), rest=text[position:position + 20])
        position = match.end()
        kind = match.lastgroup if match.lastgroup != "refname" else "ref"
        if match.group("ref") is not None:
            kind = "ref"
        value = match.group()
        if kind == "space":
            continue
        if kind == "ref":
            value = match.group("refname")
            if not value or "#" in value:
                raise ExpressionError(N_("“%(text)s” is not a reference to a question"), text=match.group()[:40])
        elif kind == "name" and value.lower() in _WORDS:
            kind, value = "op", _WORDS[value.lower()]
        elif kind == "op":
            value = {"==": "=", "&&": "and", "||": "or"}.get(value, value)
        tokens.append((kind, value))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.position = 0
        self.depth = 0

    def parse(self):
        if not self.tokens:
            raise ExpressionError(N_("the expression is empty"))
        node = self._or()
        if self.position != len(self.tokens):
            raise ExpressionError(N_("unexpected “%(token)s”"), token=self.tokens[self.position][1][:40])
        return node

    def _peek(self) -> str | None:
        if self.position < len(self.tokens) and self.tokens[self.position][0] == "op":
            return self.tokens[self.position][1]
        return None

    def _take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise ExpressionError(N_("the expression ends too early"))
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _deeper(self):
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ExpressionError(N_("the expression is nested more than %(limit)d levels deep"), limit=MAX_NESTING)

    def _chain(self, kind: str, operators: tuple[str, ...], inner: Callable):
        parts = [inner()]
        while self._peek() in operators:
            self._take()
            parts.append(inner())
        return parts[0] if len(parts) == 1 else (kind, parts)

    def _or(self):
        return self._chain("or", ("or",), self._and)

    def _and(self):
        return self._chain("and", ("and",), self._equality)

    def _equality(self):
        node = self._relational()
        while self._peek() in ("=", "!="):
            op = self._take()[1]
            node = ("compare", op, node, self._relational())
        return node

    def _relational(self):
        node = self._additive()
        while self._peek() in ("<", "<=", ">", ">="):
            op = self._take()[1]
            node = ("compare", op, node, self._additive())
        return node

    def _additive(self):
        node = self._multiplicative()
        while self._peek() in ("+", "-"):
            op = self._take()[1]
            node = ("arithmetic", op, node, self._multiplicative())
        return node

    def _multiplicative(self):
        node = self._unary()
        while self._peek() in ("*", "div", "mod"):
            op = self._take()[1]
            node = ("arithmetic", op, node, self._unary())
        return node

    def _unary(self):
        if self._peek() in ("-", "!"):
            op = self._take()[1]
            self._deeper()
            inner = self._unary()
            self.depth -= 1
            if op == "!":
                return ("call", "not", [inner])
            if inner[0] == "literal" and isinstance(inner[1], (int, float)):
                return ("literal", -inner[1])
            return ("negative", inner)
        node = self._primary()
        while self._peek() == "|":
            self._take()
            node = ("arithmetic", "|", node, self._primary())
        return node

    def _primary(self):
        kind, value = self._take()
        if kind == "op" and value == "(":
            self._deeper()
            node = self._or()
            self.depth -= 1
            self._expect(")")
            return self._predicates(node)
        if kind == "op" and value == ".":
            return self._predicates(("self",))
        if kind == "number":
            number = float(value)
            return ("literal", int(number) if number.is_integer() and "." not in value else number)
        if kind == "string":
            return ("literal", value[1:-1])
        if kind == "ref":
            return self._predicates(("ref", value))
        if kind == "path":
            step = [s for s in value.split("/") if s]
            if step and step[-1] not in (".", ".."):
                return self._predicates(("ref", step[-1]))
            return self._predicates(("self",) if value.strip("/") in ("", ".") else ("path", value))
        if kind == "name":
            if self._peek() == "(":
                self._take()
                self._deeper()
                args = []
                if self._peek() != ")":
                    args.append(self._or())
                    while self._peek() == ",":
                        self._take()
                        args.append(self._or())
                self._expect(")")
                self.depth -= 1
                return self._predicates(("call", value.lower(), args))
            return self._predicates(("ref", value))
        raise ExpressionError(N_("unexpected “%(token)s”"), token=value[:40])

    def _predicates(self, node):
        if self._peek() == "[":
            raise ExpressionError(N_("XPath predicates ([…]) have no counterpart here"))
        return node

    def _expect(self, op: str):
        if self._peek() != op:
            raise ExpressionError(N_("a parenthesis is not closed"))
        self._take()


def parse_expression(text: str):
    """The tree of an XLSForm expression; ExpressionError when it cannot be read."""
    text = str(text).translate(_QUOTES).strip()
    if len(text) > MAX_LENGTH:
        raise ExpressionError(N_("the expression is longer than %(limit)d characters"), limit=MAX_LENGTH)
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    return _Parser(text).parse()


def code_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


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
    match = re.match(r"(\d{4}-\d{2}-\d{2})(?:[ T][0-9:.+\-Z]*)?$", text.strip())
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None


FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}
