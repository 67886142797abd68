"""Real XLSForm files for the tests: .xlsx written with openpyxl, CSV and zips by hand, and
hostile workbooks (zip bombs, lying dimensions) written byte by byte."""
from __future__ import annotations

import csv
import io
import re
import zipfile

from openpyxl import Workbook

SURVEY_HEADER = ["type", "name", "label::Deutsch (de)", "label::English (en)", "hint::Deutsch (de)", "required",
                 "relevant", "constraint", "appearance"]
CHOICES_HEADER = ["list_name", "name", "label::Deutsch (de)", "label::English (en)"]


def xlsform(survey_rows, choices=(), settings=None, survey_header=SURVEY_HEADER,
            choices_header=CHOICES_HEADER) -> bytes:
    """An .xlsx with the sheets survey, choices and (given settings) settings."""
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(list(survey_header))
    for row in survey_rows:
        survey.append(list(row) + [None] * (len(survey_header) - len(row)))
    sheet = workbook.create_sheet("choices")
    sheet.append(list(choices_header))
    for row in choices:
        sheet.append(list(row))
    if settings:
        sheet = workbook.create_sheet("settings")
        sheet.append(list(settings))
        sheet.append(list(settings.values()))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def sheets(survey: list[list], choices: list[list] | None = None, settings: list[list] | None = None) -> bytes:
    """An .xlsx from whole sheets given as lists of rows (the first row is the heading)."""
    workbook = Workbook()
    workbook.active.title = "survey"
    for row in survey:
        workbook.active.append(list(row))
    for name, rows in (("choices", choices), ("settings", settings)):
        if rows is not None:
            sheet = workbook.create_sheet(name)
            for row in rows:
                sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_text(rows: list[list], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8")


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def zip_bomb(unpacked_mb: int = 500) -> bytes:
    """An .xlsx-looking zip whose sheet unpacks to `unpacked_mb` MB of zeros (about 500 KB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"0" * (1024 * 1024)
            for _ in range(unpacked_mb):
                member.write(block)
    return out.getvalue()


def lying_dimension(claimed: str = "A1:XFD1048576", last_row: int | None = None, empty_rows: int = 0) -> bytes:
    """A small valid .xlsx whose survey sheet claims a huge dimension (and, with `last_row`,
    has one cell far down; with `empty_rows`, that many formatted empty rows after its content)."""
    data = sheets([["type", "name", "label"], ["text", "q", "Question"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = content.decode("utf-8")
                text = re.sub(r'<dimension ref="[^"]*" ?/>', f'<dimension ref="{claimed}"/>', text)
                if last_row:
                    text = text.replace("</sheetData>", f'<row r="{last_row}"><c r="A{last_row}" t="inlineStr">'
                                                        f"<is><t>note</t></is></c></row></sheetData>")
                if empty_rows:
                    text = text.replace("</sheetData>", "".join(f'<row r="{n}" s="1" customFormat="1"/>'
                                                                for n in range(10, 10 + empty_rows)) + "</sheetData>")
                content = text.encode("utf-8")
            archive.writestr(info, content)
    return out.getvalue()
