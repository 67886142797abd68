"""A scratch schema in the database a benchmark is given (--database-url), dropped at the end."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from survey_app.storage.postgres.schema import drop_schema, scratch_schema  # noqa: E402


@contextmanager
def scratch_database(url: str):
    """The URL of a new, upgraded schema in `url`'s database (search_path), dropped afterwards."""
    name = f"bench_{os.getpid()}"
    scoped = scratch_schema(url, name)
    try:
        yield scoped
    finally:
        drop_schema(url, name)
