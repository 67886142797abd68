"""XLSForm (.xlsx, the ODK and KoboToolbox standard) -> our questionnaire definition.

Pure: no Flask, no storage. The result is a plain definition (the same structure as a
YAML file, see docs/questionnaire-format.md) plus a row-by-row report of everything that
was changed or could not be carried over -- nothing is dropped silently.

Supported: the survey, choices and settings sheets; select_one, select_multiple, integer,
decimal, text, date, note; begin/end group as pages; required; label::LANGUAGE and
hint::LANGUAGE columns; simple `relevant` expressions as `show_if`; simple constraints as
min/max, max_length or max_choices.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

SLUG = re.compile(r"[^a-z0-9_]+")
LANGUAGE_NAMES = {
    "english": "en", "german": "de", "deutsch": "de", "arabic": "ar", "farsi": "fa", "persian": "fa",
    "french": "fr", "spanish": "es", "turkish": "tr", "ukrainian": "uk", "russian": "ru", "dari": "prs",
    "pashto": "ps", "kurdish": "ku", "tigrinya": "ti", "somali": "so",
}
TYPE_MAP = {"integer": "number", "decimal": "number", "text": "short_text", "date": "date", "note": "note",
            "select_one": "single_choice", "select_multiple": "multiple_choice"}
# Types that carry no answer of their own in XLSForm and have no counterpart here.
METADATA_TYPES = {"start", "end", "today", "deviceid", "phonenumber", "username", "email", "audit",
                  "simserial", "subscriberid", "calculate", "hidden"}
TRUE_WORDS = {"yes", "true", "true()", "1", "y"}
# What the app itself guarantees for every survey (see fielding.build_response).
ANONYMITY = {
    "de": "Ihre Antworten werden ohne Namen, IP-Adresse und Uhrzeit gespeichert.",
    "en": "Your answers are stored without your name, IP address or time of day.",
}


@dataclass(frozen=True)
class Note:
    sheet: str
    row: int          # spreadsheet row number (1 = header)
    message: str
    kind: str = "dropped"   # "dropped" (not carried over) or "changed" (carried over differently)

    def __str__(self) -> str:
        return f"{self.sheet} row {self.row}: {self.message}"


@dataclass
class Conversion:
    definition: dict | None
    notes: list[Note] = field(default_factory=list)
    question_count: int = 0

    @property
    def usable(self) -> bool:
        return self.definition is not None and self.question_count > 0


class XLSFormError(ValueError):
    """The file is not an XLSForm at all (not an .xlsx, or no survey sheet)."""


# --------------------------------------------------------------------------- reading

def _rows(sheet) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {column: value}) for each non-empty row below the header."""
    values = list(sheet.iter_rows(values_only=True))
    if not values:
        return
    header = [str(h).strip() if h is not None else "" for h in values[0]]
    for number, row in enumerate(values[1:], start=2):
        record = {name: cell for name, cell in zip(header, row) if name and cell not in (None, "")}
        if record:
            yield number, {k: (v.strip() if isinstance(v, str) else v) for k, v in record.items()}


def _language_of(column: str, default: str) -> tuple[str, str] | None:
    """('label', 'de') for 'label::German (de)', 'label::de' or 'label'; None for other columns."""
    base, _, language = column.partition("::")
    base = base.strip().lower()
    if base not in ("label", "hint", "constraint_message", "constraint message", "guidance_hint"):
        return None
    if not language:
        return base, default
    match = re.search(r"\(([A-Za-z-]{2,8})\)\s*$", language)
    if match:
        return base, match.group(1).lower()
    name = language.strip().lower()
    return base, LANGUAGE_NAMES.get(name, name if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]+)*", name) else name[:2])


def _texts(record: dict, base: str, default: str) -> dict[str, str]:
    texts = {}
    for column, value in record.items():
        parsed = _language_of(column, default)
        if parsed and parsed[0] == base:
            texts[parsed[1]] = str(value)
    return texts


def _slug(name: Any) -> str:
    return SLUG.sub("_", str(name).strip().lower()).strip("_") or "item"


# --------------------------------------------------------------------------- expressions

_COMPARE = re.compile(r"^\$\{(\w+)\}\s*(=|!=|<=|>=|<|>)\s*(.+)$")
_SELECTED = re.compile(r"^selected\(\s*\$\{(\w+)\}\s*,\s*(['\"])(.*?)\2\s*\)$")
_OPS = {"=": "equals", "!=": "not_equals", "<": "less_than", "<=": "at_most", ">": "greater_than",
        ">=": "at_least"}


def _literal(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return int(text)
    except ValueError:
        return float(text)


def _split_top(expression: str, word: str) -> list[str]:
    """Split at ` and ` / ` or ` outside parentheses and quotes."""
    parts, depth, quote, start = [], 0, None, 0
    i = 0
    token = f" {word} "
    while i < len(expression):
        char = expression[i]
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and expression[i:i + len(token)].lower() == token:
            parts.append(expression[start:i])
            start = i + len(token)
            i = start
            continue
        i += 1
    parts.append(expression[start:])
    return [p.strip() for p in parts]


def _strip_parens(expression: str) -> str:
    """`(a and b)` -> `a and b`, but `(a) and (b)` stays."""
    while expression.startswith("(") and expression.endswith(")") and _balanced(expression[1:-1]):
        expression = expression[1:-1].strip()
    return expression


def _balanced(expression: str) -> bool:
    depth = 0
    for char in expression:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def relevant_to_show_if(expression: str, names: dict[str, str]) -> dict:
    """A simple XLSForm `relevant` expression as a show_if condition; ValueError otherwise.
    `names` maps XLSForm names to our question ids."""
    expression = _strip_parens(expression.strip())
    for word, key in (("or", "any"), ("and", "all")):
        parts = _split_top(expression, word)
        if len(parts) > 1:
            return {key: [relevant_to_show_if(p, names) for p in parts]}
    lowered = expression.lower()
    if lowered.startswith("not(") and expression.endswith(")") and _balanced(expression[4:-1]):
        return {"not": relevant_to_show_if(expression[4:-1], names)}
    match = _SELECTED.match(expression)
    if match:
        question = _known(match.group(1), names)
        return {"question": question, "contains": _slug(match.group(3))}
    match = _COMPARE.match(expression)
    if match:
        question = _known(match.group(1), names)
        value = _literal(match.group(3))
        if isinstance(value, str):
            value = _slug(value) if re.fullmatch(r"[\w-]+", value) else value
        return {"question": question, _OPS[match.group(2)]: value}
    raise ValueError(f"not a simple condition: {expression!r}")


def _known(name: str, names: dict[str, str]) -> str:
    if name not in names:
        raise ValueError(f"refers to ${{{name}}}, which is not an earlier question")
    return names[name]


_BOUND = re.compile(r"^\.\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)$")
_LENGTH = re.compile(r"^string-length\(\s*\.\s*\)\s*(<=|<)\s*(\d+)$")
_COUNT = re.compile(r"^count-selected\(\s*\.\s*\)\s*(<=|<)\s*(\d+)$")


def constraint_to_limits(expression: str, kind: str, integer: bool) -> dict:
    """Simple constraints as limits: `. >= 0 and . <= 100`, `string-length(.) <= 200`,
    `count-selected(.) <= 3`. ValueError for anything else."""
    limits: dict = {}
    for part in _split_top(_strip_parens(expression.strip()), "and"):
        part = _strip_parens(part)
        if kind == "number" and (match := _BOUND.match(part)):
            op, number = match.group(1), float(match.group(2))
            step = 1 if integer else 0
            if op in (">=", ">"):
                limits["min"] = number + (step if op == ">" else 0)
            else:
                limits["max"] = number - (step if op == "<" else 0)
            if op in ("<", ">") and not integer:
                raise ValueError("strict bounds on decimals cannot be expressed as min/max")
        elif kind in ("short_text", "long_text") and (match := _LENGTH.match(part)):
            limits["max_length"] = int(match.group(2)) - (1 if match.group(1) == "<" else 0)
        elif kind == "multiple_choice" and (match := _COUNT.match(part)):
            limits["max_choices"] = int(match.group(2)) - (1 if match.group(1) == "<" else 0)
        else:
            raise ValueError(f"not a simple limit: {part!r}")
    return {k: (int(v) if isinstance(v, float) and v.is_integer() else v) for k, v in limits.items()}


# --------------------------------------------------------------------------- conversion

def convert_workbook(data: bytes, source: str = "form.xlsx") -> Conversion:
    """Convert an XLSForm file's bytes. Raises XLSFormError when it is not one at all."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for files that are not xlsx
        raise XLSFormError(f"{source} is not an .xlsx workbook ({error.__class__.__name__})") from None
    sheets = {name.lower(): workbook[name] for name in workbook.sheetnames}
    if "survey" not in sheets:
        raise XLSFormError(f"{source} has no sheet named 'survey'")
    settings = dict(next((row for _, row in _rows(sheets["settings"])), {})) if "settings" in sheets else {}
    return _convert(sheets, settings, source)


def _convert(sheets, settings: dict, source: str) -> Conversion:
    notes: list[Note] = []
    default = _language_of(f"label::{settings['default_language']}", "de")[1] if settings.get("default_language") else "de"
    choices = _choice_lists(sheets.get("choices"), default, notes)
    survey_rows = list(_rows(sheets["survey"]))
    languages = _languages(survey_rows, default)

    pages: list[dict] = []
    current: dict | None = None
    names: dict[str, str] = {}
    question_ids: set[str] = set()
    depth = 0
    count = 0

    def page_for(row: int) -> dict:
        nonlocal current
        if current is None:
            current = {"id": f"page_{len(pages) + 1}", "title": {lang: f"{len(pages) + 1}" for lang in languages},
                       "questions": []}
            pages.append(current)
        return current

    for row, record in survey_rows:
        raw_type = str(record.get("type", "")).strip()
        kind, _, list_name = raw_type.replace("_", " ").partition(" ") if raw_type.startswith(("begin", "end")) \
            else raw_type.partition(" ")
        kind = kind.strip().lower()
        if raw_type.replace("_", " ").lower() in ("begin group", "begin repeat"):
            if "repeat" in raw_type:
                notes.append(Note("survey", row, "repeat groups are not supported; their questions are asked once"))
            depth += 1
            if depth > 1:
                notes.append(Note("survey", row, "a group inside a group is merged into the outer page", "changed"))
                continue
            title = _texts(record, "label", default) or {lang: str(record.get("name", f"page {len(pages) + 1}"))
                                                          for lang in languages}
            current = {"id": _unique(_slug(record.get("name", f"page_{len(pages) + 1}")), {p["id"] for p in pages}),
                       "title": title, "questions": []}
            if record.get("relevant"):
                _attach_condition(current, record["relevant"], names, notes, row)
            pages.append(current)
            continue
        if raw_type.replace("_", " ").lower() in ("end group", "end repeat"):
            depth = max(depth - 1, 0)
            if depth == 0:
                current = None
            continue
        if not raw_type:
            notes.append(Note("survey", row, "row without a type"))
            continue
        if kind in METADATA_TYPES:
            notes.append(Note("survey", row, f"type '{raw_type}' (metadata or calculation) has no counterpart here"))
            continue
        if kind not in TYPE_MAP:
            notes.append(Note("survey", row, f"type '{raw_type}' is not supported"))
            continue
        name = str(record.get("name", "")).strip()
        if not name:
            notes.append(Note("survey", row, "question without a name"))
            continue
        question = _question(record, kind, list_name.strip(), choices, default, languages, notes, row)
        if question is None:
            continue
        question["id"] = _unique(_slug(name), question_ids)
        if question["id"] != name:
            notes.append(Note("survey", row, f"name '{name}' became id '{question['id']}'", "changed"))
        question_ids.add(question["id"])
        if record.get("relevant"):
            _attach_condition(question, record["relevant"], names, notes, row)
        names[name] = question["id"]
        page_for(row)["questions"].append({"id": question.pop("id"), **question})
        if kind != "note":
            count += 1

    pages = [p for p in pages if p["questions"]]
    title = settings.get("form_title") or source.rsplit(".", 1)[0]
    form_id = SLUG.sub("-", str(settings.get("form_id") or title).lower()).strip("-") or "imported-form"
    definition = {
        "id": form_id.replace("_", "-"),
        "languages": languages,
        "title": {lang: str(title) for lang in languages},
        "intro": {lang: str(title) for lang in languages},
        "anonymity": {lang: ANONYMITY.get(lang, ANONYMITY["en"]) for lang in languages},
        "pages": pages,
    }
    notes.append(Note("settings", 1, "XLSForm has no purpose or anonymity statement: the title and a "
                                     "standard statement stand in for them; please review them", "changed"))
    return Conversion(definition if pages else None, notes, count)


def _unique(candidate: str, taken: set[str]) -> str:
    result, number = candidate, 2
    while result in taken:
        result, number = f"{candidate}_{number}", number + 1
    return result


def _languages(rows, default: str) -> list[str]:
    found = [default]
    for _, record in rows:
        for column in record:
            parsed = _language_of(column, default)
            if parsed and parsed[0] == "label" and parsed[1] not in found:
                found.append(parsed[1])
    return found


def _choice_lists(sheet, default: str, notes: list[Note]) -> dict[str, list[dict]]:
    lists: dict[str, list[dict]] = {}
    if sheet is None:
        return lists
    for row, record in _rows(sheet):
        list_name = str(record.get("list_name", record.get("list name", ""))).strip()
        name = record.get("name")
        if not list_name or name is None:
            notes.append(Note("choices", row, "choice without list_name or name"))
            continue
        value = _slug(name)
        if value != str(name):
            notes.append(Note("choices", row, f"choice '{name}' became value '{value}'", "changed"))
        lists.setdefault(list_name, []).append({"value": value, "label": _texts(record, "label", default)
                                                or {default: str(name)}})
    return lists


def _question(record, kind, list_name, choices, default, languages, notes, row) -> dict | None:
    our_type = TYPE_MAP[kind]
    appearance = str(record.get("appearance", "")).lower()
    if our_type == "short_text" and "multiline" in appearance:
        our_type = "long_text"
    question: dict = {"type": our_type, "text": _texts(record, "label", default) or {default: str(record["name"])}}
    hint = _texts(record, "hint", default)
    if hint:
        question["help"] = hint
    if str(record.get("required", "")).strip().lower() in TRUE_WORDS and our_type != "note":
        question["required"] = True
    if our_type in ("single_choice", "multiple_choice"):
        if list_name.endswith(" or_other") or " " in list_name:
            notes.append(Note("survey", row, "'or_other' is not supported; add an 'other' option and a text question",
                              "changed"))
            list_name = list_name.split()[0]
        if list_name not in choices:
            notes.append(Note("survey", row, f"choice list '{list_name}' is missing on the choices sheet"))
            return None
        question["options"] = choices[list_name]
        if record.get("choice_filter"):
            notes.append(Note("survey", row, "choice_filter is not supported; all choices are shown"))
    if kind == "integer":
        question["integer"] = True
    if record.get("constraint"):
        try:
            question.update(constraint_to_limits(str(record["constraint"]), our_type, kind == "integer"))
        except ValueError as error:
            notes.append(Note("survey", row, f"constraint not carried over: {error}"))
    for column in ("calculation", "default", "read_only", "repeat_count", "trigger"):
        if record.get(column) not in (None, ""):
            notes.append(Note("survey", row, f"column '{column}' is not supported"))
    missing = [lang for lang in languages if lang not in question["text"]]
    if missing and our_type != "note":
        notes.append(Note("survey", row, f"no label in {', '.join(missing)}: the {default} text is used there",
                          "changed"))
    return question


def _attach_condition(target: dict, expression: Any, names: dict[str, str], notes: list[Note], row: int) -> None:
    try:
        target["show_if"] = relevant_to_show_if(str(expression), names)
    except ValueError as error:
        notes.append(Note("survey", row, f"relevant not carried over ({error}); shown always"))


def to_yaml(definition: dict, origin: str = "an XLSForm") -> str:
    """The definition as YAML text, headed by a comment naming where it was imported from."""
    import yaml

    header = f"# Imported from {origin}; see docs/questionnaire-format.md\n"
    return header + yaml.safe_dump(definition, allow_unicode=True, sort_keys=False, width=100)
