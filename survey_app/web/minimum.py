"""The minimum group size of a fielding or workshop, as the running app configures it."""
from __future__ import annotations

from flask import current_app

from survey_app.analysis.disclosure import effective_minimum


def app_minimum() -> int:
    """The app-wide minimum (checked at start, see create_app)."""
    return current_app.config["MIN_GROUP_SIZE"]


def init_app(app) -> None:
    app.add_template_global(minimum_group_size)


def minimum_group_size(setting: int | None = None) -> int:
    """The minimum for results of a fielding or workshop whose own setting is `setting`."""
    return effective_minimum(app_minimum(), setting)
