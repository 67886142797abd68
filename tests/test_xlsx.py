"""The XLSX an evaluator hands on: a sheet per part, frozen header rows, the interface
language, shares formatted as percent, columns wide enough; odd values never break it."""
from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from survey_app.output.xlsx import Sheet, results_workbook, workbook

from test_downloads import _get, login, survey_id  # noqa: F401  (the shared fixture)


def _sheet_xml(data: bytes, number: int) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(f"xl/worksheets/sheet{number}.xml").decode()


def test_the_results_workbook_reads_well_in_the_interface_language(app, client, survey_id):
    login(client, "evaluator")
    data = _get(client, survey_id, "results.xlsx").get_data()
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Antworten", "Zusammenfassung", "Codebuch", "Hinweis"]
    responses, summary, codebook, note = book.worksheets
    assert note["A2"].value.startswith("k-Anonymität")   # what the responses sheet blanked
    # header rows stay in view: two on the responses sheet (names, what they hold), one elsewhere
    assert responses.freeze_panes == "A3" and summary.freeze_panes == "A2" and codebook.freeze_panes == "A2"
    # an evaluator's file is microdata: a row number of this file, no id, no day (issue 10)
    assert [c.value for c in responses[2]][:2] == ["Zeile (nur in dieser Datei)", "Fragebogenversion"]
    assert responses["A1"].font.b and summary["A1"].font.b
    assert [c.value for c in summary[1]][:4] == ["Frage", "Gruppe", "Aussage", "Kategorie"]
    assert [c.value for c in codebook[1]][:2] == ["Variable", "Frage"]
    # shares are numbers between 0 and 1, shown as percent
    share_column = [c.value for c in summary[1]].index("Anteil") + 1
    shares = [row[share_column - 1] for row in summary.iter_rows(min_row=2) if row[share_column - 1].value is not None]
    assert shares and all(isinstance(c.value, (int, float)) and 0 <= c.value <= 1 for c in shares)
    assert all(c.number_format == "0.0%" for c in shares)
    # columns sized to their contents, the long question texts capped
    widths = {key: dim.width for key, dim in codebook.column_dimensions.items()}
    assert widths and all(8 <= w <= 62 for w in widths.values()) and max(widths.values()) > 30


def test_english_interface_gives_english_headers(app, client, survey_id):
    login(client, "evaluator")
    client.get("/lang/en")
    book = load_workbook(io.BytesIO(_get(client, survey_id, "results.xlsx").get_data()))
    assert book.sheetnames == ["Responses", "Summary", "Codebook", "Note"]
    assert [c.value for c in book.worksheets[1][1]][:2] == ["Question", "Group"]
    assert book.worksheets[0]["A2"].value == "Row (in this file only)"


def test_odd_values_are_written_without_failing():
    rows = [["\x00\x0bnull", float("nan"), float("inf"), 10**30, True, 1e26, -5, "x" * 40_000, None],
            ["=1+1", 0.5, -0.0, 2**53, False, 1, 2.5, "ok", "Straße"]]
    data = workbook([Sheet("A:b/c*d?[e]" + "x" * 40, [f"c{i}" for i in range(9)], rows, percent=frozenset({1})),
                     Sheet("A:b/c*d?[e]" + "x" * 40, ["only"], [])])
    book = load_workbook(io.BytesIO(data))
    assert len(book.sheetnames) == 2 and len(set(book.sheetnames)) == 2
    assert all(len(name) <= 31 for name in book.sheetnames)
    first, second = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert first[:6] == ("\nnull", "nan", "inf", str(10**30), "true", 1e26)
    assert len(first[7]) == 32_767
    assert second[0] == "=1+1" and second[1] == 0.5
    assert "<f>" not in _sheet_xml(data, 1)


def test_the_summary_sheet_marks_suppressed_rows_in_the_readers_language():
    data = results_workbook((["response_id"], [["r1"]]),
                            (["question", "share", "note"], [["q", None, "suppressed"], ["q", 0.25, None]]),
                            (["variable", "question", "item", "type", "text", "item_text", "values", "construct"], []),
                            lambda text: {"suppressed": "unterdrückt", "Share": "Anteil"}.get(text, text))
    summary = load_workbook(io.BytesIO(data)).worksheets[1]
    assert [c.value for c in summary[1]] == ["Question", "Anteil", "Note"]
    assert summary["C2"].value == "unterdrückt" and summary["B3"].number_format == "0.0%"


def test_every_row_reads_back_as_written_past_the_rows_that_size_the_columns():
    rows = [[i, f"<&> \"{i}\" ", i / 7, None if i % 3 else "x", -i] for i in range(450)]
    data = workbook([Sheet("Antworten", ["a", "b", "c", "d", "e"], iter(rows), labels=["A", "B", "C", "D", "E"])])
    read = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(min_row=3, values_only=True))
    assert [list(r) for r in read] == rows
    import pandas as pd
    frame = pd.read_excel(io.BytesIO(data), skiprows=[1])
    assert list(frame.columns) == ["a", "b", "c", "d", "e"] and len(frame) == 450
