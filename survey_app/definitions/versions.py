"""Questionnaire versions: what a change to a definition means for answers already given (pure).

Each response records the content hash of the definition it answered. When a definition
file is edited, new responses get the new hash; old responses stay as they were and are
read against the current definition. Some changes keep them comparable (new questions,
reworded texts, new options), others do not: those are listed here so that the admin is
warned before results of two versions are mixed.
"""
from __future__ import annotations

from dataclasses import dataclass

from survey_app.definitions.model import Question, Questionnaire, localized

# kinds of change that break comparability (the web layer words them)
REMOVED, TYPE_CHANGED, OPTIONS_REMOVED, POINTS_REORDERED, POINTS_RELABELLED, ITEMS_REMOVED, TOTAL_CHANGED = (
    "removed", "type_changed", "options_removed", "points_reordered", "points_relabelled", "items_removed",
    "total_changed")


@dataclass(frozen=True)
class Change:
    question: str
    kind: str
    detail: str = ""   # the values concerned, e.g. "2, 5" or "<old type> -> <new type>"


def _values(question: Question) -> list[str]:
    if question.scale is not None:
        return [str(p.value) for p in question.scale.points]
    return [o.value for o in question.options]


def _question_changes(before: Question, after: Question) -> list[Change]:
    if after.type != before.type:
        return [Change(before.id, TYPE_CHANGED, f"{before.type} -> {after.type}")]
    changes = []
    old_values, new_values = _values(before), _values(after)
    removed = [v for v in old_values if v not in new_values]
    if removed:
        changes.append(Change(before.id, OPTIONS_REMOVED, ", ".join(removed)))
    elif before.scale is not None and [v for v in new_values if v in old_values] != old_values:
        changes.append(Change(before.id, POINTS_REORDERED))
    if before.scale is not None and after.scale is not None:
        new_labels = {p.value: p.label for p in after.scale.points}
        relabelled = [str(p.value) for p in before.scale.points if p.value in new_labels
                      and localized(p.label, "en") != localized(new_labels[p.value], "en")]
        if relabelled:
            changes.append(Change(before.id, POINTS_RELABELLED, ", ".join(relabelled)))
    items_removed = [i.id for i in before.items if i.id not in {j.id for j in after.items}]
    if items_removed:
        changes.append(Change(before.id, ITEMS_REMOVED, ", ".join(items_removed)))
    changes += [Change(before.id, kind, detail) for kind, detail in after.kind.changes(before, after)]
    return changes


def breaking_changes(old: Questionnaire, new: Questionnaire) -> list[Change]:
    """Changes from `old` to `new` that make answers to `old` not comparable with `new`."""
    current = {q.id: q for q in new.questions()}
    changes: list[Change] = []
    for before in old.questions():
        after = current.get(before.id)
        changes += [Change(before.id, REMOVED)] if after is None else _question_changes(before, after)
    return changes
