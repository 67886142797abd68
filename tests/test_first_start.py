"""`make run` on a fresh checkout says what it does before each long step (issue 17.4)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_make_run_says_what_it_does_before_installing_and_starting(tmp_path):
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    # --dry-run with a virtual environment that does not exist yet: the commands of a first start
    # (not as a sub-make of `make test`, which would add "Entering/Leaving directory" lines)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES")}
    planned = subprocess.run(["make", "--no-print-directory", "--dry-run", "run", f"VENV={tmp_path / 'venv'}"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
                             check=True).stdout.splitlines()
    steps = [line for line in planned if line.startswith("echo ")]
    assert [s.split('"')[1].split(" ")[0:2] for s in steps] == [
        ["First", "start:"], ["Installing", "survey_app"], ["Installed."], ["Checking", "the"],
        ["Public", "links"], ["Starting", "the"]]
    install = next(i for i, line in enumerate(planned) if "pip install --quiet -e ." in line)
    assert "Installing survey_app" in planned[install - 1]
    assert "Starting the app on http://127.0.0.1:5000" in planned[-2]
