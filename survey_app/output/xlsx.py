"""Tables -> an XLSX workbook an evaluator can hand on (pure: no Flask, no storage).

XlsxWriter in constant-memory mode writes each row as it comes (10,000 responses in well under
a second), so the workbook never sits in memory as cell objects. Every sheet has a frozen,
bold header row and column widths that fit its contents; columns that hold shares are numbers
formatted as percent.

The results workbook (``results_workbook``) has a sheet per part, in the reader's language:

* responses: row 1 the variable names (as in the CSV and the codebook), row 2 what each holds
  (question text, item or option) in the interface language; both rows stay in view;
* summary and codebook: the column names in the interface language.

Texts are text cells, never formulas, written exactly as given; one that looks like a formula
(export.formula_like) carries Excel's quote-prefix mark, so that it stays text when edited.
Odd stored values never fail: texts lose only the control characters XML forbids (text.clean),
NaN and infinities and whole numbers beyond 15 exact digits are written as text.
"""
from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from survey_app.messages import _l
from survey_app.output.export import Cell, formula_like
from survey_app.text import clean

MAX_TEXT = 32_767          # characters a cell holds
WIDTH_SAMPLE = 200         # rows read to size the columns
MIN_WIDTH, MAX_WIDTH = 8, 60

# Column names of the tables in export.py as a reader sees them.
NAMES = {
    # summary
    "question": _l("Question"), "group": _l("Group"), "item": _l("Item"), "category": _l("Category"),
    "label": _l("Label"), "n": _l("n"), "count": _l("Count"), "share": _l("Share"), "mean": _l("Mean"),
    "median": _l("Median"), "sd": _l("SD"), "top2": _l("Top 2"), "bottom2": _l("Bottom 2"),
    "dont_know": _l("Don't know"), "missing": _l("Without answer"), "note": _l("Note"),
    # codebook
    "variable": _l("Variable"), "type": _l("Type"), "text": _l("Text"), "item_text": _l("Item text"),
    "values": _l("Values"), "construct": _l("Construct"),
}
# What the meta columns of the response table hold, for the label row.
META_LABELS = {
    "response_id": _l("Response (random id)"), "submitted_on": _l("Day of submission"),
    "version": _l("Questionnaire version"), "language": _l("Language"),
    "pseudonym": _l("Self-generated code"), "invitation": _l("Invitation number"),
}
# Words the summary table writes into its cells.
WORDS = {"suppressed": _l("suppressed"), "no answer": _l("no answer")}
PERCENT_COLUMNS = ("share", "top2", "bottom2")


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    labels: Sequence[str] | None = None          # a second header row (what each column holds)
    percent: frozenset[int] = field(default_factory=frozenset)   # columns of shares 0..1


def value(cell: Cell) -> Cell:
    """A cell value that a workbook can hold, whatever was stored."""
    if isinstance(cell, str):
        return clean(cell)[:MAX_TEXT]
    if isinstance(cell, bool):
        return str(cell).lower()
    if isinstance(cell, float) and not math.isfinite(cell):
        return str(cell)
    if isinstance(cell, int) and abs(cell) > 2**53:
        return str(cell)
    if cell is None or isinstance(cell, (int, float)):
        return cell
    return clean(str(cell))[:MAX_TEXT]


def _width(cell) -> int:
    if cell is None:
        return 0
    text = cell if isinstance(cell, str) else f"{cell:.4g}" if isinstance(cell, float) else str(cell)
    return max((len(line) for line in text.split("\n")), default=0)


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """The workbook of `sheets` as bytes."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "valign": "top"})
    bold_quoted = book.add_format({"bold": True, "valign": "top", "quote_prefix": True})
    label = book.add_format({"italic": True, "text_wrap": True, "valign": "top"})
    quoted = book.add_format({"quote_prefix": True})
    percent = book.add_format({"num_format": "0.0%"})
    used: set[str] = set()
    for sheet in sheets:
        worksheet = book.add_worksheet(_title(sheet.title, used))
        rows = iter(sheet.rows)
        head: list[Sequence[Cell]] = []
        for row in rows:
            head.append([value(c) for c in row])
            if len(head) >= WIDTH_SAMPLE:
                break
        for column, name in enumerate(sheet.headers):
            widths = [_width(name)] + [_width(r[column]) for r in head if column < len(r)]
            if sheet.labels:
                widths.append(min(_width(sheet.labels[column]), 30))
            worksheet.set_column(column, column, max(MIN_WIDTH, min(MAX_WIDTH, max(widths) + 2)))
        header_rows = 2 if sheet.labels else 1
        worksheet.freeze_panes(header_rows, 0)
        for column, name in enumerate(sheet.headers):
            text = value(name) or ""
            worksheet.write_string(0, column, text, bold_quoted if formula_like(text) else bold)
        if sheet.labels:
            for column, text in enumerate(sheet.labels):
                worksheet.write_string(1, column, value(text) or "", label)
        number = header_rows
        for row in _chain(head, rows):
            for column, cell in enumerate(row):
                cell = value(cell)
                if cell is None:
                    continue
                if isinstance(cell, str):
                    if formula_like(cell):
                        worksheet.write_string(number, column, cell, quoted)
                    else:
                        worksheet.write_string(number, column, cell)
                elif column in sheet.percent:
                    worksheet.write_number(number, column, cell, percent)
                else:
                    worksheet.write_number(number, column, cell)
            number += 1
    book.close()
    return out.getvalue()


def _chain(head, rows):
    yield from head
    for row in rows:
        yield [value(c) for c in row]


def _title(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique."""
    name = "".join(" " if ch in "[]:*?/\\" else ch for ch in clean(title)).strip().strip("'")[:31] or "Sheet"
    base, n = name, 2
    while name.lower() in used:
        name = f"{base[:28]}-{n}"
        n += 1
    used.add(name.lower())
    return name


def results_workbook(responses: tuple[Sequence[str], Sequence[Sequence[Cell]]],
                     summary: tuple[Sequence[str], Sequence[Sequence[Cell]]],
                     codebook: tuple[Sequence[str], Sequence[Sequence[Cell]]],
                     gettext: Callable[[str], str]) -> bytes:
    """The results download: responses, summary and codebook sheets (tables from export.py,
    the codebook in the reader's language), names in the interface language."""
    headers, rows = responses
    code_headers, code_rows = codebook
    described = _column_labels(code_headers, code_rows, gettext)
    summary_headers, summary_rows = summary
    return workbook([
        Sheet(gettext("Responses"), headers, rows, labels=[described.get(h, "") for h in headers]),
        Sheet(gettext("Summary"), _names(summary_headers, gettext), (_words(r, gettext) for r in summary_rows),
              percent=frozenset(i for i, h in enumerate(summary_headers) if h in PERCENT_COLUMNS)),
        Sheet(gettext("Codebook"), _names(code_headers, gettext), code_rows),
    ])


def _names(headers: Sequence[str], gettext) -> list[str]:
    return [NAMES[h].render(gettext) if h in NAMES else h for h in headers]


def _words(row: Sequence[Cell], gettext) -> list[Cell]:
    return [WORDS[c].render(gettext) if isinstance(c, str) and c in WORDS else c for c in row]


def _column_labels(headers: Sequence[str], rows: Sequence[Sequence[Cell]], gettext) -> dict[str, str]:
    """Variable -> what it holds, from the codebook: the question text and its item or option."""
    index = {name: i for i, name in enumerate(headers)}
    out: dict[str, str] = {name: text.render(gettext) for name, text in META_LABELS.items()}
    for row in rows:
        text, item = row[index["text"]], row[index["item_text"]]
        if row[index["question"]] is not None:
            out[str(row[index["variable"]])] = " – ".join(str(t) for t in (text, item) if t)
    return out


def column_labels(codebook: tuple[Sequence[str], Sequence[Sequence[Cell]]],
                  gettext: Callable[[str], str]) -> Mapping[str, str]:
    """Variable -> label (for other writers that label columns the same way)."""
    return _column_labels(*codebook, gettext)
