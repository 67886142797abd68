"""How phones follow the room (web/rooms.py, participant.events): the stream of server-sent
events with the new screen in each event, catching up after a lost connection, and the
polling fallback where the server cannot hold streams."""
from __future__ import annotations

import json
import re
import threading

import pytest

from test_workshop_routes import Participant, act, create, facilitator, record  # noqa: F401 (a fixture)


@pytest.fixture
def room(app, facilitator):
    app.config["WORKSHOP_PUSH"] = "on"   # as under gunicorn's gevent workers
    workshop_id = create(facilitator)
    return workshop_id, record(app, workshop_id)["join_code"]


def events(chunks):
    """The next event of a stream (skipping comments and the retry line) as {field: value}."""
    text = ""
    for chunk in chunks:
        text += chunk.decode()
        while "\n\n" in text:
            block, text = text.split("\n\n", 1)
            fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":")
                          and ": " in line)
            if "event" in fields:
                yield fields


def meanwhile(*args):
    """act() from another thread: an open stream keeps the phone's request context in this one
    (as a server serves the facilitator beside the phones)."""
    worker = threading.Thread(target=act, args=args)
    worker.start()
    worker.join(30)


def data(html, name):
    return re.search(rf'data-{name}="([^"]*)"', html).group(1)


def test_a_joined_phone_gets_each_new_screen_in_the_stream(app, facilitator, room):
    workshop_id, code = room
    phone = Participant(app, code)
    phone.join()
    page = phone.page().get_data(as_text=True)
    assert data(page, "stream-url") == f"/w/{code}/events"
    view = data(page, "view")
    response = phone.client.get(f"/w/{code}/events?seen={view}", buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    assert response.headers["X-Accel-Buffering"] == "no" and response.headers["Cache-Control"] == "no-cache"
    stream = events(response.response)
    assert next(stream) == {"id": view, "event": "ready", "data": "{}"}   # up to date: nothing to show
    meanwhile(facilitator, workshop_id, "open")
    event = next(stream)
    assert event["event"] == "screen" and event["id"] != view
    screen = json.loads(event["data"])
    run = record(app, workshop_id)["rounds"]["goals"][-1]["run"]
    assert screen["view"] == event["id"] and screen["run"] == run
    # the form of every phone, with a slot for each phone's own token; and the voted screen
    assert f'name="run" value="{run}"' in screen["html"] and screen["slot"] in screen["html"]
    assert 'name="run"' not in screen["voted_html"] and "Your vote is recorded." in screen["voted_html"]
    meanwhile(facilitator, workshop_id, "close")
    closed = json.loads(next(stream)["data"])
    assert "Voting is closed" in closed["html"] and 'name="run"' not in closed["html"]
    response.close()


def test_the_event_screen_is_what_the_page_shows(app, facilitator, room):
    workshop_id, code = room
    act(facilitator, workshop_id, "open")
    phone = Participant(app, code)
    phone.join()
    response = phone.client.get(f"/w/{code}/events?seen=old", buffered=False)
    screen = json.loads(next(events(response.response))["data"])
    response.close()
    html = phone.page().get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    live = html.split('data-csrf="', 1)[1].split(">", 1)[1].split('<p class="visually-hidden"', 1)[0]
    assert re.sub(r"\s+", " ", screen["html"].replace(screen["slot"], token)).strip() in re.sub(r"\s+", " ", live)


def test_a_phone_that_lost_the_connection_catches_up_at_once(app, facilitator, room):
    workshop_id, code = room
    phone = Participant(app, code)
    phone.join()
    view = data(phone.page().get_data(as_text=True), "view")
    act(facilitator, workshop_id, "open")     # while the phone's connection was down
    # the browser reconnects with the last event id it saw
    response = phone.client.get(f"/w/{code}/events", headers={"Last-Event-ID": view}, buffered=False)
    event = next(events(response.response))
    response.close()
    assert event["event"] == "screen" and event["id"] != view and 'name="run"' in json.loads(event["data"])["html"]


def test_only_joined_phones_get_a_stream(app, room):
    _workshop_id, code = room
    stranger = Participant(app, code)
    assert stranger.client.get(f"/w/{code}/events").status_code == 204   # EventSource gives up
    confirmed = Participant(app, code)
    confirmed.client.post("/w/", data={"csrf_token": re.search(
        r'name="csrf_token" value="([^"]+)"', confirmed.page().get_data(as_text=True)).group(1), "code": code})
    assert confirmed.client.get(f"/w/{code}/events").status_code == 204   # saw the code, did not join


def test_without_streams_phones_poll_a_small_state(app, facilitator, room):
    workshop_id, code = room
    app.config["WORKSHOP_PUSH"] = "off"   # e.g. gunicorn's sync workers, waitress
    phone = Participant(app, code)
    phone.join()
    page = phone.page().get_data(as_text=True)
    assert "data-stream-url" not in page and data(page, "state-url") == f"/w/{code}/state.json"
    assert phone.client.get(f"/w/{code}/events").status_code == 204
    state = phone.client.get(f"/w/{code}/state.json")
    assert state.json == {"view": data(page, "view")}
    assert phone.client.get(f"/w/{code}/state.json", headers={"If-None-Match": state.headers["ETag"]}).status_code == 304
    act(facilitator, workshop_id, "open")
    moved = phone.client.get(f"/w/{code}/state.json", headers={"If-None-Match": state.headers["ETag"]})
    assert moved.status_code == 200 and moved.json["view"] != state.json["view"]
    assert data(phone.page().get_data(as_text=True), "view") == moved.json["view"]   # the page it fetches
