"""Brakes on guessing (brakes/<purpose>-NN.json) and the audit log (audit.log).

A brake file holds one counter per (keyed-hash) client or account and purpose, spread over
BRAKE_SHARDS small files by key. A counter is dropped from its file once its window has
passed, whenever that file is written: a file holds only the keys that failed within the
window, so the cost of a failure does not grow with the history.

audit.log: one JSON object per line, only ever appended to (and synced). Rotating it is the
operator's job: move it aside and a new one starts with the next event.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

from survey_app.storage.ids import valid_brake
from survey_app.storage.tinydb.files import Files, make_dirs


def _write_counters(path: Path, counters: dict) -> None:
    # Written in place under the lock, neither renamed nor synced: counters are disposable
    # (a file cut short by a crash reads as empty), and a failure must stay cheap.
    # (Overwriting and then cutting to length, rather than truncating first, also spares
    # ext4 the flush it does for a file truncated to zero and written again.)
    data = json.dumps(counters, separators=(",", ":")).encode("utf-8")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.pwrite(fd, data, 0)
        os.ftruncate(fd, len(data))
    finally:
        os.close(fd)


def _read_counters(path: Path) -> dict:
    try:
        counters = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}  # counters are disposable: a damaged file starts afresh
    return counters if isinstance(counters, dict) else {}


class BrakeStore:
    """Part of Store."""

    files: Files
    BRAKE_SHARDS = 64

    def _brake_path(self, purpose: str, key: str) -> Path:
        if not valid_brake(purpose, key):
            raise ValueError(f"invalid brake purpose or key: {purpose!r} {key!r}")
        return self.files.data_dir / "brakes" / f"{purpose}-{int(key[:8], 16) % self.BRAKE_SHARDS:02d}.json"

    def brake_counter(self, purpose: str, key: str, now: float) -> dict | None:
        path = self._brake_path(purpose, key)
        if not path.exists():
            return None
        with self.files.quick_lock(path):
            counter = _read_counters(path).get(key)
        return counter if isinstance(counter, dict) and counter.get("expires", 0) > now else None

    def count_brake_failure(self, purpose: str, key: str, now: float, window: float) -> dict:
        path = self._brake_path(purpose, key)
        make_dirs(path.parent)
        with self.files.quick_lock(path):
            counters = {k: c for k, c in _read_counters(path).items()
                        if isinstance(c, dict) and c.get("expires", 0) > now}
            counter = counters.get(key) or {"count": 0, "start": now, "expires": now + window}
            counter = {**counter, "count": counter["count"] + 1, "last": now}
            counters[key] = counter
            _write_counters(path, counters)
        return counter

    def clear_brake(self, purpose: str, key: str) -> None:
        path = self._brake_path(purpose, key)
        if not path.exists():
            return
        with self.files.quick_lock(path):
            counters = _read_counters(path)
            if counters.pop(key, None) is not None:
                _write_counters(path, counters)


class AuditLog:
    """Part of Store."""

    files: Files

    @property
    def audit_path(self) -> Path:
        return self.files.data_dir / "audit.log"

    def append_audit_event(self, event: dict) -> None:
        line = json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self.files.lock(self.audit_path):
            fd = os.open(self.audit_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)

    def audit_events(self) -> Iterator[dict | None]:
        try:
            f = open(self.audit_path, encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return
        with f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    event = json.loads(line)
                except ValueError:
                    event = None
                yield event if isinstance(event, dict) else None
