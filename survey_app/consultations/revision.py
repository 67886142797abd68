"""The revised draft and the differences between two versions (pure).

The evaluator revises the draft section by section: a section with an accepted proposed
wording starts with that wording (the first accepted one when there are several; the others
are listed beside it), every other section with its current text. What the evaluator saves
becomes the next version of the draft. Each section keeps its id, so comments stay with it; a
section emptied is removed (its comments stay, marked so), one split into several paragraphs
keeps its id for the first of them. The revision is in the draft's language; translations of
sections left unchanged are carried over.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from markupsafe import Markup, escape

from survey_app.consultations.document import (
    HEADING,
    MAX_BLOCKS,
    NO_HEADING,
    TOO_MANY,
    Block,
    Document,
    DocumentError,
    Problem,
    blocks_of,
)
from survey_app.consultations.review import ACCEPTED, PARTLY, Review


def accepted_proposals(result: Review) -> dict[str, list[str]]:
    """Proposed wordings per section id whose comment was answered "accepted" or "partly"
    (accepted ones first)."""
    found: dict[str, list[tuple[int, str]]] = {}
    for section in result.sections:
        for comment in section.comments:
            decision = (comment.decision or {}).get("decision")
            if comment.proposal.strip() and decision in (ACCEPTED, PARTLY):
                found.setdefault(section.block.id, []).append((0 if decision == ACCEPTED else 1, comment.proposal))
    return {sid: [text for _, text in sorted(items, key=lambda item: item[0])] for sid, items in found.items()}


def starting_texts(document: Document, result: Review) -> dict[str, str]:
    """What the revision form starts with per section: the first accepted wording, else the text."""
    first: dict[str, str] = {}
    for section in result.sections:
        for comment in section.comments:
            if comment.proposal.strip() and (comment.decision or {}).get("decision") == ACCEPTED:
                first.setdefault(section.block.id, comment.proposal)
    return {b.id: first.get(b.id, b.source()) for b in document.sections}


def revise(document: Document, texts: Mapping[str, str], used_ids: Iterable[str]) -> Document:
    """The next version: `document` with the sections named in `texts` replaced (an empty
    text removes the section). DocumentError when nothing is left but headings or when it gets
    too long."""
    language = document.languages[0]
    counter = max((int(i[1:]) for i in {*used_ids, *(b.id for b in document.blocks)} if re.fullmatch(r"s\d+", i)),
                  default=0)
    blocks: list[Block] = []
    for block in document.blocks:
        if block.kind == HEADING or block.id not in texts or texts[block.id].strip() == block.source().strip():
            blocks.append(block)
            continue
        for index, (kind, level, source, _line) in enumerate(blocks_of(texts[block.id])):
            if index == 0:
                block_id = block.id
            else:
                counter += 1
                block_id = f"s{counter}"
            blocks.append(Block(block_id, kind, level, {language: source}))
    if not any(b.kind != HEADING for b in blocks):
        raise DocumentError([Problem(NO_HEADING)]) if not any(b.kind == HEADING for b in blocks) else \
            DocumentError([Problem("no_sections")])
    if len(blocks) > MAX_BLOCKS:
        raise DocumentError([Problem(TOO_MANY, 0, str(MAX_BLOCKS))])
    languages = [lang for lang in document.languages if all(lang in b.text for b in blocks)]
    kept = [Block(b.id, b.kind, b.level, {lang: b.text[lang] for lang in languages}) for b in blocks]
    return Document.of(kept, languages)


# -- differences -----------------------------------------------------------------------------

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"


@dataclass(frozen=True)
class DiffRow:
    block_id: str
    kind: str
    status: str
    old_number: int | None
    new_number: int | None
    html: Markup                  # the Markdown source with <del> and <ins> marks, escaped


def word_diff(old: str, new: str) -> Markup:
    """`new` compared with `old` word by word: removed words in <del>, added ones in <ins>."""
    a, b = re.findall(r"\s+|[^\s]+", old), re.findall(r"\s+|[^\s]+", new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(Markup("<del>%s</del>") % "".join(a[i1:i2]))
        if j2 > j1:
            out.append(Markup("<ins>%s</ins>") % "".join(b[j1:j2]))
    return Markup("").join(out)


def diff(old: Document, new: Document) -> list[DiffRow]:
    """Every block of both versions in reading order, with what happened to it."""
    old_ids, new_ids = [b.id for b in old.blocks], [b.id for b in new.blocks]
    rows = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_ids, new_ids, autojunk=False).get_opcodes():
        if op == "equal":
            for before, after in zip(old.blocks[i1:i2], new.blocks[j1:j2]):
                same = before.source() == after.source()
                rows.append(DiffRow(after.id, after.kind, SAME if same else CHANGED, old.numbers.get(before.id),
                                    new.numbers.get(after.id),
                                    escape(after.source()) if same else word_diff(before.source(), after.source())))
            continue
        for before in old.blocks[i1:i2]:
            if before.id in new_ids:
                continue      # moved: shown where it is now
            rows.append(DiffRow(before.id, before.kind, REMOVED, old.numbers.get(before.id), None,
                                Markup("<del>%s</del>") % before.source()))
        for after in new.blocks[j1:j2]:
            previous = old.block(after.id)
            if previous is None:
                rows.append(DiffRow(after.id, after.kind, ADDED, None, new.numbers.get(after.id),
                                    Markup("<ins>%s</ins>") % after.source()))
            else:
                same = previous.source() == after.source()
                rows.append(DiffRow(after.id, after.kind, SAME if same else CHANGED, old.numbers.get(after.id),
                                    new.numbers.get(after.id),
                                    escape(after.source()) if same else word_diff(previous.source(), after.source())))
    return rows
