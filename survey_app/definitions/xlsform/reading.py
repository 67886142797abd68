"""Reading the sheets of an XLSForm, bounded: .xlsx, .xls, a zip of CSV files or one CSV file.

The file comes from outside and is treated as hostile. Before anything is unpacked, the
sizes the zip declares are checked (zip bombs are refused at once; Python's zipfile never
unpacks more than a member declares); the dimension a sheet claims is ignored; reading stops
at the last row with content, and refuses a sheet with rows past MAX_ROWS, a row past
MAX_COLUMNS columns or more than MAX_CELLS filled cells. XML inside the workbook is parsed
by openpyxl through defusedxml (no entities, no external references).

Only the sheets `survey`, `choices` and `settings` are read (names in any case). Cell values
become stripped strings, the way pyxform reads them: 1.0 -> "1", TRUE -> "TRUE".
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from survey_app.definitions.imports import N_, ImportFailure, Note

MAX_BYTES = 10 * 1024 * 1024                # the uploaded file itself
MAX_MEMBER_BYTES = 20 * 1024 * 1024         # one unpacked part of a workbook or zip
MAX_UNPACKED_BYTES = 40 * 1024 * 1024       # all unpacked parts together
MAX_MEMBERS = 2_000
MAX_ROWS = 20_000                           # spreadsheet row number of a row with content, per sheet
MAX_ROW_ELEMENTS = 50_000                   # rows in the file, also formatted empty ones, per sheet
MAX_COLUMNS = 1_000
MAX_CELLS = 400_000                         # filled cells, all sheets together
SHEETS = ("survey", "choices", "settings")


class XLSFormError(ImportFailure):
    """The file is not an XLSForm that can be read at all (not a workbook, no survey sheet,
    too large); the message is a msgid with parameters: render(gettext)."""


@dataclass
class Sheet:
    name: str                                   # as in the file
    headers: list[str]                          # column headings, in order, without repeats
    rows: list[tuple[int, dict[str, str]]]      # (row number in the file, {heading: value}) with content


@dataclass
class Workbook:
    sheets: dict[str, Sheet]                    # "survey", "choices", "settings" -> sheet
    notes: list[Note] = field(default_factory=list)


class _Budget:
    """Counts filled cells over the whole file."""

    def __init__(self):
        self.cells = 0

    def cell(self) -> None:
        self.cells += 1
        if self.cells > MAX_CELLS:
            raise XLSFormError(N_("the file has more than %(limit)d filled cells; an XLSForm is far smaller"),
                               limit=MAX_CELLS)


def read(data: bytes, source: str, companions: dict[str, bytes] | None = None) -> Workbook:
    """The sheets of the file named `source`; `companions` are the other CSV files of a CSV
    form given as separate files ({"choices.csv": bytes, ...})."""
    if len(data) > MAX_BYTES:
        raise XLSFormError(N_("the file is larger than %(limit)d MB; an XLSForm is far smaller"),
                           limit=MAX_BYTES // (1024 * 1024))
    suffix = os.path.splitext(source.lower())[1]
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        archive = _open_zip(data)
        names = archive.namelist()
        if "xl/workbook.xml" in names or any(n.lower().endswith("workbook.xml") for n in names):
            return _read_xlsx(data)
        return _read_csv_zip(archive)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return _read_xls(data)
    if suffix in (".xlsx", ".xlsm", ".xls", ".zip"):
        raise XLSFormError(N_("the file is not a workbook (.xlsx, .xls) or a zip of CSV files"))
    return _read_csv_files({os.path.basename(source): data, **(companions or {})})


# --------------------------------------------------------------------------- zip

def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise XLSFormError(N_("the file is damaged: it starts like a zip (.xlsx) but cannot be unpacked")) from None
    if len(members) > MAX_MEMBERS:
        raise XLSFormError(N_("the file holds more than %(limit)d parts; an XLSForm has a few dozen"),
                           limit=MAX_MEMBERS)
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > MAX_MEMBER_BYTES or total > MAX_UNPACKED_BYTES:
            raise XLSFormError(N_("the file unpacks to more than %(limit)d MB (a “zip bomb”?); an XLSForm "
                                  "unpacks to a few MB at most"), limit=MAX_UNPACKED_BYTES // (1024 * 1024))
    return archive


# --------------------------------------------------------------------------- .xlsx

def _read_xlsx(data: bytes) -> Workbook:
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import WorkSheetParser   # the streaming parser read-only sheets use

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except XLSFormError:
        raise
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, XML errors) for broken files
        raise XLSFormError(N_("the file is not a readable .xlsx workbook")) from None
    budget = _Budget()
    try:
        chosen = _choose_sheets(workbook.sheetnames)
        result = Workbook({})
        for key, name in chosen.items():
            sheet = workbook[name]

            def rows(sheet=sheet) -> Iterator[tuple[int, list[tuple[int, object]]]]:
                with sheet._get_source() as source:
                    parser = WorkSheetParser(source, sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                                             date_formats=workbook._date_formats,
                                             timedelta_formats=workbook._timedelta_formats)
                    for number, cells in parser.parse():
                        yield number, [(cell["column"], cell["value"]) for cell in cells]

            result.sheets[key] = _sheet(name, rows(), budget, result.notes)
        _note_chosen(chosen, workbook.sheetnames, result.notes)
        return result
    except XLSFormError:
        raise
    except Exception:
        raise XLSFormError(N_("the file is not a readable .xlsx workbook")) from None
    finally:
        workbook.close()


# --------------------------------------------------------------------------- .xls

def _read_xls(data: bytes) -> Workbook:
    import xlrd

    try:
        with open(os.devnull, "w") as quiet:
            book = xlrd.open_workbook(file_contents=data, on_demand=True, ragged_rows=True, logfile=quiet)
    except Exception:  # xlrd raises XLRDError, struct errors, AssertionError ... for broken files
        raise XLSFormError(N_("the file is not a readable .xls workbook")) from None
    budget = _Budget()
    try:
        chosen = _choose_sheets(book.sheet_names())
        result = Workbook({})
        for key, name in chosen.items():
            sheet = book.sheet_by_name(name)

            def rows(sheet=sheet) -> Iterator[tuple[int, list[tuple[int, object]]]]:
                for index in range(sheet.nrows):
                    cells = []
                    for column, cell in enumerate(sheet.row(index), start=1):
                        value = _xls_value(cell, book.datemode)
                        if value is not None:
                            cells.append((column, value))
                    if cells:
                        yield index + 1, cells

            result.sheets[key] = _sheet(name, rows(), budget, result.notes)
            book.unload_sheet(name)
        _note_chosen(chosen, book.sheet_names(), result.notes)
        return result
    except XLSFormError:
        raise
    except Exception:
        raise XLSFormError(N_("the file is not a readable .xls workbook")) from None
    finally:
        book.release_resources()


def _xls_value(cell, datemode: int):
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    return cell.value


# --------------------------------------------------------------------------- CSV

def _read_csv_zip(archive: zipfile.ZipFile) -> Workbook:
    files = {}
    for member in archive.infolist():
        name = member.filename.replace("\\", "/").rsplit("/", 1)[-1]
        if member.is_dir() or name.startswith(".") or "__MACOSX" in member.filename:
            continue
        if name.lower().endswith(".csv"):
            if name.lower() in {n.lower() for n in files}:
                raise XLSFormError(N_("the zip holds two files named %(name)s"), name=name)
            files[name] = archive.read(member)
    if not files:
        raise XLSFormError(N_("the zip holds neither a workbook nor CSV files (survey.csv, choices.csv)"))
    return _read_csv_files(files)


def _read_csv_files(files: dict[str, bytes]) -> Workbook:
    """survey.csv, choices.csv and settings.csv, or pyxform's one-file form (a CSV whose first
    column names the sheet: `survey`, then rows starting with an empty cell)."""
    budget = _Budget()
    result = Workbook({})
    tables = {name: _csv_rows(content, name, result.notes) for name, content in files.items()}
    if len(tables) == 1:
        (name, table), = tables.items()
        first = next((row for _, row in table if any(c.strip() for c in row)), [])
        if first and first[0].strip().lower() in SHEETS and not any(c.strip() for c in first[1:]):
            return _one_file_form(table, budget, result)
    by_sheet: dict[str, str] = {}
    for name in tables:
        base = os.path.splitext(name)[0].strip().lower()
        for key in SHEETS:
            if base == key or base.endswith(("-" + key, "_" + key, " " + key, "." + key)):
                by_sheet.setdefault(key, name)
    if "survey" not in by_sheet:
        if len(tables) != 1:
            raise XLSFormError(N_("none of the CSV files is named survey.csv"))
        by_sheet["survey"] = next(iter(tables))
    for key, name in by_sheet.items():
        result.sheets[key] = _sheet(name, _csv_cells(tables[name]), budget, result.notes)
    for name in tables:
        if name not in by_sheet.values():
            result.notes.append(Note(N_("file %(name)s"), N_("not an XLSForm sheet (survey, choices, settings); "
                                                             "left out"), (("name", name),)))
    return result


def _one_file_form(table, budget: _Budget, result: Workbook) -> Workbook:
    parts: dict[str, list] = {}
    current = None
    for number, row in table:
        head = row[0].strip().lower() if row else ""
        if head:
            current = parts.setdefault(head, []) if head in SHEETS else None
            if head not in SHEETS:
                result.notes.append(Note(N_("row %(row)d"), N_("“%(name)s” is not an XLSForm sheet; its rows are "
                                                               "left out"), (("row", number), ("name", head[:40]))))
            if not any(c.strip() for c in row[1:]):
                continue
        if current is not None:
            current.append((number, [""] + row[1:]))
    if "survey" not in parts:
        raise XLSFormError(N_("the CSV file has no part named survey"))
    for key, table_part in parts.items():
        result.sheets[key] = _sheet(key, _csv_cells(table_part, skip_first=True), budget, result.notes)
    return result


def _csv_rows(content: bytes, name: str, notes: list[Note]) -> list[tuple[int, list[str]]]:
    if content.startswith(b"\xef\xbb\xbf"):
        text = content[3:].decode("utf-8", errors="replace")
    else:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            text = content.decode("cp1252", errors="replace")
            notes.append(Note(N_("file %(name)s"), N_("not UTF-8: read as Windows-1252 (Western European); check "
                                                      "the special characters"), (("name", name),), "changed"))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count) if first_line else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = []
        for number, row in enumerate(reader, start=1):
            if number > MAX_ROWS:
                raise XLSFormError(N_("%(sheet)s has rows past row %(limit)d; an XLSForm is far shorter"),
                                   sheet=name, limit=MAX_ROWS)
            rows.append((number, row))
        return rows
    except csv.Error:
        raise XLSFormError(N_("%(sheet)s is not a readable CSV file"), sheet=name) from None


def _csv_cells(table, skip_first: bool = False) -> Iterator[tuple[int, list[tuple[int, object]]]]:
    for number, row in table:
        cells = [(column, value) for column, value in enumerate(row, start=1)
                 if value != "" and not (skip_first and column == 1)]
        if cells:
            yield number, cells


# --------------------------------------------------------------------------- sheets

def _choose_sheets(names: list[str]) -> dict[str, str]:
    by_key = {}
    for name in names:
        key = name.strip().lower()
        if key in SHEETS and key not in by_key:
            by_key[key] = name
    if "survey" not in by_key:
        if len(names) == 1:
            by_key["survey"] = names[0]
        else:
            raise XLSFormError(N_("the workbook has no sheet named “survey” (its sheets: %(sheets)s)"),
                               sheets=", ".join(n[:40] for n in names[:10]))
    return by_key


def _note_chosen(chosen: dict[str, str], names: list[str], notes: list[Note]) -> None:
    if chosen.get("survey") and chosen["survey"].strip().lower() != "survey":
        notes.append(Note(N_("sheet %(name)s"), N_("the only sheet is read as the survey sheet"),
                          (("name", chosen["survey"][:40]),), "changed"))
    for name in names:
        if name not in chosen.values():
            notes.append(Note(N_("sheet %(name)s"), N_("not an XLSForm sheet that is read here (survey, choices, "
                                                       "settings); left out"), (("name", name[:40]),)))


def _sheet(name: str, rows: Iterable[tuple[int, list[tuple[int, object]]]], budget: _Budget,
           notes: list[Note]) -> Sheet:
    """Headings from the first row with content; every later row with content as
    {heading: text}. Stops with XLSFormError past the limits."""
    headers: dict[int, str] = {}
    seen: set[str] = set()
    result: list[tuple[int, dict[str, str]]] = []
    headless: set[int] = set()
    place = N_("sheet %(name)s")
    elements = 0
    for number, cells in rows:
        elements += 1
        if elements > MAX_ROW_ELEMENTS:
            raise XLSFormError(N_("the sheet “%(sheet)s” has more than %(limit)d rows; an XLSForm is far shorter"),
                               sheet=name[:40], limit=MAX_ROW_ELEMENTS)
        values = {}
        for column, raw in cells:
            value = _text(raw)
            if not value:
                continue           # a formatted but empty cell, anywhere: ignored
            if column > MAX_COLUMNS:
                raise XLSFormError(N_("the sheet “%(sheet)s” has cells past column %(limit)d; an XLSForm has far "
                                      "fewer columns"), sheet=name[:40], limit=MAX_COLUMNS)
            budget.cell()
            values[column] = value
        if not values:
            continue
        if number > MAX_ROWS:
            raise XLSFormError(N_("the sheet “%(sheet)s” has rows past row %(limit)d; an XLSForm is far shorter"),
                               sheet=name[:40], limit=MAX_ROWS)
        if not headers and not result:
            for column, heading in sorted(values.items()):
                heading = re.sub(r"\s+", " ", heading)
                if heading in seen:
                    notes.append(Note(place, N_("the column heading “%(heading)s” appears twice; the second column "
                                                "is left out"), (("name", name[:40]), ("heading", heading[:60]))))
                    continue
                seen.add(heading)
                headers[column] = heading
            result.append((number, {}))      # marks that the heading row has been read
            continue
        record = {}
        for column, value in values.items():
            if column in headers:
                record[headers[column]] = value
            elif column not in headless:
                headless.add(column)
                notes.append(Note(place, N_("column %(column)d has values but no heading (first in row %(row)d); "
                                            "left out"), (("name", name[:40]), ("column", column), ("row", number))))
        if record:
            result.append((number, record))
    return Sheet(name, list(headers.values()), result[1:])


def _text(value: object) -> str:
    if value is None:
        return ""
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).replace("\xa0", " ").strip()
