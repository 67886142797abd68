"""The YAML-checking toolkit shared by questionnaire definitions and workshop templates (pure).

A definition file is read with StrictLoader (a key given twice is an error; size, number of values
and nesting are bounded), and checked with a Collector, which reads typed values and records a
Problem (file, location, plain-language message) for every wrong one, so that one file reports
all its problems at once.
"""
from __future__ import annotations

import difflib
import math
import re
import reprlib
from collections.abc import Hashable
from dataclasses import dataclass

import yaml

from survey_app.definitions.model import NUMBER_LIMIT, Text

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    file: str        # file name, e.g. "staff-self-assessment.yaml"
    location: str    # e.g. 'question "task_quality" item "networking"', 'pages[2]', 'line 12'
    message: str     # plain-language reason
    severity: str = ERROR   # an error stops the file from loading; a WARNING does not

    def __str__(self) -> str:
        return f"{self.file}: {self.location}: {self.message}"


SLUG = re.compile(r"[a-z0-9_]+")                 # question, page, item, option and scale ids
QUESTIONNAIRE_ID = re.compile(r"[a-z0-9-]+")
CONSTRUCT = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")   # e.g. task.networking
# e.g. de, en, pt_BR, and variants marked as private use such as de-x-easy (easy German)
LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?(-x-[a-z0-9]{1,8})?")


# Bounds for every definition file (questionnaires, workshop templates, uploads), so that a
# small hostile file ("billion laughs": aliases of aliases) cannot keep a worker busy or fill
# its memory. The shipped staff self-assessment has 18 KB, 1,118 values and 9 levels.
MAX_DEFINITION_BYTES = 2 * 1024 * 1024
MAX_VALUES = 50_000   # lists, mappings and scalars, each alias counted with everything it names
MAX_DEPTH = 50        # lists and mappings inside each other, aliases included


class DefinitionLimitError(yaml.YAMLError):
    """A definition file beyond MAX_DEFINITION_BYTES, MAX_VALUES or MAX_DEPTH (or with an
    alias inside the structure it names); refused before the rest of it is read."""

    def __init__(self, message: str, mark=None):
        super().__init__(message)
        self.message, self.mark = message, mark


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key given twice in one mapping (PyYAML keeps the last) and
    refuses files beyond the bounds above while it reads them."""

    def __init__(self, stream):
        size = len(stream.encode("utf-8") if isinstance(stream, str) else stream) \
            if isinstance(stream, (str, bytes)) else 0
        if size > MAX_DEFINITION_BYTES:
            raise DefinitionLimitError(
                f"the file has {size:,} bytes; a definition may have at most {MAX_DEFINITION_BYTES:,} bytes (2 MiB)")
        super().__init__(stream)
        self._values = 0     # values composed so far, aliases expanded
        self._depth = 0      # nesting of the node being composed
        self._open = set()   # anchors of the lists and mappings being composed
        self._extent = {}    # id(node) -> (values, depth) of an anchored node, aliases expanded

    def _node_extent(self, node) -> tuple[int, int]:
        known = self._extent.get(id(node))
        if known is None:
            children = [child for pair in node.value for child in pair] if isinstance(node, yaml.MappingNode) \
                else node.value if isinstance(node, yaml.SequenceNode) else []
            extents = [self._node_extent(child) for child in children]
            known = (1 + sum(v for v, _d in extents), 1 + max((d for _v, d in extents), default=0))
            self._extent[id(node)] = known
        return known

    def _count(self, values: int, depth: int, mark) -> None:
        self._values += values
        if self._values > MAX_VALUES:
            raise DefinitionLimitError(
                f"the file holds more than {MAX_VALUES:,} values (lists, mappings and texts; an alias such "
                "as *name counts everything it names each time it is used); a definition may hold at most "
                f"{MAX_VALUES:,}", mark)
        if depth > MAX_DEPTH:
            raise DefinitionLimitError(
                f"lists and mappings are nested more than {MAX_DEPTH} levels deep (aliases included)", mark)

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open:
                raise DefinitionLimitError(
                    f"the alias *{event.anchor} is used inside the list or mapping it names (a loop)",
                    event.start_mark)
            if event.anchor in self.anchors:
                values, depth = self._node_extent(self.anchors[event.anchor])
                self._count(values, self._depth + depth, event.start_mark)
            return super().compose_node(parent, index)  # an unknown alias is PyYAML's error
        self._count(1, self._depth + 1, event.start_mark)
        anchor = event.anchor if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)) else None
        if anchor is not None:
            self._open.add(anchor)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            self._open.discard(anchor)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # "<<: *anchor" may override keys
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable):
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f'the key "{key}" appears twice in the same mapping',
                        key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep)


def yaml_problem(file: str, raw: bytes, exc: yaml.YAMLError) -> Problem:
    if isinstance(exc, DefinitionLimitError):
        return Problem(file, f"line {exc.mark.line + 1}" if exc.mark else "file", exc.message)
    if isinstance(exc, yaml.reader.ReaderError):
        line = raw[: exc.position].count(b"\n") + 1
        return Problem(file, f"line {line}", "the file is not valid UTF-8 text")
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return Problem(file, "file", f"YAML syntax error: {exc}")
    detail = exc.problem
    if exc.context and exc.context_mark:  # often where the actual mistake is
        detail += f" ({exc.context} at line {exc.context_mark.line + 1})"
    return Problem(file, f"line {exc.problem_mark.line + 1}", f"YAML syntax error: {detail}")


class Collector:
    """Collects problems for one file, and reads typed values, reporting wrong ones.

    Every reader takes the location, the key and the raw value; it returns the checked value,
    or None when the value is absent (absence of required keys is reported by check_keys) or
    wrong (then a problem is recorded).
    """

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        # Languages marked as partial: their missing texts are counted, not listed one by one.
        self.partial: tuple[str, ...] = ()
        self.partial_fallbacks: dict[str, int] = {}

    def add(self, location: str, message: str) -> None:
        self.problems.append(Problem(self.file, location, message))

    def warn(self, location: str, message: str) -> None:
        self.problems.append(Problem(self.file, location, message, WARNING))

    def check_keys(self, data: dict, loc: str, required, optional=(), foreign=(), foreign_note=""):
        for key in required:
            if data.get(key) is None:
                self.add(loc, f'missing required key "{key}"')
        known = (*required, *optional)
        for key in data:
            if key in known:
                continue
            if key in foreign:
                self.add(loc, f'key "{key}" {foreign_note}')
                continue
            hint = difflib.get_close_matches(str(key), known, n=1)
            self.add(loc, f'unknown key "{key}"' + (f' (did you mean "{hint[0]}"?)' if hint else ""))

    def text(self, loc: str, key: str, value: object, languages: tuple[str, ...] | None) -> Text | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.add(loc, f'"{key}" must map each language to a text, e.g. {{de: ..., en: ...}}; '
                          f"got {kind(value)}")
            return None
        ok = True
        for lang, string in value.items():
            if languages is not None and lang not in languages:
                self.add(loc, f'"{key}": language "{lang}" is not listed in languages '
                              f"({', '.join(languages)})")
                ok = False
            elif isinstance(string, bool):
                self.add(loc, f'"{key}": the "{lang}" text was read as {str(string).lower()}; '
                              "YAML reads yes/no/on/off as true/false, so put the text in quotes")
                ok = False
            elif not isinstance(string, str) or not string.strip():
                self.add(loc, f'"{key}": the "{lang}" text must be a non-empty string')
                ok = False
        if languages and languages[0] not in value:
            self.add(loc, f'"{key}": missing translation for "{languages[0]}" (the default language)')
            ok = False
        if not ok or languages is None:
            return None
        for lang in languages[1:]:
            if lang in value:
                continue
            if lang in self.partial:
                self.partial_fallbacks[lang] = self.partial_fallbacks.get(lang, 0) + 1
            else:
                self.warn(loc, f'"{key}": missing translation for "{lang}"; '
                               f'the "{languages[0]}" text is shown instead')
        return {lang: value[lang] for lang in languages if lang in value}

    def slug(self, loc: str, key: str, value: object, pattern: re.Pattern = SLUG) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not pattern.fullmatch(value):
            hint = "" if isinstance(value, str) else " (write it in quotes if it is meant as text)"
            self.add(loc, f'"{key}" must be a simple id matching {pattern.pattern}, '
                          f"got {reprlib.repr(value)}{hint}")
            return None
        return value

    def construct(self, loc: str, value: object) -> str | None:
        return self.slug(loc, "construct", value, CONSTRUCT)

    def boolean(self, loc: str, key: str, value: object) -> bool | None:
        if value is None:
            return None
        if not isinstance(value, bool):
            self.add(loc, f'"{key}" must be true or false, got {reprlib.repr(value)}')
            return None
        return value

    def number(self, loc: str, key: str, value: object) -> int | float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                isinstance(value, float) and not math.isfinite(value)):
            self.add(loc, f'"{key}" must be a number, got {reprlib.repr(value)}')
            return None
        if abs(value) > NUMBER_LIMIT:
            self.add(loc, f'"{key}" must be between -{NUMBER_LIMIT:,} and {NUMBER_LIMIT:,}, got {reprlib.repr(value)}')
            return None
        return value

    def integer(self, loc: str, key: str, value: object, minimum: int) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.add(loc, f'"{key}" must be a whole number of at least {minimum}, got {reprlib.repr(value)}')
            return None
        return value

    def sequence(self, loc: str, key: str, value: object, minimum: int = 1) -> list:
        """A list of at least `minimum` entries (empty list when absent or wrong)."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(loc, f'"{key}" must be a list, got {kind(value)}')
            return []
        if len(value) < minimum:
            self.add(loc, f'"{key}" must have at least {minimum} '
                          f"{'entry' if minimum == 1 else 'entries'}, got {len(value)}")
        return value

    def mapping(self, loc: str, value: object) -> bool:
        if not isinstance(value, dict):
            self.add(loc, f"must be a mapping of keys, got {kind(value)}")
            return False
        return True


def kind(value: object) -> str:
    if isinstance(value, str):
        return f"the text {reprlib.repr(value)}"
    return {dict: "a mapping", list: "a list", type(None): "nothing"}.get(type(value), repr(value))


def unique(c: Collector, loc: str, seen: set[str], value: str | None, what: str) -> None:
    if value is None:
        return
    if value in seen:
        c.add(loc, f'duplicate {what} "{value}"')
    seen.add(value)


def named(data: object, key: str, label: str, path: str) -> str:
    """`label "id"` when the entry has a usable id, else its path (e.g. pages[2])."""
    if isinstance(data, dict) and isinstance(data.get(key), str) and data[key]:
        return f'{label} "{data[key]}"'
    return path


def parse_languages(c: Collector, value: object) -> tuple[str, ...] | None:
    loc = "top level"
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        c.add(loc, f'"languages" must be a non-empty list such as [de, en], got {kind(value)}')
        return None
    ok = True
    for lang in value:
        if not isinstance(lang, str) or not LANGUAGE.fullmatch(lang):
            c.add(loc, f'"languages": {reprlib.repr(lang)} is not a language code such as de or en')
            ok = False
    if ok and len(set(value)) != len(value):
        c.add(loc, '"languages": a language is listed twice')
        ok = False
    return tuple(value) if ok else None
