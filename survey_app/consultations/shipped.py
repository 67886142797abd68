"""Drafts shipped with the app: questionnaires/consultations/<name>.<language>.md (pure).

A draft may come in several languages: `aufgabenbeschreibung-quartiersmanagement.de.md` and
`...en.md` are one draft in German with its English translation (the same headings and
sections in the same order). The draft's language is German when there is a German file,
else the first by name.
"""
from __future__ import annotations

import re
from pathlib import Path

_NAME = re.compile(r"^([a-z0-9][a-z0-9-]{0,99})(?:\.([a-z]{2}))?\.md$")


def shipped_drafts(folder: str | Path) -> dict[str, dict[str, str]]:
    """{name: {language: Markdown}} of every shipped draft, the draft's language first."""
    folder = Path(folder)
    found: dict[str, dict[str, str]] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        match = _NAME.match(path.name)
        if match and path.is_file():
            found.setdefault(match.group(1), {})[match.group(2) or "de"] = path.read_text(encoding="utf-8")
    return {name: dict(sorted(texts.items(), key=lambda item: item[0] != "de")) for name, texts in found.items()}
