"""The draft task description as files (pure): Markdown (what a consultation round takes:
consultations/document.py makes every task's paragraph a section to comment on) and an
editable DOCX of the same text. Both are written from decisions.profiles.draft_sections.

`words` gives the headings in the reader's language: "title", CORE, SHARED, NOT_OURS (the
sections' headings), "with" ("... %s": the actors a shared task is shared with) and "belongs"
("... %s": the actor a task belongs to).
"""
from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence

from docx import Document

from survey_app.decisions.profiles import NOT_OURS, SHARED, DraftEntry, DraftSection
from survey_app.definitions.model import localized
from survey_app.text import clean

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _one_line(text: str) -> str:
    return " ".join(clean(text or "").split())


def _escape(text: str) -> str:
    """Text as Markdown shows it literally (no emphasis, links, headings or HTML)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _one_line(text))


def _note(entry: DraftEntry, kind: str, words: Mapping[str, str]) -> str:
    if kind == SHARED and entry.actors:
        return words["with"] % _one_line(entry.actors)
    if kind == NOT_OURS and entry.actors:
        return words["belongs"] % _one_line(entry.actors)
    return ""


def _parts(entry: DraftEntry, kind: str, words: Mapping[str, str], lang: str) -> tuple[str, str, str]:
    """(label, description, note) of one task, each on one line."""
    return _one_line(localized(entry.label, lang)), _one_line(entry.description), _note(entry, kind, words)


def to_markdown(sections: Sequence[DraftSection], words: Mapping[str, str], lang: str) -> str:
    """# title, ## one heading per classification, one paragraph per task:
    **Label.** Description (note)."""
    lines = [f"# {_escape(words['title'])}", ""]
    for section in sections:
        lines += [f"## {_escape(words[section.kind])}", ""]
        for entry in section.entries:
            label, description, note = _parts(entry, section.kind, words, lang)
            text = " ".join(part for part in (_escape(description), f"({_escape(note)})" if note else "") if part)
            lines += [f"**{_escape(label)}.**" + (f" {text}" if text else ""), ""]
    return "\n".join(lines).rstrip() + "\n"


def to_docx(sections: Sequence[DraftSection], words: Mapping[str, str], lang: str,
            facts: Sequence[str] = ()) -> bytes:
    """The same text as an editable Word document: the title, a few facts (where it comes
    from, the day), a heading per classification and a paragraph per task."""
    document = Document()
    document.add_heading(_one_line(words["title"]), level=1)
    for fact in facts:
        document.add_paragraph().add_run(_one_line(fact)).italic = True
    for section in sections:
        document.add_heading(_one_line(words[section.kind]), level=2)
        for entry in section.entries:
            label, description, note = _parts(entry, section.kind, words, lang)
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}.").bold = True
            if description:
                paragraph.add_run(f" {description}")
            if note:
                paragraph.add_run(f" ({note})").italic = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
