"""LimeSurvey survey structure files (.lss) -> our questionnaire definition.

Pure: no Flask, no storage. The result is a plain definition (the structure of a YAML file,
see docs/questionnaire-format.md) plus a report, question by question, of everything that
was changed or could not be carried over -- nothing is dropped silently. docs/imports.md
lists every mapping.

Both layouts of the file are read: before LimeSurvey 4 (DBVersion below about 400) texts sit
in the rows of <questions>, <groups> and <answers>, one row per language; from LimeSurvey 4
on they sit in <question_l10ns>, <group_l10ns> and <answer_l10ns>.

The file is untrusted: it is parsed with defusedxml (no document type, no entities, no
external references), its size, nesting and number of elements are bounded, HTML is reduced
to text, and scripts and ExpressionScript code ({...}) never reach the definition. Relevance
equations are read by a small expression parser with a depth limit and become show_if
conditions where they have a counterpart; the others are reported and the question is shown
unconditionally.

Messages are English msgids marked with N_() and formatted with named parameters, so a
caller can show them in the admin's language: Note.render(gettext).
"""
from __future__ import annotations

import datetime as dt
import html
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from survey_app.definitions.conditions import MAX_DEPTH as MAX_CONDITION_DEPTH
from survey_app.definitions.imports import (
    ANONYMITY, N_, Conversion, ImportFailure, Message, Note, TextFindings as _Findings, combine as _combine,
    depth as _depth, html_to_text, language_code, negate as _negate, slug, unique,
)

MAX_BYTES = 10 * 1024 * 1024        # a survey structure export with many languages stays well below
MAX_XML_DEPTH = 16                  # document > table > rows > row > column is 5; theme options 6
MAX_ELEMENTS = 1_000_000
MAX_EXPRESSION_LENGTH = 10_000      # characters of one relevance equation
MAX_EXPRESSION_NESTING = 40         # parentheses, not and function calls inside each other

OTHER_LABEL = {"de": "Sonstiges", "en": "Other"}
OTHER_TEXT = {"de": "Sonstiges, und zwar:", "en": "Other, namely:"}
COMMENT_TEXT = {"de": "Ihr Kommentar", "en": "Your comment"}
FIVE_POINT = [(str(value), value, {"de": str(value), "en": str(value)}) for value in range(1, 6)]
TEN_POINT = [(str(value), value, {"de": str(value), "en": str(value)}) for value in range(1, 11)]
YES_UNCERTAIN_NO = [("Y", 1, {"de": "Ja", "en": "Yes"}), ("U", 2, {"de": "Unsicher", "en": "Uncertain"}),
                    ("N", 3, {"de": "Nein", "en": "No"})]
INCREASE_SAME_DECREASE = [("D", 1, {"de": "Abnahme", "en": "Decrease"}), ("S", 2, {"de": "Gleich", "en": "Same"}),
                          ("I", 3, {"de": "Zunahme", "en": "Increase"})]
GENDER = [("F", {"de": "weiblich", "en": "Female"}), ("M", {"de": "männlich", "en": "Male"})]
MARK = "[…]"   # stands where ExpressionScript code was removed from a text


class LimeSurveyError(ImportFailure):
    """The file is not a LimeSurvey survey structure that can be read at all."""


class ExpressionError(ValueError):
    """An ExpressionScript equation that cannot be read or has no show_if counterpart."""

    def __init__(self, message: str, **params):
        self.message, self.params = message, params
        super().__init__(message % params)


# --------------------------------------------------------------------------- reading the XML

@dataclass
class _Document:
    doc_type: str
    db_version: int
    languages: list[str]
    tables: dict[str, list[dict[str, str]]]


def read_document(data: bytes) -> _Document:
    """The tables of a LimeSurvey XML export: {table name: [row {column: text}]}.

    Refuses what no LimeSurvey export contains: a document type or entity declarations,
    external references, more than MAX_BYTES, deeper nesting than MAX_XML_DEPTH, more than
    MAX_ELEMENTS elements."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    if len(data) > MAX_BYTES:
        raise LimeSurveyError(N_("the file is larger than %(limit)d MB; a survey structure export is far smaller"),
                              limit=MAX_BYTES // (1024 * 1024))
    tables: dict[str, list[dict[str, str]]] = {}
    simple: dict[str, str] = {}
    languages: list[str] = []
    depth = count = 0
    path: list[str] = []
    row: dict[str, str] | None = None
    root_tag = None
    try:
        for event, element in iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                depth += 1
                count += 1
                if depth > MAX_XML_DEPTH:
                    raise LimeSurveyError(N_("the file is nested more deeply than a LimeSurvey export "
                                             "(more than %(limit)d levels)"), limit=MAX_XML_DEPTH)
                if count > MAX_ELEMENTS:
                    raise LimeSurveyError(N_("the file has more than %(limit)d elements"), limit=MAX_ELEMENTS)
                path.append(element.tag)
                if depth == 1:
                    root_tag = element.tag
                elif depth == 4 and path[2] == "rows" and element.tag == "row":
                    row = {}
                continue
            depth -= 1
            tag = path.pop()
            if depth == 4 and row is not None and len(path) == 4:
                row[tag] = element.text or ""
            elif depth == 3 and tag == "row" and row is not None and path[1:] == [path[1], "rows"]:
                tables.setdefault(path[1], []).append(row)
                row = None
                element.clear()
            elif depth == 2 and path[1:] == ["languages"] and tag == "language":
                languages.append((element.text or "").strip())
            elif depth == 1:
                if len(element) == 0:
                    simple[tag] = (element.text or "").strip()
                element.clear()
    except LimeSurveyError:
        raise
    except DefusedXmlException:
        raise LimeSurveyError(N_("the file declares a document type, entities or external references, which a "
                                 "LimeSurvey export never does; it is refused for safety")) from None
    except ParseError as error:
        line = getattr(error, "position", (0, 0))[0]
        raise LimeSurveyError(N_("the file is not well-formed XML (line %(line)d)"), line=line) from None
    if root_tag != "document" or "LimeSurveyDocType" not in simple:
        raise LimeSurveyError(N_("this is not a LimeSurvey export (no <LimeSurveyDocType>)"))
    doc_type = simple["LimeSurveyDocType"]
    if doc_type != "Survey":
        raise LimeSurveyError(N_("this is a LimeSurvey export of type “%(type)s”, not a whole survey; please "
                                 "export the survey structure (.lss)"), type=doc_type[:40])
    try:
        db_version = int(simple.get("DBVersion", "0") or 0)
    except ValueError:
        db_version = 0
    return _Document(doc_type, db_version, [lang for lang in languages if lang], tables)


# --------------------------------------------------------------------------- texts

def _remove_expressions(text: str, findings: _Findings) -> str:
    """Replace ExpressionScript code -- `{` not followed by white space, up to its matching `}` --
    by MARK. Quotes inside the braces are respected; an unmatched `{` stays as it is."""
    out, i, n = [], 0, len(text)
    while i < n:
        char = text[i]
        if char == "{" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != "}":
            end = _matching_brace(text, i)
            if end is not None and not text[end - 1].isspace():
                findings.add_expression(text[i:end + 1][:80])
                out.append(MARK)
                i = end + 1
                continue
        out.append(char)
        i += 1
    return "".join(out)


def _matching_brace(text: str, start: int) -> int | None:
    depth, quote, i = 0, None, start
    limit = min(len(text), start + MAX_EXPRESSION_LENGTH)
    while i < limit:
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def plain_text(source: str | None, findings: _Findings | None = None) -> str:
    """HTML as plain text: tags dropped, entities decoded, scripts, styles and ExpressionScript
    code removed (and recorded in `findings`), white space tidied."""
    findings = findings if findings is not None else _Findings()
    return html_to_text(source, findings, prepare=lambda text: _remove_expressions(text, findings))


# --------------------------------------------------------------------------- expressions

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<sgqa>\d+X\d+X\d+[A-Za-z0-9_#]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<number>\d+(?:\.\d+)?|\.\d+)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_#]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?::[A-Za-z0-9_]+)?)
  | (?P<op>==|!=|<=|>=|&&|\|\||[<>!()+\-*/,=])
""", re.X)
_WORD_OPERATORS = {"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "le": "<=",
                   "gt": ">", "ge": ">="}
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
# Suffixes that name the answer itself; others (.shown, .question, .relevanceStatus ...) do not.
_VALUE_SUFFIXES = {"", "naok", "value", "valuenaok", "code"}


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise ExpressionError(N_("cannot read “%(rest)s”"), rest=text[position:position + 20])
        position = match.end()
        kind = match.lastgroup
        value = match.group()
        if kind == "space":
            continue
        if kind == "name" and value.lower() in _WORD_OPERATORS:
            kind, value = "op", _WORD_OPERATORS[value.lower()]
        elif kind == "sgqa":
            kind = "name"
        tokens.append((kind, value))
    return tokens


class _Parser:
    """Recursive descent over ExpressionScript: or > and > not > comparison > arithmetic >
    operand. The result is a tuple tree: ("or", [..]), ("and", [..]), ("not", x),
    ("compare", op, a, b), ("call", name, [args]), ("name", text), ("literal", value),
    ("arithmetic", op)."""

    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.position = 0
        self.depth = 0

    def parse(self):
        if not self.tokens:
            return ("literal", 1)
        node = self._or()
        if self.position != len(self.tokens):
            raise ExpressionError(N_("unexpected “%(token)s”"), token=self.tokens[self.position][1])
        return node

    def _peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise ExpressionError(N_("the equation ends too early"))
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _close(self):
        if self._peek() != ")":
            raise ExpressionError(N_("a parenthesis is not closed"))
        self._take()

    def _deeper(self):
        self.depth += 1
        if self.depth > MAX_EXPRESSION_NESTING:
            raise ExpressionError(N_("the equation is nested more than %(limit)d levels deep"),
                                  limit=MAX_EXPRESSION_NESTING)

    def _or(self):
        parts = [self._and()]
        while self._peek() == "||":
            self._take()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def _and(self):
        parts = [self._not()]
        while self._peek() == "&&":
            self._take()
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def _not(self):
        if self._peek() == "!":
            self._take()
            self._deeper()
            node = ("not", self._not())
            self.depth -= 1
            return node
        return self._comparison()

    def _comparison(self):
        left = self._arithmetic()
        if self._peek() in _COMPARISONS:
            op = self._take()[1]
            right = self._arithmetic()
            if self._peek() in _COMPARISONS:
                raise ExpressionError(N_("comparisons are chained (“a < b < c”)"))
            return ("compare", op, left, right)
        if self._peek() == "=":
            raise ExpressionError(N_("“=” assigns a value; a comparison is written “==”"))
        return left

    def _arithmetic(self):
        node = self._operand()
        while self._peek() in ("+", "-", "*", "/"):
            op = self._take()[1]
            self._operand()
            node = ("arithmetic", op)
        return node

    def _operand(self):
        kind, value = self._take()
        if value == "(" and kind == "op":
            self._deeper()
            node = self._or()
            self.depth -= 1
            self._close()
            return node
        if value == "-" and kind == "op":
            sign_kind, number = self._take()
            if sign_kind != "number":
                raise ExpressionError(N_("“-” stands before something that is not a number"))
            return ("literal", -_numeric(number))
        if value == "!" and kind == "op":
            self._deeper()
            node = ("not", self._operand())
            self.depth -= 1
            return node
        if kind == "number":
            return ("literal", _numeric(value))
        if kind == "string":
            return ("literal", re.sub(r"\\(.)", r"\1", value[1:-1]))
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
                self._close()
                self.depth -= 1
                return ("call", value.lower(), args)
            return ("name", value)
        raise ExpressionError(N_("unexpected “%(token)s”"), token=value)


def _numeric(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def parse_expression(text: str):
    """Parse an ExpressionScript equation into a tuple tree; ExpressionError when it cannot be
    read. `{...}` around the whole equation is allowed, as LimeSurvey allows it."""
    text = text.strip()
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(N_("the equation is longer than %(limit)d characters"), limit=MAX_EXPRESSION_LENGTH)
    if re.search(r"&(gt|lt|amp|quot|#\d+);", text):
        text = html.unescape(text)
    while text.startswith("{") and text.endswith("}") and _matching_brace(text, 0) == len(text) - 1:
        text = text[1:-1].strip()
    return _Parser(text).parse()


# --------------------------------------------------------------------------- equation -> show_if

@dataclass(frozen=True)
class Target:
    """What a LimeSurvey variable name stands for in the converted definition."""
    kind: str              # choice, yes_no, scale, number, date, text, option (of a multiple choice), none
    question: str = ""     # our question id
    values: tuple = ()     # choice: ((LimeSurvey code, our value), ...); scale: point values
    option: str = ""       # option: our option value
    page: int = 0          # index of the group it is on
    reason: str = ""       # none: msgid saying why it cannot be used


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_ORDER = {"<": "less_than", "<=": "at_most", ">": "greater_than", ">=": "at_least"}


class _Translator:
    def __init__(self, resolve: Callable[[str], Target]):
        self.resolve = resolve

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
            return _combine("any" if kind == "or" else "all", parts)
        if kind == "not":
            inner = self.condition(node[1])
            return (not inner) if isinstance(inner, bool) else _negate(inner)
        if kind == "compare":
            return self._compare(*node[1:])
        if kind == "call":
            name, args = node[1], node[2]
            if name == "is_empty" and len(args) == 1 and args[0][0] == "name":
                return self._empty(self._target(args[0][1]))
            raise ExpressionError(N_("the function %(name)s() has no counterpart in show_if"), name=name)
        if kind == "name":   # a bare variable: true when it has an answer
            return _negate(self._empty(self._target(node[1])))
        if kind == "literal":
            value = node[1]
            return bool(value) and value != "0"
        raise ExpressionError(N_("calculations (+, -, *, /) have no counterpart in show_if"))

    def _target(self, name: str) -> Target:
        base, _, suffix = name.partition(".")
        if base.lower() in ("self", "that"):
            raise ExpressionError(N_("“%(name)s” refers to several answers at once, which show_if cannot express"),
                                  name=name)
        if suffix.lower() not in _VALUE_SUFFIXES:
            raise ExpressionError(N_("“%(name)s” uses .%(suffix)s, which is not an answer"), name=name,
                                  suffix=suffix)
        target = self.resolve(base)
        if target.kind == "none":
            raise ExpressionError(target.reason, name=base)
        return target

    def _empty(self, target: Target) -> dict:
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
            left, right, op = right, left, _FLIP[op]
        if left[0] != "name":
            raise ExpressionError(N_("only answers can be compared with values"))
        if right[0] == "name":
            raise ExpressionError(N_("compares two answers with each other, which show_if cannot express"))
        if right[0] != "literal":
            raise ExpressionError(N_("only answers can be compared with values"))
        target, value = self._target(left[1]), right[1]
        if value == "":
            if op in ("==", "!="):
                empty = self._empty(target)
                return empty if op == "==" else _negate(empty)
            raise ExpressionError(N_("orders an answer against an empty value"))
        comparison = getattr(self, f"_compare_{target.kind}")(target, op, value, left[1])
        return comparison

    def _equality(self, target: Target, op: str, value) -> dict:
        condition = {"question": target.question, "equals": value}
        return condition if op == "==" else {"not": condition}

    def _compare_choice(self, target, op, value, name):
        if op not in ("==", "!="):
            raise ExpressionError(N_("orders the answer codes of “%(name)s”, which show_if cannot express"), name=name)
        codes = dict(target.values)
        code = _code_text(value)
        if code not in codes:
            raise ExpressionError(N_("“%(name)s” has no answer option with the code “%(code)s”"), name=name, code=code)
        return self._equality(target, op, codes[code])

    def _compare_yes_no(self, target, op, value, name):
        answer = {"Y": "yes", "N": "no"}.get(_code_text(value))
        if op not in ("==", "!=") or answer is None:
            raise ExpressionError(N_("“%(name)s” is a yes/no question, answered “Y” or “N”"), name=name)
        return self._equality(target, op, answer)

    def _compare_option(self, target, op, value, name):
        if op not in ("==", "!=") or _code_text(value) != "Y":
            raise ExpressionError(N_("“%(name)s” is an option of a multiple-choice question: it can only be "
                                     "compared with “Y” (chosen) or “” (not chosen)"), name=name)
        chosen = {"question": target.question, "contains": target.option}
        return chosen if op == "==" else {"not": chosen}

    def _compare_number(self, target, op, value, name):
        number = _as_number(value)
        if number is None:
            raise ExpressionError(N_("“%(name)s” is a number; it cannot be compared with “%(value)s”"),
                                  name=name, value=str(value)[:40])
        if op in ("==", "!="):
            return self._equality(target, op, number)
        return {"question": target.question, _ORDER[op]: number}

    def _compare_scale(self, target, op, value, name):
        number = _as_number(value)
        if op in ("==", "!=") and number not in target.values:
            raise ExpressionError(N_("“%(name)s” has no scale point “%(value)s”"), name=name, value=str(value)[:40])
        return self._compare_number(target, op, value, name)

    def _compare_date(self, target, op, value, name):
        day = _day(str(value))
        if day is None:
            raise ExpressionError(N_("“%(name)s” is a date; it can only be compared with a date written "
                                     "YYYY-MM-DD"), name=name)
        if op in ("==", "!="):
            return self._equality(target, op, day)
        return {"question": target.question, _ORDER[op]: day}

    def _compare_text(self, target, op, value, name):
        raise ExpressionError(N_("compares the text of “%(name)s” with a value; show_if can only ask whether "
                                 "a text was given"), name=name)


def _day(text: str) -> str | None:
    """"2018-06-30" (also with a time of day after it) as a valid YYYY-MM-DD date, else None."""
    match = re.match(r"(\d{4}-\d{2}-\d{2})(?:[ T][0-9:.]*)?$", text.strip())
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None


def _code_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _as_number(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if number.is_integer() else number


def equation_to_show_if(expression: str, resolve: Callable[[str], Target]) -> dict | bool:
    """An ExpressionScript relevance equation as a show_if condition, or True (always shown) or
    False (never shown). `resolve` maps a variable name (Q1, Q1_SQ001, 12345X6X78) to a Target
    and gives a Target of kind "none" for names that cannot be used. ExpressionError otherwise."""
    condition = _Translator(resolve).condition(parse_expression(expression))
    if isinstance(condition, dict) and _depth(condition) > MAX_CONDITION_DEPTH:
        raise ExpressionError(N_("the condition is nested more than %(limit)d levels deep"),
                              limit=MAX_CONDITION_DEPTH)
    return condition


def conditions_to_equation(rows: list[dict[str, str]], types: Mapping[str, str]) -> str:
    """The rows of the old <conditions> table of one question as a relevance equation, the way
    LimeSurvey converts them: conditions on one question are ORed, on different questions ANDed,
    scenarios ORed. `types` maps qids to LimeSurvey question types."""
    scenarios: dict[str, dict[str, list[str]]] = {}
    for row in sorted(rows, key=lambda r: (_int(r.get("scenario")), _int(r.get("cqid")), _int(r.get("cid")))):
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


def _int(value, default: int = 0) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


# --------------------------------------------------------------------------- conversion

SURVEY = N_("survey")
GROUP = N_("group %(group)s")
QUESTION = N_("question %(question)s")
LABELS = {"de": "Frage", "en": "Question"}


def convert_lss(data: bytes, source: str = "survey.lss") -> Conversion:
    """Convert the bytes of a LimeSurvey survey structure file. LimeSurveyError when it is not one."""
    return _Converter(read_document(data), source).convert()


class _Converter:
    def __init__(self, document: _Document, source: str):
        self.doc = document
        self.source = source
        self.notes: list[Note] = []
        self.tables = document.tables
        self.survey = (self.tables.get("surveys") or [{}])[0]
        self.question_ids: set[str] = set()
        self.targets: dict[str, Target] = {}
        self.all_names: set[str] = set()
        self.scales: dict[str, dict] = {}
        self.count = 0

    # ---- notes
    def note(self, place: str, message: str, kind: str = "dropped", /, **params) -> None:
        self.notes.append(Note(place, message, tuple(params.items()), kind))

    def qnote(self, question: str, message: str, kind: str = "dropped", /, **params) -> None:
        self.note(QUESTION, message, kind, question=question, **params)

    # ---- languages and texts
    def _languages(self) -> None:
        listed = [self.survey.get("language", "").strip()] + (self.survey.get("additional_languages") or "").split()
        listed = [code for code in listed if code] or self.doc.languages
        for code in self.doc.languages:
            if code not in listed:
                listed.append(code)
        self.ls_languages: list[str] = []
        self.lang_of: dict[str, str] = {}
        for code in listed:
            ours = language_code(code)
            if ours is None:
                self.note(SURVEY, N_("language “%(code)s” is not a language code; its texts are left out"),
                          code=code[:20])
                continue
            if ours in self.lang_of.values():
                continue
            if ours != code:
                self.note(SURVEY, N_("language “%(code)s” is written “%(ours)s” here"), "changed", code=code, ours=ours)
            self.ls_languages.append(code)
            self.lang_of[code] = ours
        if not self.ls_languages:
            self.ls_languages, self.lang_of = ["de"], {"de": "de"}
        self.languages = [self.lang_of[code] for code in self.ls_languages]
        self.default = self.languages[0]

    def text(self, by_language: Mapping[str, str], findings: _Findings) -> dict[str, str]:
        """{our language: plain text} from {LimeSurvey language: HTML}, empty texts left out."""
        result = {}
        for code, value in by_language.items():
            ours = self.lang_of.get(code)
            if ours and ours not in result:
                plain = plain_text(value, findings)
                if plain:
                    result[ours] = plain
        return result

    def complete(self, text: dict[str, str], fallback: str) -> dict[str, str]:
        """A text that has the default language (taken from another language, else `fallback`)."""
        if self.default in text:
            return text
        other = next(iter(text.values()), fallback)
        return {self.default: other, **text}

    def standard(self, labels: Mapping[str, str]) -> dict[str, str]:
        """One of our own labels (e.g. “Other”) in every language we have it in."""
        text = {lang: labels[lang.split("_")[0].split("-")[0]] for lang in self.languages
                if lang.split("_")[0].split("-")[0] in labels}
        return self.complete(text, labels["en"])

    # ---- indexes over the tables
    def _index(self) -> None:
        t = self.tables
        rows = t.get("questions", []) + t.get("subquestions", [])
        self.question_rows: dict[str, dict] = {}
        self.qtexts: dict[str, dict[str, dict]] = defaultdict(dict)
        for row in rows:
            qid = row.get("qid", "")
            language = row.get("language") or self.ls_languages[0]
            if qid not in self.question_rows or language == self.ls_languages[0]:
                self.question_rows[qid] = row
            if "question" in row or "help" in row:
                self.qtexts[qid].setdefault(language, row)
        for row in t.get("question_l10ns", []):
            self.qtexts[row.get("qid", "")][row.get("language", "")] = row
        self.children: dict[str, list[dict]] = defaultdict(list)
        for qid, row in self.question_rows.items():
            parent = row.get("parent_qid", "0") or "0"
            if parent != "0":
                self.children[parent].append(row)
        for items in self.children.values():
            items.sort(key=lambda r: (_int(r.get("scale_id")), _int(r.get("question_order")), _int(r.get("qid"))))
        self.answers: dict[str, list[dict]] = defaultdict(list)
        by_aid: dict[str, dict] = {}
        seen: dict[tuple, dict] = {}
        for row in t.get("answers", []):
            key = (row.get("qid", ""), _int(row.get("scale_id")), row.get("code", ""))
            entry = seen.get(key)
            if entry is None:
                entry = {"code": row.get("code", ""), "scale": key[1], "order": _int(row.get("sortorder")), "texts": {}}
                seen[key] = entry
                self.answers[key[0]].append(entry)
            if "answer" in row:
                entry["texts"].setdefault(row.get("language", self.ls_languages[0]), row["answer"])
            if row.get("aid"):
                by_aid[row["aid"]] = entry
        for row in t.get("answer_l10ns", []):
            entry = by_aid.get(row.get("aid", ""))
            if entry is None and row.get("qid"):
                entry = seen.get((row["qid"], _int(row.get("scale_id")), row.get("code", "")))
            if entry is not None:
                entry["texts"][row.get("language", "")] = row.get("answer", "")
        for items in self.answers.values():
            items.sort(key=lambda e: (e["scale"], e["order"]))
        self.attributes: dict[str, dict[str, str]] = defaultdict(dict)
        self.localized_attributes: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
        for row in t.get("question_attributes", []):
            qid, name, value = row.get("qid", ""), row.get("attribute", ""), row.get("value", "")
            if row.get("language"):
                self.localized_attributes[qid][name][row["language"]] = value
            else:
                self.attributes[qid][name] = value
        self.conditions: dict[str, list[dict]] = defaultdict(list)
        for row in t.get("conditions", []):
            self.conditions[row.get("qid", "")].append(row)
        self.defaults = {row.get("qid", "") for row in t.get("defaultvalues", [])}
        self.groups: dict[str, dict] = {}
        self.gtexts: dict[str, dict[str, dict]] = defaultdict(dict)
        for row in t.get("groups", []):
            gid = row.get("gid", "")
            if gid not in self.groups or row.get("language") == self.ls_languages[0]:
                self.groups[gid] = row
            if "group_name" in row:
                self.gtexts[gid].setdefault(row.get("language", self.ls_languages[0]), row)
        for row in t.get("group_l10ns", []):
            gid = row.get("gid", "")
            self.gtexts[gid][row.get("language", "")] = row
            self.groups.setdefault(gid, row)

    def attribute(self, qid: str, name: str) -> str:
        value = self.attributes[qid].get(name)
        if value is None:
            localized = self.localized_attributes[qid].get(name, {})
            value = next((localized[c] for c in self.ls_languages if localized.get(c)), "")
        return (value or "").strip()

    def attribute_text(self, qid: str, name: str, findings: _Findings) -> dict[str, str]:
        localized = dict(self.localized_attributes[qid].get(name, {}))
        if not localized and self.attributes[qid].get(name):
            localized = {self.ls_languages[0]: self.attributes[qid][name]}
        return self.text(localized, findings)

    # ---- the survey
    def convert(self) -> Conversion:
        self._languages()
        self._index()
        self._names()
        pages = []
        groups = sorted(self.groups.values(), key=lambda g: (_int(g.get("group_order")), _int(g.get("gid"))))
        top = [row for row in self.question_rows.values() if (row.get("parent_qid", "0") or "0") == "0"]
        by_group: dict[str, list[dict]] = defaultdict(list)
        for row in top:
            by_group[row.get("gid", "")].append(row)
        orphans = [row for gid, rows in by_group.items() if gid not in self.groups for row in rows]
        for row in orphans:
            self.qnote(row.get("title", "?"), N_("belongs to no group of the file; left out"))
        for index, group in enumerate(groups):
            page = self._page(group, index, sorted(by_group.get(group.get("gid", ""), []),
                                                    key=lambda r: (_int(r.get("question_order")), _int(r.get("qid")))))
            if page is not None:
                page["id"] = f"page_{len(pages) + 1}"
                pages.append(page)
        definition = self._top(pages)
        return Conversion(definition if pages else None, self.notes, self.count)

    def _names(self) -> None:
        """Every variable name of the file, to tell a later question from an unknown one."""
        sid = self.survey.get("sid", "")
        for qid, row in self.question_rows.items():
            parent = self.question_rows.get(row.get("parent_qid", "0") or "0")
            code = row.get("title", "")
            if parent is not None:
                self.all_names.add(f"{parent.get('title', '')}_{code}")
                self.all_names.add(f"{row.get('sid', sid)}X{parent.get('gid', '')}X{parent.get('qid', '')}{code}")
            else:
                self.all_names.add(code)
                self.all_names.add(f"{row.get('sid', sid)}X{row.get('gid', '')}X{qid}")
                for suffix in ("other", "comment"):
                    self.all_names.add(f"{code}_{suffix}")

    def _top(self, pages: list[dict]) -> dict:
        settings = {row.get("surveyls_language", ""): row for row in self.tables.get("surveys_languagesettings", [])}
        findings = _Findings()
        title = self.text({c: r.get("surveyls_title", "") for c, r in settings.items()}, findings)
        fallback_title = self.source.rsplit(".", 1)[0]
        if not title:
            self.note(SURVEY, N_("the survey has no title; the file name stands in"), "changed")
        title = self.complete(title, fallback_title)
        intro = {}
        for code, row in settings.items():
            parts = [plain_text(row.get(key, ""), findings) for key in ("surveyls_description", "surveyls_welcometext")]
            text = "\n\n".join(p for p in parts if p)
            if text and self.lang_of.get(code):
                intro.setdefault(self.lang_of[code], text)
        if not intro:
            self.note(SURVEY, N_("the survey has no description or welcome text; the title stands in as the "
                                 "purpose shown on the start page"), "changed")
        intro = self.complete(intro, title[self.default]) if intro else dict(title)
        if any(plain_text(row.get("surveyls_endtext", "")) for row in settings.values()):
            self.note(SURVEY, N_("the end text has no counterpart here; respondents see the app's thank-you page"))
        self._report_findings(SURVEY, {}, findings)
        anonymity = {lang: ANONYMITY.get(lang.split("_")[0].split("-")[0], ANONYMITY["en"]) for lang in self.languages}
        self.note(SURVEY, N_("LimeSurvey files have no anonymity statement: a standard statement stands in; "
                             "please review it"), "changed")
        if self.survey.get("anonymized", "").upper() == "N":
            self.note(SURVEY, N_("the LimeSurvey survey kept answers linked to participants; here answers are "
                                 "stored without names"), "changed")
        if self.survey.get("format", "").upper() in ("S", "A"):
            self.note(SURVEY, N_("LimeSurvey showed this survey %(format)s; here each question group is one page"),
                      "changed", format=Message({"S": N_("question by question"), "A": N_("all on one page")}[
                          self.survey["format"].upper()]))
        for table, message in (("assessments", N_("assessments are not carried over")),
                               ("quota", N_("quotas are not carried over"))):
            if self.tables.get(table):
                self.note(SURVEY, message)
        base = _ascii_slug(title[self.default]) or f"limesurvey-{self.survey.get('sid', '') or 'survey'}"
        definition = {
            "id": base[:60].strip("-") or "limesurvey",
            "languages": self.languages,
            "title": title,
            "intro": intro,
            "anonymity": anonymity,
        }
        if self.scales:
            definition["scales"] = self.scales
        definition["pages"] = pages
        return definition

    # ---- groups
    def _page(self, group: dict, index: int, rows: list[dict]) -> dict | None:
        gid = group.get("gid", "")
        findings = _Findings()
        texts = self.gtexts.get(gid, {})
        title = self.text({c: r.get("group_name", "") for c, r in texts.items()}, findings)
        name = title.get(self.default) or next(iter(title.values()), "") or str(index + 1)
        place = dict(group=f"{index + 1} ({name[:40]})")
        intro = self.text({c: r.get("description", "") for c, r in texts.items()}, findings)
        page: dict = {"id": "", "title": self.complete(title, str(index + 1))}
        if intro:
            page["intro"] = self.complete(intro, "")
        relevance = (group.get("grelevance") or "").strip()
        if relevance not in ("", "1"):
            condition = self._condition(relevance, index, page_level=True, place=(GROUP, place))
            if condition is False:
                self.note(GROUP, N_("the group's relevance is always false (never shown); left out"), **place)
                return None
            if isinstance(condition, dict):
                page["show_if"] = condition
        if (group.get("randomization_group") or "").strip():
            self.note(GROUP, N_("randomization group “%(name)s” is not carried over; the group keeps its place"),
                      "changed", name=group["randomization_group"][:40], **place)
        self._report_findings(GROUP, place, findings)
        questions = []
        for row in rows:
            questions.extend(self._question(row, index))
        if not questions:
            self.note(GROUP, N_("no question of this group could be carried over; the group is left out"), **place)
            return None
        page["questions"] = questions
        return page

    # ---- conditions
    def _resolver(self, group_index: int, page_level: bool) -> Callable[[str], Target]:
        def resolve(name: str) -> Target:
            target = self.targets.get(name)
            if target is None:
                lowered = {key.lower(): value for key, value in self.targets.items()}
                target = lowered.get(name.lower())
            if target is None:
                if name in self.all_names or name.lower() in {n.lower() for n in self.all_names}:
                    reason = N_("refers to “%(name)s”, which comes later or was not carried over")
                else:
                    reason = N_("refers to “%(name)s”, which is not a question of this survey")
                return Target("none", reason=reason)
            if page_level and target.kind != "none" and target.page >= group_index:
                return Target("none", reason=N_("refers to “%(name)s” on the same page; a page can only depend on "
                                                "earlier pages"))
            return target
        return resolve

    def _condition(self, equation: str, group_index: int, page_level: bool, place: tuple) -> dict | bool:
        try:
            return equation_to_show_if(equation, self._resolver(group_index, page_level))
        except ExpressionError as error:
            where, params = place
            self.note(where, N_("relevance equation “%(equation)s” not carried over (%(reason)s); shown always"),
                      equation=_short(equation), reason=Message(error.message, tuple(error.params.items())),
                      **params)
            return True

    def _relevance(self, row: dict) -> str:
        relevance = (row.get("relevance") or "").strip()
        if relevance in ("", "1") and self.conditions.get(row.get("qid", "")):
            types = {qid: r.get("type", "") for qid, r in self.question_rows.items()}
            relevance = conditions_to_equation(self.conditions[row["qid"]], types)
        return relevance

    # ---- questions
    def _question(self, row: dict, group_index: int) -> list[dict]:
        qid, code, kind = row.get("qid", ""), row.get("title", "") or f"q{row.get('qid', '')}", row.get("type", "")
        builder = _BUILDERS.get(kind)
        place = dict(question=code)
        if builder is None:
            self.qnote(code, UNSUPPORTED.get(kind, N_("question type “%(type)s” is not supported; left out")),
                       type=kind[:5])
            self._register_none(row, group_index, N_("“%(name)s” was not carried over"))
            return []
        if self.attribute(qid, "hidden") == "1":
            self.qnote(code, N_("hidden in LimeSurvey (always hidden, e.g. filled from the link); left out"))
            self._register_none(row, group_index, N_("“%(name)s” was not carried over"))
            return []
        relevance = self._relevance(row)
        condition = True
        if relevance not in ("", "1"):
            condition = self._condition(relevance, group_index, page_level=False, place=(QUESTION, place))
            if condition is False:
                self.qnote(code, N_("relevance is always false (never shown); left out"))
                self._register_none(row, group_index, N_("“%(name)s” was not carried over"))
                return []
        findings = _Findings()
        texts = self.qtexts.get(qid, {})
        scripts = any((r.get("script") or "").strip() for r in texts.values())
        findings.scripts = scripts
        text = self.text({c: r.get("question", "") for c, r in texts.items()}, findings)
        if not text and kind != "X":
            self.qnote(code, N_("the question has no text; its code stands in"), "changed")
        context = _Context(row=row, qid=qid, code=code, group=group_index, findings=findings, has_text=bool(text),
                           text=self.complete(text, code),
                           help=self.text({c: r.get("help", "") for c, r in texts.items()}, findings),
                           show_if=condition if isinstance(condition, dict) else None)
        questions = builder(self, context)
        self._report_findings(QUESTION, place, findings)
        if questions:
            mandatory = (row.get("mandatory") or "").upper()
            if mandatory == "S":
                self.qnote(code, N_("soft mandatory (a reminder in LimeSurvey) becomes optional"), "changed")
            if qid in self.defaults:
                self.qnote(code, N_("default answers are not carried over"))
            for name in ("array_filter", "array_filter_exclude", "em_validation_q", "em_validation_sq",
                         "exclude_all_others", "min_num_value", "max_num_value", "random_order", "time_limit"):
                if self.attribute(qid, name) not in ("", "0") and name not in context.used:
                    self.qnote(code, N_("the setting %(setting)s is not carried over"), setting=name)
            if (row.get("preg") or "").strip():
                self.qnote(code, N_("the input check (regular expression) is not carried over"))
            self.count += sum(1 for q in questions if q["type"] != "note")
        return questions

    def _register_none(self, row: dict, group_index: int, reason: str) -> None:
        code, qid = row.get("title", ""), row.get("qid", "")
        none = Target("none", page=group_index, reason=reason)
        for name in self._root_names(row):
            self.targets[name] = none
        for child in self.children.get(qid, []):
            for name in self._child_names(row, child):
                self.targets[name] = none
        for suffix in ("other", "comment"):
            self.targets[f"{code}_{suffix}"] = none

    def _root_names(self, row: dict) -> list[str]:
        sid = row.get("sid", self.survey.get("sid", ""))
        return [row.get("title", ""), f"{sid}X{row.get('gid', '')}X{row.get('qid', '')}"]

    def _child_names(self, row: dict, child: dict) -> list[str]:
        sid = row.get("sid", self.survey.get("sid", ""))
        code = child.get("title", "")
        return [f"{row.get('title', '')}_{code}", f"{sid}X{row.get('gid', '')}X{row.get('qid', '')}{code}"]

    def register(self, context: "_Context", target: Target, child: dict | None = None, suffix: str = "") -> None:
        target = Target(target.kind, target.question, target.values, target.option, context.group, target.reason)
        if child is not None:
            names = self._child_names(context.row, child)
        elif suffix:
            names = [f"{context.code}_{suffix}"]
            sid = context.row.get("sid", self.survey.get("sid", ""))
            names.append(f"{sid}X{context.row.get('gid', '')}X{context.qid}{suffix}")
        else:
            names = self._root_names(context.row)
        for name in names:
            self.targets[name] = target

    def new_id(self, candidate: str) -> str:
        result = unique(slug(candidate), self.question_ids)
        self.question_ids.add(result)
        return result

    def _report_findings(self, place: str, params: dict, findings: _Findings) -> None:
        if findings.scripts:
            self.note(place, N_("JavaScript was removed"), **params)
        if findings.expressions:
            self.note(place, N_("ExpressionScript code was removed from the text and marked %(mark)s: %(codes)s"),
                      "changed", mark=MARK, codes=", ".join(findings.expressions[:5])
                      + (" …" if len(findings.expressions) > 5 else ""), **params)
        if findings.media:
            self.note(place, N_("images, videos and embedded content were removed; only the text is kept"), **params)


@dataclass
class _Context:
    row: dict
    qid: str
    code: str
    group: int
    findings: _Findings
    text: dict
    help: dict
    show_if: dict | None
    has_text: bool = True
    used: tuple = ()

    @property
    def mandatory(self) -> bool:
        return (self.row.get("mandatory") or "").upper() == "Y"


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + " …"


def _ascii_slug(text: str) -> str:
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --------------------------------------------------------------------------- question types

def _base(c: _Context, qtype: str, question_id: str | None = None, **keys) -> dict:
    question = {"id": question_id, "type": qtype, "text": c.text}
    if c.help:
        question["help"] = c.help
    if c.mandatory and qtype != "note":
        question["required"] = True
    if c.show_if:
        question["show_if"] = c.show_if
    question.update(keys)
    return question


def _options(conv: _Converter, c: _Context, entries: list[tuple[str, dict]], taken: set[str] | None = None
             ) -> tuple[list[dict], list[tuple[str, str]]]:
    """Options from (LimeSurvey code, texts by LimeSurvey language); returns them with the
    (code, value) pairs."""
    options, pairs, values = [], [], set(taken or ())
    for code, texts in entries:
        value = unique(slug(code), values)
        values.add(value)
        label = conv.text(texts, c.findings)
        options.append({"value": value, "label": conv.complete(label, code)})
        pairs.append((code, value))
    return options, pairs


def _answer_entries(conv: _Converter, qid: str, scale: int = 0) -> list[tuple[str, dict]]:
    return [(entry["code"], entry["texts"]) for entry in conv.answers.get(qid, []) if entry["scale"] == scale]


def _subquestions(conv: _Converter, qid: str, scale: int = 0) -> list[dict]:
    return [row for row in conv.children.get(qid, []) if _int(row.get("scale_id")) == scale]


def _subquestion_entries(conv: _Converter, c: _Context, rows: list[dict]) -> list[tuple[str, dict]]:
    entries = []
    for row in rows:
        relevance = (row.get("relevance") or "").strip()
        if relevance not in ("", "1"):
            conv.qnote(c.code, N_("the condition on subquestion %(code)s is not carried over; it is always shown"),
                       code=row.get("title", ""))
        texts = {lang: r.get("question", "") for lang, r in conv.qtexts.get(row.get("qid", ""), {}).items()}
        entries.append((row.get("title", ""), texts))
    return entries


def _other(conv: _Converter, c: _Context, options: list[dict], question_id: str, operator: str) -> list[dict]:
    """The “other” option and the text question for it."""
    if (c.row.get("other") or "").upper() != "Y":
        return []
    value = unique("other", {o["value"] for o in options})
    label = conv.attribute_text(c.qid, "other_replace_text", c.findings)
    options.append({"value": value, "label": conv.complete(label, "") if label else conv.standard(OTHER_LABEL)})
    follow_up = {"id": conv.new_id(f"{c.code}_other"), "type": "short_text", "text": conv.standard(OTHER_TEXT),
                 "show_if": {"question": question_id, operator: value}}
    conv.qnote(c.code, N_("“other” becomes the option “%(value)s” and the text question “%(id)s”"), "changed",
               value=value, id=follow_up["id"])
    conv.register(c, Target("text", follow_up["id"]), suffix="other")
    return [follow_up]


def _list(conv: _Converter, c: _Context) -> list[dict]:
    question_id = conv.new_id(c.code)
    if c.row.get("type") == "G":
        options = [{"value": slug(code), "label": conv.standard(labels)} for code, labels in GENDER]
        pairs = [(code, slug(code)) for code, _ in GENDER]
    else:
        options, pairs = _options(conv, c, _answer_entries(conv, c.qid))
    extra = _other(conv, c, options, question_id, "equals")
    if extra:
        pairs.append(("-oth-", options[-1]["value"]))
    if len(options) < 2:
        conv.question_ids.discard(question_id)
        conv.qnote(c.code, N_("a choice question needs at least two answer options; left out"))
        return []
    if conv.attribute(c.qid, "random_order") == "1" or conv.attribute(c.qid, "answer_order") == "random":
        conv.qnote(c.code, N_("the answer options are shown in a fixed order, not shuffled"), "changed")
        c.used = ("random_order",)
    question = _base(c, "single_choice", question_id, options=options)
    conv.register(c, Target("choice", question_id, tuple(pairs)))
    result = [question, *extra]
    if c.row.get("type") == "O":
        comment = {"id": conv.new_id(f"{c.code}_comment"), "type": "long_text", "text": conv.standard(COMMENT_TEXT)}
        if c.show_if:
            comment["show_if"] = c.show_if
        conv.qnote(c.code, N_("the comment field becomes the text question “%(id)s”"), "changed", id=comment["id"])
        conv.register(c, Target("text", comment["id"]), suffix="comment")
        result.append(comment)
    return result


def _whole_number(text: str) -> int | None:
    number = _as_number(text) if text else None
    return int(number) if isinstance(number, (int, float)) and float(number).is_integer() else None


def _multiple(conv: _Converter, c: _Context) -> list[dict]:
    question_id = conv.new_id(c.code)
    rows = _subquestions(conv, c.qid)
    options, pairs = _options(conv, c, _subquestion_entries(conv, c, rows))
    extra = _other(conv, c, options, question_id, "contains")
    if not options:
        conv.question_ids.discard(question_id)
        conv.qnote(c.code, N_("a multiple-choice question without options; left out"))
        return []
    keys = {}
    for name, key in (("min_answers", "min_choices"), ("max_answers", "max_choices")):
        raw = conv.attribute(c.qid, name)
        value = _whole_number(raw)
        if raw and (value is None or value < 1 or value > len(options)):
            if value != 0:
                conv.qnote(c.code, N_("%(setting)s “%(value)s” is not carried over"), setting=name, value=raw[:40])
        elif value:
            keys[key] = value
    if keys.get("min_choices", 0) > keys.get("max_choices", len(options)):
        conv.qnote(c.code, N_("min_answers is more than max_answers; neither is carried over"))
        keys = {}
    if c.row.get("type") == "P":
        conv.qnote(c.code, N_("the comment field of each option is not carried over"))
    if conv.attribute(c.qid, "random_order") == "1":
        conv.qnote(c.code, N_("the answer options are shown in a fixed order, not shuffled"), "changed")
        c.used = ("random_order",)
    question = _base(c, "multiple_choice", question_id, options=options, **keys)
    conv.register(c, Target("none", reason=N_("“%(name)s” is a multiple-choice question as a whole; use one of its "
                                              "options, such as %(name)s_SQ001")))
    for row, (_code, value) in zip(rows, pairs):
        conv.register(c, Target("option", question_id, option=value), child=row)
    return [question, *extra]


def _free_text(conv: _Converter, c: _Context) -> list[dict]:
    qtype = "short_text" if c.row.get("type") == "S" else "long_text"
    keys = {}
    length = _whole_number(conv.attribute(c.qid, "maximum_chars"))
    if length and length > 0:
        keys["max_length"] = length
    question_id = conv.new_id(c.code)
    conv.register(c, Target("text", question_id))
    return [_base(c, qtype, question_id, **keys)]


def _bounds(conv: _Converter, c: _Context, integer: bool) -> dict:
    keys = {}
    for name, key in (("min_num_value_n", "min"), ("max_num_value_n", "max")):
        raw = conv.attribute(c.qid, name)
        value = _as_number(raw) if raw else None
        if raw and value is None:
            conv.qnote(c.code, N_("%(setting)s “%(value)s” is not carried over"), setting=name, value=raw[:40])
        elif value is not None:
            if integer and not float(value).is_integer():
                conv.qnote(c.code, N_("%(setting)s “%(value)s” is not a whole number; not carried over"),
                           setting=name, value=raw[:40])
            else:
                keys[key] = value
    if "min" in keys and "max" in keys and keys["min"] >= keys["max"]:
        conv.qnote(c.code, N_("the smallest allowed number is not below the largest; neither is carried over"))
        return {}
    return keys


def _unit(conv: _Converter, c: _Context) -> dict:
    unit = conv.attribute_text(c.qid, "suffix", c.findings) or conv.attribute_text(c.qid, "prefix", c.findings)
    return {"unit": conv.complete(unit, next(iter(unit.values())))} if unit else {}


def _number(conv: _Converter, c: _Context) -> list[dict]:
    integer = conv.attribute(c.qid, "num_value_int_only") == "1"
    question_id = conv.new_id(c.code)
    keys = {**_bounds(conv, c, integer), **_unit(conv, c)}
    if integer:
        keys["integer"] = True
    conv.register(c, Target("number", question_id))
    return [_base(c, "number", question_id, **keys)]


def _multiple_numbers(conv: _Converter, c: _Context) -> list[dict]:
    integer = conv.attribute(c.qid, "num_value_int_only") == "1"
    rows = _subquestions(conv, c.qid)
    entries = _subquestion_entries(conv, c, rows)
    if not entries:
        conv.qnote(c.code, N_("a question with several inputs but no subquestions; left out"))
        return []
    total_raw = conv.attribute(c.qid, "equals_num_value")
    total = _as_number(total_raw) if total_raw else None
    if total is not None and total > 0 and (not integer or float(total).is_integer()):
        question_id = conv.new_id(c.code)
        items, pairs = _options(conv, c, entries)
        items = [{"id": item["value"], "label": item["label"]} for item in items]
        keys = {"items": items, "total": total, **_unit(conv, c)}
        if integer:
            keys["integer"] = True
        if _bounds(conv, c, integer):
            conv.qnote(c.code, N_("bounds for each input are not carried over; each share lies between 0 and "
                                  "the total"), "changed")
        conv.register(c, Target("none", reason=N_("“%(name)s” is a share of an allocation, which show_if cannot "
                                                  "use")))
        for row in rows:
            conv.register(c, Target("none", reason=N_("“%(name)s” is a share of an allocation, which show_if "
                                                      "cannot use")), child=row)
        c.used = ("equals_num_value",)
        return [_base(c, "allocation", question_id, **keys)]
    if total_raw:
        conv.qnote(c.code, N_("the required total “%(value)s” is not carried over"), value=total_raw[:40])
    c.used = ("equals_num_value",)
    return _split(conv, c, rows, entries, "number", lambda: {**_bounds(conv, c, integer), **_unit(conv, c),
                                                             **({"integer": True} if integer else {})})


def _split(conv: _Converter, c: _Context, rows, entries, qtype: str, keys: Callable[[], dict]) -> list[dict]:
    """One question per subquestion, after a note with the question's own text."""
    note_id = conv.new_id(c.code)
    questions = [_base(c, "note", note_id)]
    conv.register(c, Target("none", reason=N_("“%(name)s” stands for several answers; use one of them, such as "
                                              "%(name)s_SQ001")))
    shared = keys()
    for row, (code, texts) in zip(rows, entries):
        question_id = conv.new_id(f"{c.code}_{code}")
        label = conv.complete(conv.text(texts, c.findings), code)
        question = {"id": question_id, "type": qtype, "text": label, **shared}
        if c.mandatory:
            question["required"] = True
        if c.show_if:
            question["show_if"] = c.show_if
        questions.append(question)
        conv.register(c, Target("number" if qtype == "number" else "text", question_id), child=row)
    conv.qnote(c.code, N_("its inputs become %(count)d questions after a note with the question text"), "changed",
               count=len(questions) - 1)
    return questions


def _multiple_texts(conv: _Converter, c: _Context) -> list[dict]:
    rows = _subquestions(conv, c.qid)
    entries = _subquestion_entries(conv, c, rows)
    if not entries:
        conv.qnote(c.code, N_("a question with several inputs but no subquestions; left out"))
        return []
    length = _whole_number(conv.attribute(c.qid, "maximum_chars"))
    return _split(conv, c, rows, entries, "short_text", lambda: {"max_length": length} if length and length > 0 else {})


def _date(conv: _Converter, c: _Context) -> list[dict]:
    keys = {}
    for name, key in (("date_min", "min_date"), ("date_max", "max_date")):
        raw = conv.attribute(c.qid, name)
        day = _day(raw)
        if day:
            keys[key] = day
        elif raw:
            conv.qnote(c.code, N_("%(setting)s “%(value)s” is not carried over"), setting=name, value=raw[:40])
    if len(keys) == 2 and keys["min_date"] >= keys["max_date"]:
        conv.qnote(c.code, N_("the earliest allowed date is not before the latest; neither is carried over"))
        keys = {}
    if re.search(r"H|:", conv.attribute(c.qid, "date_format")):
        conv.qnote(c.code, N_("only the day is asked, not the time of day"), "changed")
    question_id = conv.new_id(c.code)
    conv.register(c, Target("date", question_id))
    return [_base(c, "date", question_id, **keys)]


def _yes_no(conv: _Converter, c: _Context) -> list[dict]:
    question_id = conv.new_id(c.code)
    conv.register(c, Target("yes_no", question_id))
    return [_base(c, "yes_no", question_id)]


def _scale_id(conv: _Converter, name: str, points: list[dict], ordered: bool = True) -> str:
    """A scale with these points: an existing identical one, or a new one called `name`."""
    scale = {"points": points}
    if not ordered:
        scale["ordered"] = False
    for scale_id, existing in conv.scales.items():
        if existing == scale:
            return scale_id
    scale_id = unique(slug(name), set(conv.scales))
    conv.scales[scale_id] = scale
    return scale_id


def _fixed_points(conv: _Converter, points) -> list[dict]:
    return [{"value": value, "label": conv.standard(labels)} for _code, value, labels in points]


def _five(conv: _Converter, c: _Context) -> list[dict]:
    scale_id = _scale_id(conv, "five_point", _fixed_points(conv, FIVE_POINT))
    question_id = conv.new_id(c.code)
    conv.register(c, Target("scale", question_id, values=tuple(range(1, 6))))
    return [_base(c, "scale", question_id, scale=scale_id)]


FIXED_ARRAYS = {"A": ("five_point", FIVE_POINT, True), "B": ("ten_point", TEN_POINT, True),
                "C": ("yes_uncertain_no", YES_UNCERTAIN_NO, False),
                "E": ("increase_same_decrease", INCREASE_SAME_DECREASE, True)}


def _array(conv: _Converter, c: _Context) -> list[dict]:
    kind = c.row.get("type")
    rows = _subquestions(conv, c.qid)
    entries = _subquestion_entries(conv, c, rows)
    if not entries:
        conv.qnote(c.code, N_("an array without subquestions (rows); left out"))
        return []
    if kind in FIXED_ARRAYS:
        name, points, ordered = FIXED_ARRAYS[kind]
        scale_id = _scale_id(conv, name, _fixed_points(conv, points), ordered)
        if kind in ("C", "E"):
            conv.qnote(c.code, N_("the answers are stored as numbers: %(coding)s"), "changed",
                       coding=", ".join(f"{code} = {value}" for code, value, _ in points))
    else:
        answers = _answer_entries(conv, c.qid)
        if len(answers) < 2:
            conv.qnote(c.code, N_("an array needs at least two answer options (columns); left out"))
            return []
        codes = [_whole_number(code) if re.fullmatch(r"-?\d+", code) else None for code, _ in answers]
        if None not in codes and codes == sorted(set(codes)):
            values = codes
        else:
            values = list(range(1, len(answers) + 1))
            conv.qnote(c.code, N_("the answer codes are stored as numbers: %(coding)s"), "changed",
                       coding=", ".join(f"{code} = {value}" for (code, _), value in zip(answers, values)))
        points = [{"value": value, "label": conv.complete(conv.text(texts, c.findings), code)}
                  for (code, texts), value in zip(answers, values)]
        scale_id = _scale_id(conv, f"{c.code}_scale", points)
    if kind == "H":
        conv.qnote(c.code, N_("shown with the subquestions as rows, not as columns"), "changed")
    question_id = conv.new_id(c.code)
    items, _pairs = _options(conv, c, entries)
    items = [{"id": item["value"], "label": item["label"]} for item in items]
    reason = N_("“%(name)s” is a row of an array; show_if cannot use single rows")
    conv.register(c, Target("none", reason=reason))
    for row in rows:
        conv.register(c, Target("none", reason=reason), child=row)
    return [_base(c, "matrix", question_id, scale=scale_id, items=items)]


def _ranking(conv: _Converter, c: _Context) -> list[dict]:
    entries = _answer_entries(conv, c.qid) or _subquestion_entries(conv, c, _subquestions(conv, c.qid))
    if len(entries) < 2:
        conv.qnote(c.code, N_("a ranking needs at least two options; left out"))
        return []
    question_id = conv.new_id(c.code)
    options, _pairs = _options(conv, c, entries)
    limit = _whole_number(conv.attribute(c.qid, "max_answers") or conv.attribute(c.qid, "max_subquestions"))
    if limit and limit < len(options):
        conv.qnote(c.code, N_("LimeSurvey ranked at most %(count)d options; here every option gets a rank"),
                   "changed", count=limit)
    conv.register(c, Target("none", reason=N_("“%(name)s” is a ranking, which show_if cannot use")))
    for index in range(1, len(options) + 1):
        conv.targets[f"{c.code}_{index}"] = Target("none", reason=N_("“%(name)s” is a rank of a ranking, which "
                                                                     "show_if cannot use"))
    return [_base(c, "ranking", question_id, options=options)]


def _display(conv: _Converter, c: _Context) -> list[dict]:
    question_id = conv.new_id(c.code)
    conv.register(c, Target("none", reason=N_("“%(name)s” is a text display and has no answer")))
    if not c.has_text:
        conv.question_ids.discard(question_id)
        conv.qnote(c.code, N_("a text display without text; left out"))
        return []
    return [_base(c, "note", question_id)]


_BUILDERS: dict[str, Callable[[_Converter, _Context], list[dict]]] = {
    "L": _list, "!": _list, "O": _list, "G": _list,
    "M": _multiple, "P": _multiple,
    "S": _free_text, "T": _free_text, "U": _free_text,
    "N": _number, "K": _multiple_numbers, "Q": _multiple_texts,
    "D": _date, "Y": _yes_no, "5": _five,
    "F": _array, "A": _array, "B": _array, "C": _array, "E": _array, "H": _array,
    "R": _ranking, "X": _display,
}
UNSUPPORTED = {
    "*": N_("an equation computes a value; it has no counterpart here and is left out"),
    "|": N_("file uploads are not supported; left out"),
    "1": N_("arrays with two scales are not supported; left out"),
    ":": N_("arrays of numbers are not supported; left out"),
    ";": N_("arrays of texts are not supported; left out"),
    "I": N_("the language switch is left out; respondents choose the language on the start page"),
}

ORIGIN = "a LimeSurvey survey (.lss)"   # for to_yaml's header
