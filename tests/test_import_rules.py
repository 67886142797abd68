"""The layout's rules (docs/architecture.md), read from the imports of every module with ast:

* domain code imports neither Flask (nor its extensions or Werkzeug) nor a database driver:
  Flask only in survey_app/web/ and the app factory (survey_app/__init__.py). WTForms is no
  part of Flask: a question type builds its form fields with it (questions/base.py: fields);
* a database driver (TinyDB, psycopg, ...) only in its adapter, survey_app/storage/<adapter>/;
* domain code never imports the web layer; views never import a storage adapter (they ask
  web/db.py's get_store for the storage, whose contract is storage/interface.py).

Imports inside functions count too. The checker is tried on hand-made violations first, so a
rule that stopped seeing anything would fail here rather than pass silently."""
from __future__ import annotations

import ast
from pathlib import Path, PurePosixPath

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "survey_app"
WEB = {"flask", "flask_babel", "flask_login", "flask_wtf", "werkzeug"}
DRIVERS = {"tinydb", "psycopg", "psycopg2", "psycopg_pool", "sqlalchemy", "sqlite3"}


def imported(source: str, module: str) -> set[str]:
    """Every module named by an import statement of `source` (the module `module`, dotted)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:   # relative: resolve against the module's package
                base = module.split(".")[:-node.level]
                names.add(".".join(base + ([node.module] if node.module else [])))
            else:
                names.add(node.module or "")
    return names


def violations(path: PurePosixPath, source: str) -> list[str]:
    """The rules `source` breaks when it is the module at `path` (relative to the repository)."""
    parts = path.parts
    module = ".".join(path.with_suffix("").parts).removesuffix(".__init__")
    in_web = parts[:2] == ("survey_app", "web")
    factory = parts == ("survey_app", "__init__.py")
    adapter = len(parts) >= 4 and parts[:2] == ("survey_app", "storage")
    found = []
    for name in sorted(imported(source, module)):
        top = name.split(".")[0]
        if top in WEB and not (in_web or factory):
            found.append(f"{path}: domain code imports {name} (Flask belongs in survey_app/web/)")
        if top in DRIVERS and not adapter:
            found.append(f"{path}: imports the database driver {name} outside survey_app/storage/<adapter>/")
        if (name == "survey_app.web" or name.startswith("survey_app.web.")) and not (in_web or factory):
            found.append(f"{path}: domain code imports the web layer ({name})")
        if parts[:3] == ("survey_app", "web", "views") and name.startswith("survey_app.storage.") \
                and name != "survey_app.storage.interface":
            found.append(f"{path}: a view imports a storage adapter ({name}); use web/db.py's get_store")
    return found


@pytest.mark.parametrize("path, source, rule", [
    ("survey_app/analysis/x.py", "import tinydb", "database driver tinydb"),
    ("survey_app/questions/x.py", "def f():\n    from tinydb import Query", "database driver tinydb"),
    ("survey_app/storage/interface.py", "from psycopg import connect", "database driver psycopg"),
    ("survey_app/web/views/x.py", "import sqlite3", "database driver sqlite3"),
    ("survey_app/output/x.py", "from flask import request", "imports flask"),
    ("survey_app/workshops/polls/x.py", "from flask_babel import gettext", "imports flask_babel"),
    ("survey_app/fieldings/x.py", "import werkzeug.security", "imports werkzeug.security"),
    ("survey_app/analysis/x.py", "from flask_wtf import FlaskForm", "imports flask_wtf"),
    ("survey_app/definitions/x.py", "from survey_app.web.db import get_store", "imports the web layer"),
    ("survey_app/definitions/x.py", "from ..web import db", "imports the web layer"),
    ("survey_app/web/views/x.py", "from survey_app.storage.tinydb.store import Store", "storage adapter"),
])
def test_the_checker_sees_each_kind_of_violation(path, source, rule):
    found = violations(PurePosixPath(path), source)
    assert len(found) == 1 and rule in found[0]


@pytest.mark.parametrize("path, source", [
    ("survey_app/storage/tinydb/x.py", "from tinydb import Query"),
    ("survey_app/storage/postgres/x.py", "import psycopg"),
    ("survey_app/web/views/x.py", "from flask import request\nfrom survey_app.storage.interface import DataFolder"),
    ("survey_app/web/db.py", "from survey_app.storage.tinydb.store import Store"),
    ("survey_app/__init__.py", "from flask import Flask\nfrom survey_app.web import db"),
])
def test_the_checker_allows_what_the_rules_allow(path, source):
    assert violations(PurePosixPath(path), source) == []


def test_every_module_keeps_the_rules():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 100
    found = [problem for path in modules
             for problem in violations(PurePosixPath(path.relative_to(PACKAGE.parent).as_posix()),
                                       path.read_text(encoding="utf-8"))]
    assert found == []
