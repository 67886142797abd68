"""Our questionnaire -> an XLSForm workbook (survey, choices, settings), for fielding offline
with ODK Collect or KoboCollect; with a report of what XLSForm cannot carry (pure: no Flask).

The mapping of every question type is the one table ROWS below (one place); the import
(convert.py) reads each of these shapes back into the same question, so that export then
import gives an equal definition for every type XLSForm can express (tests/test_xlsform_export.py
checks each type). What XLSForm cannot carry is reported per question (`Note`s, rendered in
the reader's language) and listed in docs/imports.md.

    page                       begin group <page id> (field-list), label = title, hint = intro,
                               relevant = the page's show_if
    single_choice              select_one <question id>, its options as that list's choices
    yes_no                     select_one <question id> with the choices yes and no
    multiple_choice            select_multiple; min/max_choices as count-selected(.) constraints
    ranking                    rank <question id>
    scale                      select_one <scale id>, appearance likert; points as numeric names,
                               "don't know" as a free code (-99, -98 ...)
    matrix                     begin group <question id> (table-list): a select_one row per item
    number                     integer / decimal; min, max as constraints; with a step: range
    short_text, long_text      text (long: appearance multiline); lengths as string-length(.),
                               pattern as regex(., '^...$') with pattern_message
    date                       date; min/max_date as constraints
    time                       time (ODK asks it; the import leaves it out)
    allocation                 one integer/decimal per item, <question id>_<item id>
    note                       note
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from survey_app.definitions.conditions import AllOf, AnyOf, Condition, Not
from survey_app.definitions.imports import N_, Note
from survey_app.definitions.model import DONT_KNOW, NO, YES, Page, Question, Questionnaire, Scale

# "don't know" codes the import recognises (choices.DONT_KNOW_CODES), in the order tried.
DONT_KNOW_NAMES = (-99, -98, -88, -77, 99, 98, 88, 77, 999)
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English", "fr": "Français", "es": "Español", "it": "Italiano",
                  "tr": "Türkçe", "ar": "العربية", "ru": "Русский", "pl": "Polski", "uk": "Українська"}
YES_NO = ({"de": "Ja", "en": "Yes"}, {"de": "Nein", "en": "No"})


@dataclass
class Export:
    """The workbook's rows while they are written, and what could not be carried over."""
    questionnaire: Questionnaire
    survey: list[dict] = field(default_factory=list)
    choices: list[dict] = field(default_factory=list)
    lists: set[str] = field(default_factory=set)
    notes: list[Note] = field(default_factory=list)

    @property
    def languages(self) -> tuple[str, ...]:
        return self.questionnaire.languages

    def note(self, question: Question | Page | None, message: str, **params) -> None:
        place = (N_("question %(question)s"), (("question", question.id),)) if isinstance(question, Question) \
            else (N_("page %(page)s"), (("page", question.id),)) if question is not None else (N_("survey"), ())
        self.notes.append(Note(place[0], message, place[1] + tuple(params.items())))

    def texts(self, key: str, text) -> dict:
        return {f"{key}::{column_language(lang)}": text[lang] for lang in self.languages if text and text.get(lang)}

    def choice_list(self, name: str, pairs) -> None:
        if name in self.lists:
            return
        self.lists.add(name)
        for value, label in pairs:
            self.choices.append({"list_name": name, "name": str(value), **self.texts("label", label)})

    def row(self, question: Question, kind: str, *, name: str | None = None, text=None, **columns) -> dict:
        row = {"type": kind, "name": name or question.id, **self.texts("label", question.text if text is None
                                                                        else text)}
        if question.help:
            row.update(self.texts("hint", question.help))
        if question.required and kind != "note":
            row["required"] = "yes"
        row.update({k: v for k, v in columns.items() if v})
        return row


def column_language(lang: str) -> str:
    """`Deutsch (de)`: how the column headings and default_language name a language."""
    return f"{LANGUAGE_NAMES.get(lang, lang)} ({lang})"


# --------------------------------------------------------------------------- conditions

def _literal(value) -> str:
    if isinstance(value, bool):
        return "'yes'" if value else "'no'"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    return f"'{text}'" if "'" not in text else f'"{text}"'


def _date_or_value(value) -> str:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return f"date('{value}')"
    return _literal(value)


ORDER_SIGNS = {"greater_than": ">", "at_least": ">=", "less_than": "<", "at_most": "<="}


def relevant(condition: Condition | None) -> str:
    """A show_if as an XLSForm `relevant` expression with the same meaning (also while the
    question is unanswered: every comparison but `answered` is then false)."""
    if condition is None:
        return ""
    if isinstance(condition, AllOf):
        return " and ".join(f"({relevant(c)})" for c in condition.conditions)
    if isinstance(condition, AnyOf):
        return " or ".join(f"({relevant(c)})" for c in condition.conditions)
    if isinstance(condition, Not):
        return f"not({relevant(condition.condition)})"
    ref, operator, value = f"${{{condition.question}}}", condition.operator, condition.value
    if operator == "answered":
        return f"{ref} != ''" if value else f"{ref} = ''"
    if operator == "equals":
        return f"{ref} = {_literal(value)}"
    if operator == "not_equals":
        return f"{ref} != '' and {ref} != {_literal(value)}"
    if operator == "one_of":
        return " or ".join(f"{ref} = {_literal(v)}" for v in value)
    if operator == "contains":
        return f"selected({ref}, {_literal(value)})"
    return f"{ref} {ORDER_SIGNS[operator]} {_date_or_value(value)}"


def _constraint(*parts: str) -> str:
    return " and ".join(p for p in parts if p)


def _bound(sign: str, value, as_date: bool = False) -> str:
    if value is None:
        return ""
    shown = f"date('{value}')" if as_date else (int(value) if isinstance(value, float) and value.is_integer()
                                                else value)
    return f". {sign} {shown}"


def _regex(pattern: str) -> str:
    anchored = f"^{pattern}$" if "|" not in pattern else f"^(?:{pattern})$"
    quoted = f"'{anchored}'" if "'" not in anchored else f'"{anchored}"'
    return f"regex(., {quoted})"


# --------------------------------------------------------------------------- the types

def _choices(export: Export, question: Question, kind: str) -> list[dict]:
    export.choice_list(question.id, [(o.value, o.label) for o in question.kind.options(question)])
    constraint = ""
    if kind == "select_multiple":
        constraint = _constraint(f"count-selected(.) >= {question.min_choices}" if question.min_choices else "",
                                 f"count-selected(.) <= {question.max_choices}" if question.max_choices else "")
    return [export.row(question, f"{kind} {question.id}", constraint=constraint)]


def _yes_no(export: Export, question: Question) -> list[dict]:
    export.note(question, N_("a yes/no question is a single choice of “yes” and “no” in XLSForm; it comes back "
                             "as a single choice"))
    export.choice_list(question.id, [(YES, question.yes_label or YES_NO[0]), (NO, question.no_label or YES_NO[1])])
    return [export.row(question, f"select_one {question.id}")]


def _scale_list(export: Export, question: Question, scale: Scale) -> str:
    values = [p.value for p in scale.points]
    pairs = [(p.value, p.label) for p in scale.points]
    if scale.dont_know:
        code = next((c for c in DONT_KNOW_NAMES if c not in values), None)
        if code is None or max(abs(v) for v in values) > 20:
            export.note(question, N_("the “don't know” of scale “%(scale)s” comes back as a point of the scale "
                                     "(XLSForm knows it only as a code among points from -20 to 20)"),
                        scale=scale.id)
        pairs.append((code if code is not None else DONT_KNOW, scale.dont_know))
    if not scale.ordered:
        export.note(question, N_("scale “%(scale)s” has no order; XLSForm cannot say so, it comes back ordered"),
                    scale=scale.id)
    export.choice_list(scale.id, pairs)
    return scale.id


def _scale(export: Export, question: Question) -> list[dict]:
    return [export.row(question, f"select_one {_scale_list(export, question, question.scale)}", appearance="likert")]


def _matrix(export: Export, question: Question) -> list[dict]:
    name = _scale_list(export, question, question.scale)
    rows = [{"type": "begin group", "name": question.id, **export.texts("label", question.text),
             **(export.texts("hint", question.help) if question.help else {}), "appearance": "table-list"}]
    for item in question.items:
        rows.append({"type": f"select_one {name}", "name": item.id, **export.texts("label", item.label),
                     **({"required": "yes"} if question.required else {})})
    rows.append({"type": "end group", "name": question.id})
    if any(i.construct for i in question.items):
        export.note(question, N_("the construct keys of the items have no counterpart in XLSForm"))
    return rows


def _number(export: Export, question: Question) -> list[dict]:
    if question.unit:
        export.note(question, N_("the unit has no counterpart in XLSForm"))
    if question.step is not None and question.min is not None and question.max is not None:
        def show(v):
            return int(v) if float(v).is_integer() else v
        parameters = f"start={show(question.min)} end={show(question.max)} step={show(question.step)}"
        whole = all(float(v).is_integer() for v in (question.min, question.max, question.step))
        if whole != question.integer:
            export.note(question, N_("a range with whole-number bounds and step comes back as whole numbers"))
        return [export.row(question, "range", parameters=parameters)]
    if question.step is not None:
        export.note(question, N_("the step has no counterpart in XLSForm without both min and max"))
    constraint = _constraint(_bound(">=", question.min), _bound("<=", question.max))
    return [export.row(question, "integer" if question.integer else "decimal", constraint=constraint)]


def _text(export: Export, question: Question, appearance: str = "") -> list[dict]:
    constraint = _constraint(f"string-length(.) >= {question.min_length}" if question.min_length else "",
                             f"string-length(.) <= {question.max_length}" if question.max_length else "",
                             _regex(question.pattern) if question.pattern else "")
    row = export.row(question, "text", constraint=constraint, appearance=appearance)
    if question.pattern and question.pattern_message:
        row.update(export.texts("constraint_message", question.pattern_message))
    return [row]


def _date(export: Export, question: Question) -> list[dict]:
    constraint = _constraint(_bound(">=", question.min_date, True), _bound("<=", question.max_date, True))
    return [export.row(question, "date", constraint=constraint)]


def _time(export: Export, question: Question) -> list[dict]:
    export.note(question, N_("a time of day is asked by ODK, but an XLSForm import here leaves it out"))
    constraint = _constraint(f". >= '{question.min_time}'" if question.min_time else "",
                             f". <= '{question.max_time}'" if question.max_time else "")
    return [export.row(question, "time", constraint=constraint)]


def _allocation(export: Export, question: Question) -> list[dict]:
    export.note(question, N_("XLSForm cannot check that numbers add up to a total: each item is a number "
                             "question of its own (%(id)s_<item>), and comes back so"), id=question.id)
    kind = "integer" if question.integer else "decimal"
    constraint = _constraint(_bound(">=", question.min if question.min is not None else 0),
                             _bound("<=", question.max if question.max is not None else question.total))
    rows, taken = [], {q.id for q in export.questionnaire.questions()}
    for item in question.items:
        name, n = f"{question.id}_{item.id}", 2
        while name in taken:
            name, n = f"{question.id}_{item.id}_{n}", n + 1
        taken.add(name)
        text = {lang: f"{question.text.get(lang, '')} – {item.label.get(lang, '')}".strip(" –")
                for lang in export.languages if question.text.get(lang) or item.label.get(lang)}
        rows.append(export.row(question, kind, name=name, text=text, constraint=constraint))
    return rows


def _note(export: Export, question: Question) -> list[dict]:
    return [export.row(question, "note")]


# The one table: question type -> its rows in the survey sheet.
ROWS: dict[str, Callable[[Export, Question], list[dict]]] = {
    "single_choice": lambda e, q: _choices(e, q, "select_one"),
    "multiple_choice": lambda e, q: _choices(e, q, "select_multiple"),
    "ranking": lambda e, q: _choices(e, q, "rank"),
    "yes_no": _yes_no,
    "scale": _scale,
    "matrix": _matrix,
    "number": _number,
    "allocation": _allocation,
    "short_text": _text,
    "long_text": lambda e, q: _text(e, q, "multiline"),
    "date": _date,
    "time": _time,
    "note": _note,
}


def export_questionnaire(questionnaire: Questionnaire) -> Export:
    """The rows of the workbook and the report."""
    export = Export(questionnaire)
    export.note(None, N_("the purpose and the anonymity statement of the start page have no counterpart in XLSForm"))
    default = questionnaire.default_language
    if any(text != questionnaire.title.get(default) for text in questionnaire.title.values()):
        export.note(None, N_("XLSForm has one title for all languages: the %(language)s one is used"),
                    language=column_language(default))
    if questionnaire.duration_minutes:
        export.note(None, N_("the expected duration has no counterpart in XLSForm"))
    for page in questionnaire.pages:
        export.survey.append({"type": "begin group", "name": page.id, **export.texts("label", page.title),
                              **(export.texts("hint", page.intro) if page.intro else {}),
                              "relevant": relevant(page.show_if), "appearance": "field-list"})
        for question in page.questions:
            rows = ROWS[question.type](export, question)
            condition = relevant(question.show_if)
            if condition:   # on each row: the import takes a condition shared by a grid's rows as its own
                for row in rows:
                    if not row["type"].startswith(("begin", "end")):
                        row["relevant"] = condition
            if question.construct:
                export.note(question, N_("the construct key has no counterpart in XLSForm"))
            export.survey.extend(rows)
        export.survey.append({"type": "end group", "name": page.id})
    return export


def to_workbook(export: Export) -> bytes:
    """The workbook as .xlsx bytes: sheets survey, choices and settings."""
    from openpyxl import Workbook

    questionnaire = export.questionnaire
    book = Workbook()
    book.remove(book.active)
    languages = export.languages
    text_columns = [f"{key}::{column_language(lang)}" for key in ("label", "hint", "constraint_message")
                    for lang in languages]
    survey_columns = ["type", "name", *text_columns[:2 * len(languages)], "required", "relevant", "constraint",
                      *text_columns[2 * len(languages):], "appearance", "parameters"]
    _sheet(book, "survey", survey_columns, export.survey)
    _sheet(book, "choices", ["list_name", "name", *[f"label::{column_language(lang)}" for lang in languages]],
           export.choices)
    default = questionnaire.default_language
    _sheet(book, "settings", ["form_title", "form_id", "default_language"],
           [{"form_title": questionnaire.title.get(default, questionnaire.id), "form_id": questionnaire.id,
             "default_language": column_language(default)}])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book, title: str, columns: list[str], rows: list[dict]) -> None:
    used = [c for c in columns if c in ("type", "name", "list_name", "form_title") or any(r.get(c) for r in rows)]
    sheet = book.create_sheet(title)
    sheet.append(used)
    for row in rows:
        sheet.append([row.get(c) or None for c in used])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"    # a text that starts with = stays text


def xlsform(questionnaire: Questionnaire) -> tuple[bytes, list[Note]]:
    """The XLSForm of a questionnaire and what it could not carry."""
    export = export_questionnaire(questionnaire)
    return to_workbook(export), export.notes
