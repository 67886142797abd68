"""XLSForm expressions (XPath 1.0 as ODK writes it), read into a tree: the XPath tables of
the shared toolkit (definitions/expressions.py).

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
    ("negative", a) ("literal", value) ("ref", name) ("self",) ("path", text) ("call", name, [args])
"""
from __future__ import annotations

import re

from survey_app.definitions.expressions import (  # noqa: F401 (the names xlsform/ uses)
    FLIP, MAX_LENGTH, MAX_NESTING, Binary, Chain, ExpressionError, Parser, Prefix, Syntax, check_length, code_text,
    day_of, number_of,
)
from survey_app.definitions.imports import N_

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
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&apos;": "'"}


def _reference(kind: str, value: str, match: re.Match) -> tuple[str, str]:
    if match.group("ref") is None:
        return kind, value
    name = match.group("refname")
    if not name or "#" in name:
        raise ExpressionError(N_("“%(text)s” is not a reference to a question"), text=value[:40])
    return "ref", name


XPATH = Syntax(
    token=_TOKEN,
    kinds={"refname": "ref"},
    check_token=_reference,
    words={"and": "and", "or": "or", "div": "div", "mod": "mod"},
    aliases={"==": "=", "&&": "and", "||": "or"},
    levels=(Chain("or", ("or",)), Chain("and", ("and",)), Binary("compare", ("=", "!=")),
            Binary("compare", ("<", "<=", ">", ">=")), Binary("arithmetic", ("+", "-")),
            Binary("arithmetic", ("*", "div", "mod")), Prefix(("-", "!")), Binary("arithmetic", ("|",))),
    negation=lambda inner: ("call", "not", [inner]),
    messages={"empty": N_("the expression is empty"), "ends": N_("the expression ends too early"),
              "nested": N_("the expression is nested more than %(limit)d levels deep")},
)


class _XPathParser(Parser):
    def special(self, kind: str, value: str):
        if kind == "op" and value == ".":
            return ("self",)
        if kind == "ref":
            return ("ref", value)
        if kind == "path":
            step = [s for s in value.split("/") if s]
            if step and step[-1] not in (".", ".."):
                return ("ref", step[-1])
            return ("self",) if value.strip("/") in ("", ".") else ("path", value)
        return None

    def after(self, node):
        if self._peek() == "[":
            raise ExpressionError(N_("XPath predicates ([…]) have no counterpart here"))
        return node


def parse_expression(text: str):
    """The tree of an XLSForm expression; ExpressionError when it cannot be read."""
    text = str(text).translate(_QUOTES).strip()
    check_length(text, N_("the expression is longer than %(limit)d characters"))
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    return _XPathParser(text, XPATH).parse()
