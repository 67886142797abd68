"""What every importer (LimeSurvey .lss, XLSForm) shares: the report it gives, the ids it
makes, the texts it cleans and the conditions it simplifies.

Pure: no Flask, no storage. Report lines are English msgids marked with N_() and formatted
with named parameters, so a caller shows them in the user's language: Note.render(gettext);
the CLI passes flask_babel's gettext, the admin page its own `_`.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

# What the app itself guarantees for every survey (see fielding.build_response).
ANONYMITY = {
    "de": "Ihre Antworten werden ohne Namen, IP-Adresse und Uhrzeit gespeichert.",
    "en": "Your answers are stored without your name, IP address or time of day.",
}


def N_(message: str) -> str:
    """Marks a msgid for extraction (pybabel knows N_); it is translated when it is shown."""
    return message


def _same(message: str) -> str:
    return message


# --------------------------------------------------------------------------- report

@dataclass(frozen=True)
class Note:
    """One line of an import report: where, what, and whether it was changed or left out."""
    place: str                       # msgid: N_("survey"), N_("question %(question)s"), N_("survey row %(row)d")
    message: str                     # msgid with %(name)s parameters
    params: tuple = ()               # ((name, value), ...) for place and message
    kind: str = "dropped"            # "dropped" (not carried over) or "changed" (carried over differently)

    def render(self, gettext: Callable[[str], str] = _same) -> str:
        params = {key: value.render(gettext) if isinstance(value, Message) else value for key, value in self.params}
        return f"{gettext(self.place) % params}: {gettext(self.message) % params}"

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class Message:
    """A msgid with its parameters, used inside a Note (e.g. why an equation was not carried over)."""
    message: str
    params: tuple = ()

    def render(self, gettext: Callable[[str], str] = _same) -> str:
        return gettext(self.message) % {key: value.render(gettext) if isinstance(value, Message) else value
                                        for key, value in self.params}

    def __str__(self) -> str:
        return self.render()


class ImportFailure(ValueError):
    """A file that cannot be imported at all; the message is a msgid with named parameters."""

    def __init__(self, message: str, **params):
        self.message, self.params = message, params
        super().__init__(message % params)

    def render(self, gettext: Callable[[str], str] = _same) -> str:
        return gettext(self.message) % self.params


@dataclass
class Conversion:
    definition: dict | None
    notes: list[Note] = field(default_factory=list)
    question_count: int = 0

    @property
    def usable(self) -> bool:
        return self.definition is not None and self.question_count > 0


# --------------------------------------------------------------------------- ids

_UMLAUTS = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss"))


def ascii_text(text: str) -> str:
    """Text in ASCII letters where it has an obvious spelling: ü -> ue, é -> e; others vanish."""
    for umlaut, plain in _UMLAUTS:
        text = text.replace(umlaut, plain)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def slug(name: object) -> str:
    """An id of our format ([a-z0-9_]+) from a name of another tool: `Q1-a` -> `q1_a`."""
    return re.sub(r"[^a-z0-9_]+", "_", ascii_text(str(name).strip()).lower()).strip("_") or "item"


def unique(candidate: str, taken: set[str]) -> str:
    result, number = candidate, 2
    while result in taken:
        result, number = f"{candidate}_{number}", number + 1
    return result


# --------------------------------------------------------------------------- languages

_BASE_LANGUAGE = re.compile(r"[a-z]{2,3}")


def language_code(code: str) -> str | None:
    """LimeSurvey's language code as ours: de -> de, pt-BR -> pt_BR, de-easy -> de-x-easy,
    de-informal -> de-x-informal, zh-Hans -> zh-x-hans; None when it is not a language code."""
    parts = [p for p in re.split(r"[-_]", code.strip()) if p]
    if not parts or not _BASE_LANGUAGE.fullmatch(parts[0].lower()):
        return None
    result, region, variant = parts[0].lower(), None, []
    for part in parts[1:]:
        if region is None and not variant and re.fullmatch(r"[A-Za-z]{2}", part):
            region = part.upper()
        else:
            variant.append(part.lower())
    if region:
        result += f"_{region}"
    suffix = re.sub(r"[^a-z0-9]", "", "".join(variant))[:8]
    return f"{result}-x-{suffix}" if suffix else result


# --------------------------------------------------------------------------- texts

_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.I | re.S)
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
               "blockquote", "section", "article", "hr", "dd", "dt"}
_MEDIA_TAGS = {"img", "iframe", "video", "audio", "object", "embed", "svg", "canvas", "picture", "source"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "iframe", "object", "svg", "canvas", "select", "textarea"}


@dataclass
class TextFindings:
    """What was removed from the texts of one question."""
    scripts: bool = False
    media: bool = False
    expressions: list[str] | None = None
    markup: bool = False             # tags or entities were there and were reduced to text

    def add_expression(self, code: str) -> None:
        self.expressions = (self.expressions or [])
        if code not in self.expressions:
            self.expressions.append(code)


class _TextExtractor(HTMLParser):
    def __init__(self, findings: TextFindings):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.findings = findings

    def handle_starttag(self, tag, attrs):
        self.findings.markup = True
        if any(name.startswith("on") or (value or "").strip().lower().startswith("javascript:")
               for name, value in attrs):
            self.findings.scripts = True
        if tag in _MEDIA_TAGS:
            self.findings.media = True
        if tag in _SKIP_TAGS:
            self.skip += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        skipping = tag in _SKIP_TAGS
        self.handle_starttag(tag, attrs)
        if skipping:
            self.skip -= 1

    def handle_endtag(self, tag):
        self.findings.markup = True
        if tag in _SKIP_TAGS and self.skip:
            self.skip -= 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(source: str | None, findings: TextFindings,
                 prepare: Callable[[str], str] | None = None) -> str:
    """HTML as plain text: tags dropped, entities decoded, scripts and styles removed (and
    recorded in `findings`), white space tidied. `prepare` sees the text once the script
    blocks are gone, before the tags are read (an importer removes its own code there)."""
    if not source:
        return ""
    if _SCRIPT.search(source):
        if re.search(r"<script\b", source, re.I):
            findings.scripts = True
        findings.markup = True
        source = _SCRIPT.sub(" ", source)
    if prepare is not None:
        source = prepare(source)
    if re.search(r"&(#\d+|#x[0-9a-f]+|[a-z]+\d*);", source, re.I):
        findings.markup = True
    extractor = _TextExtractor(findings)
    extractor.feed(source)
    extractor.close()
    text = "".join(extractor.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --------------------------------------------------------------------------- conditions

def negate(condition: dict) -> dict:
    if set(condition) == {"not"}:
        return condition["not"]
    if set(condition) == {"question", "answered"}:
        return {"question": condition["question"], "answered": not condition["answered"]}
    return {"not": condition}


def combine(key: str, parts: list[dict]) -> dict:
    """all/any of parts, flattened (an all inside an all is one all), without repeats and
    without guards that our rules make redundant: tools write `answered(Q) and Q < 3`, but
    every comparison here is false while Q is unanswered anyway."""
    flat: list[dict] = []
    for part in parts:
        for item in (part[key] if set(part) == {key} else [part]):
            if item not in flat:
                flat.append(item)
    if key == "all":
        positive = {p["question"] for p in flat if "question" in p and "answered" not in p}
        flat = [p for p in flat if not (p.get("answered") is True and p["question"] in positive)]
    else:
        negated = {p["not"].get("question") for p in flat if set(p) == {"not"} and "equals" in p["not"]}
        flat = [p for p in flat if not (p.get("answered") is False and p["question"] in negated)]
        flat = _one_of(flat)
    return flat[0] if len(flat) == 1 else {key: flat}


def _one_of(parts: list[dict]) -> list[dict]:
    """Several `equals` on one question inside an any become one `one_of`."""
    by_question: dict[str, list] = defaultdict(list)
    for part in parts:
        if set(part) == {"question", "equals"}:
            by_question[part["question"]].append(part["equals"])
        elif set(part) == {"question", "one_of"}:
            by_question[part["question"]].extend(part["one_of"])
    result, done = [], set()
    for part in parts:
        question = part.get("question")
        if set(part) in ({"question", "equals"}, {"question", "one_of"}) and len(by_question[question]) > 1:
            if question not in done:
                result.append({"question": question, "one_of": list(dict.fromkeys(by_question[question]))})
                done.add(question)
        else:
            result.append(part)
    return result


def depth(condition: dict) -> int:
    for key in ("all", "any"):
        if key in condition:
            return 1 + max(depth(c) for c in condition[key])
    if "not" in condition:
        return 1 + depth(condition["not"])
    return 0


# --------------------------------------------------------------------------- output

def to_yaml(definition: dict, origin: str = "an XLSForm") -> str:
    """The definition as YAML text, headed by a comment naming where it was imported from."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data):   # a text used twice is written twice, not as &id001 / *id001
            return True

    header = f"# Imported from {origin}; see docs/imports.md\n"
    return header + yaml.dump(definition, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=100)
