"""The production setup of the README: gunicorn with gevent workers (two, on 127.0.0.1). Phones
get a stream whose events reach every worker's phones when the facilitator changes the room,
and phones voting at the same moment from several workers are each stored exactly once (votes
stored together per worker, their syncs waiting outside gevent's loop)."""
from __future__ import annotations

import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from survey_app import create_app
from survey_app.storage.tinydb.store import Store
from survey_app.web.db import get_store
from survey_app.workshops import codes, records, state, templates, voting

pytest.importorskip("gevent")
ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
FIELD = re.compile(r'name="(poll|run)"[^>]*value="([^"]*)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn --worker-class gevent --workers 2 on a fresh data folder with one workshop."""
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed (pip install -e '.[production]')")
    data = tmp_path_factory.mktemp("gunicorn-data")
    app = create_app({"DATA_DIR": str(data)})
    with app.app_context():
        template = templates.load_templates(ROOT / "questionnaires" / "workshops").templates[
            "neighbourhood-management-workshop"]
        workshop = state.new_workshop("Raum", "2025-05-20", codes.new_join_code(), ["de"], template)
        record = get_store().add_workshop(records.workshop_record(workshop))
    port = free_port()
    env = {**os.environ, "SURVEY_APP_DATA": str(data), "SURVEY_APP_WORKSHOP_JOIN_LIMIT": "1000"}
    process = subprocess.Popen([str(GUNICORN), "--worker-class", "gevent", "--workers", "2", "--graceful-timeout", "1", "--bind",
                                f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                               cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield {"base": f"http://127.0.0.1:{port}", "store": Store(data), "id": record["id"],
               "code": record["join_code"]}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Phone:
    def __init__(self, base: str, code: str):
        self.base, self.code = base, code
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as answer:
            return answer.read().decode()

    def post(self, path: str, data: dict) -> str:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as answer:   # follows the redirect
            return answer.read().decode()

    def join(self) -> str:
        self.post("/w/", {"csrf_token": TOKEN.search(self.get(f"/w/{self.code}")).group(1), "code": self.code})
        return self.post(f"/w/{self.code}/join", {"csrf_token": TOKEN.search(self.get(f"/w/{self.code}")).group(1)})

    def next_screen(self, stream) -> dict:
        event = {}
        for raw in stream:
            line = raw.decode().rstrip("\n")
            if line:
                if ": " in line and not line.startswith(":"):
                    key, value = line.split(": ", 1)
                    event[key] = value
                continue
            if event.get("event") == "screen":
                return json.loads(event["data"])
            event = {}
        raise AssertionError("the stream ended")


def change(server, action):
    def apply(record):
        workshop = records.workshop_from_record(record)
        changed = {"open": lambda w: state.open_voting(w, "2025-05-20T10:00:00"),
                   "new_round": lambda w: state.new_round(w, "2025-05-20T10:05:00")}[action](workshop)
        return records.workshop_record(changed)

    server["store"].change_workshop(server["id"], apply)


def test_streams_under_gevent_follow_the_room_and_votes_at_once_count_once(server):
    phones = [Phone(server["base"], server["code"]) for _ in range(40)]
    pages = [phone.join() for phone in phones]
    assert all('data-stream-url="/w/' in page for page in pages)   # gevent: phones get a stream
    views = [re.search(r'data-view="([^"]+)"', page).group(1) for page in pages]
    streams = [phone.opener.open(f"{server['base']}/w/{server['code']}/events?seen={view}", timeout=30)
               for phone, view in zip(phones, views)]
    try:
        assert all(s.headers["Content-Type"].startswith("text/event-stream") for s in streams)
        change(server, "open")   # as the facilitator's request in any worker would
        screens = [phone.next_screen(stream) for phone, stream in zip(phones, streams)]
        run = records.workshop_from_record(server["store"].get_workshop(server["id"])).current_round().run
        assert all(screen["run"] == run and f'value="{run}"' in screen["html"] for screen in screens)

        poll = records.workshop_from_record(server["store"].get_workshop(server["id"])).polls[0]
        sent = {}
        start = threading.Barrier(len(phones))

        def vote(number, phone):
            fields = dict(FIELD.findall(screens[number]["html"]))
            value = voting.random_vote(poll, random.Random(number))
            form = {k: str(v) for k, v in voting.form_values(poll, value).items()}
            token = TOKEN.search(phone.get(f"/w/{phone.code}")).group(1)
            start.wait()
            page = phone.post(f"/w/{phone.code}/vote", {"csrf_token": token, **fields, **form})
            if 'id="recorded"' in page:
                sent[number] = value

        workers = [threading.Thread(target=vote, args=pair) for pair in enumerate(phones)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        assert len(sent) == len(phones)   # every phone was told its vote is recorded
        stored = server["store"].votes(server["id"], run)
        assert len(stored) == len(phones) and max(Counter(v["participant"] for v in stored).values()) == 1
        assert sorted(json.dumps(v["value"], sort_keys=True) for v in stored) == sorted(
            json.dumps(v, sort_keys=True) for v in sent.values())
    finally:
        for stream in streams:
            stream.close()
