"""LimeSurvey relevance equations (ExpressionScript) and the old <conditions> table -> show_if.

The ExpressionScript tables of the shared toolkit (definitions/expressions.py): the grammar is

    or (|| or) > and (&& and) > not (! not) > comparison (== != < <= > >= and eq ne lt le gt ge,
    not chained) > arithmetic (+ - * /) > sign (-number, !) > operand

operands: numbers, strings ('…' or "…", with backslash escapes), variable names (Q1, Q1_SQ001,
Q1.NAOK, 12345X6X78) and function calls. A bare variable is true when it has an answer;
`is_empty(x)` asks the opposite. What has no show_if counterpart (calculations, other
functions, .shown, self/that) is refused with the reason, and the caller reports it.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping

from survey_app.definitions.expressions import (
    FLIP, Binary, Chain, ExpressionError, Parser, Prefix, Syntax, Target, Translator as _Translator, check_length,
    code_text, number_of, to_show_if,
)
from survey_app.definitions.imports import N_, negate
from survey_app.definitions.limesurvey.reading import as_int, matching_brace

__all__ = ["ExpressionError", "Target", "conditions_to_equation", "equation_to_show_if", "parse_expression"]

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<sgqa>\d+X\d+X\d+[A-Za-z0-9_#]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<number>\d+(?:\.\d+)?|\.\d+)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_#]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?::[A-Za-z0-9_]+)?)
  | (?P<op>==|!=|<=|>=|&&|\|\||[<>!()+\-*/,=])
""", re.X)
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")

EXPRESSION_SCRIPT = Syntax(
    token=_TOKEN,
    kinds={"sgqa": "name"},
    words={"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">",
           "ge": ">="},
    levels=(Chain("or", ("||",)), Chain("and", ("&&",)), Prefix(("!",)),
            Binary("compare", _COMPARISONS, once=N_("comparisons are chained (“a < b < c”)"),
                   refused=(("=", N_("“=” assigns a value; a comparison is written “==”")),)),
            Binary("arithmetic", ("+", "-", "*", "/")),
            Prefix(("-", "!"), sign_error=N_("“-” stands before something that is not a number"))),
    unquote=lambda text: re.sub(r"\\(.)", r"\1", text[1:-1]),
    messages={"empty": None, "ends": N_("the equation ends too early"),
              "nested": N_("the equation is nested more than %(limit)d levels deep")},
)
# Suffixes that name the answer itself; others (.shown, .question, .relevanceStatus ...) do not.
_VALUE_SUFFIXES = {"", "naok", "value", "valuenaok", "code"}


def parse_expression(text: str):
    """Parse an ExpressionScript equation into a tuple tree (an empty one is true);
    ExpressionError when it cannot be read. `{...}` around the whole equation is allowed, as
    LimeSurvey allows it."""
    text = text.strip()
    check_length(text, N_("the equation is longer than %(limit)d characters"))
    if re.search(r"&(gt|lt|amp|quot|#\d+);", text):
        text = html.unescape(text)
    while text.startswith("{") and text.endswith("}") and matching_brace(text, 0) == len(text) - 1:
        text = text[1:-1].strip()
    return Parser(text, EXPRESSION_SCRIPT).parse()


class Translator(_Translator):
    """What a comparison means in ExpressionScript. Target kinds: choice, yes_no, scale (values:
    its points), number, date, text, option (of a multiple choice: "Y" when chosen), none."""

    def other(self, node) -> dict | bool:
        kind = node[0]
        if kind == "compare":
            return self._compare(*node[1:])
        if kind == "call":
            name, args = node[1], node[2]
            if name == "is_empty" and len(args) == 1 and args[0][0] == "ref":
                return self._empty(self.target(args[0][1]))
            raise ExpressionError(N_("the function %(name)s() has no counterpart in show_if"), name=name)
        if kind == "ref":   # a bare variable: true when it has an answer
            return negate(self._empty(self.target(node[1])))
        raise ExpressionError(N_("calculations (+, -, *, /) have no counterpart in show_if"))

    def target(self, name: str) -> Target:
        base, _, suffix = name.partition(".")
        if base.lower() in ("self", "that"):
            raise ExpressionError(N_("“%(name)s” refers to several answers at once, which show_if cannot express"),
                                  name=name)
        if suffix.lower() not in _VALUE_SUFFIXES:
            raise ExpressionError(N_("“%(name)s” uses .%(suffix)s, which is not an answer"), name=name,
                                  suffix=suffix)
        return super().target(base)

    @staticmethod
    def _empty(target: Target) -> dict:
        if target.kind == "option":
            return {"not": {"question": target.question, "contains": target.option}}
        return {"question": target.question, "answered": False}

    def _compare(self, op: str, left, right) -> dict | bool:
        for side in (left, right):
            if side[0] == "arithmetic":
                raise ExpressionError(N_("calculations (+, -, *, /) have no counterpart in show_if"))
            if side[0] == "call":
                raise ExpressionError(N_("the function %(name)s() has no counterpart in show_if"), name=side[1])
        if left[0] == "literal" and right[0] == "literal":
            a, b = left[1], right[1]
            try:
                return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
            except TypeError:
                raise ExpressionError(N_("compares a number with a text")) from None
        if left[0] == "literal":
            left, right, op = right, left, FLIP[op]
        if left[0] != "ref":
            raise ExpressionError(N_("only answers can be compared with values"))
        if right[0] == "ref":
            raise ExpressionError(N_("compares two answers with each other, which show_if cannot express"))
        if right[0] != "literal":
            raise ExpressionError(N_("only answers can be compared with values"))
        target, value = self.target(left[1]), right[1]
        if value == "":
            if op in ("==", "!="):
                empty = self._empty(target)
                return empty if op == "==" else negate(empty)
            raise ExpressionError(N_("orders an answer against an empty value"))
        return self.compare(target, op, value, left[1])

    def compare_choice(self, target, op, value, name):
        if op not in ("==", "!="):
            raise ExpressionError(N_("orders the answer codes of “%(name)s”, which show_if cannot express"), name=name)
        codes = dict(target.values)
        code = code_text(value, strip=False)
        if code not in codes:
            raise ExpressionError(N_("“%(name)s” has no answer option with the code “%(code)s”"), name=name, code=code)
        return self.equality(target, op, codes[code])

    def compare_yes_no(self, target, op, value, name):
        answer = {"Y": "yes", "N": "no"}.get(code_text(value, strip=False))
        if op not in ("==", "!=") or answer is None:
            raise ExpressionError(N_("“%(name)s” is a yes/no question, answered “Y” or “N”"), name=name)
        return self.equality(target, op, answer)

    def compare_option(self, target, op, value, name):
        if op not in ("==", "!=") or code_text(value, strip=False) != "Y":
            raise ExpressionError(N_("“%(name)s” is an option of a multiple-choice question: it can only be "
                                     "compared with “Y” (chosen) or “” (not chosen)"), name=name)
        chosen = {"question": target.question, "contains": target.option}
        return chosen if op == "==" else {"not": chosen}

    def compare_scale(self, target, op, value, name):
        number = number_of(value)
        if op in ("==", "!=") and number not in target.values:
            raise ExpressionError(N_("“%(name)s” has no scale point “%(value)s”"), name=name, value=str(value)[:40])
        return self.compare_number(target, op, value, name)


def equation_to_show_if(expression: str, resolve: Callable[[str], Target]) -> dict | bool:
    """An ExpressionScript relevance equation as a show_if condition, or True (always shown) or
    False (never shown). `resolve` maps a variable name (Q1, Q1_SQ001, 12345X6X78) to a Target
    and gives a Target of kind "none" for names that cannot be used. ExpressionError otherwise."""
    return to_show_if(Translator(resolve), parse_expression(expression))


def conditions_to_equation(rows: list[dict[str, str]], types: Mapping[str, str]) -> str:
    """The rows of the old <conditions> table of one question as a relevance equation, the way
    LimeSurvey converts them: conditions on one question are ORed, on different questions ANDed,
    scenarios ORed. `types` maps qids to LimeSurvey question types."""
    scenarios: dict[str, dict[str, list[str]]] = {}
    for row in sorted(rows, key=lambda r: (as_int(r.get("scenario")), as_int(r.get("cqid")), as_int(r.get("cid")))):
        field, method, value = row.get("cfieldname", ""), (row.get("method") or "").strip(), row.get("value", "")
        if types.get(row.get("cqid", "")) in ("M", "P"):
            if field.startswith("+"):
                name, value = field[1:], value
            else:
                name, value = field + value, "Y"
        else:
            name = field
        if method == "RX":
            expression = f"regexMatch({_quote(value)}, {name}.NAOK)"
        elif value.strip() == "":
            expression = f"is_empty({name}.NAOK)" if method == "==" else f"!is_empty({name}.NAOK)"
        else:
            expression = f"{name}.NAOK {method or '=='} {_quote(value)}"
        group = scenarios.setdefault(row.get("scenario") or "1", {})
        group.setdefault(name if field.startswith("+") else (row.get("cqid") or name), []).append(expression)
    ors = []
    for groups in scenarios.values():
        ands = ["(" + " or ".join(parts) + ")" for parts in groups.values()]
        ors.append("(" + " and ".join(ands) + ")")
    return " or ".join(ors)


def _quote(value: str) -> str:
    if re.fullmatch(r"@\d+X\d+X\d+\w*@", value):
        return value[1:-1]
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
