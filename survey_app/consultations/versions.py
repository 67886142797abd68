"""The versions of a consultation's draft: every one is kept, each made from the one before
(pure, on storage.interface.Consultations).

A version record: {"number", "created_at" (given by the storage), "document" (document.Document
as a record), "source": "upload" | "shipped" | "revision" | "task_profiles", "by": user name, "file": name of the
uploaded or shipped file, "last_id": the highest section number ever given ("s<n>"), so that a
removed section's id is never given to a new one}.

Replacing the draft while organisations have commented on sections the new text no longer has
is refused unless the person confirms it: their comments stay (statements keep every entry)
and are shown marked as on a removed section.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from survey_app.consultations.document import Block, Document, DocumentError, parse
from survey_app.consultations.statements import has_content

UPLOAD, SHIPPED, REVISION = "upload", "shipped", "revision"
TASK_PROFILES = "task_profiles"   # the draft task description made from the task profiles (decisions/)


def documents(versions: Sequence[Mapping]) -> list[Document]:
    return [Document.from_record(v["document"]) for v in versions]


def _last_id(document: Document, before: int = 0) -> int:
    numbers = [int(b.id[1:]) for b in document.blocks if re.fullmatch(r"s\d+", b.id)]
    return max([before, *numbers])


def version_record(document: Document, source: str, by: str, file: str = "", latest: Mapping | None = None) -> dict:
    return {"document": document.to_record(), "source": source, "by": by, "file": file,
            "last_id": _last_id(document, int((latest or {}).get("last_id", 0)))}


def commented_sections(statements: Iterable[Mapping]) -> set[str]:
    """Ids of sections on which any organisation has written or chosen something (saved or
    submitted)."""
    return {sid for s in statements for sid, entry in (s.get("sections") or {}).items() if has_content(entry)}


def removed_with_comments(previous: Document | None, new: Document, statements: Iterable[Mapping]) -> list[Block]:
    """The sections of `previous` that have comments and that `new` no longer has."""
    if previous is None:
        return []
    kept = {b.id for b in new.blocks}
    commented = commented_sections(statements)
    return [b for b in previous.sections if b.id in commented and b.id not in kept]


class Refused(Exception):
    """The new text would remove sections with comments and that was not confirmed."""

    def __init__(self, sections: Sequence[tuple[int, Block]]):
        super().__init__("removes commented sections")
        self.sections = tuple(sections)      # (number in the previous version, block)


class Outdated(Exception):
    """Another version was stored since the one a revision was made from; nothing stored."""


def add_version(store, consultation_id: str, texts: Mapping[str, str], source: str, by: str, file: str = "",
                confirmed: bool = False) -> dict:
    """Parse `texts` (Markdown per language, the draft's language first) against the latest
    version and store it as the next one. DocumentError for a text that cannot be a draft;
    Refused when it removes commented sections and `confirmed` is false (nothing stored)."""
    statements = store.statements(consultation_id)

    def make(latest: Mapping | None) -> dict:
        previous = Document.from_record(latest["document"]) if latest else None
        used = [f"s{latest['last_id']}"] if latest else []
        document = parse(texts, previous, used)
        lost = removed_with_comments(previous, document, statements)
        if lost and not confirmed:
            raise Refused(tuple((previous.numbers[b.id], b) for b in lost))
        return version_record(document, source, by, file, latest)

    return store.add_consultation_version(consultation_id, make)


def start_consultation(store, record: Mapping, texts: Mapping[str, str], source: str, by: str,
                       file: str = "") -> dict:
    """Store a new consultation (model.new_consultation's record) with `texts` as its first
    version; DocumentError (nothing stored) for a text that cannot be a draft."""
    parse(texts)
    stored = store.add_consultation(dict(record))
    add_version(store, stored["id"], texts, source, by, file)
    return stored


def add_document(store, consultation_id: str, document: Document, based_on: int, source: str, by: str) -> dict:
    """Store an already made document (a revision of version `based_on`) as the next version;
    Outdated when `based_on` is no longer the latest."""
    def make(latest: Mapping | None) -> dict:
        if latest is None or latest["number"] != based_on:
            raise Outdated()
        return version_record(document, source, by, "", latest)

    return store.add_consultation_version(consultation_id, make)


__all__ = ["DocumentError", "Outdated", "Refused", "TASK_PROFILES", "add_document", "add_version", "commented_sections", "documents",
           "removed_with_comments", "start_consultation", "version_record"]
