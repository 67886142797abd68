"""Questionnaire definitions: YAML files -> validated, immutable dataclasses.

Pure domain code: no Flask, no storage. Loading never raises on a bad file; it
returns the problems found (file, location, message) so that one broken file
cannot stop the app from serving the others.

Entry points: load_folder(folder) -> Catalogue, load_file(path) and
parse_definition(data, source). The file format is described in
docs/questionnaire-format.md.
"""
from __future__ import annotations

import hashlib
import reprlib
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from survey_app.definitions import conditions
from survey_app.definitions.loader import (
    ERROR,
    QUESTIONNAIRE_ID,
    WARNING,
    Collector,
    Problem,
    StrictLoader,
    kind,
    named,
    parse_languages,
    unique,
    yaml_problem,
)
from survey_app.definitions.model import Page, Question, Questionnaire, Scale, ScalePoint
from survey_app.questions.base import Context
from survey_app.questions.registry import QUESTION_TYPES, TYPES

@dataclass
class Catalogue:
    """Every definition found in a folder: the valid ones, the errors that kept the others
    out (`problems`), and warnings about loaded files (e.g. a text shown in the default
    language because its translation is missing)."""
    questionnaires: dict[str, Questionnaire] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


# --------------------------------------------------------------------------- loading

TOP_REQUIRED = ("id", "languages", "title", "intro", "anonymity", "pages")
TOP_OPTIONAL = ("duration_minutes", "scales", "partial_languages", "numbering")
SCALE_REQUIRED, SCALE_OPTIONAL = ("points",), ("ordered", "dont_know")
PAGE_REQUIRED, PAGE_OPTIONAL = ("id", "title", "questions"), ("intro", "show_if")
QUESTION_REQUIRED = ("id", "type", "text")
QUESTION_OPTIONAL = ("help", "required", "construct", "show_if")
# A question without an answer (a note) has nothing to require or to compare.
ONLY_WITH_ANSWERS = ("required", "construct")
# Per question type: (required keys, optional keys) on top of the common ones.
TYPE_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    name: (kind.required_keys, kind.optional_keys) for name, kind in TYPES.items()}
TYPE_SPECIFIC_KEYS = tuple(dict.fromkeys(key for req, opt in TYPE_KEYS.values() for key in (*req, *opt)))


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
        data = yaml.load(raw, Loader=StrictLoader)
    except yaml.YAMLError as exc:
        return None, [yaml_problem(name, raw, exc)]
    return parse_definition(data, name, hashlib.sha256(raw).hexdigest())


def parse_definition(
    data: object, source: str, content_hash: str = ""
) -> tuple[Questionnaire | None, list[Problem]]:
    """Validate already-parsed YAML data.

    Returns the questionnaire (None when there is any error) and every problem found,
    warnings included.
    """
    c = Collector(source)
    if data is None:
        c.add("file", "the file is empty")
        return None, c.problems
    if not isinstance(data, dict):
        c.add("top level", f"must be a mapping of keys (id, languages, title, ...), got {kind(data)}")
        return None, c.problems

    loc = "top level"
    c.check_keys(data, loc, TOP_REQUIRED, TOP_OPTIONAL)
    questionnaire_id = c.slug(loc, "id", data.get("id"), QUESTIONNAIRE_ID)
    ctx = Context(languages=parse_languages(c, data.get("languages")),
                   known_question_ids=_raw_question_ids(data.get("pages")))
    c.partial = _partial_languages(c, data.get("partial_languages"), ctx.languages)
    _scales(c, data.get("scales"), ctx)
    title = c.text(loc, "title", data.get("title"), ctx.languages)
    intro = c.text(loc, "intro", data.get("intro"), ctx.languages)
    anonymity = c.text(loc, "anonymity", data.get("anonymity"), ctx.languages)
    duration = c.integer(loc, "duration_minutes", data.get("duration_minutes"), minimum=1)
    numbering = c.boolean(loc, "numbering", data.get("numbering"))
    pages = _numbered(_pages(c, data.get("pages"), ctx), numbering is not False)
    for lang, count in c.partial_fallbacks.items():
        c.warn("top level", f'language "{lang}" is marked as partial: {count} '
                            f"{'text is' if count == 1 else 'texts are'} shown in "
                            f'"{ctx.languages[0]}" instead')

    if any(p.severity == ERROR for p in c.problems):
        return None, c.problems
    return Questionnaire(
        id=questionnaire_id, source=source, title=title, intro=intro, anonymity=anonymity,
        duration_minutes=duration, languages=ctx.languages, pages=pages, scales=ctx.scales,
        content_hash=content_hash, partial_languages=c.partial, numbering=numbering is not False,
    ), c.problems


# --------------------------------------------------------------------------- parts

def _partial_languages(c: Collector, value: object, languages: tuple[str, ...] | None) -> tuple[str, ...]:
    loc = "top level"
    if value is None or languages is None:
        return ()
    if not isinstance(value, list):
        c.add(loc, f'"partial_languages" must be a list such as [ar], got {kind(value)}')
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


def _show_if(c: Collector, loc: str, value: object, earlier: dict, ctx: Context, not_before: str):
    if value is None:
        return None
    condition, errors = conditions.parse(value, earlier, ctx.known_question_ids, not_before)
    for error in errors:
        c.add(loc, error)
    return condition


def _scales(c: Collector, value: object, ctx: Context) -> None:
    """Fill ctx.declared_scales (every name) and ctx.scales (the valid ones)."""
    if value is None:
        return
    if not isinstance(value, dict):
        c.add("top level", f'"scales" must be a mapping of scale ids to scales, got {kind(value)}')
        return
    for scale_id, data in value.items():
        loc = f'scale "{scale_id}"'
        ctx.declared_scales.add(str(scale_id))
        c.slug(loc, "scale id", scale_id)
        scale = _scale(c, scale_id, data, loc, ctx)
        if scale is not None:
            ctx.scales[scale_id] = scale


def _scale(c: Collector, scale_id: str, data: object, loc: str, ctx: Context) -> Scale | None:
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


def _pages(c: Collector, value: object, ctx: Context) -> tuple[Page, ...]:
    pages = []
    page_ids: set[str] = set()
    for i, data in enumerate(c.sequence("top level", "pages", value)):
        path = f"pages[{i}]"
        loc = named(data, "id", "page", path)
        if not c.mapping(loc, data):
            continue
        c.check_keys(data, loc, PAGE_REQUIRED, PAGE_OPTIONAL)
        page_id = c.slug(loc, "id", data.get("id"))
        unique(c, loc, page_ids, page_id, "page id")
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


def _numbered(pages: tuple[Page, ...], numbering: bool) -> tuple[Page, ...]:
    """Every question with an answer numbered 1, 2, ... in the order of the definition, across
    pages. The numbers follow the definition, not the respondent's way: a question hidden by
    branching keeps its number and leaves a gap, so that "question 7" is the same question on
    every respondent's page, in the results, the downloads and the codebook."""
    if not numbering:
        return pages
    numbers = iter(range(1, 10**6))
    return tuple(dataclasses.replace(page, questions=tuple(
        dataclasses.replace(q, number=next(numbers)) if q is not None and q.has_answer else q
        for q in page.questions)) for page in pages)


def _question(c: Collector, data: object, path: str, ctx: Context) -> Question | None:
    loc = named(data, "id", "question", path)
    if not c.mapping(loc, data):
        return None
    qtype = data.get("type")
    known_type = isinstance(qtype, str) and qtype in TYPE_KEYS
    if qtype is not None and not known_type:
        c.add(loc, f'unknown question type {reprlib.repr(qtype)}; allowed types: {", ".join(QUESTION_TYPES)}')
    if known_type:
        required, optional = TYPE_KEYS[qtype]
        excluded = () if TYPES[qtype].has_answer else ONLY_WITH_ANSWERS
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
        question = Question(**common, **TYPES[qtype].parse(c, data, loc, ctx))
        if any(p.severity == ERROR for p in c.problems[before:]):
            question = None
    if isinstance(question_id, str) and question_id not in ctx.earlier:
        ctx.earlier[question_id] = question
    return question
