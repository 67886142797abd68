"""The response table as files for statistics programs: SPSS .sav and R (pure: no Flask).

Both take the table exactly as the CSV download gets it (``export.response_table``: the same
rows, the same disclosure rules applied before) and label it with what the question types say
(``value_codes`` in survey_app/questions/) and the codebook (question and item texts):

* SPSS (pyreadstat): a variable per column with its label (question text – item), value labels
  (options, scale points, chosen / not chosen) and its measurement level. A column of numbers is
  numeric; "don't know" (stored as "dk") becomes the first free code of -9, -99, -999 ...,
  labelled and declared user-missing, so it counts in no mean. Choices keep their option codes
  as strings, labelled, exactly as in the CSV. Variable names follow SPSS's rules (letters,
  digits, _ . @ # $; a letter first; unique; at most 64 bytes): the CSV's names where they
  fit, otherwise with _ in place of what does not, and the CSV's name in the codebook note.
* R: the CSV as downloaded plus ``responses.R``, which reads it and turns choices into factors
  (levels = option codes in the definition's order, labels = option texts), "dk" into NA with
  the scale's labels kept as the attribute "labels", and gives every column its "label"
  attribute. No .rds: no well-kept writer keeps factors and labels.
"""
from __future__ import annotations

import io
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from survey_app.definitions.model import Questionnaire, localized
from survey_app.output.export import Cell, exported_questions, to_csv
from survey_app.questions.base import ValueCodes
from survey_app.text import clean

SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
MISSING_CODES = (-9, -99, -999, -9999, 99, 999, 9999)
MAX_LABEL_BYTES = {"variable": 255, "value": 120}


@dataclass(frozen=True)
class Column:
    name: str                      # as in the CSV
    label: str                     # what it holds, in the reader's language
    codes: ValueCodes | None


def columns(questionnaire: Questionnaire, headers: Sequence[str], labels: Mapping[str, str]) -> list[Column]:
    """Every column of the response table with its label and what its values mean."""
    codes: dict[str, ValueCodes | None] = {}
    for question in exported_questions(questionnaire, include_texts=True):
        for name in question.kind.columns(question):
            codes[name] = question.kind.value_codes(question)
    return [Column(name, labels.get(name, name), codes.get(name)) for name in headers]


def _label(text, lang: str, default: str, gettext: Callable[[str], str]) -> str:
    if isinstance(text, Mapping):
        return localized(text, lang, default)
    if hasattr(text, "render"):
        return text.render(gettext)
    return str(text)


def _cut(text: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8, never half a character."""
    return clean(text).replace("\n", " ").encode("utf-8")[:limit].decode("utf-8", "ignore")


def spss_names(names: Sequence[str]) -> list[str]:
    """Valid, unique SPSS variable names for `names`, each as close to the original as it can be."""
    out, used = [], set()
    for name in names:
        fixed = re.sub(r"[^\w.@#$]", "_", name, flags=re.ASCII) or "v"
        if not fixed[0].isalpha() or fixed.upper() in SPSS_RESERVED:
            fixed = "v_" + fixed
        fixed = fixed.rstrip(".")[:60] or "v"
        candidate, n = fixed, 2
        while candidate.lower() in used:
            candidate = f"{fixed[:56]}_{n}"
            n += 1
        used.add(candidate.lower())
        out.append(candidate)
    return out


def _numeric(values: list, codes: ValueCodes | None) -> bool:
    missing = set(codes.missing) if codes else set()
    if codes and any(isinstance(v, str) for v, _ in codes.labels if v not in missing):
        return False
    return all(v is None or v in missing or _finite(v) for v in values)


def _finite(value) -> bool:
    """A number SPSS can hold as a double (an integer beyond the double range is none)."""
    if type(value) not in (int, float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def to_sav(questionnaire: Questionnaire, headers: Sequence[str], rows: Sequence[Sequence[Cell]],
           labels: Mapping[str, str], lang: str, gettext: Callable[[str], str], note: str | None = None) -> bytes:
    """The response table as an SPSS .sav file (see the module's docstring); `note` goes into
    the file's notes (SPSS: DISPLAY DOCUMENTS)."""
    import pandas as pd
    import pyreadstat

    default = questionnaire.default_language
    names = spss_names(headers)
    data, column_labels, value_labels, missing, measure = {}, {}, {}, {}, {}
    for index, (column, name) in enumerate(zip(columns(questionnaire, headers, labels), names)):
        values = [row[index] for row in rows]
        codes = column.codes
        label = column.label if name == column.name else f"{column.label} [{column.name}]"
        column_labels[name] = _cut(label, MAX_LABEL_BYTES["variable"])
        pairs = [(value, _cut(_label(text, lang, default, gettext), MAX_LABEL_BYTES["value"]))
                 for value, text in (codes.labels if codes else ())]
        if _numeric(values, codes):
            taken = {v for v in values if type(v) in (int, float)} | {v for v, _ in pairs if not isinstance(v, str)}
            gaps = [v for v in (codes.missing if codes else ())]
            free = [c for c in MISSING_CODES if c not in taken][:len(gaps)]
            recode = dict(zip(gaps, free))
            data[name] = pd.Series([float(recode.get(v, v)) if v is not None else math.nan for v in values],
                                   dtype="float64")
            if pairs:
                value_labels[name] = {float(recode.get(v, v)): text for v, text in pairs}
            if recode:
                missing[name] = [float(code) for code in recode.values()]
            measure[name] = codes.measure if codes else "scale"
        else:
            data[name] = pd.Series(["" if v is None else _cut(str(v), 32_767 * 4) for v in values], dtype="object")
            if pairs and all(isinstance(v, str) for v, _ in pairs):
                value_labels[name] = {v: text for v, text in pairs}
            measure[name] = "nominal"
    frame = pd.DataFrame(data, columns=names)
    handle, path = tempfile.mkstemp(suffix=".sav")
    os.close(handle)
    try:
        pyreadstat.write_sav(frame, path, file_label=_cut(_label(questionnaire.title, lang, default, gettext), 64),
                             column_labels=column_labels, variable_value_labels=value_labels,
                             missing_ranges=missing, variable_measure=measure,
                             note=_note_lines(note) if note else None)
        with open(path, "rb") as handle_:
            return handle_.read()
    finally:
        os.unlink(path)


def _r(text: str) -> str:
    """An R string literal."""
    escaped = (clean(str(text)).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\t", "\\t"))
    return f'"{escaped}"'


def _r_value(value) -> str:
    return _r(value) if isinstance(value, str) else repr(value)


def r_script(questionnaire: Questionnaire, headers: Sequence[str], labels: Mapping[str, str], lang: str,
             gettext: Callable[[str], str], csv_name: str = "responses.csv") -> str:
    """A short R script that reads the CSV and sets factor levels and labels, the "dk" code of
    scales to NA and every column's label."""
    default = questionnaire.default_language
    title = _label(questionnaire.title, lang, default, gettext)
    lines = [
        f"# {clean(title)}: responses as a data frame with factors and labels.",
        "# Keep this file next to the CSV and run it from there:",
        '#   source("responses.R", encoding = "UTF-8")',
        "# Texts a spreadsheet could run as a formula start with ' in the CSV.",
        f"responses <- read.csv({_r(csv_name)}, fileEncoding = \"UTF-8-BOM\", stringsAsFactors = FALSE,",
        '                      check.names = FALSE, na.strings = "")',
    ]
    for column in columns(questionnaire, headers, labels):
        ref = f"responses[[{_r(column.name)}]]"
        codes = column.codes
        pairs = [(v, _label(t, lang, default, gettext)) for v, t in (codes.labels if codes else ())]
        kept = [(v, t) for v, t in pairs if v not in (codes.missing if codes else ())]
        if codes and codes.missing:
            gone = ", ".join(_r_value(v) for v in codes.missing)
            lines.append(f"{ref}[{ref} %in% c({gone})] <- NA")
            lines.append(f"{ref} <- as.numeric({ref})")
        if kept and all(isinstance(v, str) for v, _ in kept):
            levels = ", ".join(_r(v) for v, _ in kept)
            texts = ", ".join(_r(t) for _, t in kept)
            lines.append(f"{ref} <- factor({ref}, levels = c({levels}), labels = c({texts}))")
        elif kept:
            named = ", ".join(f"{_r(t)} = {_r_value(v)}" for v, t in kept)
            lines.append(f'attr({ref}, "labels") <- c({named})')
        lines.append(f'attr({ref}, "label") <- {_r(column.label)}')
    return "\n".join(lines) + "\n"


def _note_lines(note: str) -> list[str]:
    """SPSS keeps notes as lines of at most 80 bytes."""
    lines: list[str] = []
    for word in note.split():
        if lines and len((lines[-1] + " " + word).encode()) <= 80:
            lines[-1] += " " + word
        else:
            lines.append(_cut(word, 80))
    return lines


def r_bundle(questionnaire: Questionnaire, headers: Sequence[str], rows: Sequence[Sequence[Cell]],
             labels: Mapping[str, str], lang: str, gettext: Callable[[str], str], note: str | None = None) -> bytes:
    """A zip with responses.csv (the rows of the CSV download), responses.R and, with a
    `note`, README.txt (what the file blanked for k-anonymity)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("responses.csv", to_csv(headers, rows).encode("utf-8"))
        bundle.writestr("responses.R", r_script(questionnaire, headers, labels, lang, gettext).encode("utf-8"))
        if note:
            bundle.writestr("README.txt", (note + "\n").encode("utf-8"))
    return out.getvalue()
