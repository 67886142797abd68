"""Work that every test app repeats with the same inputs, done once per test process.

A test app costs what a real start costs: three staff accounts hashed with scrypt (about 0.1 s
each, by design), every shipped questionnaire read by the pure-Python YAML loader, and every
page template compiled by Jinja. The tests make hundreds of apps with the same passwords,
definition files and templates, so each of these is remembered by its full input here; what
the app does with the result (validation, storing, rendering, checking a password) runs as in
production. `installed()` puts the three in place for the whole session (tests/conftest.py).
And the test folders go in memory where there is a tmpfs (temporary_folders_in_memory).
"""
from __future__ import annotations

import contextlib
import copy
import os
from pathlib import Path

import pytest
import yaml
from flask import Flask
from jinja2 import BytecodeCache


def _hash_once(generate):
    """generate_password_hash, hashing each (password, options) once: the same salted scrypt
    hash for every account the tests give that password. Checking a password is not cached."""
    hashed: dict[tuple, str] = {}

    def generate_password_hash(password, *args, **kwargs):
        key = (password, args, tuple(sorted(kwargs.items())))
        if key not in hashed:
            hashed[key] = generate(password, *args, **kwargs)
        return hashed[key]

    return generate_password_hash


def _read_yaml_once(load):
    """yaml.load that remembers what the definitions' StrictLoader made of each file's bytes,
    keyed by the bytes and the loader's limits at the time (a test that lowers a limit reads
    anew). Errors are not remembered; every caller gets its own copy."""
    from survey_app.definitions import loader as definitions

    parsed: dict[tuple, object] = {}

    def cached_load(stream, Loader=None):
        if Loader is not definitions.StrictLoader or not isinstance(stream, bytes):
            return load(stream, Loader=Loader)
        key = (stream, definitions.MAX_DEFINITION_BYTES, definitions.MAX_VALUES, definitions.MAX_DEPTH)
        if key not in parsed:
            parsed[key] = load(stream, Loader=Loader)
        return copy.deepcopy(parsed[key])

    return cached_load


class _SharedTemplates(BytecodeCache):
    """Jinja's compiled templates kept in memory for every app of the session (Jinja checks each
    against its source's checksum, so a changed template is compiled again)."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def _templates_shared(create_environment, templates: _SharedTemplates):
    def create_jinja_environment(self):
        environment = create_environment(self)
        environment.bytecode_cache = templates
        return environment

    return create_jinja_environment


@contextlib.contextmanager
def installed():
    import survey_app.web.auth as auth

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "generate_password_hash", _hash_once(auth.generate_password_hash))
        patch.setattr(yaml, "load", _read_yaml_once(yaml.load))
        patch.setattr(Flask, "create_jinja_environment",
                      _templates_shared(Flask.create_jinja_environment, _SharedTemplates()))
        yield


def temporary_folders_in_memory(memory: Path = Path("/dev/shm")) -> None:
    """Test folders (tmp_path) in memory where the machine has a tmpfs at /dev/shm: the storage
    syncs each file it writes (fsync), which on a disk costs milliseconds a file and on a tmpfs
    nothing; what the tests see of the files is the same. PYTEST_DEBUG_TEMPROOT is pytest's own
    setting for the folder its numbered test folders go in; one set already, or --basetemp, wins."""
    if os.environ.get("PYTEST_DEBUG_TEMPROOT") or not memory.is_dir() or not os.access(memory, os.W_OK | os.X_OK):
        return
    os.environ["PYTEST_DEBUG_TEMPROOT"] = str(memory)
