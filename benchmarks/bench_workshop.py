"""A room of phones follows the facilitator and votes: how fast, at what cost, and is every vote kept?

Starts the app under gunicorn as the README says (gevent workers) on 127.0.0.1 with a fresh
data folder and a workshop from the shipped template. N simulated phones (default 1,000) do
what the shipped static/workshop.js does, from one asyncio process (aiohttp) so that the load
generator stays cheap:

* join like a browser (the QR code's link, Continue, Join), load the page, and listen to its
  stream (server-sent events, with ?seen= and Last-Event-ID) or, with --polling, ask the
  state URL every 2 s with If-None-Match and fetch the page when the state moved;
* on an event, show the screen it carries, or fetch the page when the event says so;
* vote with the form's fields in the background (fetch: the POST, then the page it is
  redirected to, whose live part is put in), the stream staying open.

Phases: the phones wait (the server's CPU is measured from /proc of the gunicorn processes,
not the generator's); the facilitator opens the dot-voting poll (follow = from sending
"open" to each phone showing the poll); each phone votes at a random moment within 10 s;
the facilitator starts a new round and all phones vote at the same instant (the burst).
After each vote phase the stored votes are compared with the acknowledged ones.

    .venv/bin/pip install -e '.[production,benchmark]'
    .venv/bin/python benchmarks/bench_workshop.py [--phones 1000] [--workers 4] [--polling]

Last line: phones=N follow_p95_s=X vote_p95_ms=Y idle_cpu_pct=Z stored=N lost=0
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey_app import create_app  # noqa: E402
from survey_app.storage.tinydb.store import Store  # noqa: E402
from survey_app.web.auth import create_user  # noqa: E402
from survey_app.web.db import get_store  # noqa: E402
from survey_app.workshops import codes, records, state, templates, voting  # noqa: E402

TEMPLATE = "neighbourhood-management-workshop"
PASSWORD = "benchmark-password"
SPREAD_S = 10.0
POLL_S = 2.0            # static/workshop.js POLL_MS, without a stream
IDLE_S = 10.0
FIELD = re.compile(r'name="(csrf_token|poll|run)"[^>]*value="([^"]*)"')
DATA = re.compile(r'data-(view|run|voted-run|csrf|stream-url|state-url|page-url)="([^"]*)"')


def gunicorn_command(port: int, workers: int) -> list[str]:
    """The production command of the README, on 127.0.0.1 and a free port."""
    return [str(Path(sys.executable).parent / "gunicorn"), "--worker-class", "gevent", "--workers", str(workers),
            "--worker-connections", "2000", "--bind", f"127.0.0.1:{port}", "--backlog", "2048",
            "--log-level", "warning", "wsgi:app"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(data_dir: str) -> tuple[str, str]:
    app = create_app({"DATA_DIR": data_dir})
    with app.app_context():
        create_user("facilitator", PASSWORD, "facilitator")
        template = templates.load_templates(ROOT / "questionnaires" / "workshops").templates[TEMPLATE]
        workshop = state.new_workshop("Benchmark", "2025-05-20", codes.new_join_code(), ["de"], template)
        record = get_store().add_workshop({**records.workshop_record(workshop), "facilitators": [
            get_store().find_user("facilitator")["id"]]})
    return record["id"], record["join_code"]


def start_server(data_dir: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "SURVEY_APP_DATA": data_dir}
    server = subprocess.Popen(gunicorn_command(port, workers), cwd=ROOT, env=env,
                              start_new_session=True)  # own process group: stopped as a whole below
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
                if b"200" in s.recv(100):
                    return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not start")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """User + system CPU time of gunicorn's master and workers so far."""
    return sum(per_process_cpu(server).values())


def per_process_cpu(server: subprocess.Popen) -> dict[int, float]:
    ticks = os.sysconf("SC_CLK_TCK")
    total = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is the state; ppid is fields[1], pgrp fields[2]; utime, stime are fields[11], [12]
        if int(fields[2]) == server.pid:
            total[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks
    return total


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


class Phone:
    """One browser with the shipped JavaScript: its own cookies, a stream or polling."""

    def __init__(self, base: str, code: str, polling: bool, number: int):
        self.base, self.code, self.polling = base, code, polling
        jar = aiohttp.CookieJar(unsafe=True)
        # Each phone from its own address, as on the room's network (127.0.0.0/8 is all loopback):
        # the app limits new participants per address and workshop.
        address = f"127.0.{number // 250 + 1}.{number % 250 + 1}"
        self.http = aiohttp.ClientSession(base, cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=None),
                                          connector=aiohttp.TCPConnector(limit=6, force_close=False,
                                                                         local_addr=(address, 0)))
        self.page: dict[str, str] = {}
        self.form: dict[str, str] = {}
        self.shown: dict[str, float] = {}     # run -> when the phone showed its vote form
        self.follower: asyncio.Task | None = None
        self.fetches = 0

    async def get(self, path: str, **kwargs) -> tuple[int, str, dict]:
        async with self.http.get(path, **kwargs) as response:
            return response.status, await response.text(), dict(response.headers)

    async def post(self, path: str, data: dict) -> tuple[int, str]:
        for attempt in range(2):
            try:
                async with self.http.post(path, data=data, allow_redirects=False) as response:
                    await response.read()
                    return response.status, response.headers.get("Location", "")
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
                # The server closed a kept-alive connection as the request went out: browsers
                # send it again on a new one (a vote sent twice replaces itself, never counts twice).
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def read_page(self, html: str) -> None:
        self.page = dict(DATA.findall(html.split('id="live"', 1)[-1].split(">", 1)[0] + ">"))
        self.read_screen(html)

    def read_screen(self, html: str) -> None:
        fields = dict(FIELD.findall(html))
        if "run" in fields:
            self.form = {"poll": fields["poll"], "run": fields["run"]}
            self.shown.setdefault(fields["run"], time.perf_counter())
        else:
            self.form = {}

    async def load(self) -> None:
        status, html, _headers = await self.get(f"/w/{self.code}")
        assert status == 200, status
        self.fetches += 1
        self.read_page(html)

    async def join(self) -> None:
        status, html, _h = await self.get(f"/w/{self.code}")            # the QR code's link
        token = dict(FIELD.findall(html))["csrf_token"]
        assert (await self.post("/w/", {"csrf_token": token, "code": self.code}))[0] == 302
        status, html, _h = await self.get(f"/w/{self.code}")            # the join page
        token = dict(FIELD.findall(html))["csrf_token"]
        assert (await self.post(f"/w/{self.code}/join", {"csrf_token": token}))[0] == 302
        await self.load()
        self.follow()

    def follow(self) -> None:
        if self.follower:
            self.follower.cancel()
        self.follower = asyncio.create_task(self.poll() if self.polling or not self.page.get("stream-url")
                                            else self.listen())

    async def listen(self) -> None:
        """EventSource: reconnects after RETRY with Last-Event-ID; shows the event's screen."""
        last_id = None
        while True:
            headers = {"Accept": "text/event-stream"}
            if last_id:
                headers["Last-Event-ID"] = last_id
            try:
                async with self.http.get(self.page["stream-url"], params={"seen": self.page["view"]},
                                         headers=headers) as response:
                    if response.status != 200:
                        return await self.poll()
                    event: dict[str, str] = {}
                    async for raw in response.content:
                        line = raw.decode().rstrip("\n")
                        if line:
                            if not line.startswith(":") and ":" in line:
                                key, value = line.split(":", 1)
                                event[key] = value[1:] if value.startswith(" ") else value
                            continue
                        if "id" in event:
                            last_id = event["id"]
                        if event.get("event") == "screen":
                            await self.show(json.loads(event["data"]))
                        event = {}
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(2)

    async def show(self, event: dict) -> None:
        if event["view"] == self.page["view"]:
            return
        voted = self.page.get("voted-run") and self.page["voted-run"] == event["run"]
        html = event["voted_html"] if voted else event["html"]
        if html is None:
            await self.load()
            return
        self.page.update(view=event["view"], run=event["run"] or "")
        if not voted:
            self.page["voted-run"] = ""
        self.read_screen(html)

    async def poll(self) -> None:
        etag = None
        await asyncio.sleep(random.uniform(0, POLL_S))
        while True:
            headers = {"If-None-Match": etag} if etag else {}
            try:
                status, body, response_headers = await self.get(self.page["state-url"], headers=headers)
                if status == 200:
                    etag = response_headers.get("ETag")
                    if json.loads(body)["view"] != self.page["view"]:
                        await self.load()
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(POLL_S)

    async def vote(self, fields: dict) -> tuple[int, float, float]:
        """Send the vote as workshop.js does (fetch, which follows the redirect to the page;
        the page's live part is put in, the stream stays open). Returns (status, ms until the
        POST was answered, ms with the page)."""
        started = time.perf_counter()
        status, location = await self.post(f"/w/{self.code}/vote",
                                           {"csrf_token": self.page["csrf"], **self.form, **fields})
        answered = time.perf_counter()
        assert location.split("#")[0].endswith(f"/w/{self.code}"), location
        await self.load()
        return status, (answered - started) * 1000, (time.perf_counter() - started) * 1000

    async def close(self) -> None:
        if self.follower:
            self.follower.cancel()
        await self.http.close()


class Facilitator:
    def __init__(self, base: str, workshop_id: str):
        self.http = aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.workshop_id = workshop_id

    async def token(self, path: str) -> str:
        async with self.http.get(path) as response:
            return dict(FIELD.findall(await response.text()))["csrf_token"]

    async def login(self) -> None:
        token = await self.token("/login")
        async with self.http.post("/login", data={"csrf_token": token, "username": "facilitator",
                                                  "password": PASSWORD}, allow_redirects=False) as r:
            assert r.status == 302, r.status

    async def act(self, action: str) -> float:
        """Press a control button; returns the moment the POST was sent."""
        token = await self.token(f"/workshops/{self.workshop_id}")
        sent = time.perf_counter()
        async with self.http.post(f"/workshops/{self.workshop_id}/control",
                                  data={"csrf_token": token, "action": action}, allow_redirects=False) as r:
            assert r.status == 302, r.status
        return sent


def current_run(store: Store, workshop_id: str) -> str:
    return records.workshop_from_record(store.get_workshop(workshop_id)).current_round().run


def check_stored(store: Store, workshop_id: str, run: str, acknowledged: list[dict]) -> tuple[int, int, int]:
    """(stored, lost: acknowledged but not stored, doubled: participants stored more than once)."""
    stored = store.votes(workshop_id, run)
    doubled = sum(count - 1 for count in Counter(v["participant"] for v in stored).values() if count > 1)
    missing = Counter(json.dumps(v, sort_keys=True) for v in acknowledged)
    missing.subtract(Counter(json.dumps(v["value"], sort_keys=True) for v in stored))
    return len(stored), sum(c for c in missing.values() if c > 0), doubled


async def wait_shown(phones: list[Phone], run: str, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline and not all(run in p.shown for p in phones):
        await asyncio.sleep(0.05)


def line(name: str, values: list[float], unit: str) -> str:
    return (f"{name:<28} n={len(values):5d}  p50 {statistics.median(values):8.1f} {unit}  "
            f"p95 {percentile(values, 95):8.1f} {unit}  max {max(values):8.1f} {unit}")


async def run(args, base: str, server: subprocess.Popen, workshop_id: str, code: str, data_dir: str) -> str:
    store = Store(data_dir)
    poll = records.workshop_from_record(store.get_workshop(workshop_id)).polls[0]
    rng = random.Random(args.seed)
    facilitator = Facilitator(base, workshop_id)
    await facilitator.login()
    phones = [Phone(base, code, args.polling, number) for number in range(args.phones)]
    started = time.perf_counter()
    gate = asyncio.Semaphore(20)

    async def join(phone: Phone) -> None:
        async with gate:
            await phone.join()

    try:
        await asyncio.gather(*(join(p) for p in phones))
        mode = "polling every 2 s" if args.polling else "streams"
        print(f"{len(phones)} phones joined in {time.perf_counter() - started:.1f} s ({mode}; gunicorn gevent, "
              f"{args.workers} workers, {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f})", flush=True)
        # -- 1. waiting: the server's share of the machine
        await asyncio.sleep(3)
        cpu, wall = server_cpu_seconds(server), time.perf_counter()
        await asyncio.sleep(IDLE_S)
        idle_pct = (server_cpu_seconds(server) - cpu) / (time.perf_counter() - wall) / os.cpu_count() * 100
        print(f"idle: server CPU {idle_pct:.1f} % of the machine while {len(phones)} phones wait", flush=True)

        # -- 2. the facilitator opens the poll: every phone shows it
        fetches = sum(p.fetches for p in phones)
        sent = await facilitator.act("open")
        run_id = current_run(store, workshop_id)
        await wait_shown(phones, run_id, 60)
        follow = [p.shown[run_id] - sent for p in phones if run_id in p.shown]
        print(line("follow after open", follow, "s") + f"  shown by {len(follow)} of {len(phones)}, "
              f"page fetches {sum(p.fetches for p in phones) - fetches}", flush=True)

        # -- 3. votes at random moments within SPREAD_S
        values = [voting.random_vote(poll, rng) for _ in phones]

        async def vote_at(phone: Phone, delay: float, value) -> tuple[int, float, float]:
            await asyncio.sleep(delay)
            fields = {k: str(v) for k, v in voting.form_values(poll, value).items()}
            return await phone.vote(fields)

        cpu, wall, each = server_cpu_seconds(server), time.perf_counter(), per_process_cpu(server)
        results = await asyncio.gather(*(vote_at(p, rng.uniform(0, SPREAD_S), v) for p, v in zip(phones, values)))
        vote_cpu = (server_cpu_seconds(server) - cpu) / (time.perf_counter() - wall) / os.cpu_count() * 100
        vote_ms = [ms for _s, ms, _full in results]
        acknowledged = [v for (status, _ms, _f), v in zip(results, values) if status == 302]
        stored, lost, doubled = check_stored(store, workshop_id, run_id, acknowledged)
        print(line("vote (POST), within 10 s", vote_ms, "ms"), flush=True)
        print(line("vote with the page after it", [full for *_x, full in results], "ms"), flush=True)
        print(f"spread: {len(acknowledged)} of {len(phones)} acknowledged, {stored} stored, lost {lost}, "
              f"counted twice {doubled}; server CPU {vote_cpu:.0f} % of the machine, "
              f"{(server_cpu_seconds(server) - cpu) / len(phones) * 1000:.1f} ms per phone (vote, page, stream); "
              f"per process (s): {[round(t - each.get(pid, 0), 1) for pid, t in per_process_cpu(server).items()]}",
              flush=True)

        # -- 4. a new round; every phone votes at the same instant
        sent = await facilitator.act("new_round")
        burst_run = current_run(store, workshop_id)
        await wait_shown(phones, burst_run, 60)
        burst_follow = [p.shown[burst_run] - sent for p in phones if burst_run in p.shown]
        print(line("follow after new round", burst_follow, "s"), flush=True)
        await asyncio.sleep(1)
        values_again = [voting.random_vote(poll, rng) for _ in phones]
        start = time.perf_counter()
        burst = await asyncio.gather(*(vote_at(p, 0, v) for p, v in zip(phones, values_again)))
        burst_ms = [ms for _s, ms, _f in burst]
        burst_ack = [v for (status, _ms, _f), v in zip(burst, values_again) if status == 302]
        stored_b, lost_b, doubled_b = check_stored(store, workshop_id, burst_run, burst_ack)
        print(line("vote (POST), all at once", burst_ms, "ms") +
              f"  all answered within {max(burst_ms) / 1000:.2f} s", flush=True)
        print(f"burst: {len(burst_ack)} of {len(phones)} acknowledged, {stored_b} stored, lost {lost_b}, "
              f"counted twice {doubled_b} ({time.perf_counter() - start:.1f} s with the pages)", flush=True)
        return (f"phones={len(phones)} follow_p95_s={percentile(follow, 95):.2f} "
                f"vote_p95_ms={percentile(vote_ms, 95):.0f} idle_cpu_pct={idle_pct:.1f} "
                f"stored={stored} lost={lost + lost_b + doubled + doubled_b}")
    finally:
        await asyncio.gather(*(p.close() for p in phones))
        await facilitator.http.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--polling", action="store_true", help="phones without a stream (the fallback)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * args.phones + 1024)), hard))
    with tempfile.TemporaryDirectory(prefix="bench-workshop-") as data_dir:
        workshop_id, code = prepare(data_dir)
        port = free_port()
        server = start_server(data_dir, port, args.workers)
        try:
            result = asyncio.run(run(args, f"http://127.0.0.1:{port}", server, workshop_id, code, data_dir))
        finally:
            stop_server(server)
    print(result)


if __name__ == "__main__":
    main()
