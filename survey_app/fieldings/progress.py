"""Partial responses: resume codes and where respondents stopped (pure).

A draft (the answers of a respondent who has not submitted yet) can be continued later,
on any device, with its resume code. Drafts never count in results; evaluators see only
how many were started and submitted and on which page the others stopped.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from survey_app.codes import new_code, normalize_code

RESUME_CODE_LENGTH = 8   # 31^8 codes per survey; guessing is slowed down as well (guessing.py)


def new_resume_code() -> str:
    return new_code(RESUME_CODE_LENGTH)


def normalize_resume_code(text: str | None) -> str | None:
    return normalize_code(text, RESUME_CODE_LENGTH)


def draft_with_code(drafts: Iterable[Mapping], code: str) -> Mapping | None:
    """The open draft with this resume code; a submitted draft cannot be resumed."""
    return next((d for d in drafts if d.get("resume_code") == code and d.get("status") == "open"), None)


@dataclass(frozen=True)
class Completion:
    started: int
    submitted: int
    stopped_on_page: tuple[tuple[int, int], ...]   # (page number from 1, open drafts there)

    @property
    def rate(self) -> float | None:
        return self.submitted / self.started if self.started else None


def completion(drafts: Iterable[Mapping], submitted: int = 0) -> Completion:
    """From the drafts not submitted and how many were submitted (their drafts are deleted)."""
    drafts = list(drafts)
    open_pages = Counter(int(d.get("page", 0)) + 1 for d in drafts if d.get("status") == "open")
    done = submitted + sum(d.get("status") == "submitted" for d in drafts)
    return Completion(len(drafts) + submitted, done, tuple(sorted(open_pages.items())))
