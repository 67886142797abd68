"""Live workshops inside one worker process: each workshop's current state in memory, kept
fresh by the storage's cheap change signal, and the waiting of that process's phones for the
next change (server-sent events).

* ``Rooms.workshop(id)`` answers from memory while ``store.workshop_signal(id)`` is unchanged
  (the TinyDB adapter: one stat of the document), so that the phones' page, state and vote
  requests do not each read and parse the workshop's document.
* While a phone of this process listens to a workshop, one watcher (a thread, a greenlet under
  gevent) asks the signal WATCH_INTERVAL_S times a second and wakes the listeners when what a
  phone shows changes (workshops.live.participant_view); a request that notices a change first
  wakes them too. So a change made through any worker process reaches every process's phones
  within about WATCH_INTERVAL_S, and a room of 1,000 phones costs one check per interval and
  process, not one request per phone.
* ``Rooms.shared(snapshot, key, make)`` keeps what all phones of a state share (the screen of
  each language, rendered once per process and state).

The signal is the only thing asked of the storage (a value that changes with every change of
the workshop): another storage may feed it from notifications (PostgreSQL LISTEN/NOTIFY)
instead of a file's stat. A storage that also offers ``on_workshop_change(callback)`` pushes:
its notification wakes the watcher at once (a change made on another app server reaches this
one's phones within milliseconds), and the interval is only the fallback.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from survey_app.workshops.live import participant_view
from survey_app.workshops.model import Workshop
from survey_app.workshops.records import workshop_from_record

WATCH_INTERVAL_S = 0.2
log = logging.getLogger(__name__)


class WorkshopSignals(Protocol):
    """What Rooms needs from the storage."""

    def workshop_signal(self, workshop_id: str) -> Hashable | None:
        """A cheap value that differs after every change of the workshop (None: unknown)."""

    def get_workshop(self, workshop_id: str) -> dict | None:
        """The stored workshop."""


def event_id(view: str) -> str:
    """A short id for a participant view, for SSE event ids and ETags."""
    return hashlib.sha256(view.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Snapshot:
    """One state of a workshop as this process last read it."""
    signal: Hashable
    workshop: Workshop
    view: str                 # workshops.live.participant_view
    event_id: str             # event_id(view)


@dataclass
class _Room:
    snapshot: Snapshot | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)
    listeners: int = 0
    watching: bool = False
    poke: threading.Event = field(default_factory=threading.Event)   # the storage said: changed
    shared: dict = field(default_factory=dict)    # (snapshot signal, key) -> value


class Rooms:
    def __init__(self, store: WorkshopSignals, interval: float = WATCH_INTERVAL_S):
        self.store = store
        self.interval = interval
        self._rooms: dict[str, _Room] = {}
        self._lock = threading.Lock()
        self._pushed = False     # registered with the storage's on_workshop_change

    def _push(self) -> None:
        """Let the storage's change notifications wake the watchers (once per process)."""
        subscribe = getattr(self.store, "on_workshop_change", None)
        with self._lock:
            if self._pushed or subscribe is None:
                return
            self._pushed = True
        subscribe(self._poked)

    def _poked(self, workshop_id: str, _version) -> None:
        room = self._rooms.get(workshop_id)
        if room is not None:
            room.poke.set()

    def _room(self, workshop_id: str) -> _Room:
        room = self._rooms.get(workshop_id)
        if room is None:
            with self._lock:
                room = self._rooms.setdefault(workshop_id, _Room())
        return room

    def snapshot(self, workshop_id: str) -> Snapshot | None:
        """The workshop's current state (None: unknown), read again only when its signal changed.
        A changed participant view wakes the listeners."""
        room = self._room(workshop_id)
        # The signal first, then the document: the document read is at least as new as the
        # signal it is kept under (the other order could keep an old document under a new signal).
        signal = self.store.workshop_signal(workshop_id)
        known = room.snapshot
        if known is not None and signal == known.signal:
            return known
        record = self.store.get_workshop(workshop_id) if signal is not None else None
        if record is None:
            fresh = None
        else:
            workshop = workshop_from_record(record)
            view = participant_view(workshop)
            fresh = Snapshot(signal, workshop, view, event_id(view))
        with room.changed:
            known = room.snapshot
            if known is not None and fresh is not None and fresh.workshop.version < known.workshop.version:
                return known   # another request of this process has read a newer one meanwhile
            moved = (known.event_id if known else None) != (fresh.event_id if fresh else None)
            room.snapshot = fresh
            room.shared = {}
            if moved:
                room.changed.notify_all()
        return fresh

    def workshop(self, workshop_id: str) -> Workshop | None:
        found = self.snapshot(workshop_id)
        return found.workshop if found else None

    def shared(self, snapshot: Snapshot, key: Hashable, make: Callable[[], Any]) -> Any:
        """What all phones of `snapshot` share under `key`: made once per process and state."""
        room = self._room(snapshot.workshop.id)
        cache_key = (snapshot.signal, key)
        found = room.shared.get(cache_key)
        if found is None:
            found = make()
            if room.snapshot is snapshot:   # else a newer state has come: do not keep it
                room.shared[cache_key] = found
        return found

    @contextmanager
    def listening(self, workshop_id: str) -> Iterator[None]:
        """While inside, a watcher keeps the workshop's state fresh in this process."""
        room = self._room(workshop_id)
        with room.changed:
            room.listeners += 1
            start = not room.watching
            room.watching = True
        if start:
            self._push()
            threading.Thread(target=self._watch, args=(workshop_id, room), daemon=True,
                             name=f"watch-{workshop_id[:8]}").start()
        try:
            yield
        finally:
            with room.changed:
                room.listeners -= 1

    def wait(self, workshop_id: str, seen: str | None, timeout: float) -> Snapshot | None:
        """The state once its event id differs from `seen`, or the unchanged state after `timeout`
        seconds (call inside listening())."""
        room = self._room(workshop_id)
        with room.changed:
            room.changed.wait_for(lambda: (room.snapshot.event_id if room.snapshot else None) != seen, timeout)
            return room.snapshot

    def _watch(self, workshop_id: str, room: _Room) -> None:
        failing = False
        while True:
            with room.changed:
                if room.listeners <= 0:
                    room.watching = False
                    return
            try:
                self.snapshot(workshop_id)
                failing = False
            except Exception:  # a damaged file, a full disk: keep watching, say it once
                if not failing:
                    log.exception("watching workshop %s", workshop_id)
                failing = True
            # The signal a notification brings is set before it pokes: read after the clear,
            # a change is never missed (a poke meanwhile makes the next wait return at once).
            room.poke.wait(self.interval)
            room.poke.clear()


# --------------------------------------------------------------------------- in the app

def get_rooms(app=None) -> Rooms:
    """This process's Rooms for the app (made on first use)."""
    from flask import current_app

    from survey_app.web.db import get_store

    app = app or current_app
    rooms = app.extensions.get("survey_rooms")
    if rooms is None:
        interval = float(app.config.get("WORKSHOP_WATCH_S") or WATCH_INTERVAL_S)
        rooms = app.extensions.setdefault("survey_rooms", Rooms(get_store(app), interval))
    return rooms


def _gevent_patched() -> bool:
    import sys

    monkey = sys.modules.get("gevent.monkey")
    return bool(monkey and monkey.is_module_patched("socket"))


def push_supported() -> bool:
    """Whether this server may hold one open stream per phone: gunicorn's gevent workers (or
    any gevent-patched server) and the threaded development server (`flask run`). Under
    servers with a few threads per process (gunicorn's sync or gthread workers, waitress) the
    streams would take every thread, so phones poll instead. SURVEY_APP_PUSH=on/off (or the
    app config WORKSHOP_PUSH) decides instead of this guess."""
    import os

    from flask import current_app, request

    setting = str(current_app.config.get("WORKSHOP_PUSH") or os.environ.get("SURVEY_APP_PUSH") or "auto").lower()
    if setting in ("on", "1", "true", "yes"):
        return True
    if setting in ("off", "0", "false", "no"):
        return False
    if _gevent_patched():
        return True
    environ = request.environ
    return bool(environ.get("wsgi.multithread")) and environ.get("SERVER_SOFTWARE", "").startswith("Werkzeug")
