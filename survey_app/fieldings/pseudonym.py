"""Self-generated pseudonymous codes ("selbstgenerierter Code"), as used in German
evaluation practice to pair a person's baseline and follow-up answers without any list
that identifies them (pure).

The respondent answers three questions only they can answer the same way each time; the
code is built from the answers, so the app never needs names and nobody can look a code up.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    name: str
    kind: str       # "letters" or "day"
    length: int


PARTS = (
    Part("mother", "letters", 2),    # first two letters of the mother's first name
    Part("birthday", "day", 2),      # day of the month of one's own birthday
    Part("street", "letters", 1),    # first letter of the street one grew up in
)


def _letters(text: str) -> str:
    """Upper-case A-Z only: umlauts and accents lose their marks (Ä -> A), ß becomes SS."""
    plain = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(ch for ch in plain.upper() if "A" <= ch <= "Z")


def build_code(answers: Mapping[str, str]) -> tuple[str | None, dict[str, str]]:
    """(code, {}) or (None, {part name: "missing" | "letters" | "day"}) naming what is wrong."""
    code, errors = [], {}
    for part in PARTS:
        raw = (answers.get(part.name) or "").strip()
        if not raw:
            errors[part.name] = "missing"
        elif part.kind == "letters":
            letters = _letters(raw)[:part.length]
            if len(letters) < part.length:
                errors[part.name] = "letters"
            code.append(letters)
        else:
            if not raw.isdigit() or not 1 <= int(raw) <= 31:
                errors[part.name] = "day"
            else:
                code.append(f"{int(raw):02d}")
    return (None, errors) if errors else ("".join(code), {})


def paired(codes_a: Iterable[str | None], codes_b: Iterable[str | None]) -> int:
    """How many codes appear exactly once on each side (a code given twice on one side
    cannot be paired reliably and is left out)."""
    def once(codes: Iterable[str | None]) -> set[str]:
        seen: dict[str, int] = {}
        for code in codes:
            if code:
                seen[code] = seen.get(code, 0) + 1
        return {code for code, count in seen.items() if count == 1}

    return len(once(codes_a) & once(codes_b))


def codes_of(responses: Sequence[Mapping]) -> list[str | None]:
    return [r.get("pseudonym") for r in responses]
