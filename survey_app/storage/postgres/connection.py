"""The connection pool and the one way every part of the PostgreSQL adapter talks to the
database: `Database.run(work)` calls work(cursor) inside one transaction on a pooled connection,
commits when it returns, rolls back when it raises, and tries again (up to RETRIES times) when
PostgreSQL ended it for a serialization failure or a deadlock. The only psycopg importer
besides the parts of this package and the schema."""
from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import psycopg
from psycopg import errors
from psycopg.types.string import TextLoader
from psycopg_pool import ConnectionPool

from survey_app.storage.interface import StorageUnavailableError

T = TypeVar("T")
RETRIES = 5
POOL_TIMEOUT_S = 30           # waiting longer for a free connection means the database is stuck
log = logging.getLogger("survey_app.storage.postgres")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def dump(record: Any) -> str:
    """A record as the text stored in its column."""
    return _dumps(record)


def load(text: str | None) -> Any:
    """The record stored as `text` (None stays None)."""
    return None if text is None else json.loads(text)


def one_value(cur) -> Any:
    """The first column of the one row a query found, None for no row."""
    row = cur.fetchone()
    return row[0] if row else None


def one_record(cur) -> Any:
    """The record in the first column of the one row a query found, None for no row."""
    row = cur.fetchone()
    return load(row[0]) if row else None


def is_database_url(value: str | None) -> bool:
    return bool(value) and urlsplit(value).scheme in ("postgresql", "postgres")


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def _configure(conn: psycopg.Connection) -> None:
    # ids are uuid columns; the app sees them as the canonical strings it made.
    conn.adapters.register_loader("uuid", TextLoader)


class Database:
    """A pool of connections to one database (the URL may carry options, e.g. a search_path)."""

    def __init__(self, url: str, min_size: int = 1, max_size: int = 10):
        self.url = url
        self.min_size, self.max_size = min_size, max_size
        self.pool: ConnectionPool | None = None
        self._pid = os.getpid()
        self._open_lock = threading.Lock()

    def _ensure_open(self) -> ConnectionPool:
        # Opened on first use, and again after close() (tests close the pools of their apps).
        if self._pid != os.getpid():
            # A forked worker (gunicorn --preload): the parent's connections are not ours to use
            # (nor to close: that would end them for the parent too); open our own.
            self.pool, self._pid, self._open_lock = None, os.getpid(), threading.Lock()
        pool = self.pool
        if pool is None:
            with self._open_lock:
                if self.pool is None:
                    pool = ConnectionPool(self.url, min_size=self.min_size, max_size=self.max_size, open=False,
                                          configure=_configure, timeout=POOL_TIMEOUT_S, max_idle=60,
                                          name="survey_app")
                    try:
                        pool.open(wait=True, timeout=POOL_TIMEOUT_S)
                    except Exception as error:
                        pool.close()
                        raise StorageUnavailableError(
                            f"cannot reach the database {redacted(self.url)}: {error}") from error
                    self.pool = pool
                pool = self.pool
        return pool

    def run(self, work: Callable[[psycopg.Cursor], T]) -> T:
        """work(cursor) in one transaction; its result once committed."""
        pool = self._ensure_open()
        for attempt in range(RETRIES):
            try:
                with pool.connection() as conn:
                    with conn.transaction(), conn.cursor() as cur:
                        return work(cur)
            except (errors.SerializationFailure, errors.DeadlockDetected):
                if attempt == RETRIES - 1:
                    raise
                log.info("transaction retried after a conflict (attempt %d)", attempt + 1)
            except psycopg.OperationalError as error:   # unreachable, disk full, pool timeout
                raise StorageUnavailableError(f"the database cannot take this now: {error}",
                                              full=isinstance(error, errors.DiskFull)) from error
            except errors.ReadOnlySqlTransaction as error:
                raise StorageUnavailableError(f"the database is read-only: {error}") from error
        raise AssertionError("unreachable")

    def connect(self, **kwargs) -> psycopg.Connection:
        """A connection of its own, outside the pool (listeners, migrations)."""
        try:
            conn = psycopg.connect(self.url, **kwargs)
        except psycopg.OperationalError as error:
            raise StorageUnavailableError(f"cannot reach the database {redacted(self.url)}: {error}") from error
        _configure(conn)
        return conn

    def close(self) -> None:
        with self._open_lock:
            pool, self.pool = self.pool, None
        if pool is not None:
            pool.close()
