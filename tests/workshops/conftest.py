"""One app for the poll type tests that render the poll partials (nothing is stored)."""
from __future__ import annotations

import pytest

from conftest import make_app


@pytest.fixture(scope="session")
def page_app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("poll-pages"))
