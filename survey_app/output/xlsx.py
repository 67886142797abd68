"""Tables -> an XLSX workbook an evaluator can hand on (pure: no Flask, no storage).

The workbook is Office Open XML written as it goes: each row becomes its XML and goes into the
zip (inline strings, one fixed style sheet, fast deflate), so no cell object is ever built.
That is what XlsxWriter's constant-memory mode does, at a fraction of its time per cell
(10,000 responses of the staff questionnaire: about a tenth of the time openpyxl took;
benchmarks/bench_findings.py prints both).
Every sheet has a frozen, bold header row and column widths that fit its contents; columns that
hold shares are numbers formatted as percent.

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
import zipfile
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
    "response_id": _l("Response (random id)"), "row": _l("Row (in this file only)"), "submitted_on": _l("Day of submission"),
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


# Cell styles (indexes into cellXfs of STYLES): plain, header, header that looks like a formula,
# label row, text that looks like a formula, share.
PLAIN, HEADER, HEADER_QUOTED, LABEL, QUOTED, PERCENT = range(6)
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>
<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>
<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>
<font><i/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1" quotePrefix="1"><alignment vertical="top"/></xf>
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(ref: str, text: str, style: int) -> str:
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">{text.translate(_ESCAPE)}</t></is></c>'


def _sheet_xml(sheet: Sheet):
    """The worksheet's XML in pieces, a row at a time."""
    rows = iter(sheet.rows)
    head: list[list[Cell]] = []
    for row in rows:
        head.append([value(c) for c in row])
        if len(head) >= WIDTH_SAMPLE:
            break
    letters = [_column_letters(i) for i in range(max([len(sheet.headers)] + [len(r) for r in head]))]
    header_rows = 2 if sheet.labels else 1
    top = f"A{header_rows + 1}"
    yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
           f'xmlns:r="{_RELS}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="{header_rows}" '
           f'topLeftCell="{top}" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
           f'activeCell="{top}" sqref="{top}"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
    if sheet.headers:
        yield "<cols>"
        for column, name in enumerate(sheet.headers):
            widths = [_width(name)] + [_width(r[column]) for r in head if column < len(r)]
            if sheet.labels and column < len(sheet.labels):
                widths.append(min(_width(sheet.labels[column]), 30))
            width = max(MIN_WIDTH, min(MAX_WIDTH, max(widths) + 2))
            yield f'<col min="{column + 1}" max="{column + 1}" width="{width}" customWidth="1"/>'
        yield "</cols>"
    yield "<sheetData>"
    cells = []
    for column, name in enumerate(sheet.headers):
        text = value(name) or ""
        cells.append(_text(f"{letters[column]}1", text, HEADER_QUOTED if formula_like(text) else HEADER))
    yield '<row r="1">' + "".join(cells) + "</row>"
    if sheet.labels:
        yield '<row r="2">' + "".join(_text(f"{letters[c]}2", value(t) or "", LABEL)
                                      for c, t in enumerate(sheet.labels)) + "</row>"
    shares = sheet.percent
    number = header_rows
    for row in _chain(head, rows):
        number += 1
        cells = []
        for column, cell in enumerate(row):
            if cell is None:
                continue
            kind = type(cell)
            if kind is not int and kind is not float:
                cell = value(cell)
                kind = type(cell)
                if cell is None:
                    continue
            if column >= len(letters):
                letters.append(_column_letters(column))
            ref = f"{letters[column]}{number}"
            if kind is str:   # a text that starts with a letter or digit is never taken as a formula
                cells.append(_text(ref, cell, PLAIN if cell[:1].isalnum() or not formula_like(cell) else QUOTED))
            elif kind is int and -2**53 <= cell <= 2**53 or kind is float and math.isfinite(cell):
                styled = f' s="{PERCENT}"' if column in shares else ""
                cells.append(f'<c r="{ref}"{styled}><v>{cell!r}</v></c>')
            else:
                cells.append(_text(ref, value(cell), PLAIN))
        yield f'<row r="{number}">' + "".join(cells) + "</row>"
    yield "</sheetData></worksheet>"


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """The workbook of `sheets` as bytes (Office Open XML, written as it goes: each sheet's
    rows go into the zip a batch at a time and are never held as cell objects)."""
    used: set[str] = set()
    titles = [_title(sheet.title, used) for sheet in sheets]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, len(sheets) + 1))
        package.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>'))
        package.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        entries = "".join(f'<sheet name="{title.translate(_ESCAPE)}" sheetId="{i}" r:id="rId{i}"/>'
                          for i, title in enumerate(titles, 1))
        package.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" '
            f'xmlns:r="{_RELS}"><bookViews><workbookView/></bookViews><sheets>{entries}</sheets></workbook>'))
        links = "".join(f'<Relationship Id="rId{i}" Type="{_RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                        for i in range(1, len(sheets) + 1))
        package.writestr("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PACKAGE_RELS}">'
            f'{links}<Relationship Id="rId{len(sheets) + 1}" Type="{_RELS}/styles" Target="styles.xml"/>'
            '</Relationships>'))
        package.writestr("xl/styles.xml", STYLES)
        for i, sheet in enumerate(sheets, 1):
            with package.open(f"xl/worksheets/sheet{i}.xml", "w") as part:
                batch: list[str] = []
                for piece in _sheet_xml(sheet):
                    batch.append(piece)
                    if len(batch) >= 500:
                        part.write("".join(batch).encode("utf-8"))
                        batch.clear()
                part.write("".join(batch).encode("utf-8"))
    return out.getvalue()


def _chain(head, rows):
    yield from head
    yield from rows


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
                     gettext: Callable[[str], str], note: str | None = None) -> bytes:
    """The results download: responses, summary and codebook sheets (tables from export.py,
    the codebook in the reader's language), names in the interface language; `note` (what
    the responses sheet blanked for k-anonymity) in a sheet of its own."""
    headers, rows = responses
    code_headers, code_rows = codebook
    described = _column_labels(code_headers, code_rows, gettext)
    summary_headers, summary_rows = summary
    return workbook([
        Sheet(gettext("Responses"), headers, rows, labels=[described.get(h, "") for h in headers]),
        Sheet(gettext("Summary"), _names(summary_headers, gettext), (_words(r, gettext) for r in summary_rows),
              percent=frozenset(i for i, h in enumerate(summary_headers) if h in PERCENT_COLUMNS)),
        Sheet(gettext("Codebook"), _names(code_headers, gettext), code_rows),
        *([Sheet(gettext("Note"), [gettext("Note")], [[note]])] if note else []),
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
