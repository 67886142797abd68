"""XLSForm question types, with every alias the reference implementation (pyxform) accepts.

classify("select one from fruits or specify other") -> Kind("single", "fruits", other=True).
The aliases come from pyxform's own tables (pyxform.aliases.select, .control and
question_type_dictionary), so old syntax (`select one from`, `string`, `int`, `q picture`,
`add note prompt`, `begin loop over`) is read as ODK reads it.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Kind:
    kind: str           # begin, end, single, multiple, rank, text, integer, decimal, range, date, datetime,
    #                     note, acknowledge, metadata, calculation, unsupported, from_file, external, unknown
    list_name: str = ""  # select lists; begin: the list of `begin loop over`
    other: bool = False  # `or_other`
    control: str = ""    # begin/end: group or repeat (loop)
    original: str = ""
    pattern: str = ""    # phone number: the regex pyxform gives it
    suggestion: str = ""  # unknown: the closest known type


@lru_cache(maxsize=1)
def _tables():
    from pyxform import aliases
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    selects = dict(aliases.select)
    for name in ("select one using", "select multiple using", "select multiple from", "q select", "q select1"):
        selects.setdefault(name, "select all that apply" if "multiple" in name or name == "q select"
                           else "select one")
    select_re = re.compile(
        r"^(?P<command>" + "|".join(re.escape(k) for k in sorted(selects, key=len, reverse=True)) + r")\s+"
        r"(?P<list>\S+)(?:\s+(?P<other>or specify other|or_other|or other))?$", re.I)
    controls = "|".join(re.escape(k) for k in sorted(aliases.control, key=len, reverse=True))
    begin_re = re.compile(rf"^begin[ _](?P<type>{controls})(?:\s+(?:over\s+)?(?P<list>\S+))?$", re.I)
    end_re = re.compile(rf"^end[ _](?P<type>{controls})$", re.I)
    types = {name.lower(): spec for name, spec in QUESTION_TYPE_DICT.items()}
    return selects, select_re, begin_re, end_re, types, dict(aliases.control)


def classify(type_text: str) -> Kind:
    text = " ".join(str(type_text).split())
    selects, select_re, begin_re, end_re, types, controls = _tables()
    if match := begin_re.match(text):
        control = controls[match.group("type").lower()]
        return Kind("begin", match.group("list") or "", control="group" if control == "group" else "repeat",
                    original=text)
    if match := end_re.match(text):
        control = controls[match.group("type").lower()]
        return Kind("end", control="group" if control == "group" else "repeat", original=text)
    if match := select_re.match(text):
        command = match.group("command").lower()
        target = selects.get(command) or selects.get(match.group("command"))
        list_name = match.group("list")
        other = bool(match.group("other"))
        if "from_file" in command or "from file" in command:
            return Kind("from_file", list_name, other, original=text)
        if "external" in command:
            return Kind("external", list_name, other, original=text)
        if command == "rank" or target == "rank":
            return Kind("rank", list_name, other, original=text)
        if target == "select one":
            return Kind("single", list_name, other, original=text)
        return Kind("multiple", list_name, other, original=text)
    if text.lower() in {k.lower() for k in selects}:
        return Kind("unknown", original=text, suggestion=f"{text} LIST")
    spec = types.get(text.lower())
    if spec is None:
        known = list(types) + ["select_one LIST", "select_multiple LIST", "begin group", "end group"]
        hint = difflib.get_close_matches(text.lower(), known, n=1, cutoff=0.75)
        return Kind("unknown", original=text, suggestion=hint[0] if hint else "")
    bind, control = spec.get("bind", {}), spec.get("control", {})
    tag, value_type = control.get("tag"), bind.get("type")
    if "jr:preload" in bind or tag == "action":
        return Kind("metadata", original=text)
    if not control:
        return Kind("calculation" if text.lower() in ("calculate", "q calculate", "add calculate prompt", "hidden")
                    else "metadata", original=text)
    if tag == "trigger":
        return Kind("acknowledge", original=text)
    if tag == "range":
        return Kind("range", original=text)
    if tag == "upload" or value_type in ("geopoint", "geotrace", "geoshape", "barcode", "time", "binary"):
        return Kind("unsupported", original=text)
    if bind.get("readonly") == "true()":
        return Kind("note", original=text)
    if value_type == "int":
        return Kind("integer", original=text)
    if value_type == "decimal":
        return Kind("decimal", original=text)
    if value_type == "date":
        return Kind("date", original=text)
    if value_type == "dateTime":
        return Kind("datetime", original=text)
    if value_type == "string":
        regex = re.fullmatch(r"regex\(\.,\s*'(.*)'\)", bind.get("constraint", ""))
        return Kind("text", original=text, pattern=regex.group(1) if regex else "")
    return Kind("unsupported", original=text)


def parameters(text: str) -> dict[str, str]:
    """`start=1 end=10 step=1` (also separated by `;` or `,`) as a dict, keys in lower case."""
    result = {}
    for part in re.split(r"[;,\s]+(?=[A-Za-z_-]+\s*=)", str(text).strip()):
        key, sep, value = part.partition("=")
        if sep:
            result[key.strip().lower()] = value.strip().strip(",;")
    return result
