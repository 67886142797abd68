"""Questionnaire definitions: YAML files -> validated, immutable dataclasses.

Pure domain code: no Flask, no storage. Loading never raises on a bad file; it
returns the problems found (file, location, message) so that one broken file
cannot stop the app from serving the others.

Entry points: load_folder(folder) -> Catalogue, load_file(path) and
parse_definition(data, source). The file format is described in
docs/questionnaire-format.md.
"""
from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import math
import re
import reprlib
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from re import _constants as sre_constants, _parser as sre_parse  # to spot slow patterns

import yaml

from survey_app.definitions import conditions
from survey_app.definitions.conditions import Condition

# Text in several languages: {"de": "...", "en": "..."}. Every text has the default
# language; another language may be missing, and then the default text is shown.
Text = dict[str, str]

QUESTION_TYPES = (
    "single_choice",
    "multiple_choice",
    "scale",
    "matrix",
    "number",
    "allocation",
    "short_text",
    "long_text",
    "ranking",
    "date",
    "yes_no",
    "note",
)

# Stored answer value for "don't know" on a scale or matrix item.
DONT_KNOW = "dk"
# Stored answers of a yes_no question.
YES, NO = "yes", "no"
# Easy-to-read German ("Leichte Sprache") is a language of its own in a definition.
EASY_GERMAN = "de-x-easy"


def localized(text: Text | None, lang: str, default_lang: str = "de") -> str:
    """The text in `lang`, falling back to the default language, then any language."""
    if not text:
        return ""
    return text.get(lang) or text.get(default_lang) or next(iter(text.values()), "")


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: Text


@dataclass(frozen=True)
class Scale:
    id: str
    points: tuple[ScalePoint, ...]
    # Label of the "don't know" choice, kept apart from the scale points; None = not offered.
    dont_know: Text | None = None
    # False for nominal "scales" (e.g. a list of actors): no mean, no diverging bars.
    ordered: bool = True

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(p.value for p in self.points)


@dataclass(frozen=True)
class Item:
    """One row of a matrix or allocation question."""
    id: str
    label: Text
    construct: str | None = None


# Number answers and the numbers of a definition (min, max, step, total) stay within ±10^12:
# larger ones are typing slips, and every statistic and format of them stays exact.
NUMBER_LIMIT = 10**12


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: Text
    help: Text | None = None
    required: bool = False
    construct: str | None = None
    options: tuple[Option, ...] = ()          # single_choice, multiple_choice
    max_choices: int | None = None            # multiple_choice
    scale: Scale | None = None                # scale, matrix
    items: tuple[Item, ...] = ()              # matrix, allocation
    min: float | None = None                  # number (and each allocation item)
    max: float | None = None                  # number (and each allocation item)
    integer: bool = False                     # number, allocation: whole numbers only
    total: float | None = None                # allocation: items must add up to this
    unit: Text | None = None                  # number, allocation: e.g. {"de": "%", "en": "%"}
    max_length: int | None = None             # short_text, long_text
    show_if: Condition | None = None          # any type: shown only when this holds
    min_choices: int | None = None            # multiple_choice
    step: float | None = None                 # number: answers are min (or 0) + k * step
    min_length: int | None = None             # short_text, long_text
    pattern: str | None = None                # short_text, long_text: regex the whole answer matches
    pattern_message: Text | None = None       # what to tell a respondent whose answer does not match
    min_date: str | None = None               # date: "YYYY-MM-DD", earliest allowed answer
    max_date: str | None = None               # date: "YYYY-MM-DD", latest allowed answer
    yes_label: Text | None = None             # yes_no: instead of the interface's "Yes"
    no_label: Text | None = None              # yes_no: instead of the interface's "No"

    @property
    def has_answer(self) -> bool:
        """False for a note, which only shows text and never stores anything."""
        return self.type != "note"

    @property
    def number_range(self) -> tuple[float, float]:
        """The answers a number question takes: `min` to `max`, and within ±NUMBER_LIMIT
        where the definition sets no bound (so that no typed 10^30 reaches the results)."""
        return (-NUMBER_LIMIT if self.min is None else self.min,
                NUMBER_LIMIT if self.max is None else self.max)


@dataclass(frozen=True)
class Page:
    id: str
    title: Text
    questions: tuple[Question, ...]
    intro: Text | None = None
    show_if: Condition | None = None          # shown only when this holds (earlier pages' answers)


@dataclass(frozen=True)
class Questionnaire:
    id: str
    source: str                  # file name it was loaded from
    title: Text
    intro: Text                  # purpose, shown on the start page
    anonymity: Text              # anonymity statement, shown on the start page
    duration_minutes: int | None
    languages: tuple[str, ...]   # first one is the default language
    pages: tuple[Page, ...]
    scales: dict[str, Scale] = field(default_factory=dict)
    content_hash: str = ""       # sha256 of the file content, identifies the version
    partial_languages: tuple[str, ...] = ()   # translations known to be incomplete

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def questions(self) -> list[Question]:
        return [q for page in self.pages for q in page.questions]

    def question(self, question_id: str) -> Question:
        for q in self.questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)


ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    file: str        # file name, e.g. "staff-self-assessment.yaml"
    location: str    # e.g. 'question "task_quality" item "networking"', 'pages[2]', 'line 12'
    message: str     # plain-language reason
    severity: str = ERROR   # an error stops the file from loading; a WARNING does not

    def __str__(self) -> str:
        return f"{self.file}: {self.location}: {self.message}"


@dataclass
class Catalogue:
    """Every definition found in a folder: the valid ones, the errors that kept the others
    out (`problems`), and warnings about loaded files (e.g. a text shown in the default
    language because its translation is missing)."""
    questionnaires: dict[str, Questionnaire] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


# --------------------------------------------------------------------------- loading

SLUG = re.compile(r"[a-z0-9_]+")                 # question, page, item, option and scale ids
QUESTIONNAIRE_ID = re.compile(r"[a-z0-9-]+")
CONSTRUCT = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")   # e.g. task.networking
# e.g. de, en, pt_BR, and variants marked as private use such as de-x-easy (easy German)
LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?(-x-[a-z0-9]{1,8})?")

DEFAULT_MAX_LENGTH = {"short_text": 200, "long_text": 5000}

TOP_REQUIRED = ("id", "languages", "title", "intro", "anonymity", "pages")
TOP_OPTIONAL = ("duration_minutes", "scales", "partial_languages")
SCALE_REQUIRED, SCALE_OPTIONAL = ("points",), ("ordered", "dont_know")
PAGE_REQUIRED, PAGE_OPTIONAL = ("id", "title", "questions"), ("intro", "show_if")
QUESTION_REQUIRED = ("id", "type", "text")
QUESTION_OPTIONAL = ("help", "required", "construct", "show_if")
# A note has no answer, so nothing can require it or compare it.
NOT_FOR_NOTES = ("required", "construct")
TEXT_KEYS = ("min_length", "max_length", "pattern", "pattern_message")
# Per question type: (required keys, optional keys) on top of the common ones.
TYPE_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "single_choice": (("options",), ()),
    "multiple_choice": (("options",), ("min_choices", "max_choices")),
    "scale": (("scale",), ()),
    "matrix": (("scale", "items"), ()),
    "number": ((), ("min", "max", "integer", "unit", "step")),
    "allocation": (("items", "total"), ("integer", "unit")),
    "short_text": ((), TEXT_KEYS),
    "long_text": ((), TEXT_KEYS),
    "ranking": (("options",), ()),
    "date": ((), ("min_date", "max_date")),
    "yes_no": ((), ("yes_label", "no_label")),
    "note": ((), ()),
}
# Longest pattern accepted; answers are checked against it on every submission.
MAX_PATTERN_LENGTH = 500
TYPE_SPECIFIC_KEYS = tuple(dict.fromkeys(key for req, opt in TYPE_KEYS.values() for key in (*req, *opt)))


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key given twice in one mapping (PyYAML keeps the last)."""

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


def load_folder(folder: str | Path) -> Catalogue:
    """Load every *.yaml / *.yml file in `folder` (sorted by name).

    A broken file never stops the others: its errors go to `catalogue.problems` and it is
    left out. Warnings go to `catalogue.warnings` and do not keep a file out. If two files
    use the same questionnaire id, the first file (by name) wins.
    """
    folder = Path(folder)
    catalogue = Catalogue()
    if not folder.is_dir():
        catalogue.problems.append(Problem(str(folder), "folder", "the folder does not exist"))
        return catalogue
    paths = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    for path in paths:
        questionnaire, problems = load_file(path)
        catalogue.problems.extend(p for p in problems if p.severity == ERROR)
        catalogue.warnings.extend(p for p in problems if p.severity == WARNING)
        if questionnaire is None:
            continue
        other = catalogue.questionnaires.get(questionnaire.id)
        if other is not None:
            catalogue.problems.append(Problem(
                path.name, "id",
                f'questionnaire id "{questionnaire.id}" is already used by {other.source}'))
            continue
        catalogue.questionnaires[questionnaire.id] = questionnaire
    return catalogue


def load_file(path: str | Path) -> tuple[Questionnaire | None, list[Problem]]:
    """Read and validate one definition file; the content hash is the sha256 of its bytes."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(path.name, "file", f"cannot read the file: {exc.strerror}")]
    return load_bytes(raw, path.name)


def load_bytes(raw: bytes, name: str) -> tuple[Questionnaire | None, list[Problem]]:
    """Validate a definition given as the bytes of a YAML file called `name` (e.g. an upload)."""
    try:
        data = yaml.load(raw, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(name, raw, exc)]
    return parse_definition(data, name, hashlib.sha256(raw).hexdigest())


def _yaml_problem(file: str, raw: bytes, exc: yaml.YAMLError) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        line = raw[: exc.position].count(b"\n") + 1
        return Problem(file, f"line {line}", "the file is not valid UTF-8 text")
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return Problem(file, "file", f"YAML syntax error: {exc}")
    detail = exc.problem
    if exc.context and exc.context_mark:  # often where the actual mistake is
        detail += f" ({exc.context} at line {exc.context_mark.line + 1})"
    return Problem(file, f"line {exc.problem_mark.line + 1}", f"YAML syntax error: {detail}")


def parse_definition(
    data: object, source: str, content_hash: str = ""
) -> tuple[Questionnaire | None, list[Problem]]:
    """Validate already-parsed YAML data.

    Returns the questionnaire (None when there is any error) and every problem found,
    warnings included.
    """
    c = _Collector(source)
    if data is None:
        c.add("file", "the file is empty")
        return None, c.problems
    if not isinstance(data, dict):
        c.add("top level", f"must be a mapping of keys (id, languages, title, ...), got {_kind(data)}")
        return None, c.problems

    loc = "top level"
    c.check_keys(data, loc, TOP_REQUIRED, TOP_OPTIONAL)
    questionnaire_id = c.slug(loc, "id", data.get("id"), QUESTIONNAIRE_ID)
    ctx = _Context(languages=_languages(c, data.get("languages")),
                   known_question_ids=_raw_question_ids(data.get("pages")))
    c.partial = _partial_languages(c, data.get("partial_languages"), ctx.languages)
    _scales(c, data.get("scales"), ctx)
    title = c.text(loc, "title", data.get("title"), ctx.languages)
    intro = c.text(loc, "intro", data.get("intro"), ctx.languages)
    anonymity = c.text(loc, "anonymity", data.get("anonymity"), ctx.languages)
    duration = c.integer(loc, "duration_minutes", data.get("duration_minutes"), minimum=1)
    pages = _pages(c, data.get("pages"), ctx)
    for lang, count in c.partial_fallbacks.items():
        c.warn("top level", f'language "{lang}" is marked as partial: {count} '
                            f"{'text is' if count == 1 else 'texts are'} shown in "
                            f'"{ctx.languages[0]}" instead')

    if any(p.severity == ERROR for p in c.problems):
        return None, c.problems
    return Questionnaire(
        id=questionnaire_id, source=source, title=title, intro=intro, anonymity=anonymity,
        duration_minutes=duration, languages=ctx.languages, pages=pages, scales=ctx.scales,
        content_hash=content_hash, partial_languages=c.partial,
    ), c.problems


# --------------------------------------------------------------------------- problem collector

class _Collector:
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
                          f"got {_kind(value)}")
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
            self.add(loc, f'"{key}" must be a list, got {_kind(value)}')
            return []
        if len(value) < minimum:
            self.add(loc, f'"{key}" must have at least {minimum} '
                          f"{'entry' if minimum == 1 else 'entries'}, got {len(value)}")
        return value

    def mapping(self, loc: str, value: object) -> bool:
        if not isinstance(value, dict):
            self.add(loc, f"must be a mapping of keys, got {_kind(value)}")
            return False
        return True


@dataclass
class _Context:
    """What the parts of one definition need from each other."""
    languages: tuple[str, ...] | None
    declared_scales: set[str] = field(default_factory=set)   # names, even of broken scales
    scales: dict[str, Scale] = field(default_factory=dict)    # the valid ones
    question_ids: dict[str, str] = field(default_factory=dict)  # id -> path of first use
    # For show_if: every question id in the file, and the questions parsed so far in order
    # (None for one that failed its checks).
    known_question_ids: frozenset[str] = frozenset()
    earlier: dict[str, Question | None] = field(default_factory=dict)


def _kind(value: object) -> str:
    if isinstance(value, str):
        return f"the text {reprlib.repr(value)}"
    return {dict: "a mapping", list: "a list", type(None): "nothing"}.get(type(value), repr(value))


def _unique(c: _Collector, loc: str, seen: set[str], value: str | None, what: str) -> None:
    if value is None:
        return
    if value in seen:
        c.add(loc, f'duplicate {what} "{value}"')
    seen.add(value)


def _named(data: object, key: str, label: str, path: str) -> str:
    """`label "id"` when the entry has a usable id, else its path (e.g. pages[2])."""
    if isinstance(data, dict) and isinstance(data.get(key), str) and data[key]:
        return f'{label} "{data[key]}"'
    return path


# --------------------------------------------------------------------------- parts

def _languages(c: _Collector, value: object) -> tuple[str, ...] | None:
    loc = "top level"
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        c.add(loc, f'"languages" must be a non-empty list such as [de, en], got {_kind(value)}')
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


def _partial_languages(c: _Collector, value: object, languages: tuple[str, ...] | None) -> tuple[str, ...]:
    loc = "top level"
    if value is None or languages is None:
        return ()
    if not isinstance(value, list):
        c.add(loc, f'"partial_languages" must be a list such as [ar], got {_kind(value)}')
        return ()
    for lang in value:
        if lang not in languages:
            c.add(loc, f'"partial_languages": {reprlib.repr(lang)} is not listed in languages '
                       f"({', '.join(languages)})")
        elif lang == languages[0]:
            c.add(loc, f'"partial_languages": "{lang}" is the default language, which must be complete')
    return tuple(lang for lang in value if lang in languages[1:])


def _raw_question_ids(pages: object) -> frozenset[str]:
    """The question ids written in the file, read before checking so that a condition
    on a later question gets a precise message."""
    if not isinstance(pages, list):
        return frozenset()
    return frozenset(
        q["id"] for page in pages if isinstance(page, dict) and isinstance(page.get("questions"), list)
        for q in page["questions"] if isinstance(q, dict) and isinstance(q.get("id"), str))


def _show_if(c: _Collector, loc: str, value: object, earlier: dict, ctx: _Context, not_before: str):
    if value is None:
        return None
    condition, errors = conditions.parse(value, earlier, ctx.known_question_ids, not_before)
    for error in errors:
        c.add(loc, error)
    return condition


def _scales(c: _Collector, value: object, ctx: _Context) -> None:
    """Fill ctx.declared_scales (every name) and ctx.scales (the valid ones)."""
    if value is None:
        return
    if not isinstance(value, dict):
        c.add("top level", f'"scales" must be a mapping of scale ids to scales, got {_kind(value)}')
        return
    for scale_id, data in value.items():
        loc = f'scale "{scale_id}"'
        ctx.declared_scales.add(str(scale_id))
        c.slug(loc, "scale id", scale_id)
        scale = _scale(c, scale_id, data, loc, ctx)
        if scale is not None:
            ctx.scales[scale_id] = scale


def _scale(c: _Collector, scale_id: str, data: object, loc: str, ctx: _Context) -> Scale | None:
    if not c.mapping(loc, data):
        return None
    before = len(c.problems)
    c.check_keys(data, loc, SCALE_REQUIRED, SCALE_OPTIONAL)
    ordered = c.boolean(loc, "ordered", data.get("ordered"))
    ordered = True if ordered is None else ordered
    dont_know = c.text(loc, "dont_know", data.get("dont_know"), ctx.languages)
    points = []
    for i, point in enumerate(c.sequence(loc, "points", data.get("points"), minimum=2)):
        point_loc = f"{loc} points[{i}]"
        if not c.mapping(point_loc, point):
            continue
        c.check_keys(point, point_loc, ("value", "label"))
        value = point.get("value")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            c.add(point_loc, f'"value" must be a whole number, got {reprlib.repr(value)}')
            value = None
        label = c.text(point_loc, "label", point.get("label"), ctx.languages)
        if value is not None and label is not None:
            points.append(ScalePoint(value, label))
    values = [p.value for p in points]
    if len(set(values)) != len(values):
        c.add(loc, "two points have the same value")
    elif ordered and values != sorted(values):
        c.add(loc, "the points of an ordered scale must be listed by increasing value")
    if len(c.problems) > before:
        return None
    return Scale(id=scale_id, points=tuple(points), dont_know=dont_know, ordered=ordered)


def _pages(c: _Collector, value: object, ctx: _Context) -> tuple[Page, ...]:
    pages = []
    page_ids: set[str] = set()
    for i, data in enumerate(c.sequence("top level", "pages", value)):
        path = f"pages[{i}]"
        loc = _named(data, "id", "page", path)
        if not c.mapping(loc, data):
            continue
        c.check_keys(data, loc, PAGE_REQUIRED, PAGE_OPTIONAL)
        page_id = c.slug(loc, "id", data.get("id"))
        _unique(c, loc, page_ids, page_id, "page id")
        title = c.text(loc, "title", data.get("title"), ctx.languages)
        intro = c.text(loc, "intro", data.get("intro"), ctx.languages)
        # The server decides before showing a page, so only earlier pages' answers count.
        show_if = _show_if(c, loc, data.get("show_if"), dict(ctx.earlier), ctx,
                           "is not on an earlier page; a page can only depend on answers from earlier pages")
        questions = tuple(
            _question(c, q, f"{path}.questions[{j}]", ctx)
            for j, q in enumerate(c.sequence(loc, "questions", data.get("questions"))))
        pages.append(Page(id=page_id, title=title, questions=questions, intro=intro, show_if=show_if))
    return tuple(pages)


def _question(c: _Collector, data: object, path: str, ctx: _Context) -> Question | None:
    loc = _named(data, "id", "question", path)
    if not c.mapping(loc, data):
        return None
    qtype = data.get("type")
    known_type = isinstance(qtype, str) and qtype in TYPE_KEYS
    if qtype is not None and not known_type:
        c.add(loc, f'unknown question type {reprlib.repr(qtype)}; allowed types: {", ".join(QUESTION_TYPES)}')
    if known_type:
        required, optional = TYPE_KEYS[qtype]
        excluded = NOT_FOR_NOTES if qtype == "note" else ()
        common = tuple(key for key in QUESTION_OPTIONAL if key not in excluded)
        c.check_keys(data, loc, QUESTION_REQUIRED + required, common + optional,
                     foreign=TYPE_SPECIFIC_KEYS + excluded, foreign_note=f'is not used by type "{qtype}"')
    else:  # without a type, accept any key some type uses
        c.check_keys(data, loc, QUESTION_REQUIRED, QUESTION_OPTIONAL + TYPE_SPECIFIC_KEYS)

    question_id = c.slug(loc, "id", data.get("id"))
    if question_id in ctx.question_ids:
        c.add(loc, f'duplicate question id "{question_id}" (first used at {ctx.question_ids[question_id]})')
    elif question_id is not None:
        ctx.question_ids[question_id] = path
    common = dict(
        id=question_id, type=qtype,
        text=c.text(loc, "text", data.get("text"), ctx.languages),
        help=c.text(loc, "help", data.get("help"), ctx.languages),
        required=bool(c.boolean(loc, "required", data.get("required"))),
        construct=c.construct(loc, data.get("construct")),
        show_if=_show_if(c, loc, data.get("show_if"), ctx.earlier, ctx,
                         "does not come before this question; a condition can only use earlier answers"),
    )
    question = None
    if known_type:
        before = len(c.problems)
        question = Question(**common, **_TYPE_FIELDS[qtype](c, data, loc, ctx))
        if any(p.severity == ERROR for p in c.problems[before:]):
            question = None
    if isinstance(question_id, str) and question_id not in ctx.earlier:
        ctx.earlier[question_id] = question
    return question


# Each returns the type-specific Question fields.

def _single_choice_fields(c: _Collector, data: dict, loc: str, ctx: _Context) -> dict:
    return {"options": _options(c, data.get("options"), loc, ctx, minimum=2)}


def _multiple_choice_fields(c: _Collector, data: dict, loc: str, ctx: _Context) -> dict:
    options = _options(c, data.get("options"), loc, ctx, minimum=1)
    min_choices = c.integer(loc, "min_choices", data.get("min_choices"), minimum=1)
    max_choices = c.integer(loc, "max_choices", data.get("max_choices"), minimum=1)
    for key, value in (("min_choices", min_choices), ("max_choices", max_choices)):
        if value is not None and options and value > len(options):
            c.add(loc, f'"{key}" ({value}) is more than the number of options ({len(options)})')
    if min_choices is not None and max_choices is not None and min_choices > max_choices:
        c.add(loc, f'"min_choices" ({min_choices}) is more than "max_choices" ({max_choices})')
    return {"options": options, "min_choices": min_choices, "max_choices": max_choices}


def _ranking_fields(c: _Collector, data: dict, loc: str, ctx: _Context) -> dict:
    return {"options": _options(c, data.get("options"), loc, ctx, minimum=2)}


def _scale_fields(c: _Collector, data: dict, loc: str, ctx: _Context) -> dict:
    return {"scale": _scale_ref(c, data.get("scale"), loc, ctx)}


def _matrix_fields(c: _Collector, data: dict, loc: str, ctx: _Context) -> dict:
    return {"scale": _scale_ref(c, data.get("scale"), loc, ctx),
            "items": _items(c, data.get("items"), loc, ctx)}


def _number_fields(c: _Collector, data: dict, loc: str, ctx: _Context) -> dict:
    integer = bool(c.boolean(loc, "integer", data.get("integer")))
    low = c.number(loc, "min", data.get("min"))
    high = c.number(loc, "max", data.get("max"))
    if low is not None and high is not None and low >= high:
        c.add(loc, f'"min" ({low}) must be less than "max" ({high})')
    step = c.number(loc, "step", data.get("step"))
    if step is not None and step <= 0:
        c.add(loc, f'"step" must be more than 0, got {step}')
        step = None
    for key, value in (("min", low), ("max", high), ("step", step)):
        if integer and value is not None and value != int(value):
            c.add(loc, f'"{key}" ({value}) must be a whole number because "integer" is true')
    return {"min": low, "max": high, "integer": integer, "step": step,
            "unit": c.text(loc, "unit", data.get("unit"), ctx.languages)}


def _allocation_fields(c: _Collector, data: dict, loc: str, ctx: _Context) -> dict:
    integer = bool(c.boolean(loc, "integer", data.get("integer")))
    total = c.number(loc, "total", data.get("total"))
    if total is not None and total <= 0:
        c.add(loc, f'"total" must be more than 0, got {total}')
        total = None
    if integer and total is not None and total != int(total):
        c.add(loc, f'"total" ({total}) must be a whole number because "integer" is true')
    return {"items": _items(c, data.get("items"), loc, ctx), "total": total,
            "min": 0, "max": total, "integer": integer,
            "unit": c.text(loc, "unit", data.get("unit"), ctx.languages)}


def _free_text_fields(c: _Collector, data: dict, loc: str, ctx: _Context) -> dict:
    min_length = c.integer(loc, "min_length", data.get("min_length"), minimum=1)
    max_length = c.integer(loc, "max_length", data.get("max_length"), minimum=1)
    max_length = max_length or DEFAULT_MAX_LENGTH[data["type"]]
    if min_length is not None and min_length > max_length:
        c.add(loc, f'"min_length" ({min_length}) is more than "max_length" ({max_length})')
    pattern = _pattern(c, loc, data.get("pattern"))
    pattern_message = c.text(loc, "pattern_message", data.get("pattern_message"), ctx.languages)
    if data.get("pattern") is not None and data.get("pattern_message") is None:
        c.add(loc, '"pattern" needs a "pattern_message" that tells respondents what to write, '
                   'e.g. {de: "Bitte fünf Ziffern", en: "Please enter five digits"}')
    if data.get("pattern_message") is not None and data.get("pattern") is None:
        c.add(loc, '"pattern_message" is only used together with "pattern"')
    return {"min_length": min_length, "max_length": max_length,
            "pattern": pattern, "pattern_message": pattern_message}


def _pattern(c: _Collector, loc: str, value: object) -> str | None:
    """A regular expression that the whole answer must match, rejected here when it is
    invalid or could take very long to check (nested repetition such as (a+)+)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        c.add(loc, f'"pattern" must be a regular expression written as text, got {_kind(value)}')
        return None
    if len(value) > MAX_PATTERN_LENGTH:
        c.add(loc, f'"pattern" is longer than {MAX_PATTERN_LENGTH} characters')
        return None
    try:
        re.compile(value)
    except re.error as exc:
        c.add(loc, f'"pattern" is not a valid regular expression: {exc}')
        return None
    if _has_nested_repeat(sre_parse.parse(value)):
        c.add(loc, '"pattern" repeats a part that itself repeats (like "(a+)+"); such patterns can '
                   "take very long to check, so please write it without the nesting")
        return None
    return value


_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}


def _has_nested_repeat(parsed, inside_repeat: bool = False) -> bool:
    """True when a repeated part contains a part repeated a variable number of times:
    the shape ("(a+)+", "(a*b?)*") whose checking time can grow exponentially."""
    for op, arg in parsed:
        if op in _REPEATS:
            low, high, sub = arg
            if inside_repeat and low != high:
                return True
            if _has_nested_repeat(sub, inside_repeat or high > 1):
                return True
        elif any(_has_nested_repeat(sub, inside_repeat) for sub in _subpatterns(arg)):
            return True
    return False


def _subpatterns(arg):
    if isinstance(arg, sre_parse.SubPattern):
        yield arg
    elif isinstance(arg, (tuple, list)):
        for part in arg:
            yield from _subpatterns(part)


def _date_fields(c: _Collector, data: dict, loc: str, ctx: _Context) -> dict:
    bounds = {key: _date(c, loc, key, data.get(key)) for key in ("min_date", "max_date")}
    if None not in bounds.values() and bounds["min_date"] >= bounds["max_date"]:
        c.add(loc, f'"min_date" ({bounds["min_date"]}) must be before "max_date" ({bounds["max_date"]})')
    return bounds


def _date(c: _Collector, loc: str, key: str, value: object) -> str | None:
    """YAML reads 2017-03-31 as a date; a quoted "2017-03-31" is accepted too."""
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str) and conditions.ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    c.add(loc, f'"{key}" must be a date written as YYYY-MM-DD, got {reprlib.repr(value)}')
    return None


def _yes_no_fields(c: _Collector, data: dict, loc: str, ctx: _Context) -> dict:
    return {key: c.text(loc, key, data.get(key), ctx.languages) for key in ("yes_label", "no_label")}


def _note_fields(c: _Collector, data: dict, loc: str, ctx: _Context) -> dict:
    return {}


_TYPE_FIELDS = {
    "single_choice": _single_choice_fields,
    "multiple_choice": _multiple_choice_fields,
    "scale": _scale_fields,
    "matrix": _matrix_fields,
    "number": _number_fields,
    "allocation": _allocation_fields,
    "short_text": _free_text_fields,
    "long_text": _free_text_fields,
    "ranking": _ranking_fields,
    "date": _date_fields,
    "yes_no": _yes_no_fields,
    "note": _note_fields,
}


def _scale_ref(c: _Collector, value: object, loc: str, ctx: _Context) -> Scale | None:
    if value is None:
        return None
    if not isinstance(value, str):
        c.add(loc, f'"scale" must name a scale defined under "scales", got {_kind(value)}')
        return None
    if value not in ctx.declared_scales:
        known = ", ".join(sorted(ctx.declared_scales)) or "none"
        c.add(loc, f'unknown scale "{value}" (defined scales: {known})')
    return ctx.scales.get(value)


def _options(c: _Collector, value: object, loc: str, ctx: _Context, minimum: int) -> tuple[Option, ...]:
    options, seen = [], set()
    for i, data in enumerate(c.sequence(loc, "options", value, minimum)):
        option_loc = f"{loc} " + _named(data, "value", "option", f"options[{i}]")
        if not c.mapping(option_loc, data):
            continue
        c.check_keys(data, option_loc, ("value", "label"))
        option_value = c.slug(option_loc, "value", data.get("value"))
        _unique(c, option_loc, seen, option_value, "option value")
        label = c.text(option_loc, "label", data.get("label"), ctx.languages)
        if option_value is not None and label is not None:
            options.append(Option(option_value, label))
    return tuple(options)


def _items(c: _Collector, value: object, loc: str, ctx: _Context) -> tuple[Item, ...]:
    items, seen = [], set()
    for i, data in enumerate(c.sequence(loc, "items", value)):
        item_loc = f"{loc} " + _named(data, "id", "item", f"items[{i}]")
        if not c.mapping(item_loc, data):
            continue
        c.check_keys(data, item_loc, ("id", "label"), ("construct",))
        item_id = c.slug(item_loc, "id", data.get("id"))
        _unique(c, item_loc, seen, item_id, "item id")
        label = c.text(item_loc, "label", data.get("label"), ctx.languages)
        construct = c.construct(item_loc, data.get("construct"))
        if item_id is not None and label is not None:
            items.append(Item(item_id, label, construct))
    return tuple(items)
