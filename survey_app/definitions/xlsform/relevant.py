"""XLSForm `relevant` -> show_if: what an XPath condition means for each kind of question.

XPath semantics are kept where ours differ: `${x} != 'a'` also holds while x is unanswered
(so it becomes `not: {equals}`), `${x} = ''` asks whether x is unanswered, `selected()` works
on single and multiple choices, `${x} = 1` finds the choice named "1". What both importers
share (and/or/not, references, numbers, dates, the depth limit) is the Translator of
definitions/expressions.py; this module says what XPath adds.
"""
from __future__ import annotations

from collections.abc import Callable

from survey_app.definitions.expressions import (
    FLIP, ORDER as _ORDER, ExpressionError, Target, Translator as _Translator, code_text, number_of, to_show_if,
)
from survey_app.definitions.imports import N_, Message
from survey_app.definitions.xlsform.expressions import parse_expression

__all__ = ["Target", "Translator", "relevant_to_show_if"]

_WRAPPERS = ("number", "int", "string", "normalize-space", "trim")


class Translator(_Translator):
    """The XPath meaning of calls, comparisons and references (see the module's docstring)."""

    def other(self, node) -> dict | bool:
        kind = node[0]
        if kind == "call":
            return self._call(node[1], node[2])
        if kind == "compare":
            return self._compare(node[1], node[2], node[3])
        if kind == "ref":
            return {"question": self.target(node[1]).question, "answered": True}
        if kind in ("self", "path"):
            raise ExpressionError(N_("“.” (the question itself) and relative paths cannot be used in a condition"))
        raise ExpressionError(N_("calculations (+, -, *, div, mod) have no counterpart in show_if"))

    def _call(self, name: str, args: list):
        if name == "not" and len(args) == 1:
            return self.negation(self.condition(args[0]))
        if name in ("true", "false") and not args:
            return name == "true"
        if name == "boolean" and len(args) == 1:
            return self.condition(args[0])
        if name == "selected" and len(args) == 2:
            if args[0][0] != "ref" or args[1][0] != "literal":
                raise ExpressionError(N_("selected() is used with something other than a question and a choice"))
            target = self.target(args[0][1])
            return self._chosen(target, args[1][1], args[0][1])
        raise ExpressionError(N_("the function %(name)s() has no counterpart in show_if"), name=name[:40])

    def _chosen(self, target: Target, value, name: str) -> dict:
        if target.kind not in ("choice", "multiple", "scale", "yes_no"):
            raise ExpressionError(N_("selected() is used on “%(name)s”, which is not a choice question"), name=name)
        ours = self._value(target, value, name)
        return {"question": target.question, "contains" if target.kind == "multiple" else "equals": ours}

    def _value(self, target: Target, value, name: str):
        if target.kind == "yes_no":
            if str(value).strip().lower() in ("ok", "yes", "true", "1"):
                return "yes"
            raise ExpressionError(N_("“%(name)s” is acknowledged with “OK”; it is compared with “%(value)s”"),
                                  name=name, value=str(value)[:40])
        code = code_text(value)
        for xls_name, ours in target.values:
            if xls_name == code:
                return ours
        lowered = [ours for xls_name, ours in target.values if xls_name.lower() == code.lower()]
        if lowered:
            return lowered[0]
        raise ExpressionError(N_("“%(name)s” has no choice “%(value)s”"), name=name, value=code[:40])

    def _subject(self, node):
        """(kind, target, name) of the side of a comparison that names an answer."""
        if node[0] == "ref":
            return "value", self.target(node[1]), node[1]
        if node[0] == "call" and len(node[2]) == 1 and node[2][0][0] == "ref":
            name = node[2][0][1]
            if node[1] in _WRAPPERS:
                return "value", self.target(name), name
            if node[1] in ("string-length", "count-selected"):
                return "count", self.target(name), name
        return None

    def _compare(self, op: str, left, right) -> dict | bool:
        a, b = self._subject(left), self._subject(right)
        if a and b:
            raise ExpressionError(N_("compares two answers with each other, which show_if cannot express"))
        if b:
            left, right, op, a = right, left, FLIP[op], b
        if right[0] == "call" and right[1] == "date" and len(right[2]) == 1 and right[2][0][0] == "literal":
            right = right[2][0]
        if a is None:
            if left[0] == "literal" and right[0] == "literal":
                return _literal_compare(op, left[1], right[1])
            for side in (left, right):
                if side[0] == "call":
                    raise ExpressionError(N_("the function %(name)s() has no counterpart in show_if"),
                                          name=side[1][:40])
            raise ExpressionError(N_("calculations (+, -, *, div, mod) have no counterpart in show_if"))
        if right[0] != "literal":
            if right[0] == "call":
                raise ExpressionError(N_("the function %(name)s() has no counterpart in show_if"), name=right[1][:40])
            raise ExpressionError(N_("only answers can be compared with fixed values"))
        how, target, name = a
        value = right[1]
        if how == "count":
            number = number_of(value)
            answered = {(">", 0), (">=", 1), ("!=", 0)}
            unanswered = {("=", 0), ("<", 1), ("<=", 0)}
            if (op, number) in answered:
                return {"question": target.question, "answered": True}
            if (op, number) in unanswered:
                return {"question": target.question, "answered": False}
            raise ExpressionError(N_("counts the choices or letters of “%(name)s”; show_if can only ask whether it "
                                     "was answered"), name=name)
        if value == "":
            if op == "=":
                return {"question": target.question, "answered": False}
            if op == "!=":
                return {"question": target.question, "answered": True}
            raise ExpressionError(N_("orders an answer against an empty value"))
        return self.compare(target, op, value, name)

    def compare_choice(self, target, op, value, name):
        if op in ("=", "!="):
            return self.equality(target, op, self._value(target, value, name))
        number = number_of(value)
        numeric = [(number_of(xls), ours) for xls, ours in target.values]
        if number is None or any(n is None for n, _ in numeric):
            raise ExpressionError(N_("orders the choices of “%(name)s”, which are not numbers"), name=name)
        test = {"<": number.__gt__, "<=": number.__ge__, ">": number.__lt__, ">=": number.__le__}[op]
        chosen = [ours for n, ours in numeric if test(n)]
        if not chosen:
            return False
        self.changes.append(Message(N_("“%(name)s %(op)s %(value)s” is read as one of the choices %(choices)s"),
                                    (("name", name), ("op", op), ("value", code_text(value)),
                                     ("choices", ", ".join(chosen)))))
        return {"question": target.question, "one_of": chosen} if len(chosen) > 1 else \
            {"question": target.question, "equals": chosen[0]}

    def compare_multiple(self, target, op, value, name):
        if op not in ("=", "!="):
            raise ExpressionError(N_("orders the answer of “%(name)s”, a multiple choice"), name=name)
        ours = self._value(target, value, name)
        self.changes.append(Message(N_("“%(name)s %(op)s '%(value)s'” compares the whole answer of a multiple "
                                       "choice; it is read as “%(value)s is among the chosen”"),
                                    (("name", name), ("op", op), ("value", code_text(value)))))
        chosen = {"question": target.question, "contains": ours}
        return chosen if op == "=" else {"not": chosen}

    def compare_scale(self, target, op, value, name):
        if op in ("=", "!="):
            return self.equality(target, op, self._value(target, value, name))
        number = number_of(value)
        if number is None or not target.ordered or any(number_of(xls) != ours for xls, ours in target.values
                                                        if ours != "dk"):
            raise ExpressionError(N_("orders the choices of “%(name)s”, which are not numbers"), name=name)
        return {"question": target.question, _ORDER[op]: number}

    def compare_yes_no(self, target, op, value, name):
        if op not in ("=", "!="):
            raise ExpressionError(N_("orders the answer of “%(name)s”, a yes/no question"), name=name)
        return self.equality(target, op, self._value(target, value, name))


def _literal_compare(op: str, a, b) -> bool:
    x, y = number_of(a), number_of(b)
    if x is not None and y is not None:
        a, b = x, y
    else:
        a, b = str(a), str(b)
    return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def relevant_to_show_if(expression: str, resolve: Callable[[str], Target]) -> tuple[dict | bool, list[Message]]:
    """An XLSForm `relevant` as a show_if condition (or True/False) and the changes made in
    reading it; ExpressionError when it has no counterpart."""
    translator = Translator(resolve)
    return to_show_if(translator, parse_expression(expression)), translator.changes


