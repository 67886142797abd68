"""Survey rows -> our questions; choice lists -> options and scales; grids -> matrices.

| XLSForm | here |
| select_one L (appearance likert: scale) | single_choice |
| select_multiple L | multiple_choice |
| rank L | ranking |
| text (multiline, rows=n: long_text), string, phone number (pattern) | short_text |
| integer, int, decimal, range (start/end/step) | number |
| date (dateTime: date) | date |
| note, read-only text | note |
| acknowledge, trigger | yes_no |
| select_one rows in a table-list group, label + list-nolabel rows | matrix |
"""
from __future__ import annotations

from dataclasses import dataclass

from survey_app.definitions.imports import N_, Message, slug, unique
from survey_app.definitions.loader import Collector
from survey_app.definitions.model import NUMBER_LIMIT
from survey_app.definitions.patterns import check_pattern
from survey_app.definitions.xlsform.choices import scale_for
from survey_app.definitions.xlsform.convert import FALSE_WORDS, TRUE_WORDS, Converter, Row
from survey_app.definitions.xlsform.expressions import ExpressionError
from survey_app.definitions.xlsform.limits import constraint_to_limits
from survey_app.definitions.xlsform.relevant import Target
from survey_app.definitions.xlsform.types import parameters

OTHER_LABEL = {"de": "Sonstiges", "en": "Other"}
OTHER_TEXT = {"de": "Sonstiges, und zwar:", "en": "Specify other:"}
PATTERN_MESSAGE = {"de": "Bitte prüfen Sie die Form Ihrer Antwort.", "en": "Please check the form of your answer."}
DIGITS_MESSAGE = {"de": "Bitte nur Ziffern eingeben.", "en": "Please enter digits only."}
MAPPED_APPEARANCES = {"multiline", "likert", "label", "list-nolabel"}
LEFT_OUT_TYPES = {
    "metadata": N_("type “%(type)s” (data from the device or the server) has no counterpart here; left out"),
    "calculation": N_("type “%(type)s” (a calculation) has no counterpart here; left out"),
    "unsupported": N_("type “%(type)s” (location, media, barcode, time) is not supported; left out"),
    "from_file": N_("type “%(type)s” takes its choices from a file that is not part of the form; left out"),
    "external": N_("type “%(type)s” takes its choices from external data; left out"),
}
UNSUPPORTED_COLUMNS = ("calculation", "default", "choice_filter", "repeat_count", "trigger")


@dataclass
class Grid:
    header: Row | None
    rows: list[Row]
    parent: Row | None


# --------------------------------------------------------------------------- grids

# The longest one-line answer an imported text question takes (our own default is 200).
IMPORTED_TEXT_LENGTH = 2000


def find_grids(conv: Converter, items: list, parent: Row | None) -> list:
    """Siblings with runs of grid rows replaced by a Grid: a `label` row followed by
    `list-nolabel` rows of the same list, or select_one rows of one list in a table-list group."""
    table = parent is not None and "table-list" in parent.values.get("appearance", "").lower().split()
    result, i = [], 0
    while i < len(items):
        item = items[i]
        if isinstance(item, Row) and item.kind and item.kind.kind in ("single", "multiple"):
            if "label" in _appearance(item):
                run = _run(items, i + 1, item.kind.list_name, lambda r: "list-nolabel" in _appearance(r))
                if run:
                    result.append(Grid(item, run, parent))
                    i += 1 + len(run)
                    continue
            if table and item.kind.kind == "single":
                run = _run(items, i, item.kind.list_name, lambda r: r.kind.kind == "single"
                           and "label" not in _appearance(r))
                if len(run) >= 2:
                    result.append(Grid(None, run, parent))
                    i += len(run)
                    continue
        result.append(item)
        i += 1
    return result


def _run(items: list, start: int, list_name: str, test) -> list[Row]:
    run = []
    for item in items[start:]:
        if not (isinstance(item, Row) and item.kind and item.kind.kind in ("single", "multiple")
                and item.kind.list_name == list_name and test(item)):
            break
        run.append(item)
    return run


def _appearance(row: Row) -> list[str]:
    return row.values.get("appearance", "").lower().split()


def _grid(conv: Converter, grid: Grid, chain: tuple) -> None:
    rows, header = grid.rows, grid.header
    list_name = rows[0].kind.list_name
    blockers = [r.name for r in rows if r.name in conv.referenced]
    scale = None
    if not blockers and all(r.kind.kind == "single" and not r.kind.other for r in rows) \
            and list_name in conv.choices:
        scale = scale_for(conv, list_name, header or rows[0], True)
    if scale is None:
        if header is not None:
            text = conv.text(header, "label")
            if text:
                group_note(conv, header, text, conv.text(header, "hint"), chain)
            conv.rnote(header, N_("the heading row of a grid has no answer; it is left out%(how)s"), "changed",
                       how=Message(N_(" (its label is shown as a note)")) if text else "")
        for row in rows:
            conv.rnote(row, N_("the grid row is asked as a question of its own%(why)s"), "changed",
                       why=Message(N_(" because later conditions use it")) if row.name in blockers else "")
            add_item(conv, row, chain, in_grid=True)
        return
    scale_id, pairs, ordered = scale
    source = header or grid.parent or rows[0]
    text = (conv.text(header, "label") if header else {}) or (conv.text(grid.parent, "label") if grid.parent else {})
    question = {"id": _new_id(conv, source.name or f"grid_{source.number}"), "type": "matrix",
                "text": conv.complete(text, source.name or rows[0].name), "scale": scale_id}
    hint = (conv.text(header, "hint") if header else {}) or (conv.text(grid.parent, "hint") if grid.parent else {})
    if hint:
        question["help"] = conv.complete(hint, "")
    required = [_required(conv, r) for r in rows]
    if all(required):
        question["required"] = True
    elif any(required):
        conv.rnote(rows[0], N_("only some rows of the grid are required; here the grid is optional"), "changed")
    items, taken = [], set()
    for row in rows:
        item_id = unique(slug(row.name or f"row_{row.number}"), taken)
        taken.add(item_id)
        items.append({"id": item_id, "label": conv.complete(conv.text(row, "label"), row.name or item_id)})
        _report_columns(conv, row, skip={"appearance"})
    question["items"] = items
    relevants = {r.values.get("relevant", "").strip() for r in rows}
    own = None
    if len(relevants) == 1 and relevants != {""}:
        own = conv.condition(rows[0], relevants.pop())
        own = own if isinstance(own, dict) else None
    elif relevants != {""}:
        for row in rows:
            if row.values.get("relevant"):
                conv.rnote(row, N_("a condition on a single row of a grid is not carried over; the row is always "
                                   "shown"))
    conv.rnote(rows[0], N_("rows %(first)d–%(last)d are a grid: they become one matrix question “%(id)s”"), "changed",
               first=(header or rows[0]).number, last=rows[-1].number, id=question["id"])
    for row in rows:
        conv.targets[row.name] = Target("none", reason=N_("refers to ${%(name)s}, a row of a matrix; show_if cannot "
                                                          "look at single rows"))
    conv.add_question(question, chain, own)
    conv.count += 1


def group_note(conv: Converter, row: Row, text: dict, help_text: dict, chain: tuple) -> None:
    question = {"id": _new_id(conv, (row.name or f"row_{row.number}") + "_heading"), "type": "note",
                "text": conv.complete(text, row.name)}
    if help_text:
        question["help"] = conv.complete(help_text, "")
    conv.add_question(question, chain, None)


# --------------------------------------------------------------------------- one row

def add_item(conv: Converter, item, chain: tuple, in_grid: bool = False) -> None:
    if isinstance(item, Grid):
        _grid(conv, item, chain)
        return
    row, kind = item, item.kind
    name = row.name
    if kind.kind in LEFT_OUT_TYPES or kind.kind == "unknown":
        if kind.kind == "unknown":
            conv.rnote(row, N_("type “%(type)s” is not an XLSForm type%(hint)s; left out"), type=kind.original[:40],
                       hint=Message(N_(" (did you mean “%(suggestion)s”?)"), (("suggestion", kind.suggestion),))
                       if kind.suggestion else "")
        else:
            conv.rnote(row, LEFT_OUT_TYPES[kind.kind], type=kind.original[:40])
        if name:
            conv.targets[name] = Target("none", reason=N_("refers to ${%(name)s}, which is not carried over "
                                                          "(a calculation, metadata or an unsupported type)"))
        return
    if not name:
        conv.rnote(row, N_("the question has no name; it gets the id “%(id)s”"), "changed", id=f"row_{row.number}")
    elif name in conv.seen_names:
        first = conv.seen_names[name]
        conv.rnote(row, N_("the name “%(name)s” is used already in row %(first)d; this row is left out"),
                   name=name[:40], first=first)
        return
    conv.seen_names.setdefault(name, row.number)
    own = conv.condition(row, row.values.get("relevant", ""))
    if own is False:
        conv.rnote(row, N_("the question is never shown (relevant is always false); left out"))
        conv.targets[name] = Target("none", reason=N_("refers to ${%(name)s}, which is never shown"))
        return
    own = own if isinstance(own, dict) else None
    built = _build(conv, row, kind, in_grid)
    if built is None:
        if name:
            conv.targets[name] = Target("none", reason=N_("refers to ${%(name)s}, which was left out"))
        return
    question, target, extra = built
    conv.add_question(question, chain, own)
    if question["type"] != "note":
        conv.count += 1
    if name:
        conv.targets[name] = target
    for other_question, other_name, other_target in extra:
        conv.add_question(other_question, chain, combine_own(own, other_question.pop("show_if")))
        conv.targets[other_name] = other_target
        conv.count += 1


def combine_own(own: dict | None, condition: dict) -> dict:
    return {"all": [own, condition]} if own else condition


def _new_id(conv: Converter, name: str) -> str:
    result = unique(slug(name), conv.question_ids)
    conv.question_ids.add(result)
    return result


def _required(conv: Converter, row: Row) -> bool:
    value = row.values.get("required", "").strip()
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() not in FALSE_WORDS:
        conv.rnote(row, N_("required only under a condition (%(expression)s); here the question is optional"),
                   "changed", expression=value[:80])
    return False


def _build(conv: Converter, row: Row, kind, in_grid: bool):
    """(question, its Target, [(extra question, its XLSForm name, Target)]) or None."""
    qid = _new_id(conv, row.name or f"row_{row.number}")
    if row.name and qid != row.name:
        conv.rnote(row, N_("the name “%(name)s” becomes the id “%(id)s”"), "changed", name=row.name[:40], id=qid)
    text = conv.text(row, "label")
    hint = conv.text(row, "hint")
    k = kind.kind
    appearance = _appearance(row)
    params = parameters(row.values.get("parameters", ""))
    read_only = row.values.get("read_only", "").strip().lower() in TRUE_WORDS
    if read_only and k not in ("note",) and not row.values.get("calculation"):
        conv.rnote(row, N_("a read-only question without a calculation only shows its text: it becomes a note"),
                   "changed")
        k = "note"
    if k == "note" and not text and hint:
        text, hint = hint, {}
    if not text:
        if k == "note":
            conv.rnote(row, N_("a note without a label; left out"))
            return None
        conv.rnote(row, N_("the question has no label; its name is the text"), "changed")
    question = {"id": qid, "type": "note", "text": conv.complete(text, row.name or qid)}
    if hint:
        question["help"] = conv.complete(hint, "")
    target, extra = Target("text", qid, page=0), []
    skip = {"appearance"} if in_grid else set()
    if k in ("single", "multiple", "rank"):
        built = _choice_question(conv, row, kind, question, appearance)
        if built is None:
            return None
        target, extra = built
    elif k == "text":
        question["type"] = "long_text" if "multiline" in appearance or "rows" in params else "short_text"
        if question["type"] == "short_text":
            # ODK takes text of any length: a one-line answer of a form made there may be long.
            question["max_length"] = IMPORTED_TEXT_LENGTH
        if kind.pattern:
            question["pattern"] = kind.pattern.strip("^$")
            question["pattern_message"] = conv.standard(DIGITS_MESSAGE)
            conv.rnote(row, N_("“%(type)s” becomes a text that takes digits only"), "changed", type=kind.original)
    elif k in ("integer", "decimal", "range"):
        question["type"] = "number"
        target = Target("number", qid)
        if k == "integer":
            question["integer"] = True
        if k == "range":
            _range(conv, row, question, params)
    elif k in ("date", "datetime"):
        question["type"] = "date"
        target = Target("date", qid)
        if k == "datetime":
            conv.rnote(row, N_("a date and time becomes a date: the time of day is not asked"), "changed")
    elif k == "acknowledge":
        question["type"] = "yes_no"
        target = Target("yes_no", qid)
        conv.rnote(row, N_("“acknowledge” becomes a yes/no question"), "changed")
    if question["type"] != "note" and _required(conv, row):
        question["required"] = True
    if question["type"] != "note":
        _constraint(conv, row, question)
    elif row.values.get("constraint"):
        conv.rnote(row, N_("a constraint on a note has no counterpart; left out"))
    _report_columns(conv, row, skip)
    _report_appearances(conv, row, appearance, skip)
    return question, Target(target.kind, qid, target.values, target.ordered), extra


def _choice_question(conv: Converter, row: Row, kind, question: dict, appearance: list[str]):
    list_name = kind.list_name
    if list_name not in conv.choices:
        conv.rnote(row, N_("the choice list “%(list)s” is not on the choices sheet; left out"), list=list_name[:40])
        return None
    conv.used_lists.add(list_name)
    choices = conv.choices[list_name]
    if row.values.get("choice_filter"):
        conv.rnote(row, N_("choice_filter (%(expression)s) is not carried over; all choices are shown"),
                   expression=row.values["choice_filter"][:80])
    if params := parameters(row.values.get("parameters", "")):
        if params.get("randomize", "").lower() in TRUE_WORDS:
            conv.rnote(row, N_("random order of the choices is not carried over"), "changed")
    if kind.kind == "single" and "likert" in appearance and not kind.other:
        scale = scale_for(conv, list_name, row, True)
        if scale:
            question.update(type="scale", scale=scale[0])
            return Target("scale", question["id"], scale[1], scale[2]), []
    options = [{"value": c.value, "label": c.label} for c in choices]
    pairs = tuple((c.name, c.value) for c in choices)
    our_type = {"single": "single_choice", "multiple": "multiple_choice", "rank": "ranking"}[kind.kind]
    if kind.kind == "rank" and kind.other:
        conv.rnote(row, N_("“or_other” on a ranking is not carried over"))
    extra = []
    if kind.other and kind.kind != "rank":
        other = next((o["value"] for o in options if o["value"] == "other"), None)
        if other is None:
            other = unique("other", {o["value"] for o in options})
            options.append({"value": other, "label": conv.standard(OTHER_LABEL)})
            pairs += (("other", other),)
        text_id = _new_id(conv, f"{question['id']}_other")
        operator = "contains" if kind.kind == "multiple" else "equals"
        extra.append(({"id": text_id, "type": "short_text", "text": conv.standard(OTHER_TEXT),
                       "show_if": {"question": question["id"], operator: other}},
                      f"{row.name}_other", Target("text", text_id)))
        conv.rnote(row, N_("“or_other” becomes the choice “%(value)s” and a text question “%(id)s” shown when it is "
                           "chosen"), "changed", value=other, id=text_id)
    minimum = 1 if our_type == "multiple_choice" else 2
    if len(options) < minimum:
        if our_type == "single_choice" and len(options) == 1:
            our_type = "multiple_choice"
            conv.rnote(row, N_("a single choice with one choice becomes a tick box (multiple choice)"), "changed")
        else:
            conv.rnote(row, N_("the list “%(list)s” has too few choices for this question; left out"),
                       list=list_name[:40])
            return None
    question.update(type=our_type, options=options)
    kind_name = {"single_choice": "choice", "multiple_choice": "multiple", "ranking": "none"}[our_type]
    if kind_name == "none":
        return Target("none", reason=N_("refers to ${%(name)s}, a ranking; show_if cannot look at ranks")), extra
    return Target(kind_name, question["id"], pairs), extra


def _range(conv: Converter, row: Row, question: dict, params: dict) -> None:
    numbers = {}
    for key, default in (("start", 1), ("end", 10), ("step", 1)):
        try:
            value = float(params.get(key, default))
        except ValueError:
            conv.rnote(row, N_("the range parameter %(key)s is not a number; %(default)s is used"), "changed",
                       key=key, default=default)
            value = float(default)
        numbers[key] = int(value) if value.is_integer() else value
    low, high, step = numbers["start"], numbers["end"], abs(numbers["step"]) or 1
    if low > high:
        low, high = high, low
        conv.rnote(row, N_("the range runs downwards; here it runs from %(low)s to %(high)s"), "changed",
                   low=low, high=high)
    if low < high:
        question.update(min=low, max=high, step=step)
        if all(isinstance(v, int) for v in (low, high, step)):
            question["integer"] = True
    conv.rnote(row, N_("“range” becomes a number from %(low)s to %(high)s in steps of %(step)s"), "changed",
               low=low, high=high, step=step)


def _constraint(conv: Converter, row: Row, question: dict) -> None:
    expression = row.values.get("constraint", "").strip()
    message = conv.text(row, "constraint_message")
    used_message = False
    if expression:
        try:
            limits = constraint_to_limits(expression, question["type"], bool(question.get("integer")), row.name)
        except ExpressionError as error:
            conv.rnote(row, N_("the constraint “%(expression)s” is not carried over (%(reason)s)"),
                       expression=expression[:80], reason=error.message_object())
            limits = None
        if limits:
            _apply_limits(conv, row, question, limits.keys)
            for part, reason in limits.left_out:
                conv.rnote(row, N_("the constraint “%(expression)s” is not carried over (%(reason)s)"),
                           expression=part[:80], reason=reason)
            if limits.pattern is not None:
                collector = Collector("form")
                pattern = check_pattern(collector, "pattern", limits.pattern)
                if pattern is None:
                    conv.rnote(row, N_("the regex of the constraint cannot be used here (%(reason)s)"),
                               reason=collector.problems[0].message[:120] if collector.problems else "?")
                else:
                    question["pattern"] = pattern
                    question["pattern_message"] = conv.complete(message, "") if message \
                        else conv.standard(PATTERN_MESSAGE)
                    used_message = bool(message)
                    if not message:
                        conv.rnote(row, N_("the regex has no constraint_message; a standard message stands in"),
                                   "changed")
    if message and not used_message:
        conv.rnote(row, N_("the constraint_message is not carried over; the app's own message is shown"), "changed")
    if row.texts.get("required_message"):
        conv.rnote(row, N_("the required_message is not carried over; the app's own message is shown"), "changed")


def _apply_limits(conv: Converter, row: Row, question: dict, keys: dict) -> None:
    pairs = (("min", "max"), ("min_length", "max_length"), ("min_choices", "max_choices"), ("min_date", "max_date"))
    for low, high in pairs:
        if low in keys and high in keys and not (keys[low] < keys[high] or (low != "min" and low != "min_date"
                                                                             and keys[low] <= keys[high])):
            conv.rnote(row, N_("the constraint allows no answer between %(low)s and %(high)s; left out"),
                       low=keys[low], high=keys[high])
            keys.pop(low), keys.pop(high)
    options = len(question.get("options", []))
    for key in ("min_choices", "max_choices"):
        if key in keys and not 1 <= keys[key] <= options:
            conv.rnote(row, N_("the constraint on the number of choices (%(value)s) does not fit the %(count)d "
                               "choices; left out"), value=keys.pop(key), count=options)
    for key in ("min_length", "max_length"):
        if key in keys and keys[key] < 1:
            keys.pop(key)
    for key in ("min", "max"):
        if key in keys and abs(keys[key]) > NUMBER_LIMIT:
            conv.rnote(row, N_("the limit %(value)s lies beyond the numbers answers can take; left out"),
                       value=keys.pop(key))
    question.update({k: (int(v) if isinstance(v, float) and v.is_integer() else v) for k, v in keys.items()})


def _report_columns(conv: Converter, row: Row, skip: set) -> None:
    for column in UNSUPPORTED_COLUMNS:
        if row.values.get(column) and column not in skip:
            if column == "choice_filter" and row.kind and row.kind.kind in ("single", "multiple", "rank"):
                continue
            conv.rnote(row, N_("“%(column)s” (%(value)s) has no counterpart here; left out"), column=column,
                       value=row.values[column][:60])
    if row.values.get("read_only", "").strip().lower() in TRUE_WORDS and row.values.get("calculation"):
        conv.rnote(row, N_("a read-only question that shows a calculation; the calculation is left out"))
    media = [f for f in ("image", "audio", "video", "big-image") if row.texts.get(f)]
    if media:
        conv.rnote(row, N_("the question's media (%(media)s) are left out"), media=", ".join(media))
    if row.texts.get("guidance_hint"):
        conv.rnote(row, N_("the guidance_hint (for interviewers) is left out"))
    for heading, value in row.unknown.items():
        if heading not in conv.unknown_columns:
            conv.unknown_columns.add(heading)
            conv.rnote(row, N_("the column “%(column)s” has no counterpart here; it is left out (in every row)"),
                       column=heading[:40])
    rest = {k: v for k, v in parameters(row.values.get("parameters", "")).items()
            if k not in ("start", "end", "step", "rows", "randomize", "seed")}
    if rest:
        conv.rnote(row, N_("the parameters %(parameters)s have no counterpart here; left out"),
                   parameters=", ".join(f"{k}={v}" for k, v in rest.items())[:80])


def _report_appearances(conv: Converter, row: Row, appearance: list[str], skip: set) -> None:
    if "appearance" in skip:
        return
    used = {"multiline"} if row.kind.kind == "text" else {"likert"} if row.kind.kind == "single" else set()
    for token in appearance:
        if token not in used:
            conv.rnote(row, N_("the appearance “%(appearance)s” has no counterpart here; left out"),
                       appearance=token[:40])
