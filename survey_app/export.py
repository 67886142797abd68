"""Responses -> downloadable tables (pure: no Flask, no storage).

The table is built once as ``(headers, rows)`` (``response_table``) and then written by a
format writer (``to_csv``; an XLSX writer can reuse the same table).

Wide layout, one row per response: ``response_id, submitted_on, version, language``, then
per question

* single_choice, scale, number, short_text, long_text: ``qid``
* matrix, allocation: ``qid.item_id`` per item
* multiple_choice: ``qid.option_value`` per option, 1 = chosen, 0 = not chosen, all empty
  when the question was not answered (no list or an empty list).

Values are written as stored: choices as their value codes, "dk" stays "dk", numbers as
numbers. The raw export does not apply analysis.py's validity rules: a scalar the current
definition no longer accepts (e.g. a removed option) is still written, so nothing is hidden;
only values that have no column (an unknown option in a multiple choice list, an unknown
matrix or allocation item) are left out. A list, dict or bool where a scalar belongs is
written as JSON text.

CSV: UTF-8 *with* a byte order mark ("\\ufeff") so that Excel on Windows reads umlauts
correctly; comma-separated, CRLF line ends (RFC 4180). Every text cell that a spreadsheet
could take as a formula (first character = + - @, tab, CR or LF) gets a leading single
quote, except plain numbers such as "-5" or "-2.5".
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .analysis import Response, raw_answer
from .questionnaire import Question, Questionnaire

BOM = "\ufeff"
META_COLUMNS = ("response_id", "submitted_on", "version", "language")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

Cell = str | int | float | None


def neutralize(value: Cell) -> Cell:
    """Guard one cell against spreadsheet formula injection (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) \
            and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _scalar(value: Any) -> Cell:
    """A stored value as one cell; anything but None/str/int/float (a list, a dict, a bool)
    as JSON text, so that a malformed value stays visible as such."""
    if value is None or isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def question_columns(question: Question) -> list[str]:
    """Column names of one question in the wide table."""
    if question.type == "multiple_choice":
        return [f"{question.id}.{o.value}" for o in question.options]
    if question.type in ("matrix", "allocation"):
        return [f"{question.id}.{i.id}" for i in question.items]
    return [question.id]


def question_cells(question: Question, value: Any) -> list[Cell]:
    """Cells of one question for one stored answer, matching ``question_columns``."""
    if question.type == "multiple_choice":
        if not isinstance(value, (list, tuple)) or not value:
            return [None] * len(question.options)
        return [1 if o.value in value else 0 for o in question.options]
    if question.type in ("matrix", "allocation"):
        row = value if isinstance(value, Mapping) else {}
        return [_scalar(row.get(i.id)) for i in question.items]
    return [_scalar(value)]


def response_table(questionnaire: Questionnaire,
                   responses: Sequence[Response]) -> tuple[list[str], list[list[Cell]]]:
    """Wide table: headers and one row per response (cells unescaped, None = empty)."""
    questions = questionnaire.questions()
    headers = list(META_COLUMNS)
    for q in questions:
        headers.extend(question_columns(q))
    rows: list[list[Cell]] = []
    for r in responses:
        r = r if isinstance(r, Mapping) else {}
        row: list[Cell] = [_scalar(r.get(key)) for key in ("id", "submitted_on", "version",
                                                            "language")]
        for q in questions:
            row.extend(question_cells(q, raw_answer(r, q.id)))
        rows.append(row)
    return headers, rows


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Cell]], *, bom: bool = True,
           delimiter: str = ",") -> str:
    """CSV text (with a UTF-8 BOM unless bom=False); cells neutralised against formula
    injection. German Excel opens ';'-separated files by double click: delimiter=';'."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralize(h) for h in headers])
    for row in rows:
        writer.writerow(["" if c is None else neutralize(c) for c in row])
    return out.getvalue()


def responses_csv(questionnaire: Questionnaire, responses: Sequence[Response],
                  lang: str | None = None) -> str:
    """All responses as wide CSV. ``lang`` is accepted for the view's convenience but not
    used: columns and values are language-independent codes (labels go in the codebook)."""
    headers, rows = response_table(questionnaire, responses)
    return to_csv(headers, rows)
