"""The storage adapters the contract suite (tests/storage/test_contract.py) runs against, and
worker processes that use one of them at the same moment as the test.

An adapter joins by adding one Adapter to ADAPTERS: a name and a function that opens a store on
the storage kept under a test's temporary folder (every call with the same folder opens the same
storage, also in another process).
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from survey_app.storage.interface import Storage
from survey_app.storage.tinydb.store import Store

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
WORKER = Path(__file__).with_name("store_worker.py")
SURVEY = "6f1c2b1e-3d4a-4c5b-9e8f-0a1b2c3d4e5f"   # a survey id nothing else uses


@dataclass(frozen=True)
class Adapter:
    name: str
    # open(where, small): a store on the storage under `where`; with `small`, the smallest units
    # the adapter has (e.g. response files of two), so that tests cross their borders.
    open: Callable[[Path, bool], Storage]
    # check_kept(where): the adapter's own checks of what many writers at once left behind
    # (raises AssertionError); the contract suite calls it after such tests.
    check_kept: Callable[[Path], None] = lambda where: None

    def __str__(self) -> str:
        return self.name


def _tinydb(where: Path, small: bool = False) -> Store:
    return Store(Path(where) / "data", shard_size=2 if small else 128)


def _tinydb_kept(where: Path) -> None:
    """Every response file is whole and holds at most shard_size responses."""
    for shard in (Path(where) / "data" / "surveys").glob("*/responses-*.json"):
        assert len(json.loads(shard.read_text(encoding="utf-8"))["_default"]) <= 128, shard


# -- PostgreSQL: a schema of its own per test folder, in the database SURVEY_APP_TEST_DATABASE_URL names

TEST_DATABASE_URL = os.environ.get("SURVEY_APP_TEST_DATABASE_URL", "")
NO_POSTGRES = ("PostgreSQL tests skipped: SURVEY_APP_TEST_DATABASE_URL is not set (.ci/run starts a throwaway "
               "cluster and sets it; see README, 'Tests on PostgreSQL')")
_opened: dict[tuple[int, str], object] = {}       # (process, schema) -> Store, closed after each test
_schemas: set[str] = set()                        # made by this process, dropped at the end


def postgres_url(where) -> str:
    """The test database's URL with search_path set to the schema of `where` (made and upgraded
    when missing)."""
    from survey_app.storage.postgres import schema as tables

    if not TEST_DATABASE_URL:
        raise RuntimeError(NO_POSTGRES.replace("skipped", "required under CI=true"))
    schema = "t_" + hashlib.sha1(str(Path(where).resolve()).encode()).hexdigest()[:20]
    _schemas.add(schema)
    return tables.scratch_schema(TEST_DATABASE_URL, schema)


def _postgres(where: Path, small: bool = False):
    from survey_app.storage.postgres.store import Store as PostgresStore

    if not TEST_DATABASE_URL:
        raise RuntimeError(NO_POSTGRES.replace("skipped", "required under CI=true"))
    key = (os.getpid(), str(Path(where).resolve()))
    if key not in _opened:
        _opened[key] = PostgresStore(postgres_url(where), pool_size=12)
    return _opened[key]


def close_opened() -> None:
    """Close the PostgreSQL stores this process opened (after each test: no pool outlives it)."""
    for key in [key for key in _opened if key[0] == os.getpid()]:
        _opened.pop(key).close()


def drop_schemas() -> None:
    if not _schemas:
        return
    from survey_app.storage.postgres.schema import drop_schema

    for schema in sorted(_schemas):
        drop_schema(TEST_DATABASE_URL, schema)
    _schemas.clear()


def postgres_required() -> bool:
    """Under CI=true the PostgreSQL tests must run: a missing database is a failure, not a skip."""
    return os.environ.get("CI") == "true"


ADAPTERS = [Adapter("tinydb", _tinydb, _tinydb_kept)]
if TEST_DATABASE_URL:
    ADAPTERS.append(Adapter("postgres", _postgres))


def adapter_params():
    """ADAPTERS as pytest params, with the PostgreSQL one listed as skipped (and why) when absent."""
    if TEST_DATABASE_URL:
        return list(ADAPTERS)
    if postgres_required():   # fails in every test, saying why
        return [*ADAPTERS, Adapter("postgres", _postgres)]
    return [*ADAPTERS, pytest.param(Adapter("postgres", _postgres), marks=pytest.mark.skip(reason=NO_POSTGRES))]


def adapter_named(name: str) -> Adapter:
    return next(adapter for adapter in ADAPTERS if adapter.name == name)


# -- worker processes (support/store_worker.py) ----------------------------------------------

def spawn(mode: str, adapter: str, where, *args) -> subprocess.Popen:
    """A worker process: `python store_worker.py MODE ADAPTER WHERE ARGS...`."""
    path = os.pathsep.join([str(ROOT), str(TESTS), os.environ.get("PYTHONPATH", "")])
    return subprocess.Popen([sys.executable, str(WORKER), mode, adapter, str(where), *map(str, args)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": path},
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def stop(proc: subprocess.Popen) -> None:
    """Kill the worker if it still runs, wait for it and close its pipes."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    proc.stdin.close()
    proc.stdout.close()


def run_together(arg_lists, timeout=60) -> list[list[str]]:
    """Start one worker per argument list, release them at once, return each one's output lines."""
    procs = [spawn(*args) for args in arg_lists]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready"
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        outputs = []
        for p in procs:
            out, _ = p.communicate(timeout=timeout)
            assert p.returncode == 0
            outputs.append(out.splitlines())
        return outputs
    finally:
        for p in procs:
            stop(p)
