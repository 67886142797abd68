"""LimeSurvey question types -> ours: one builder per type code (BUILDERS), each returning
the questions it becomes and registering the names an equation may use (Targets); UNSUPPORTED
says why the other types are left out. docs/imports.md lists every mapping.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from survey_app.definitions.expressions import day_of, number_of
from survey_app.definitions.imports import N_, TextFindings as _Findings, slug, unique
from survey_app.definitions.limesurvey.conditions import Target
from survey_app.definitions.limesurvey.reading import as_int

if TYPE_CHECKING:
    from survey_app.definitions.limesurvey.convert import Converter

QUESTION = N_("question %(question)s")
OTHER_LABEL = {"de": "Sonstiges", "en": "Other"}
OTHER_TEXT = {"de": "Sonstiges, und zwar:", "en": "Other, namely:"}
COMMENT_TEXT = {"de": "Ihr Kommentar", "en": "Your comment"}
FIVE_POINT = [(str(value), value, {"de": str(value), "en": str(value)}) for value in range(1, 6)]
TEN_POINT = [(str(value), value, {"de": str(value), "en": str(value)}) for value in range(1, 11)]
YES_UNCERTAIN_NO = [("Y", 1, {"de": "Ja", "en": "Yes"}), ("U", 2, {"de": "Unsicher", "en": "Uncertain"}),
                    ("N", 3, {"de": "Nein", "en": "No"})]
INCREASE_SAME_DECREASE = [("D", 1, {"de": "Abnahme", "en": "Decrease"}), ("S", 2, {"de": "Gleich", "en": "Same"}),
                          ("I", 3, {"de": "Zunahme", "en": "Increase"})]
GENDER = [("F", {"de": "weiblich", "en": "Female"}), ("M", {"de": "männlich", "en": "Male"})]


@dataclass
class Context:
    row: dict
    qid: str
    code: str
    group: int
    findings: _Findings
    text: dict
    help: dict
    show_if: dict | None
    has_text: bool = True
    used: tuple = ()

    @property
    def mandatory(self) -> bool:
        return (self.row.get("mandatory") or "").upper() == "Y"


def _base(c: Context, qtype: str, question_id: str | None = None, **keys) -> dict:
    question = {"id": question_id, "type": qtype, "text": c.text}
    if c.help:
        question["help"] = c.help
    if c.mandatory and qtype != "note":
        question["required"] = True
    if c.show_if:
        question["show_if"] = c.show_if
    question.update(keys)
    return question



def _options(conv: "Converter", c: Context, entries: list[tuple[str, dict]], taken: set[str] | None = None
             ) -> tuple[list[dict], list[tuple[str, str]]]:
    """Options from (LimeSurvey code, texts by LimeSurvey language); returns them with the
    (code, value) pairs."""
    options, pairs, values = [], [], set(taken or ())
    for code, texts in entries:
        value = unique(slug(code), values)
        values.add(value)
        label = conv.text(texts, c.findings)
        options.append({"value": value, "label": conv.complete(label, code)})
        pairs.append((code, value))
    return options, pairs


def _answer_entries(conv: "Converter", qid: str, scale: int = 0) -> list[tuple[str, dict]]:
    return [(entry["code"], entry["texts"]) for entry in conv.answers.get(qid, []) if entry["scale"] == scale]


def _subquestions(conv: "Converter", qid: str, scale: int = 0) -> list[dict]:
    return [row for row in conv.children.get(qid, []) if as_int(row.get("scale_id")) == scale]


def _subquestion_entries(conv: "Converter", c: Context, rows: list[dict]) -> list[tuple[str, dict]]:
    entries = []
    for row in rows:
        relevance = (row.get("relevance") or "").strip()
        if relevance not in ("", "1"):
            conv.qnote(c.code, N_("the condition on subquestion %(code)s is not carried over; it is always shown"),
                       code=row.get("title", ""))
        texts = {lang: r.get("question", "") for lang, r in conv.qtexts.get(row.get("qid", ""), {}).items()}
        entries.append((row.get("title", ""), texts))
    return entries


def _other(conv: "Converter", c: Context, options: list[dict], question_id: str, operator: str) -> list[dict]:
    """The “other” option and the text question for it."""
    if (c.row.get("other") or "").upper() != "Y":
        return []
    value = unique("other", {o["value"] for o in options})
    label = conv.attribute_text(c.qid, "other_replace_text", c.findings)
    options.append({"value": value, "label": conv.complete(label, "") if label else conv.standard(OTHER_LABEL)})
    follow_up = {"id": conv.new_id(f"{c.code}_other"), "type": "short_text", "text": conv.standard(OTHER_TEXT),
                 "show_if": {"question": question_id, operator: value}}
    conv.qnote(c.code, N_("“other” becomes the option “%(value)s” and the text question “%(id)s”"), "changed",
               value=value, id=follow_up["id"])
    conv.register(c, Target("text", follow_up["id"]), suffix="other")
    return [follow_up]


def _list(conv: "Converter", c: Context) -> list[dict]:
    question_id = conv.new_id(c.code)
    if c.row.get("type") == "G":
        options = [{"value": slug(code), "label": conv.standard(labels)} for code, labels in GENDER]
        pairs = [(code, slug(code)) for code, _ in GENDER]
    else:
        options, pairs = _options(conv, c, _answer_entries(conv, c.qid))
    extra = _other(conv, c, options, question_id, "equals")
    if extra:
        pairs.append(("-oth-", options[-1]["value"]))
    if len(options) < 2:
        conv.question_ids.discard(question_id)
        conv.qnote(c.code, N_("a choice question needs at least two answer options; left out"))
        return []
    if conv.attribute(c.qid, "random_order") == "1" or conv.attribute(c.qid, "answer_order") == "random":
        conv.qnote(c.code, N_("the answer options are shown in a fixed order, not shuffled"), "changed")
        c.used = ("random_order",)
    question = _base(c, "single_choice", question_id, options=options)
    conv.register(c, Target("choice", question_id, tuple(pairs)))
    result = [question, *extra]
    if c.row.get("type") == "O":
        comment = {"id": conv.new_id(f"{c.code}_comment"), "type": "long_text", "text": conv.standard(COMMENT_TEXT)}
        if c.show_if:
            comment["show_if"] = c.show_if
        conv.qnote(c.code, N_("the comment field becomes the text question “%(id)s”"), "changed", id=comment["id"])
        conv.register(c, Target("text", comment["id"]), suffix="comment")
        result.append(comment)
    return result


def _whole_number(text: str) -> int | None:
    number = number_of(text) if text else None
    return int(number) if isinstance(number, (int, float)) and float(number).is_integer() else None


def _multiple(conv: "Converter", c: Context) -> list[dict]:
    question_id = conv.new_id(c.code)
    rows = _subquestions(conv, c.qid)
    options, pairs = _options(conv, c, _subquestion_entries(conv, c, rows))
    extra = _other(conv, c, options, question_id, "contains")
    if not options:
        conv.question_ids.discard(question_id)
        conv.qnote(c.code, N_("a multiple-choice question without options; left out"))
        return []
    keys = {}
    for name, key in (("min_answers", "min_choices"), ("max_answers", "max_choices")):
        raw = conv.attribute(c.qid, name)
        value = _whole_number(raw)
        if raw and (value is None or value < 1 or value > len(options)):
            if value != 0:
                conv.qnote(c.code, N_("%(setting)s “%(value)s” is not carried over"), setting=name, value=raw[:40])
        elif value:
            keys[key] = value
    if keys.get("min_choices", 0) > keys.get("max_choices", len(options)):
        conv.qnote(c.code, N_("min_answers is more than max_answers; neither is carried over"))
        keys = {}
    if c.row.get("type") == "P":
        conv.qnote(c.code, N_("the comment field of each option is not carried over"))
    if conv.attribute(c.qid, "random_order") == "1":
        conv.qnote(c.code, N_("the answer options are shown in a fixed order, not shuffled"), "changed")
        c.used = ("random_order",)
    question = _base(c, "multiple_choice", question_id, options=options, **keys)
    conv.register(c, Target("none", reason=N_("“%(name)s” is a multiple-choice question as a whole; use one of its "
                                              "options, such as %(name)s_SQ001")))
    for row, (_code, value) in zip(rows, pairs):
        conv.register(c, Target("option", question_id, option=value), child=row)
    return [question, *extra]


def _free_text(conv: "Converter", c: Context) -> list[dict]:
    qtype = "short_text" if c.row.get("type") == "S" else "long_text"
    keys = {}
    length = _whole_number(conv.attribute(c.qid, "maximum_chars"))
    if length and length > 0:
        keys["max_length"] = length
    question_id = conv.new_id(c.code)
    conv.register(c, Target("text", question_id))
    return [_base(c, qtype, question_id, **keys)]


def _bounds(conv: "Converter", c: Context, integer: bool) -> dict:
    keys = {}
    for name, key in (("min_num_value_n", "min"), ("max_num_value_n", "max")):
        raw = conv.attribute(c.qid, name)
        value = number_of(raw) if raw else None
        if raw and value is None:
            conv.qnote(c.code, N_("%(setting)s “%(value)s” is not carried over"), setting=name, value=raw[:40])
        elif value is not None:
            if integer and not float(value).is_integer():
                conv.qnote(c.code, N_("%(setting)s “%(value)s” is not a whole number; not carried over"),
                           setting=name, value=raw[:40])
            else:
                keys[key] = value
    if "min" in keys and "max" in keys and keys["min"] >= keys["max"]:
        conv.qnote(c.code, N_("the smallest allowed number is not below the largest; neither is carried over"))
        return {}
    return keys


def _unit(conv: "Converter", c: Context) -> dict:
    unit = conv.attribute_text(c.qid, "suffix", c.findings) or conv.attribute_text(c.qid, "prefix", c.findings)
    return {"unit": conv.complete(unit, next(iter(unit.values())))} if unit else {}


def _number(conv: "Converter", c: Context) -> list[dict]:
    integer = conv.attribute(c.qid, "num_value_int_only") == "1"
    question_id = conv.new_id(c.code)
    keys = {**_bounds(conv, c, integer), **_unit(conv, c)}
    if integer:
        keys["integer"] = True
    conv.register(c, Target("number", question_id))
    return [_base(c, "number", question_id, **keys)]


def _multiple_numbers(conv: "Converter", c: Context) -> list[dict]:
    integer = conv.attribute(c.qid, "num_value_int_only") == "1"
    rows = _subquestions(conv, c.qid)
    entries = _subquestion_entries(conv, c, rows)
    if not entries:
        conv.qnote(c.code, N_("a question with several inputs but no subquestions; left out"))
        return []
    total_raw = conv.attribute(c.qid, "equals_num_value")
    total = number_of(total_raw) if total_raw else None
    if total is not None and total > 0 and (not integer or float(total).is_integer()):
        question_id = conv.new_id(c.code)
        items, pairs = _options(conv, c, entries)
        items = [{"id": item["value"], "label": item["label"]} for item in items]
        keys = {"items": items, "total": total, **_unit(conv, c)}
        if integer:
            keys["integer"] = True
        if _bounds(conv, c, integer):
            conv.qnote(c.code, N_("bounds for each input are not carried over; each share lies between 0 and "
                                  "the total"), "changed")
        conv.register(c, Target("none", reason=N_("“%(name)s” is a share of an allocation, which show_if cannot "
                                                  "use")))
        for row in rows:
            conv.register(c, Target("none", reason=N_("“%(name)s” is a share of an allocation, which show_if "
                                                      "cannot use")), child=row)
        c.used = ("equals_num_value",)
        return [_base(c, "allocation", question_id, **keys)]
    if total_raw:
        conv.qnote(c.code, N_("the required total “%(value)s” is not carried over"), value=total_raw[:40])
    c.used = ("equals_num_value",)
    return _split(conv, c, rows, entries, "number", lambda: {**_bounds(conv, c, integer), **_unit(conv, c),
                                                             **({"integer": True} if integer else {})})


def _split(conv: "Converter", c: Context, rows, entries, qtype: str, keys: Callable[[], dict]) -> list[dict]:
    """One question per subquestion, after a note with the question's own text."""
    note_id = conv.new_id(c.code)
    questions = [_base(c, "note", note_id)]
    conv.register(c, Target("none", reason=N_("“%(name)s” stands for several answers; use one of them, such as "
                                              "%(name)s_SQ001")))
    shared = keys()
    for row, (code, texts) in zip(rows, entries):
        question_id = conv.new_id(f"{c.code}_{code}")
        label = conv.complete(conv.text(texts, c.findings), code)
        question = {"id": question_id, "type": qtype, "text": label, **shared}
        if c.mandatory:
            question["required"] = True
        if c.show_if:
            question["show_if"] = c.show_if
        questions.append(question)
        conv.register(c, Target("number" if qtype == "number" else "text", question_id), child=row)
    conv.qnote(c.code, N_("its inputs become %(count)d questions after a note with the question text"), "changed",
               count=len(questions) - 1)
    return questions


def _multiple_texts(conv: "Converter", c: Context) -> list[dict]:
    rows = _subquestions(conv, c.qid)
    entries = _subquestion_entries(conv, c, rows)
    if not entries:
        conv.qnote(c.code, N_("a question with several inputs but no subquestions; left out"))
        return []
    length = _whole_number(conv.attribute(c.qid, "maximum_chars"))
    return _split(conv, c, rows, entries, "short_text", lambda: {"max_length": length} if length and length > 0 else {})


def _date(conv: "Converter", c: Context) -> list[dict]:
    keys = {}
    for name, key in (("date_min", "min_date"), ("date_max", "max_date")):
        raw = conv.attribute(c.qid, name)
        day = day_of(raw)
        if day:
            keys[key] = day
        elif raw:
            conv.qnote(c.code, N_("%(setting)s “%(value)s” is not carried over"), setting=name, value=raw[:40])
    if len(keys) == 2 and keys["min_date"] >= keys["max_date"]:
        conv.qnote(c.code, N_("the earliest allowed date is not before the latest; neither is carried over"))
        keys = {}
    if re.search(r"H|:", conv.attribute(c.qid, "date_format")):
        conv.qnote(c.code, N_("only the day is asked, not the time of day"), "changed")
    question_id = conv.new_id(c.code)
    conv.register(c, Target("date", question_id))
    return [_base(c, "date", question_id, **keys)]


def _yes_no(conv: "Converter", c: Context) -> list[dict]:
    question_id = conv.new_id(c.code)
    conv.register(c, Target("yes_no", question_id))
    return [_base(c, "yes_no", question_id)]


def _scale_id(conv: "Converter", name: str, points: list[dict], ordered: bool = True) -> str:
    """A scale with these points: an existing identical one, or a new one called `name`."""
    scale = {"points": points}
    if not ordered:
        scale["ordered"] = False
    for scale_id, existing in conv.scales.items():
        if existing == scale:
            return scale_id
    scale_id = unique(slug(name), set(conv.scales))
    conv.scales[scale_id] = scale
    return scale_id


def _fixed_points(conv: "Converter", points) -> list[dict]:
    return [{"value": value, "label": conv.standard(labels)} for _code, value, labels in points]


def _five(conv: "Converter", c: Context) -> list[dict]:
    scale_id = _scale_id(conv, "five_point", _fixed_points(conv, FIVE_POINT))
    question_id = conv.new_id(c.code)
    conv.register(c, Target("scale", question_id, values=tuple(range(1, 6))))
    return [_base(c, "scale", question_id, scale=scale_id)]


FIXED_ARRAYS = {"A": ("five_point", FIVE_POINT, True), "B": ("ten_point", TEN_POINT, True),
                "C": ("yes_uncertain_no", YES_UNCERTAIN_NO, False),
                "E": ("increase_same_decrease", INCREASE_SAME_DECREASE, True)}


def _array(conv: "Converter", c: Context) -> list[dict]:
    kind = c.row.get("type")
    rows = _subquestions(conv, c.qid)
    entries = _subquestion_entries(conv, c, rows)
    if not entries:
        conv.qnote(c.code, N_("an array without subquestions (rows); left out"))
        return []
    if kind in FIXED_ARRAYS:
        name, points, ordered = FIXED_ARRAYS[kind]
        scale_id = _scale_id(conv, name, _fixed_points(conv, points), ordered)
        if kind in ("C", "E"):
            conv.qnote(c.code, N_("the answers are stored as numbers: %(coding)s"), "changed",
                       coding=", ".join(f"{code} = {value}" for code, value, _ in points))
    else:
        answers = _answer_entries(conv, c.qid)
        if len(answers) < 2:
            conv.qnote(c.code, N_("an array needs at least two answer options (columns); left out"))
            return []
        codes = [_whole_number(code) if re.fullmatch(r"-?\d+", code) else None for code, _ in answers]
        if None not in codes and codes == sorted(set(codes)):
            values = codes
        else:
            values = list(range(1, len(answers) + 1))
            conv.qnote(c.code, N_("the answer codes are stored as numbers: %(coding)s"), "changed",
                       coding=", ".join(f"{code} = {value}" for (code, _), value in zip(answers, values)))
        points = [{"value": value, "label": conv.complete(conv.text(texts, c.findings), code)}
                  for (code, texts), value in zip(answers, values)]
        scale_id = _scale_id(conv, f"{c.code}_scale", points)
    if kind == "H":
        conv.qnote(c.code, N_("shown with the subquestions as rows, not as columns"), "changed")
    question_id = conv.new_id(c.code)
    items, _pairs = _options(conv, c, entries)
    items = [{"id": item["value"], "label": item["label"]} for item in items]
    reason = N_("“%(name)s” is a row of an array; show_if cannot use single rows")
    conv.register(c, Target("none", reason=reason))
    for row in rows:
        conv.register(c, Target("none", reason=reason), child=row)
    return [_base(c, "matrix", question_id, scale=scale_id, items=items)]


def _ranking(conv: "Converter", c: Context) -> list[dict]:
    entries = _answer_entries(conv, c.qid) or _subquestion_entries(conv, c, _subquestions(conv, c.qid))
    if len(entries) < 2:
        conv.qnote(c.code, N_("a ranking needs at least two options; left out"))
        return []
    question_id = conv.new_id(c.code)
    options, _pairs = _options(conv, c, entries)
    limit = _whole_number(conv.attribute(c.qid, "max_answers") or conv.attribute(c.qid, "max_subquestions"))
    if limit and limit < len(options):
        conv.qnote(c.code, N_("LimeSurvey ranked at most %(count)d options; here every option gets a rank"),
                   "changed", count=limit)
    conv.register(c, Target("none", reason=N_("“%(name)s” is a ranking, which show_if cannot use")))
    for index in range(1, len(options) + 1):
        conv.targets[f"{c.code}_{index}"] = Target("none", reason=N_("“%(name)s” is a rank of a ranking, which "
                                                                     "show_if cannot use"))
    return [_base(c, "ranking", question_id, options=options)]


def _display(conv: "Converter", c: Context) -> list[dict]:
    question_id = conv.new_id(c.code)
    conv.register(c, Target("none", reason=N_("“%(name)s” is a text display and has no answer")))
    if not c.has_text:
        conv.question_ids.discard(question_id)
        conv.qnote(c.code, N_("a text display without text; left out"))
        return []
    return [_base(c, "note", question_id)]


BUILDERS: dict[str, Callable[["Converter", Context], list[dict]]] = {
    "L": _list, "!": _list, "O": _list, "G": _list,
    "M": _multiple, "P": _multiple,
    "S": _free_text, "T": _free_text, "U": _free_text,
    "N": _number, "K": _multiple_numbers, "Q": _multiple_texts,
    "D": _date, "Y": _yes_no, "5": _five,
    "F": _array, "A": _array, "B": _array, "C": _array, "E": _array, "H": _array,
    "R": _ranking, "X": _display,
}
UNSUPPORTED = {
    "*": N_("an equation computes a value; it has no counterpart here and is left out"),
    "|": N_("file uploads are not supported; left out"),
    "1": N_("arrays with two scales are not supported; left out"),
    ":": N_("arrays of numbers are not supported; left out"),
    ";": N_("arrays of texts are not supported; left out"),
    "I": N_("the language switch is left out; respondents choose the language on the start page"),
}