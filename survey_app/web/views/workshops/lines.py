"""Lists the editor and the settings page take as text areas: one per language, one entry per line."""
from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext

from survey_app.definitions.model import localized
from survey_app.workshops.model import Choice


def lines(form, key: str, lang: str) -> list[str]:
    return [line.strip() for line in (form[f"{key}_{lang}"].data or "").splitlines() if line.strip()]


def choices_from_lines(form, key: str, languages: Sequence[str], existing: Sequence[Choice]) -> tuple[Choice, ...] | None:
    """Entries from one text area per language (line i = entry i); None when the languages have
    different numbers of lines (then each area says so). Entries keep the id and construct of
    the entry at the same position, so a template's keys survive editing its texts. How many
    entries a list may have is the poll definition's rule, not this one's."""
    per_language = {lang: lines(form, key, lang) for lang in languages}
    if len({len(found) for found in per_language.values()}) > 1:
        for lang in languages:
            form[f"{key}_{lang}"].errors.append(gettext("Enter the same number of lines in every language."))
        return None
    count = len(per_language[languages[0]])
    taken = {c.id for c in existing[:count]}
    result, number = [], 1
    for i in range(count):
        if i < len(existing):
            choice_id, construct = existing[i].id, existing[i].construct
        else:
            while f"{key[:-1]}_{number}" in taken:
                number += 1
            choice_id, construct = f"{key[:-1]}_{number}", None
            taken.add(choice_id)
        result.append(Choice(choice_id, {lang: per_language[lang][i] for lang in languages}, construct))
    return tuple(result)


def lines_text(entries, lang: str) -> str:
    """Entries (choices or texts) as the lines of one language's text area."""
    return "\n".join(localized(e.label if isinstance(e, Choice) else e, lang) for e in entries)


def show_problems(form, problems, refusals, field_of) -> list[str]:
    """Put each refusal's message, translated, at its form field (`field_of(refusal)` names it);
    returns the messages that belong to no field (a problem no field of the form can cause is
    shown as the definitions toolkit wrote it)."""
    general = []
    for refusal in refusals:
        name = field_of(refusal)
        message = refusal.message.render(gettext)
        if name is not None and name in form:
            form[name].errors.append(message)
        else:
            general.append(message)
    placed = [refusal.problem for refusal in refusals]
    general += [problem.message for problem in problems if not any(problem is p for p in placed)]
    return general
