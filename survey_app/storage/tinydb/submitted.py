"""Which drafts of a survey were submitted (surveys/<id>/submitted.json), without linking them
to their responses: one document {"hashes": [...]}, the SHA-256 of each submitted draft's id,
sorted (so neither the order nor the time of submission can be read from it).

A submitted draft is deleted; this set is what makes a second submit of the same draft (double
click, retry, back button, another process) store nothing. Draft ids are random (uuid4) and
exist after submission only in the respondent's own browser, so the hash names nobody and
links no response (responses carry no draft id).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from survey_app.storage.tinydb.files import Files, read_one, replace_one

NAME = "submitted.json"


def draft_hash(draft_id: str) -> str:
    return hashlib.sha256(draft_id.encode()).hexdigest()


def _read(files: Files, survey_dir: Path) -> list[str]:
    if not (survey_dir / NAME).exists():
        return []
    with files.open(survey_dir / NAME) as db:
        found = read_one(db)
    return list(found["hashes"]) if found else []


def remember(files: Files, survey_dir: Path, draft_ids: list[str]) -> None:
    """Add submitted drafts to the set; hold the survey lock."""
    hashes = set(_read(files, survey_dir)) | {draft_hash(d) for d in draft_ids}
    with files.open(survey_dir / NAME) as db:
        if db.all():
            replace_one(db, {"hashes": sorted(hashes)})
        else:
            db.insert({"hashes": sorted(hashes)})


def was_submitted(files: Files, survey_dir: Path, draft_id: str) -> bool:
    return draft_hash(draft_id) in set(_read(files, survey_dir))


def count(files: Files, survey_dir: Path) -> int:
    return len(_read(files, survey_dir))
