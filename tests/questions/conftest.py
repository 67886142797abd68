"""One app for all question type tests: they render pages and read forms, and store nothing."""
from __future__ import annotations

import pytest

from survey_app import create_app


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("question-types")
    return create_app({"TESTING": True, "DATA_DIR": str(data / "data"), "SECRET_KEY": "test-secret"})
