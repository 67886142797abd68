"""What the evaluator sees of a consultation, and the synopsis built from it (pure).

Only submitted statements count. Per section of the draft: the positions with n (every
submitted statement counts, a section it left open as "no comment"), the same by kind of
organisation, and every comment (a comment or a proposed wording) with its organisation and
the evaluator's answer. Sections that an edit removed from the draft keep their comments: they
come after the others, with the text of the last version that had them, marked removed.

A named consultation shows each organisation's name (official statements). An anonymous one
follows the app's minimum group size (analysis.disclosure): nothing per section is shown
before at least the minimum of statements are submitted; comments carry neither organisation
nor kind and are listed in an order that says nothing about who wrote them; kinds of
organisation with fewer statements than the minimum are not shown (with as many others as
needed so that they cannot be worked out from the total: analysis.breakdown.cells_to_suppress).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from survey_app.analysis.breakdown import cells_to_suppress
from survey_app.consultations.document import Block, Document, plain_text
from survey_app.consultations.model import GENERAL, NO_COMMENT, OBJECTIONS, POSITIONS, is_named, organisation
from survey_app.consultations.statements import MAX_COMMENT, is_submitted

ACCEPTED, PARTLY, NOT_ACCEPTED, NOTED = "accepted", "partly", "not_accepted", "noted"
DECISIONS = (ACCEPTED, PARTLY, NOT_ACCEPTED, NOTED)
NEEDS_REASON = (PARTLY, NOT_ACCEPTED)

OBJECTIONS_FILTER, UNANSWERED_FILTER = "objections", "unanswered"
FILTERS = (OBJECTIONS_FILTER, UNANSWERED_FILTER)


def decision_key(organisation_id: str, section_id: str, named: bool = True) -> str:
    """What names one comment in forms, links, the audit log and the stored answers. In an
    anonymous round it is a hash, so that nothing on a page or in the log tells which comments
    came from the same organisation (its id is never shown, so the hash cannot be recomputed)."""
    key = f"{organisation_id}/{section_id}"
    return key if named else "a" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:23]


@dataclass(frozen=True)
class Comment:
    key: str                       # decision_key
    organisation: str | None       # None in an anonymous consultation
    kind: str | None
    position: str
    comment: str
    proposal: str
    version: int | None            # the draft version it was made on
    decision: Mapping | None


@dataclass(frozen=True)
class SectionView:
    block: Block
    number: int | None             # None for a removed section
    heading: str
    removed_in: int | None         # the version that no longer has it
    positions: Mapping[str, int]
    n: int
    by_kind: Mapping[str, Mapping[str, int]]   # kind -> position -> count (shown kinds only)
    hidden_kinds: int              # kinds not shown (anonymous rounds)
    comments: tuple[Comment, ...]

    @property
    def objections(self) -> int:
        return sum(self.positions.get(p, 0) for p in OBJECTIONS)

    @property
    def unanswered(self) -> int:
        return sum(1 for c in self.comments if not c.decision)


@dataclass(frozen=True)
class Review:
    sections: tuple[SectionView, ...]
    general: tuple[Comment, ...]
    submitted: int                 # submitted statements
    invited: int                   # invited organisations
    minimum: int | None            # the minimum group size (anonymous rounds), None when named
    shown: bool                    # False: anonymous and fewer statements than the minimum
    counts: Mapping[str, int] = field(default_factory=dict)   # comments, answered, objections

    def filtered(self, which: str | None) -> tuple[SectionView, ...]:
        if which == OBJECTIONS_FILTER:
            return tuple(s for s in self.sections if s.objections)
        if which == UNANSWERED_FILTER:
            return tuple(s for s in self.sections if s.unanswered)
        return self.sections


def _comment(consultation: Mapping, statement: Mapping, section_id: str, entry: Mapping, named: bool) -> Comment:
    org = organisation(consultation, statement["organisation"]) or {}
    key = decision_key(statement["organisation"], section_id, named)
    position = entry.get("position") or ("" if section_id == GENERAL else NO_COMMENT)
    return Comment(key, org.get("name", "?") if named else None, (org.get("kind") or "") if named else None,
                   position, entry.get("comment", ""), entry.get("proposal", ""),
                   entry.get("version"), consultation.get("decisions", {}).get(key))


def _order(comments: list[Comment], named: bool) -> tuple[Comment, ...]:
    if named:
        return tuple(sorted(comments, key=lambda c: ((c.organisation or "").casefold(), c.key)))
    return tuple(sorted(comments, key=lambda c: (c.comment.casefold(), c.proposal.casefold(), c.key)))


def removed_sections(versions: Sequence[Document]) -> list[tuple[Block, int, str]]:
    """(block as last kept, the version number without it, its heading then) for every section an
    earlier version had and the latest has not."""
    latest = versions[-1]
    current = {b.id for b in latest.blocks}
    found: dict[str, tuple[Block, int, str]] = {}
    for number, document in enumerate(versions, start=1):
        for block in document.sections:
            if block.id not in current:
                found[block.id] = (block, number, document.heading_of(block.id))
    result = []
    for block_id, (block, last, heading) in found.items():
        result.append((block, last + 1, heading))
    return result


def review(consultation: Mapping, versions: Sequence[Document], statements: Sequence[Mapping],
           minimum: int) -> Review:
    """The evaluator's view of the latest version of the draft."""
    named = is_named(consultation)
    done = [s for s in statements if is_submitted(s) and organisation(consultation, s["organisation"])]
    latest = versions[-1]
    kinds = Counter((organisation(consultation, s["organisation"]).get("kind") or "") for s in done)
    hidden = set() if named else cells_to_suppress(kinds, minimum)
    shown = named or len(done) >= minimum
    invited = len(consultation.get("organisations", ()))

    def view(block: Block, number: int | None, heading: str, removed_in: int | None) -> SectionView:
        positions: Counter = Counter({p: 0 for p in POSITIONS})
        by_kind: dict[str, Counter] = {}
        comments = []
        for statement in done:
            entry = statement.get("sections", {}).get(block.id) or {}
            position = entry.get("position") or NO_COMMENT
            positions[position] += 1
            kind = organisation(consultation, statement["organisation"]).get("kind") or ""
            by_kind.setdefault(kind, Counter({p: 0 for p in POSITIONS}))[position] += 1
            if entry.get("comment") or entry.get("proposal"):
                comments.append(_comment(consultation, statement, block.id, entry, named))
        if not shown:
            return SectionView(block, number, heading, removed_in, {}, len(done), {}, len(by_kind), ())
        kept_kinds = {k: dict(v) for k, v in sorted(by_kind.items()) if k not in hidden}
        return SectionView(block, number, heading, removed_in, dict(positions), len(done), kept_kinds,
                           len(by_kind) - len(kept_kinds), _order(comments, named))

    sections = [view(b, latest.numbers[b.id], latest.heading_of(b.id), None) for b in latest.sections]
    sections += [view(b, None, heading, gone) for b, gone, heading in removed_sections(versions)]
    general = [_comment(consultation, s, GENERAL, {"comment": s.get("general", ""), "position": ""}, named)
               for s in done if (s.get("general") or "").strip()] if shown else []
    all_comments = [c for s in sections for c in s.comments] + general
    counts = {"comments": len(all_comments), "answered": sum(1 for c in all_comments if c.decision),
              "objections": sum(1 for s in sections if s.objections)}
    return Review(tuple(sections), _order(general, named), len(done), invited, None if named else minimum, shown,
                  counts)


# -- the evaluator's answers -----------------------------------------------------------------

def decision_problems(decision: str, reason: str) -> dict[str, str]:
    problems = {}
    if decision not in DECISIONS:
        problems["decision"] = "missing"
    if len(reason) > MAX_COMMENT:
        problems["reason"] = "too_long"
    elif decision in NEEDS_REASON and not reason.strip():
        problems["reason"] = "needed"
    return problems


def answered(key: str, decision: str, reason: str, by: str, today: dt.date | None = None):
    """The change of a consultation record that stores the answer to one comment."""
    def change(record: dict) -> dict:
        decisions = dict(record.get("decisions") or {})
        decisions[key] = {"decision": decision, "reason": reason, "by": by,
                          "on": (today or dt.date.today()).isoformat()}
        return {**record, "decisions": decisions}
    return change


def comment_keys(consultation: Mapping, statements: Sequence[Mapping]) -> set[str]:
    """Every comment an evaluator may answer (of submitted statements)."""
    keys, named = set(), is_named(consultation)
    for statement in statements:
        if not is_submitted(statement) or not organisation(consultation, statement["organisation"]):
            continue
        for section_id, entry in statement.get("sections", {}).items():
            if entry.get("comment") or entry.get("proposal"):
                keys.add(decision_key(statement["organisation"], section_id, named))
        if (statement.get("general") or "").strip():
            keys.add(decision_key(statement["organisation"], GENERAL, named))
    return keys


# -- the synopsis as a table -----------------------------------------------------------------

@dataclass(frozen=True)
class SynopsisRow:
    section: str                   # "7 · Heading" (number and heading) or a label for removed ones
    text: str                      # the section's text (plain)
    organisation: str              # name (and kind), "" in anonymous rounds
    comment: str                   # position, comment and proposed wording
    response: str                  # decision and reason
    first: bool                    # the first row of its section


def synopsis_rows(result: Review, words: Mapping[str, str], language: str | None = None) -> list[SynopsisRow]:
    """The rows of the synopsis: for each section its comments (a row saying there were none
    when there were none), then the general statements. `words` gives the texts of the
    positions, decisions and labels in the reader's language ("section", "removed", "none",
    "general", "proposal", "position" and each position and decision)."""
    rows = []

    def comment_rows(label: str, text: str, comments: Sequence[Comment]) -> None:
        if not comments:
            rows.append(SynopsisRow(label, text, "", words["none"], "", True))
        for index, c in enumerate(comments):
            org = c.organisation or ""
            if org and c.kind:
                org = f"{org} ({c.kind})"
            parts = []
            if c.position:
                parts.append(f"{words['position']}: {words[c.position]}")
            if c.comment:
                parts.append(c.comment)
            if c.proposal:
                parts.append(f"{words['proposal']}: {c.proposal}")
            response = ""
            if c.decision:
                response = words[c.decision["decision"]]
                if c.decision.get("reason"):
                    response += f": {c.decision['reason']}"
            rows.append(SynopsisRow(label, text, org, "\n".join(parts), response, index == 0))

    for section in result.sections:
        label = f"{words['section']} {section.number}" if section.number else \
            f"{words['section']} ({words['removed']} {section.removed_in})"
        if section.heading:
            label += f" · {section.heading}"
        comment_rows(label, plain_text(section.block.source(language)), section.comments)
    if result.general:
        comment_rows(words["general"], "", result.general)
    return rows
