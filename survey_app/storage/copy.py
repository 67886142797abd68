"""Moving everything from one storage to another (a data folder to PostgreSQL and back):
flask --app survey_app copy-storage --to postgresql://... | --to FOLDER.

Both adapters give every record they keep with its ids (Transfer); the copy writes them into a
target that holds nothing yet, then reads both sides again and compares, per kind of record,
how many there are and a SHA-256 over all of them (each record as canonical JSON; responses
and audit events with their place in the order, which must survive too). Counters of wrong
passwords and codes are not copied: they are disposable and run out within the hour."""
from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from survey_app.storage.interface import Transfer

KINDS = ("secret", "user", "survey", "definition", "draft", "submitted", "response", "invitation", "workshop",
         "participant", "vote", "audit", "consultation", "consultation_version", "statement", "decision_record")
# (what Transfer.export_records gives, in this order; every adapter reads and writes them all)


class CopyError(Exception):
    """The copy was refused or does not match its source."""


@dataclass(frozen=True)
class Summary:
    counts: dict[str, int]
    checksums: dict[str, str]

    def lines(self) -> list[str]:
        return [f"{kind:12} {self.counts.get(kind, 0):>8}  {self.checksums.get(kind, _EMPTY)[:16]}" for kind in KINDS]


_EMPTY = hashlib.sha256().hexdigest()


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def summarize(records: Iterable[tuple[str, dict]]) -> Summary:
    """Counts and checksums per kind, independent of the order kinds and units come in."""
    lines: dict[str, list[str]] = defaultdict(list)
    places: Counter = Counter()
    for kind, record in records:
        if kind == "response":   # the order of a survey's responses is part of what is kept
            place = places[("response", record["survey_id"])]
            places[("response", record["survey_id"])] += 1
            record = {**record, "place": place}
        elif kind == "audit":
            record = {"event": record, "place": places["audit"]}
            places["audit"] += 1
        lines[kind].append(_canonical(record))
    checksums = {}
    for kind, found in lines.items():
        digest = hashlib.sha256()
        for line in sorted(found):
            digest.update(line.encode("utf-8") + b"\n")
        checksums[kind] = digest.hexdigest()
    return Summary({kind: len(found) for kind, found in lines.items()}, checksums)


def copy_storage(source: Transfer, target: Transfer) -> Summary:
    """Copy everything from source into the empty target and verify it; returns the summary."""
    if not target.is_empty():
        raise CopyError("the target already holds data: copy only into an empty database or data folder")
    before = summarize(source.export_records())
    target.import_records(source.export_records())
    copied = summarize(target.export_records())
    after = summarize(source.export_records())
    if after != before:
        raise CopyError("the source changed during the copy (stop the app servers first, then copy into a new, "
                        "empty target)")
    if copied != before:
        differing = [kind for kind in KINDS if copied.counts.get(kind) != before.counts.get(kind)
                     or copied.checksums.get(kind) != before.checksums.get(kind)]
        raise CopyError(f"the copy does not match its source in: {', '.join(differing)}")
    return before
