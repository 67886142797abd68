"""The minimum group size is one rule, read in one place: never below 3, raised (never lowered)
by a fielding's or a workshop's own setting."""
from __future__ import annotations

import pytest

from conftest import csrf_token, login, make_app
from survey_app.analysis.disclosure import FLOOR, MinimumTooLow, checked_app_minimum, effective_minimum
from survey_app.web.db import get_store
from survey_app.workshops import records, state


def test_settings_only_raise_the_app_minimum():
    assert effective_minimum(5) == 5
    assert effective_minimum(5, 3) == 5
    assert effective_minimum(5, None, 8) == 8
    assert effective_minimum(3, True) == 3  # a stray boolean is no setting


@pytest.mark.parametrize("value", [0, 1, 2, "2", "zwei", None, 2.5])
def test_an_app_minimum_below_the_floor_is_refused_at_start(tmp_path, value):
    with pytest.raises(MinimumTooLow, match="MIN_GROUP_SIZE"):
        make_app(tmp_path, MIN_GROUP_SIZE=value)


def test_the_environment_sets_the_app_minimum(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_APP_MIN_GROUP_SIZE", "7")
    from survey_app import create_app

    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "d"), "SECRET_KEY": "x"})
    assert app.config["MIN_GROUP_SIZE"] == 7
    assert checked_app_minimum("4") == 4 and FLOOR == 3


def test_a_workshop_cannot_go_below_the_app_minimum(app):
    client = app.test_client()
    login(client, "admin")
    with app.app_context():
        record = get_store().add_workshop(records.workshop_record(state.new_workshop("W", "2026-12-01", "QWERTY", ("de",))))
    token = csrf_token(client, f"/workshops/{record['id']}/settings")
    response = client.post(f"/workshops/{record['id']}/settings",
                           data={"csrf_token": token, "title": "W", "date": "2026-12-01", "min_group_size": "4",
                                 "organisation_types_de": ""})
    assert response.status_code == 422
    with app.app_context():
        assert get_store().get_workshop(record["id"]).get("min_group_size") is None
