"""The room: the join address phones can reach (QR code and link), with a warning when it is
this computer's own."""
from __future__ import annotations

import socket

import pytest

from conftest import login
from test_workshop_routes import create, facilitator, page_text, record  # noqa: F401 (a fixture)
from survey_app.web.views.workshops import addresses


@pytest.fixture
def workshop(app, facilitator):
    workshop_id = create(facilitator)
    return workshop_id, record(app, workshop_id)["join_code"]


WARNING = "Phones cannot join at this address."


def test_a_loopback_address_warns_on_the_presenter_and_control_pages(facilitator, workshop, monkeypatch):
    workshop_id, code = workshop
    monkeypatch.setattr(addresses, "_checked", {})
    # the test client's "localhost", and nothing of ours answers on the local network address
    for url in (f"/workshops/{workshop_id}/present", f"/workshops/{workshop_id}"):
        page = page_text(facilitator.get(url))
        assert WARNING in page and f"http://localhost/w/{code}" in page, url


def staff_at(app, host):
    """The facilitator's browser, opening the app at `host`."""
    app.config["SERVER_NAME"] = host   # the test client's host for its requests
    client = app.test_client()
    login(client, "facilitator")
    client.get("/lang/en")
    return client


def test_a_network_address_is_used_as_it_is(app, workshop):
    workshop_id, code = workshop
    page = page_text(staff_at(app, "192.168.1.20:5000").get(f"/workshops/{workshop_id}/present"))
    assert WARNING not in page and f"http://192.168.1.20:5000/w/{code}" in page
    assert ">http://192.168.1.20:5000/w/<" in page   # the short address to type the code into


def test_opened_on_this_computer_the_join_address_is_its_network_address(app, workshop, monkeypatch):
    workshop_id, code = workshop
    lan = addresses._local_network_address()
    if lan is None:
        pytest.skip("this machine has no network address besides loopback")
    monkeypatch.setattr(addresses, "_checked", {})
    with socket.socket() as listening:   # the app, started with HOST=0.0.0.0, answers there
        listening.bind((lan, 0))
        listening.listen()
        port = listening.getsockname()[1]
        staff = staff_at(app, f"127.0.0.1:{port}")
        page = page_text(staff.get(f"/workshops/{workshop_id}/present", environ_overrides={"SERVER_PORT": str(port)}))
    assert WARNING not in page and f"http://{lan}:{port}/w/{code}" in page


def test_a_configured_join_address_wins(facilitator, workshop, monkeypatch):
    workshop_id, code = workshop
    monkeypatch.setenv("SURVEY_APP_JOIN_URL", "https://beteiligung.example.org/")
    page = page_text(facilitator.get(f"/workshops/{workshop_id}"))
    assert WARNING not in page and f"https://beteiligung.example.org/w/{code}" in page


def test_make_run_on_every_address_prints_links_phones_can_open(app, monkeypatch):
    """HOST=0.0.0.0 make run: the printed links use the computer's network address, not 0.0.0.0."""
    monkeypatch.setattr(addresses, "_local_network_address", lambda: "192.168.1.20")
    result = app.test_cli_runner().invoke(args=["surveys", "--base-url", "http://0.0.0.0:5000"])
    assert result.exit_code == 0 and "0.0.0.0" not in result.output
    assert "http://192.168.1.20:5000/s/" in result.output and "http://192.168.1.20:5000" in result.output.splitlines()[0]
    local = app.test_cli_runner().invoke(args=["surveys", "--base-url", "http://127.0.0.1:5000"])
    assert "http://127.0.0.1:5000/s/" in local.output and "192.168" not in local.output
