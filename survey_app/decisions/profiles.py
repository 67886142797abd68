"""Task profiles (pure): for every task construct (`task.*`) what each instrument says about it,
side by side, the evaluator's classification and short description, flags where the sources
disagree, and the draft task description made from the classified profiles.

The evidence is triangulation's cells (analysis/triangulation.py, with every task kept, also one
measured by a single instrument): each with its n, suppressed below the source's minimum group
size and taken from the results as the release plan shows them. Flags read only cells that are
shown; a hidden cell never raises (or silences) a flag by its value.

A classification is kept as a DecisionRecords record of kind RECORD_KIND, keyed by the
construct: {"classification": CORE | SHARED | NOT_OURS, "actors": the named actors (shared) or
the actor the task belongs to (not ours), "description": the short description}, with the
storage's "version", "updated_at" and "updated_by".
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from survey_app.analysis.triangulation import Cell, Measure, Observation, triangulate
from survey_app.definitions.model import Text
from survey_app.text import clean

TASK_PREFIX = "task."
RECORD_KIND = "task_profile"

CORE, SHARED, NOT_OURS = "core", "shared", "not_ours"
CLASSIFICATIONS = (CORE, SHARED, NOT_OURS)
NEEDS_ACTORS = (SHARED, NOT_OURS)
NEEDS_DESCRIPTION = (CORE, SHARED)
MAX_DESCRIPTION = 2000
MAX_ACTORS = 300

# What the evidence says, in the order a profile shows it: measure kinds per aspect.
TIME, RATING, RESPONSIBLE, PRIORITY = "time", "rating", "responsible", "priority"
ASPECTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (TIME, ("share",)),                           # share of working time (allocation questions)
    (RATING, ("rating", "number")),               # how well it works, how useful it is
    (RESPONSIBLE, ("nominal", "choice", "lead")),  # who should be responsible (questionnaires, role matrix)
    (PRIORITY, ("priority", "rank")),             # the workshop's priority (dot votes, rankings)
)
KIND_ASPECT = {kind: aspect for aspect, kinds in ASPECTS for kind in kinds}

# The flag rules (the profile pages state them with these numbers).
TIME_SHARE = 0.10     # a task takes at least this share of the staff's working time ...
RATING_GAP = 0.25     # top-2 shares of two instruments' ratings at least this far apart
# An answer names neighbourhood management itself when its label holds one of these words
# (in any language): the general programme and the refugee-integration one (QFI) alike.
OWN_ACTOR_WORDS = ("quartiersmanagement", "neighbourhood management")

# Flag rule ids
TIME_ELSEWHERE = "time_elsewhere"          # much time, but a source names another actor
LEAD_SPLIT = "lead_split"                  # some sources name neighbourhood management, others another actor
RATINGS_APART = "ratings_apart"            # two instruments rate the task far apart
NOT_OURS_BUT_TIME = "not_ours_but_time"    # classified "not ours", but much working time goes to it
NOT_OURS_BUT_OWN_LEAD = "not_ours_but_own_lead"  # classified "not ours", but a source names neighbourhood management
CORE_BUT_OTHER_LEAD = "core_but_other_lead"      # classified "core", but every source names another actor
FLAG_RULES = (TIME_ELSEWHERE, LEAD_SPLIT, RATINGS_APART, NOT_OURS_BUT_TIME, NOT_OURS_BUT_OWN_LEAD,
              CORE_BUT_OTHER_LEAD)


@dataclass(frozen=True)
class Evidence:
    """One instrument's cell for the task (the same cell as on the triangulation page)."""
    measure: Measure
    cell: Cell

    @property
    def aspect(self) -> str:
        return KIND_ASPECT.get(self.measure.kind, RATING)

    @property
    def shown(self) -> bool:
        return not self.cell.suppressed


@dataclass(frozen=True)
class Classification:
    kind: str                 # CORE, SHARED or NOT_OURS
    actors: str = ""
    description: str = ""
    by: str = ""
    on: str = ""
    version: int | None = None   # the stored record's version (None: not stored yet)

    def record(self) -> dict:
        return {"classification": self.kind, "actors": self.actors, "description": self.description}


@dataclass(frozen=True)
class Flag:
    """Where sources disagree: the rule and the cells it read (first and second side)."""
    rule: str
    first: tuple[Evidence, ...] = ()
    second: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Profile:
    construct: str
    label: Text
    evidence: tuple[Evidence, ...]
    classification: Classification | None
    flags: tuple[Flag, ...]

    def aspect(self, aspect: str) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.aspect == aspect)

    @property
    def key(self) -> str:
        return self.construct


def is_task(construct: str) -> bool:
    return construct.startswith(TASK_PREFIX) and len(construct) > len(TASK_PREFIX)


def names_own_actor(label: Text | None, words: Sequence[str] = OWN_ACTOR_WORDS) -> bool:
    """Whether an answer's label (any language) names neighbourhood management itself."""
    texts = [text.casefold() for text in (label or {}).values()]
    return any(word in text for word in words for text in texts)


def classification_from_record(record: Mapping | None) -> Classification | None:
    """The stored classification (None when there is none or it is not one of ours)."""
    if not record or record.get("classification") not in CLASSIFICATIONS:
        return None
    version = record.get("version")
    return Classification(record["classification"], str(record.get("actors") or ""),
                          str(record.get("description") or ""), str(record.get("updated_by") or ""),
                          str(record.get("updated_at") or ""), version if isinstance(version, int) else None)


def classifications(records: Iterable[tuple[str, Mapping]]) -> dict[str, Classification]:
    """The stored classifications by construct (DecisionRecords.list_records of RECORD_KIND)."""
    found = {key: classification_from_record(record) for key, record in records}
    return {key: c for key, c in found.items() if c is not None}


def build_profiles(observations: Iterable[Observation], classifications: Mapping[str, Classification] | None = None,
                   own: Callable[[Text | None], bool] = names_own_actor) -> tuple[Profile, ...]:
    """One profile per task construct that any instrument measures, in the order first seen,
    its evidence ordered by aspect (time, rating, responsible, priority) then as seen."""
    classifications = classifications or {}
    tasks = [o for o in observations if is_task(o[0])]
    result = triangulate(tasks, min_sources=1)
    order = {aspect: i for i, (aspect, _kinds) in enumerate(ASPECTS)}
    profiles = []
    for row in result.rows:
        evidence = sorted((Evidence(result.measures[i], cell) for i, cell in sorted(row.cells.items())),
                          key=lambda e: order[e.aspect])
        found = classifications.get(row.construct)
        profiles.append(Profile(row.construct, row.label, tuple(evidence), found,
                                tuple(flags(tuple(evidence), found, own))))
    return tuple(profiles)


def flags(evidence: Sequence[Evidence], classification: Classification | None,
          own: Callable[[Text | None], bool] = names_own_actor) -> list[Flag]:
    """The flag rules over the cells that are shown (see the constants above)."""
    shown = [e for e in evidence if e.shown]
    much_time = [e for e in shown if e.aspect == TIME and e.cell.share is not None and e.cell.share >= TIME_SHARE]
    named = [e for e in shown if e.aspect == RESPONSIBLE and e.cell.top]
    own_lead = tuple(e for e in named if own(e.cell.top))
    other_lead = tuple(e for e in named if not own(e.cell.top))
    found = []
    if much_time and other_lead:
        found.append(Flag(TIME_ELSEWHERE, (much_time[0],), other_lead))
    if own_lead and other_lead:
        found.append(Flag(LEAD_SPLIT, own_lead, other_lead))
    rated = [e for e in shown if e.aspect == RATING and e.cell.share is not None]
    if len({e.measure.source for e in rated}) > 1:
        high = max(rated, key=lambda e: e.cell.share)
        low = min((e for e in rated if e.measure.source != high.measure.source), key=lambda e: e.cell.share)
        if high.cell.share - low.cell.share >= RATING_GAP - 1e-9:
            found.append(Flag(RATINGS_APART, (high,), (low,)))
    if classification is not None:
        if classification.kind == NOT_OURS and much_time:
            found.append(Flag(NOT_OURS_BUT_TIME, (much_time[0],)))
        if classification.kind == NOT_OURS and own_lead:
            found.append(Flag(NOT_OURS_BUT_OWN_LEAD, own_lead))
        if classification.kind == CORE and other_lead and not own_lead:
            found.append(Flag(CORE_BUT_OTHER_LEAD, (), other_lead))
    return found


# -- the evaluator's input ------------------------------------------------------------------

# Problems with a classification as typed (the web layer words them at the field).
KIND_MISSING, ACTORS_MISSING, ACTORS_TOO_LONG, DESCRIPTION_MISSING, DESCRIPTION_TOO_LONG = (
    "kind_missing", "actors_missing", "actors_too_long", "description_missing", "description_too_long")


def read_classification(kind: str | None, actors: str | None,
                        description: str | None) -> tuple[Classification | None, dict[str, str]]:
    """The classification from a form, or the problems by field ("kind", "actors",
    "description"). Actors: one line; the description keeps its paragraphs' words but not
    control characters."""
    problems: dict[str, str] = {}
    kind = (kind or "").strip()
    actors = " ".join(clean(actors or "").split())
    description = "\n".join(" ".join(line.split()) for line in clean(description or "").splitlines()).strip()
    if kind not in CLASSIFICATIONS:
        problems["kind"] = KIND_MISSING
    if kind in NEEDS_ACTORS and not actors:
        problems["actors"] = ACTORS_MISSING
    if len(actors) > MAX_ACTORS:
        problems["actors"] = ACTORS_TOO_LONG
    if kind in NEEDS_DESCRIPTION and not description:
        problems["description"] = DESCRIPTION_MISSING
    if len(description) > MAX_DESCRIPTION:
        problems["description"] = DESCRIPTION_TOO_LONG
    if problems:
        return None, problems
    return Classification(kind, actors if kind in NEEDS_ACTORS else "", description), {}


# -- the draft task description ---------------------------------------------------------------

@dataclass(frozen=True)
class DraftEntry:
    construct: str
    label: Text
    description: str
    actors: str


@dataclass(frozen=True)
class DraftSection:
    kind: str                          # CORE, SHARED or NOT_OURS
    entries: tuple[DraftEntry, ...]


def draft_sections(profiles: Iterable[Profile]) -> tuple[DraftSection, ...]:
    """The classified tasks by classification (core, shared, not ours; empty ones left out),
    each in the profiles' order. Unclassified tasks are not in the draft."""
    profiles = [p for p in profiles if p.classification is not None]
    sections = []
    for kind in CLASSIFICATIONS:
        entries = tuple(DraftEntry(p.construct, p.label, p.classification.description, p.classification.actors)
                        for p in profiles if p.classification.kind == kind)
        if entries:
            sections.append(DraftSection(kind, entries))
    return tuple(sections)


def unclassified(profiles: Iterable[Profile]) -> list[Profile]:
    return [p for p in profiles if p.classification is None]
