"""XLSForm (ODK, KoboToolbox) -> our questionnaire definition, with a report of every row
that was changed or left out (in the user's language: Note.render(gettext)).

Pure: no Flask, no storage. Reads .xlsx, .xls, a zip of CSV files (survey.csv, choices.csv,
settings.csv), a survey CSV with its companions, and pyxform's one-file CSV form; bounded
against hostile files (see reading.py). docs/imports.md lists every mapping.

    reading.py      the sheets, bounded (zip sizes, rows, columns, cells)
    columns.py      column headings (pyxform's aliases), languages, texts
    types.py        question types and their aliases (pyxform's tables)
    expressions.py  relevant -> show_if, constraint -> limits (a grammar with a depth limit)
    convert.py      settings, languages, groups -> pages, conditions, the report
    questions.py    rows -> questions, choices -> options and scales, grids -> matrices
    checks.py       the result passes the checker
"""
from __future__ import annotations

import os

from survey_app.definitions.imports import Conversion, to_yaml
from survey_app.definitions.xlsform.reading import SHEETS, XLSFormError, read

ORIGIN = "an XLSForm"
SUFFIXES = (".xlsx", ".xls", ".csv", ".zip")


def convert_workbook(data: bytes, source: str = "form.xlsx", companions: dict[str, bytes] | None = None
                     ) -> Conversion:
    """Convert an XLSForm file's bytes (.xlsx, .xls, .csv or a .zip of CSV files).
    `companions`: the other CSV files of a CSV form ({"choices.csv": bytes}).
    XLSFormError when it cannot be read at all."""
    from survey_app.definitions.xlsform.convert import Converter

    workbook = read(data, source, companions)
    return Converter(workbook, source).convert()


def companion_files(path: str) -> dict[str, bytes]:
    """For a survey CSV file on disk: choices.csv and settings.csv beside it (also named like
    `form-choices.csv` for `form-survey.csv`)."""
    folder, name = os.path.split(path)
    if not name.lower().endswith(".csv"):
        return {}
    stem = name[:-4]
    prefix = stem[: -len("survey")] if stem.lower().endswith("survey") else ""
    found = {}
    for sheet in SHEETS[1:]:
        for candidate in (f"{prefix}{sheet}.csv", f"{sheet}.csv"):
            full = os.path.join(folder, candidate)
            if os.path.isfile(full) and os.path.getsize(full) <= 10 * 1024 * 1024:
                with open(full, "rb") as handle:
                    found[candidate] = handle.read()
                break
    return found


__all__ = ["ORIGIN", "SUFFIXES", "XLSFormError", "companion_files", "convert_workbook", "to_yaml"]
