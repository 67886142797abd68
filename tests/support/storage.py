"""The storage adapters the contract suite (tests/storage/test_contract.py) runs against, and
worker processes that use one of them at the same moment as the test.

An adapter joins by adding one Adapter to ADAPTERS: a name and a function that opens a store on
the storage kept under a test's temporary folder (every call with the same folder opens the same
storage, also in another process).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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


ADAPTERS = [Adapter("tinydb", _tinydb, _tinydb_kept)]


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
