"""The choices sheet -> options of our questions, and choice lists -> scales (likert
questions, grids). Choice names become option values of our format ([a-z0-9_]+): `Yes` ->
`yes`, `-99` -> `minus_99`; numeric names of a scale are kept as its point values."""
from __future__ import annotations

import re

from survey_app.definitions.imports import N_, Message, slug, unique
from survey_app.definitions.xlsform.convert import Choice, Converter, Row

DONT_KNOW_CODES = {-99, -98, -88, -77, -9, -8, 77, 88, 98, 99, 999}


def choice_lists(conv: Converter, rows: list[Row]) -> dict[str, list[Choice]]:
    lists: dict[str, list[Choice]] = {}
    values: dict[str, set[str]] = {}
    conv.used_lists = set()
    conv.list_rows = {}
    for row in rows:
        list_name, name = row.values.get("list_name", "").strip(), row.values.get("name", "").strip()
        if not list_name or not name:
            conv.rnote(row, N_("a choice without list_name or name; left out"))
            continue
        entries = lists.setdefault(list_name, [])
        conv.list_rows.setdefault(list_name, []).append(row.number)
        if any(c.name == name for c in entries):
            conv.rnote(row, N_("the choice “%(name)s” appears twice in list “%(list)s”; left out"), name=name[:40],
                       list=list_name[:40])
            continue
        value = _option_value(name, len(entries) + 1)
        taken = values.setdefault(list_name, set())
        if value in taken:
            value = unique(value, taken)
        taken.add(value)
        if value != name:
            conv.rnote(row, N_("the choice “%(name)s” is stored as “%(value)s”"), "changed", name=name[:40], value=value)
        label = conv.text(row, "label")
        if not label:
            conv.rnote(row, N_("the choice has no label; its name is shown"), "changed")
        media = [f for f in ("image", "audio", "video", "big-image") if row.texts.get(f)]
        if media:
            conv.rnote(row, N_("the choice's media (%(media)s) are left out"), media=", ".join(media))
        entries.append(Choice(name, value, conv.complete(label, name), row.number))
    return lists


def _option_value(name: str, position: int) -> str:
    if re.fullmatch(r"-\d+(\.\d+)?", name):
        return "minus_" + slug(name[1:])
    value = slug(name)
    return value if re.search(r"[a-z0-9]", value) and value != "item" or name.lower() == "item" else \
        f"option_{position}"


def report_unused_lists(conv: Converter) -> None:
    for list_name, numbers in conv.list_rows.items():
        if list_name not in conv.used_lists:
            conv.note(N_("choices sheet"), N_("the list “%(list)s” (rows %(rows)s) is used by no question; left out"),
                      list=list_name[:40], rows=_ranges(numbers))


def _ranges(numbers: list[int]) -> str:
    parts, start, last = [], None, None
    for n in sorted(numbers):
        if start is None:
            start = last = n
        elif n == last + 1:
            last = n
        else:
            parts.append(f"{start}–{last}" if last != start else str(start))
            start = last = n
    if start is not None:
        parts.append(f"{start}–{last}" if last != start else str(start))
    return ", ".join(parts)


def scale_for(conv: Converter, list_name: str, row: Row, ordinal: bool):
    """(scale id, ((choice name, point value), ...), ordered) for a list, or None when it has
    fewer than two points."""
    choices = conv.choices.get(list_name, [])
    numbers = [_int(c.name) for c in choices]
    dont_know = None
    if choices and all(n is not None for n in numbers) and len(set(numbers)) == len(numbers):
        special = [c for c, n in zip(choices, numbers) if n in DONT_KNOW_CODES]
        rest = [n for n in numbers if n not in DONT_KNOW_CODES]
        if len(special) == 1 and len(rest) >= 2 and max(abs(n) for n in rest) <= 20:
            dont_know = special[0]
        points = [(c, n) for c, n in zip(choices, numbers) if c is not dont_know]
        ordered = True
        values = [n for _, n in points]
        if values != sorted(values):
            points.sort(key=lambda p: p[1])
            conv.rnote(row, N_("the points of list “%(list)s” are shown from the lowest value to the highest"),
                       "changed", list=list_name[:40])
    else:
        points = [(c, i + 1) for i, c in enumerate(choices)]
        ordered = ordinal
        if len(points) >= 2:
            conv.rnote(row, N_("the choices of list “%(list)s” are not numbers; they are stored as points %(coding)s"
                               "%(nominal)s"), "changed", list=list_name[:40],
                       coding=", ".join(f"{c.name}={v}" for c, v in points[:8]) + (" …" if len(points) > 8 else ""),
                       nominal="" if ordered else Message(N_(" (unordered: no mean is computed)")))
    if len(points) < 2:
        return None
    scale = {"points": [{"value": v, "label": c.label} for c, v in points]}
    if not ordered:
        scale["ordered"] = False
    if dont_know:
        scale["dont_know"] = dont_know.label
        conv.rnote(row, N_("the choice “%(name)s” of list “%(list)s” is offered as “don't know”, stored as dk"),
                   "changed", name=dont_know.name, list=list_name[:40])
    scale_id = next((key for key, existing in conv.scales.items() if existing == scale), None)
    if scale_id is None:
        scale_id = unique(slug(list_name), set(conv.scales))
        conv.scales[scale_id] = scale
    pairs = tuple((c.name, v) for c, v in points) + (((dont_know.name, "dk"),) if dont_know else ())
    conv.used_lists.add(list_name)
    return scale_id, pairs, ordered


def _int(text: str):
    return int(text) if re.fullmatch(r"-?\d{1,9}", text.strip()) else None
