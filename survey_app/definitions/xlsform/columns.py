"""Columns, languages and texts of an XLSForm.

Column headings are read the way pyxform (the reference implementation) reads them, with its
alias tables: `label::English (en)`, old single-colon `label:English (en)`, `caption`,
`bind:relevant`, `bind::constraint`, `constraint_message::…`, `media::image::…` and so on.
A language column names its language as `Name (code)` (the XLSForm specification), as a
code (`en`, `pt-BR`) or as a name alone (`English`, `Deutsch`, `chinese`, `Chichewa`): names
are looked up in the language names Babel knows, in English, German, French, Spanish,
Portuguese and in each language itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from survey_app.definitions.imports import TextFindings, html_to_text, language_code, slug

# Fields whose columns may carry a language.
TRANSLATABLE = {"label", "hint", "guidance_hint", "constraint_message", "required_message", "image", "audio",
                "video", "big-image"}
MEDIA = ("image", "audio", "video", "big-image")
# pyxform's internal names (after its aliases) -> the names used here.
_INTERNAL = {
    ("bind", "relevant"): "relevant", ("bind", "required"): "required", ("bind", "constraint"): "constraint",
    ("bind", "jr:constraintMsg"): "constraint_message", ("bind", "jr:requiredMsg"): "required_message",
    ("bind", "calculate"): "calculation", ("bind", "readonly"): "read_only", ("control", "appearance"): "appearance",
    ("control", "jr:count"): "repeat_count", ("bind", "jr:noAppErrorString"): "no_app_error_string",
    ("media", "image"): "image", ("media", "big-image"): "big-image", ("media", "audio"): "audio",
    ("media", "video"): "video", ("control", "rows"): "rows", ("control", "autoplay"): "autoplay",
}
# Names of languages that Babel spells otherwise (or not at all).
EXTRA_NAMES = {"chichewa": "ny", "chewa": "ny", "chinyanja": "ny", "farsi": "fa", "dari": "prs", "kiswahili": "sw",
               "castellano": "es", "mandarin": "zh", "cantonese": "yue", "filipino": "fil", "tagalog": "tl",
               "burmese": "my", "kurmanji": "kmr", "sorani": "ckb", "tigrigna": "ti", "tigrinya": "ti",
               "oromo": "om", "afaan oromo": "om", "amharic": "am", "hausa": "ha", "yoruba": "yo", "igbo": "ig",
               "luganda": "lg", "kinyarwanda": "rw", "kirundi": "rn", "shona": "sn", "zulu": "zu", "xhosa": "xh",
               "pashto": "ps", "pushto": "ps", "urdu": "ur", "bangla": "bn", "bengali": "bn", "hindi": "hi",
               "nepali": "ne", "sinhala": "si", "tamil": "ta", "english": "en", "german": "de", "deutsch": "de"}


@dataclass(frozen=True)
class Column:
    field: str                  # label, hint, type, name, relevant, ... or the heading itself when unknown
    language: str | None        # the language as written in the heading (None: none given)
    heading: str


@lru_cache(maxsize=1)
def _aliases():
    from pyxform import aliases
    from pyxform.question import MultipleChoiceQuestion

    return aliases, set(MultipleChoiceQuestion.get_slot_names())


def parse_headings(headings: list[str], sheet: str) -> dict[str, Column]:
    """{heading: Column} for one sheet ("survey", "choices" or "settings")."""
    from pyxform.parsing.sheet_headers import process_header

    aliases, slots = _aliases()
    table = {"survey": aliases.survey_header, "choices": aliases.list_header,
             "settings": aliases.settings_header}[sheet]
    double = any("::" in h for h in headings)
    result = {}
    for heading in headings:
        cleaned = heading.strip()
        # A single-colon heading in a sheet that otherwise uses "::" (pyxform would not split it).
        single = re.fullmatch(r"(bind|control|body|media|label|hint|guidance_hint|constraint_message|"
                              r"required_message|image|audio|video)\s*:\s*([^:].*)", cleaned, re.I)
        if double and single and "::" not in cleaned:
            cleaned = f"{single.group(1)}::{single.group(2)}"
        try:
            _, tokens = process_header(cleaned, double or "::" in cleaned, table, slots | {"list_name", "name"})
        except Exception:  # pyxform's internals changed or the heading is odd: read it as it is
            tokens = (cleaned,)
        result[heading] = _column(tuple(tokens), heading, sheet)
    return result


def _column(tokens: tuple[str, ...], heading: str, sheet: str) -> Column:
    first = tokens[0].strip()
    rest = [t.strip() for t in tokens[1:]]
    if len(tokens) >= 2 and (first, rest[0]) in _INTERNAL:
        field, rest = _INTERNAL[(first, rest[0])], rest[1:]
    elif first in ("bind", "control", "body") and rest:
        field, rest = _snake(rest[0]), rest[1:]
        field = {"jr:constraintmsg": "constraint_message", "jr:requiredmsg": "required_message",
                 "calculate": "calculation", "readonly": "read_only"}.get(field, field)
    else:
        field = _snake(first)
        field = {"list name": "list_name", "list_name": "list_name", "caption": "label", "value": "name",
                 "constraint message": "constraint_message", "constraining_message": "constraint_message",
                 "relevance": "relevant", "readonly": "read_only", "calculate": "calculation",
                 "jr:constraintmsg": "constraint_message", "jr:requiredmsg": "required_message",
                 "requiredmsg": "required_message", "jr:count": "repeat_count", "count": "repeat_count",
                 "command": "type", "tag": "name"}.get(field, field)
        if sheet == "choices" and field == "name" and _snake(first) == "value":
            field = "name"
    language = rest[0] if rest and field in TRANSLATABLE else None
    if rest and field not in TRANSLATABLE:
        field = heading.strip()
    return Column(field, language or None, heading)


def _snake(text: str) -> str:
    return "_".join(text.split()).lower() if text.lower() not in ("big-image",) else text.lower()


# --------------------------------------------------------------------------- languages

@lru_cache(maxsize=1)
def _language_names() -> dict[str, str]:
    """Language names in English, German, French, Spanish and Portuguese -> code."""
    from babel import Locale

    names: dict[str, str] = {}
    for display in ("en", "de", "fr", "es", "pt"):
        for code, name in Locale(display).languages.items():
            if "_" not in code and len(code) <= 3:
                names.setdefault(name.lower(), code)
    names.update(EXTRA_NAMES)
    return names


@lru_cache(maxsize=1)
def _native_names() -> dict[str, str]:
    """Each language's name in itself (العربية -> ar); read only when a name is not found above."""
    from babel import Locale, localedata

    names: dict[str, str] = {}
    for identifier in localedata.locale_identifiers():
        if "_" in identifier:
            continue
        try:
            own = Locale.parse(identifier).languages.get(identifier)
        except Exception:
            continue
        if own:
            names.setdefault(own.lower(), identifier)
    return names


def _named(name: str) -> str | None:
    return _language_names().get(name) or _native_names().get(name)


def language_of(written: str) -> tuple[str, bool]:
    """Our code for a language as a heading writes it, and whether it was recognised:
    `English (en)` -> en, `pt-BR` -> pt_BR, `Deutsch` -> de, `Kinyankole` -> und-x-kinyanko."""
    text = " ".join(written.split())
    match = re.search(r"\(\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)\s*\)\s*$", text)
    if match and language_code(match.group(1)):
        return language_code(match.group(1)), True
    name = re.sub(r"\s*\(.*\)\s*$", "", text).strip().lower()
    if re.fullmatch(r"[a-z]{2,3}([-_][a-z0-9]{2,8})*", name) and name not in _language_names():
        code = language_code(name)
        if code and code.split("_")[0].split("-")[0] in set(_language_names().values()):
            return code, True
    if found := _named(name):
        return found.lower().replace("-", "_"), True
    return f"und-x-{slug(name).replace('_', '')[:8] or 'lang'}", False


_STOPWORDS = {
    "en": {"the", "and", "you", "your", "of", "how", "what", "is", "are", "do", "did", "in", "to", "with", "for"},
    "de": {"der", "die", "das", "und", "sie", "ihre", "ihr", "wie", "was", "ist", "sind", "mit", "für", "nicht",
           "haben", "zu", "den", "welche"},
    "fr": {"le", "la", "les", "et", "vous", "votre", "est", "des", "quel", "quelle", "pour", "avec", "dans"},
    "es": {"el", "la", "los", "las", "y", "usted", "su", "es", "qué", "cuál", "para", "con", "en", "de"},
    "pt": {"o", "os", "as", "e", "você", "seu", "sua", "é", "qual", "para", "com", "em", "não"},
    "sw": {"na", "ya", "wa", "kwa", "je", "ni", "katika", "hii", "yako"},
}
_SCRIPTS = (("ar", r"[\u0600-\u06ff]"), ("ru", r"[\u0400-\u04ff]"), ("zh", r"[\u4e00-\u9fff]"),
            ("am", r"[\u1200-\u137f]"), ("hi", r"[\u0900-\u097f]"), ("he", r"[\u0590-\u05ff]"))


def guess_language(texts: list[str], exclude: set[str]) -> str | None:
    """The language that unmarked texts look like, from common words or the script; None
    when nothing points to one."""
    sample = " ".join(texts[:300]).lower()
    for code, pattern in _SCRIPTS:
        if code not in exclude and len(re.findall(pattern, sample)) > len(sample) * 0.2:
            return code
    words = re.findall(r"\w+", sample)
    scores = {code: sum(word in stop for word in words) for code, stop in _STOPWORDS.items() if code not in exclude}
    best = max(scores, key=scores.get, default=None)
    return best if best and scores[best] >= 2 else None


# --------------------------------------------------------------------------- texts

MARK = "[…]"   # stands where a ${name} reference was in a text
_REFERENCE = re.compile(r"\$\{\s*([^}]*)\}")
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_MARKDOWN_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


@dataclass
class Cleaned:
    text: str
    references: list[str]
    findings: TextFindings
    markdown: bool = False


def clean_text(raw: str) -> Cleaned:
    """A label or hint as plain text: ${name} references become […], HTML is reduced to text
    (scripts removed), Markdown links and bold are written out."""
    findings = TextFindings()
    references: list[str] = []

    def mark(match):
        references.append(match.group(1).strip()[:60])
        return MARK

    text = _REFERENCE.sub(mark, raw)
    if "<" in text or "&" in text:
        text = html_to_text(text, findings)
    markdown = False
    if _MARKDOWN_LINK.search(text) or _MARKDOWN_EMPHASIS.search(text) or re.search(r"(?m)^#{1,6} ", text):
        markdown = True
        text = _MARKDOWN_LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
        text = _MARKDOWN_EMPHASIS.sub(lambda m: m.group(2), text)
        text = re.sub(r"(?m)^#{1,6} +", "", text)
    return Cleaned(text.strip(), list(dict.fromkeys(references)), findings, markdown)
