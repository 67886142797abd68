"""A draft document: Markdown split into headings and numbered sections (pure).

Every top-level block of the Markdown (a paragraph, a list, a quotation, a code block) is a
section that partners comment on; headings structure the text and are not commented on.
Sections are numbered 1, 2, 3 ... through the whole draft. Each block gets an id ("s7") that
stays when the text is edited a little: a new version is matched against the previous one
(identical blocks first, then similar ones in the same place), so that comments stay with
their section. A block of the old version that finds no match is removed in the new one;
comments on it stay, marked as such (review.py).

Markdown is rendered with markdown-it-py's CommonMark parser with raw HTML switched off: HTML
and scripts in a draft are shown as text, never run; links may only point to http(s), mailto
or within the page (markdown-it refuses javascript:, vbscript:, file: and data: links);
images are not rendered (a draft names no other site's content).
"""
from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

MAX_BYTES = 500 * 1024          # a task description has some 20 KB; this is room for much more
MAX_BLOCKS = 400
SIMILAR = 0.5                   # blocks at least this similar (difflib ratio) in the same place keep their id

HEADING, TEXT = "heading", "text"

# Problems a draft can have; the web layer words them (consultations view) with `line` and `detail`.
EMPTY, NOT_TEXT, TOO_LARGE, NO_HEADING, TOO_MANY, TRANSLATION = (
    "empty", "not_text", "too_large", "no_heading", "too_many", "translation")

_BLOCK_OPENERS = {"paragraph_open", "bullet_list_open", "ordered_list_open", "blockquote_open", "fence",
                  "code_block", "heading_open"}


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


_MD = _parser()


@dataclass(frozen=True)
class Problem:
    kind: str
    line: int = 0              # 1-based; 0 when it concerns the whole text
    detail: str = ""           # a number or a language, for the message


class DocumentError(ValueError):
    def __init__(self, problems: Sequence[Problem]):
        super().__init__("; ".join(f"{p.kind} {p.line} {p.detail}".strip() for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Block:
    id: str                     # "s1", "s2" ...: stable across versions
    kind: str                   # HEADING or TEXT
    level: int                  # heading level 1-6, 0 for sections
    text: Mapping[str, str]     # Markdown source per language (the draft's language first)
    line: int = 0               # first line in the draft's language

    def source(self, language: str | None = None) -> str:
        if language and language in self.text:
            return self.text[language]
        return next(iter(self.text.values()))

    def to_record(self) -> dict:
        return {"id": self.id, "kind": self.kind, "level": self.level, "text": dict(self.text), "line": self.line}

    @classmethod
    def from_record(cls, record: Mapping) -> "Block":
        return cls(record["id"], record["kind"], int(record.get("level", 0)), dict(record["text"]),
                   int(record.get("line", 0)))


@dataclass(frozen=True)
class Document:
    """One version of a draft: its blocks in order and the section numbers."""
    blocks: tuple[Block, ...]
    languages: tuple[str, ...]
    numbers: Mapping[str, int] = field(default_factory=dict)   # section id -> 1, 2, ...

    @classmethod
    def of(cls, blocks: Iterable[Block], languages: Sequence[str]) -> "Document":
        blocks = tuple(blocks)
        sections = [b.id for b in blocks if b.kind == TEXT]
        return cls(blocks, tuple(languages), {sid: number for number, sid in enumerate(sections, start=1)})

    @property
    def sections(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == TEXT]

    def block(self, block_id: str) -> Block | None:
        return next((b for b in self.blocks if b.id == block_id), None)

    def heading_of(self, block_id: str, language: str | None = None) -> str:
        """The nearest heading above a section (its plain text), for tables."""
        heading = ""
        for block in self.blocks:
            if block.id == block_id:
                return heading
            if block.kind == HEADING:
                heading = plain_text(block.source(language))
        return heading

    def markdown(self, language: str | None = None) -> str:
        return "\n\n".join(b.source(language) for b in self.blocks) + "\n"

    @property
    def title(self) -> str:
        first = self.blocks[0] if self.blocks else None
        return plain_text(first.source()) if first is not None and first.kind == HEADING else ""

    def to_record(self) -> dict:
        return {"languages": list(self.languages), "blocks": [b.to_record() for b in self.blocks]}

    @classmethod
    def from_record(cls, record: Mapping) -> "Document":
        return cls.of((Block.from_record(b) for b in record.get("blocks", ())), record.get("languages") or ["de"])


# -- reading Markdown ------------------------------------------------------------------------

def decode(raw: bytes) -> str:
    """The text of an uploaded file; DocumentError when it is too large or not UTF-8 text."""
    if len(raw) > MAX_BYTES:
        raise DocumentError([Problem(TOO_LARGE, 0, f"{len(raw) / 1024 / 1024:.1f}")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError([Problem(NOT_TEXT)]) from None
    if "\x00" in text:
        raise DocumentError([Problem(NOT_TEXT)])
    return text


def split_blocks(markdown: str) -> list[tuple[str, int, str, int]]:
    """(kind, level, source, first line) of each top-level block; DocumentError for a draft that
    is empty, too large, has no heading or too many blocks."""
    if len(markdown.encode("utf-8")) > MAX_BYTES:
        raise DocumentError([Problem(TOO_LARGE, 0, f"{len(markdown.encode('utf-8')) / 1024 / 1024:.1f}")])
    found = blocks_of(markdown)
    if not found:
        raise DocumentError([Problem(EMPTY)])
    if not any(kind == HEADING for kind, *_ in found):
        raise DocumentError([Problem(NO_HEADING, 1)])
    if len(found) > MAX_BLOCKS:
        raise DocumentError([Problem(TOO_MANY, found[MAX_BLOCKS][3], str(MAX_BLOCKS))])
    return found


def blocks_of(markdown: str) -> list[tuple[str, int, str, int]]:
    """(kind, level, source, first line) of each top-level block of any Markdown text."""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    found = []
    for token in _MD.parse(text):
        if token.level != 0 or token.type not in _BLOCK_OPENERS or not token.map:
            continue
        start, end = token.map
        source = "\n".join(lines[start:end]).strip("\n")
        if token.type == "heading_open":
            found.append((HEADING, int(token.tag[1]), source, start + 1))
        else:
            found.append((TEXT, 0, source, start + 1))
    return found


def parse(texts: Mapping[str, str], previous: Document | None = None, used_ids: Iterable[str] = ()) -> Document:
    """A new version from Markdown per language (the draft's language first). Translations must
    have the same blocks in the same order. Ids come from `previous` where a block matches one
    of it; new blocks get ids never used before (`used_ids`: those of every earlier version)."""
    languages = list(texts)
    primary = split_blocks(texts[languages[0]])
    translated = {}
    for language in languages[1:]:
        try:
            other = split_blocks(texts[language])
        except DocumentError as error:
            raise DocumentError([Problem(p.kind, p.line, language) for p in error.problems]) from None
        if [(k, lv) for k, lv, _, _ in other] != [(k, lv) for k, lv, _, _ in primary]:
            line = next((o[3] for o, p in zip(other, primary) if (o[0], o[1]) != (p[0], p[1])),
                        other[min(len(other), len(primary)) - 1][3])
            raise DocumentError([Problem(TRANSLATION, line, language)])
        translated[language] = [source for _, _, source, _ in other]
    ids = _match_ids([(kind, source) for kind, _, source, _ in primary], previous, used_ids)
    blocks = []
    for index, ((kind, level, source, line), block_id) in enumerate(zip(primary, ids)):
        text = {languages[0]: source, **{lang: translated[lang][index] for lang in languages[1:]}}
        blocks.append(Block(block_id, kind, level, text, line))
    return Document.of(blocks, languages)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _match_ids(new: list[tuple[str, str]], previous: Document | None, used_ids: Iterable[str]) -> list[str]:
    used = {*used_ids, *(b.id for b in previous.blocks)} if previous else set(used_ids)
    counter = max((int(i[1:]) for i in used if re.fullmatch(r"s\d+", i)), default=0)
    ids: list[str | None] = [None] * len(new)
    if previous is not None:
        old = [(b.kind, b.source()) for b in previous.blocks]
        matcher = difflib.SequenceMatcher(None, [f"{k}:{_key(t)}" for k, t in old],
                                          [f"{k}:{_key(t)}" for k, t in new], autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                for offset in range(i2 - i1):
                    ids[j1 + offset] = previous.blocks[i1 + offset].id
            elif op == "replace":
                free = list(range(i1, i2))
                for j in range(j1, j2):
                    scored = [(difflib.SequenceMatcher(None, _key(old[i][1]), _key(new[j][1])).ratio(), i)
                              for i in free if old[i][0] == new[j][0]]
                    if scored:
                        ratio, best = max(scored)
                        if ratio >= SIMILAR:
                            ids[j] = previous.blocks[best].id
                            free = [i for i in free if i > best]   # keep the order of the text
    for index, found in enumerate(ids):
        if found is None:
            counter += 1
            ids[index] = f"s{counter}"
    return ids  # type: ignore[return-value]


def content_hash(document: Document) -> str:
    return hashlib.sha256(repr([b.to_record() for b in document.blocks]).encode("utf-8")).hexdigest()


# -- showing it ------------------------------------------------------------------------------

def render(source: str) -> str:
    """Safe HTML of a block's Markdown: raw HTML is escaped, unsafe links are not made."""
    return _MD.render(source)


def render_block(block: Block, language: str | None = None, shift: int = 1) -> str:
    """A block as HTML; headings `shift` levels lower (the page's own title is the h1)."""
    if block.kind != HEADING:
        return render(block.source(language))
    tokens = _MD.parse(block.source(language))
    inline = next((t.content for t in tokens if t.type == "inline"), "")
    level = min(block.level + shift, 6)
    return f"<h{level}>{_MD.renderInline(inline)}</h{level}>"


def plain_text(source: str) -> str:
    """The text of a block without Markdown marks (for tables and downloads): list items start
    with "• ", line breaks inside a paragraph become spaces."""
    lines, bullet = [], False
    for token in _MD.parse(source):
        if token.type == "list_item_open":
            bullet = True
        elif token.type == "inline":
            parts = []
            for child in token.children or ():
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type == "softbreak":
                    parts.append(" ")
                elif child.type == "hardbreak":
                    parts.append("\n")
            lines.append(("• " if bullet else "") + "".join(parts))
            bullet = False
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.rstrip("\n"))
    text = "\n".join(line for line in lines if line.strip())
    return text.strip() or source.strip()
