"""Live workshops across app servers: every change of a workshop notifies the channel
workshops.CHANNEL in its transaction, and each process keeps one listening connection (a
daemon thread, started on first use) that records the newest version of each workshop it
heard of.

* ``workshop_signal(id)`` (storage.interface.WorkshopSignals) answers from that record without
  asking the database while the listener is connected, and reads the version once for a
  workshop it has not heard of yet: the live room's watcher can ask it many times a second.
  A change made through any server changes the signal in every other one as soon as
  PostgreSQL delivers the notification (milliseconds on one network).
* ``on_workshop_change(callback)`` calls callback(workshop_id, version) in the listener's
  thread for every change (version None: removed), for code that wants to wake its waiting
  phones at once instead of asking the signal; it returns a function that ends the callback.

While the listening connection is down (database restart), the record is dropped and every
signal is read from the database, so nothing stale is ever answered; the listener connects
again by itself.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

import psycopg

from survey_app.storage.ids import valid_id
from survey_app.storage.postgres.connection import Database
from survey_app.storage.postgres.workshops import CHANNEL

log = logging.getLogger("survey_app.storage.postgres")
RECONNECT_S = 1.0


class Listener:
    """One LISTEN connection of a process and what it heard."""

    def __init__(self, db: Database):
        self.db = db
        self.pid = os.getpid()
        self.versions: dict[str, int] = {}
        self.callbacks: list[Callable[[str, int | None], None]] = []
        self.lock = threading.Lock()
        self.listening = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="survey_app-listen")
        self.thread.start()

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                with self.db.connect(autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    while not self.stopped.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self._heard(note.payload)
            except psycopg.Error as error:
                if not self.stopped.is_set():
                    log.warning("workshop notifications: connection lost (%s); reading versions from the "
                                "database until it is back", error)
            finally:
                self.listening.clear()
                with self.lock:
                    self.versions.clear()     # what we missed meanwhile is unknown
            self.stopped.wait(RECONNECT_S)

    def _heard(self, payload: str) -> None:
        workshop_id, _, version_text = payload.partition(" ")
        version = int(version_text) if version_text.isdigit() and int(version_text) > 0 else None
        with self.lock:
            # 0: removed (kept, so that a version read before the removal cannot come back)
            self.versions[workshop_id] = 0 if version is None else max(version, self.versions.get(workshop_id, 0))
            callbacks = list(self.callbacks)
        for callback in callbacks:
            try:
                callback(workshop_id, version)
            except Exception:   # one listener's failure must not stop the others
                log.exception("workshop change callback failed")

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)


class WorkshopSignalStore:
    """Part of Store."""

    db: Database
    _listener: Listener | None = None
    _listener_lock = threading.Lock()

    def _workshop_listener(self) -> Listener:
        if self._listener is not None and self._listener.pid != os.getpid():
            self._listener = None          # forked: the parent's thread does not run here
        if self._listener is None:
            with self._listener_lock:
                if self._listener is None:
                    self._listener = Listener(self.db)
                    self._listener.listening.wait(timeout=5)
        return self._listener

    def workshop_signal(self, workshop_id: str) -> int | None:
        if not valid_id(workshop_id):
            return None
        listener = self._workshop_listener()
        if listener.listening.is_set():
            with listener.lock:
                known = listener.versions.get(workshop_id)
            if known is not None:
                return known or None
        version = self.workshop_version(workshop_id)
        if version is not None and listener.listening.is_set():
            with listener.lock:   # a newer version heard meanwhile wins
                version = listener.versions.setdefault(workshop_id, version)
        return version or None

    def on_workshop_change(self, callback: Callable[[str, int | None], None]) -> Callable[[], None]:
        listener = self._workshop_listener()
        with listener.lock:
            listener.callbacks.append(callback)

        def end() -> None:
            with listener.lock:
                if callback in listener.callbacks:
                    listener.callbacks.remove(callback)
        return end

    def stop_listening(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
