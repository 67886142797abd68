"""Responses -> downloadable tables (pure: no Flask, no storage).

The table is built once as ``(headers, rows)`` (``response_table``) and then written by a
format writer (``to_csv`` here; XLSX in output/xlsx.py, SPSS and R in output/statfiles.py).

Wide layout, one row per response: ``response_id, submitted_on, version, language``, then
the columns of each question, as its type says (``columns`` and ``cells`` in
survey_app/questions/): ``qid`` for a question with one value, ``qid.item_id`` per item,
``qid.option_value`` per option (e.g. 1 = chosen, 0 = not chosen, all empty when the
question was not answered). docs/findings.md lists the downloads.

Values are written as stored: choices as their value codes, "dk" stays "dk", numbers as
numbers. The raw export does not apply the summaries' validity rules: a scalar the current
definition no longer accepts (e.g. a removed option) is still written, so nothing is hidden;
only values that have no column (an unknown option or item) are left out. A list, dict or
bool where a scalar belongs is written as JSON text.

CSV: UTF-8 *with* a byte order mark ("\\ufeff") so that Excel on Windows reads umlauts
correctly; comma-separated, CRLF line ends (RFC 4180). Every text cell that a spreadsheet
could take as a formula (first character = + - @, tab, CR or LF; also the full-width and
small forms such as ＝ and = behind invisible characters such as a zero-width space, a byte
order mark or spaces) gets a leading single quote, except plain numbers such as "-5" or "-2.5".
XLSX (written by output/xlsx.py): texts are text cells (never formulas), written as they are;
one that looks like a formula carries Excel's own quote-prefix mark, so that it stays text
when edited.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from survey_app.analysis.summaries import QuestionSummary, Response, raw_answer
from survey_app.analysis.findings import Findings
from survey_app.definitions.model import Question, Questionnaire, localized
from survey_app.questions.base import scalar as _scalar

BOM = "\ufeff"
META_COLUMNS = ("response_id", "submitted_on", "version", "language")

_FORMULA_START, _BREAK_START = ("=", "+", "-", "@"), ("\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_UNSEEN = ("Cc", "Cf", "Zs", "Zl", "Zp")   # controls, format characters (U+200B, U+FEFF ...), spaces

Cell = str | int | float | None


def formula_like(text: str) -> bool:
    """True when a spreadsheet could run `text` as a formula: its first visible character,
    in its compatibility form (＝ and ﹦ are =), is = + - or @, or it starts with a tab or a
    line break; plain numbers such as "-5" are not."""
    if text.startswith(_BREAK_START):
        return True
    visible = next((ch for ch in text if unicodedata.category(ch) not in _UNSEEN), "")
    return unicodedata.normalize("NFKC", visible)[:1] in _FORMULA_START \
        and not _PLAIN_NUMBER.fullmatch(text)


def neutralize(value: Cell) -> Cell:
    """Guard one cell against spreadsheet formula injection (OWASP CSV injection)."""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def question_columns(question: Question) -> list[str]:
    """Column names of one question in the wide table."""
    return question.kind.columns(question)


def question_cells(question: Question, value: Any) -> list[Cell]:
    """Cells of one question for one stored answer, matching ``question_columns``."""
    return question.kind.cells(question, value)


def exported_questions(questionnaire: Questionnaire, include_texts: bool) -> list[Question]:
    return [q for q in questionnaire.questions()
            if q.has_answer and (include_texts or not q.kind.is_free_text)]


# Columns a fielding may add after the meta columns, with what they hold (for the codebook).
EXTRA_COLUMNS = {
    "pseudonym": "self-generated code of the respondent, to pair fieldings",
    "invitation": "number of the personal invitation (confidential fieldings only)",
}


def _key(column: str) -> str:
    """The response's key a meta column reads (a microdata row's number is its "id")."""
    return "id" if column in ("response_id", "row") else column


def response_table(questionnaire: Questionnaire, responses: Sequence[Response],
                   include_texts: bool = True, extra: Sequence[str] = (),
                   meta: Sequence[str] = META_COLUMNS) -> tuple[list[str], list[list[Cell]]]:
    """Wide table: headers and one row per response (cells unescaped, None = empty); `meta`
    are the first columns, `extra` names EXTRA_COLUMNS to add after them."""
    questions = exported_questions(questionnaire, include_texts)
    headers = list(meta) + list(extra)
    for q in questions:
        headers.extend(question_columns(q))
    rows: list[list[Cell]] = []
    keys = [_key(column) for column in (*meta, *extra)]
    for r in responses:
        r = r if isinstance(r, Mapping) else {}
        row: list[Cell] = [_scalar(r.get(key)) for key in keys]
        for q in questions:
            row.extend(question_cells(q, raw_answer(r, q.id)))
        rows.append(row)
    return headers, rows


def long_table(questionnaire: Questionnaire, responses: Sequence[Response],
               include_texts: bool = True, id_column: str = "response_id") -> tuple[list[str], list[list[Cell]]]:
    """Long table: one row per response, question and item that holds a value; the first
    column (`id_column`: "row" in microdata files) says whose."""
    questions = exported_questions(questionnaire, include_texts)
    rows: list[list[Cell]] = []
    for r in responses:
        response_id = _scalar(r.get("id")) if isinstance(r, Mapping) else None
        for q in questions:
            columns = question_columns(q)
            for column, cell in zip(columns, question_cells(q, raw_answer(r, q.id))):
                if cell is not None:
                    item = column.split(".", 1)[1] if "." in column else None
                    rows.append([response_id, q.id, item, cell])
    return [id_column, "question", "item", "value"], rows


META_DESCRIPTIONS = {
    "response_id": ("id", "random id of the response"),
    "row": ("number", "row number in this file only (rows are in random order; the same person has "
                      "another number in another file)"),
    "submitted_on": ("date", "day of submission (no time is stored)"),
    "version": ("hash", "content hash of the questionnaire version answered (\"other\": versions "
                        "answered by fewer than the minimum group size, pooled)"),
    "language": ("code", "language the questionnaire was answered in"),
}


def codebook_table(questionnaire: Questionnaire, lang: str, include_texts: bool = True,
                   extra: Sequence[str] = (), meta: Sequence[str] = META_COLUMNS) -> tuple[list[str], list[list[Cell]]]:
    """One row per column of the wide table: what it holds and how its values read."""
    headers = ["variable", "question", "item", "type", "text", "item_text", "values", "construct", "number"]
    rows: list[list[Cell]] = [
        [column, None, None, *META_DESCRIPTIONS[column], None, None, None, None] for column in meta
    ] + [[column, None, None, "code", EXTRA_COLUMNS[column], None, None, None, None] for column in extra]
    default = questionnaire.default_language
    for q in exported_questions(questionnaire, include_texts):
        text = localized(q.text, lang, default)
        values = q.kind.value_labels(q, lang)
        for row in q.kind.codebook_rows(q):
            item_text = localized(row.item_text, lang, default) if row.item_text else None
            rows.append([row.variable, q.id, row.item, q.type, text, item_text, values, row.construct, q.number])
    return headers, rows


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Cell]], *, bom: bool = True,
           delimiter: str = ",", comment: str | None = None) -> str:
    """CSV text (with a UTF-8 BOM unless bom=False); cells neutralised against formula
    injection. German Excel opens ';'-separated files by double click: delimiter=';'.
    `comment`: a last line "# ..." as written (one line; pandas `comment="#"` and R
    `comment.char = "#"` skip it)."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralize(h) for h in headers])
    for row in rows:
        writer.writerow(["" if c is None else neutralize(c) for c in row])
    if comment:
        out.write("# " + " ".join(comment.split()) + "\r\n")
    return out.getvalue()


def to_xlsx(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Cell]]]]) -> bytes:
    """An XLSX workbook with one sheet per (title, headers, rows), written by output/xlsx.py
    (texts are text cells, never formulas; formula-like ones carry the quote-prefix mark)."""
    from survey_app.output.xlsx import Sheet, workbook

    return workbook([Sheet(title, headers, rows) for title, headers, rows in sheets])


# --------------------------------------------------------------------------- aggregates

def summary_record(summary: QuestionSummary, lang: str) -> dict:
    """One question's aggregates as plain data (JSON-ready), labels in `lang`."""
    question = summary.question
    record: dict[str, Any] = {"question": question.id, "number": question.number, "type": question.type,
                              "text": localized(question.text, lang), "construct": question.construct,
                              "n": summary.n, "missing": summary.missing}
    record.update(question.kind.summary_record(summary, lang))
    return record


def findings_records(findings: Findings, lang: str) -> list[dict]:
    """Every section as a record; suppressed parts say so and carry no numbers."""
    records = []
    for section in findings.sections:
        if section.suppressed:
            records.append({"question": section.question.id, "number": section.question.number,
                            "type": section.question.type,
                            "text": localized(section.question.text, lang), "suppressed": True})
            continue
        record = summary_record(section.summary, lang)
        if section.breakdown:
            record["groups"] = [{
                "group": result.group.key,
                "label": localized(result.group.label, lang) if result.group.label else None,
                "size": None if result.group.size_hidden else result.group.size,
                "suppressed": result.suppressed,
                **({} if result.suppressed else {"summary": summary_record(result.summary, lang)}),
            } for result in section.breakdown.groups]
        records.append(record)
    return records


def aggregates_json(findings: Findings, lang: str) -> str:
    questionnaire = findings.questionnaire
    document = {
        "questionnaire": questionnaire.id,
        "title": localized(questionnaire.title, lang),
        "responses": findings.total,
        "n": findings.n,
        "minimum_group_size": findings.minimum,
        "filter": {"question": findings.response_filter.question.id, "value": findings.response_filter.value}
        if findings.response_filter else None,
        "breakdown_by": findings.by.id if findings.by else None,
        "versions": findings.versions,
        "shown": findings.visible,
        "questions": findings_records(findings, lang),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


SUMMARY_HEADERS = ["question", "group", "item", "category", "label", "n", "count", "share",
                   "mean", "median", "sd", "top2", "bottom2", "dont_know", "missing", "note", "number"]


def _row(**cells: Cell) -> list[Cell]:
    return [cells.get(name) for name in SUMMARY_HEADERS]


def _summary_rows(record: dict, group: Cell) -> list[list[Cell]]:
    question = record["question"]
    rows = [_row(question=question, group=group, label=record["text"], n=record.get("n"),
                 mean=record.get("mean"), median=record.get("median"), sd=record.get("sd"),
                 missing=record.get("missing"))]
    for option in record.get("options", []):
        rows.append(_row(question=question, group=group, category=option["value"], label=option["label"],
                         count=option.get("count"), share=option.get("share"), mean=option.get("mean_rank")))
    for item in record.get("items", []):
        rows.append(_row(question=question, group=group, item=item["item"], label=item["label"],
                         n=item.get("n"), share=item.get("share"), mean=item.get("mean"),
                         median=item.get("median"), sd=item.get("sd"), top2=item.get("top2"),
                         bottom2=item.get("bottom2"), dont_know=item.get("dont_know")))
        for point in item.get("points", []):
            rows.append(_row(question=question, group=group, item=item["item"], category=point["value"],
                             label=point["label"], count=point["count"], share=point["share"]))
    return rows


def summary_table(findings: Findings, lang: str) -> tuple[list[str], list[list[Cell]]]:
    """The aggregates as one flat table (a row per question, option, item and scale
    point), per group after the totals when there is a breakdown. An option's mean rank
    is in the "mean" column of its option rows."""
    rows: list[list[Cell]] = []
    for record in findings_records(findings, lang):
        rows.extend(_numbered(_question_rows(record), record.get("number")))
    return SUMMARY_HEADERS, rows


def _question_rows(record: dict) -> list[list[Cell]]:
    if record.get("suppressed"):
        return [_row(question=record["question"], label=record["text"], note="suppressed")]
    rows = _summary_rows(record, None)
    for group in record.get("groups", []):
        label = group["label"] or "no answer"
        if group["suppressed"]:
            rows.append(_row(question=record["question"], group=label, note="suppressed"))
        else:
            rows.extend(_summary_rows(group["summary"], label))
    return rows


def _numbered(rows: list[list[Cell]], number: int | None) -> list[list[Cell]]:
    """Every row of a question carries its number (the last column)."""
    return [row[:-1] + [number] for row in rows]
