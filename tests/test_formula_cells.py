"""Spreadsheet formula injection: texts that Excel or LibreOffice could run as formulas are
neutralised in CSV (a leading ') whatever disguise they wear, and are plain text cells in XLSX,
written exactly as given (no ' added), marked as Excel marks a text typed with a leading '."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from survey_app.output.export import neutralize, to_csv, to_xlsx

DISGUISED = [
    "\uff1d1+1",               # full-width ＝
    "\uff0bA1",                # full-width ＋
    "\uff0d2+3",               # full-width －
    "\uff20SUM(A1:A9)",        # full-width ＠
    "\ufe66HYPERLINK(\"x\")",  # small ﹦
    "\u200b=1+1",              # behind a zero-width space
    "\ufeff=1+1",              # behind a byte order mark
    "\u2060\u200b+1",          # behind a word joiner and a zero-width space
    " =1+1",                   # behind a space
    "\u00a0\u3000@x",          # behind a no-break and an ideographic space
    "\u202e=1+1",              # behind a right-to-left override
]


@pytest.mark.parametrize("value", DISGUISED)
def test_disguised_formulas_are_neutralised_in_csv(value):
    assert neutralize(value) == "'" + value
    assert to_csv(["c"], [[value]], bom=False).splitlines()[1].strip('"').startswith("'")


@pytest.mark.parametrize("value", ["-5", "+3", "-2.5", "ok", "a=b", "\u200bok", "１２", "Straße", ""])
def test_ordinary_texts_and_plain_numbers_stay_as_they_are(value):
    assert neutralize(value) == value


def _workbook(rows):
    return to_xlsx([("Antworten", ["text", "=header"], rows)])


def test_xlsx_text_cells_hold_the_text_exactly_and_never_a_formula():
    texts = ["=HYPERLINK(\"http://example.org\",\"x\")", "+A1", "@SUM(A1)", "\uff1d1+1", "\u200b=1+1", "-x"]
    data = _workbook([[text, "Kommentar"] for text in texts] + [[-5, 2.5]])
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(data))["Antworten"]
    rows = list(sheet.iter_rows(min_row=2))
    for text, (cell, plain) in zip(texts, rows):
        assert cell.value == text                      # no ' added: what the respondent typed
        assert cell.data_type == "s" and cell.quotePrefix  # text, and stays text when edited
        assert plain.value == "Kommentar" and not plain.quotePrefix
    assert [c.value for c in rows[-1]] == [-5, 2.5]    # numbers stay numbers
    header = list(sheet.iter_rows(max_row=1))[0]
    assert header[1].value == "=header" and header[1].data_type == "s" and header[1].quotePrefix
