"""Builders for test data: a text in the definition's languages, an agreement scale, and a
page's text as a reader sees it."""
from __future__ import annotations

import re
from collections.abc import Callable

from survey_app.definitions.model import Scale, ScalePoint


def t(de: str, en: str | None = None) -> dict[str, str]:
    """A text of a definition in German and English (the same words unless `en` is given)."""
    return {"de": de, "en": de if en is None else en}


def five_points(scale_id: str = "agree", label: Callable[[int], str] = str) -> Scale:
    """An ordered scale of the points 1 to 5, point v labelled label(v) in both languages."""
    return Scale(scale_id, tuple(ScalePoint(v, t(label(v))) for v in range(1, 6)))


def page_text(response) -> str:
    """The body of a response with every run of white space made one space."""
    return re.sub(r"\s+", " ", response.get_data(as_text=True))
