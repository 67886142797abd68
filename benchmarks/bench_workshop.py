"""A room of phones follows the facilitator and votes: how fast, at what cost, and is every vote kept?

Starts the app under gunicorn as the README says (gevent workers) on 127.0.0.1 with a fresh
data folder and a workshop from the shipped template; with --database-url the same room runs
again on PostgreSQL (a scratch schema), and both last lines are printed side by side. N simulated phones (default 1,000) do what the shipped static/workshop.js
does. They run in several load-generator processes (--generators, asyncio + aiohttp each), so
that the generator is not what is measured; its CPU is printed beside the server's:

* join like a browser (the QR code's link, Continue, Join), load the page, and listen to its
  stream (server-sent events, with ?seen= and Last-Event-ID) or, with --polling, ask the
  state URL every 2 s with If-None-Match and fetch the page when the state moved;
* on an event, show the screen it carries, or fetch the page when the event says so;
* vote with the form's fields in the background (fetch: the POST, then the page it is
  redirected to, whose live part is put in), the stream staying open.

Phases: the phones wait (the server's CPU is measured from /proc of the gunicorn processes,
the generators' separately); the facilitator opens the dot-voting poll (follow = from sending
"open" to each phone showing the poll); each phone votes at a random moment within 10 s;
the facilitator starts a new round and all phones vote at the same instant (the burst).
After each vote phase the stored votes are compared with the acknowledged ones.

--servers 2 starts two app servers on different ports against the same storage (one
PostgreSQL: --database-url), the phones split between them; the facilitator works on the
first, so half the phones follow a change made on the other server.

    .venv/bin/pip install -e '.[production,benchmark]'
    .venv/bin/python benchmarks/bench_workshop.py [--phones 1000] [--workers 4] [--generators 2]
        [--polling] [--database-url postgresql://... [--postgresql-only]] [--servers 2]

Last line: phones=N follow_p95_s=X vote_p95_ms=Y idle_cpu_pct=Z stored=N lost=0
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
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
from contextlib import ExitStack
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _database import scratch_database  # noqa: E402

from survey_app import create_app  # noqa: E402
from survey_app.web.auth import create_user  # noqa: E402
from survey_app.web.db import get_store  # noqa: E402
from survey_app.workshops import codes, records, state, templates, voting  # noqa: E402

TEMPLATE = "neighbourhood-management-workshop"
PASSWORD = "benchmark-password"
SPREAD_S = 10.0
POLL_S = 2.0            # static/workshop.js POLL_MS, without a stream
IDLE_S = 10.0
# A phone reuses an idle connection only this long: gunicorn closes it after 2 s (--keep-alive),
# and a vote written into a connection the server is closing fails ("Can not write request
# body", "Server disconnected"; browsers send it again on a new connection).
KEEPALIVE_S = 1.0
FIELD = re.compile(r'name="(csrf_token|poll|run)"[^>]*value="([^"]*)"')
DATA = re.compile(r'data-(view|run|voted-run|csrf|stream-url|state-url|page-url)="([^"]*)"')
clock = time.monotonic   # one clock for all processes of the machine (CLOCK_MONOTONIC)


def gunicorn_command(port: int, workers: int) -> list[str]:
    """The production command of the README, on 127.0.0.1 and a free port."""
    return [str(Path(sys.executable).parent / "gunicorn"), "--worker-class", "gevent", "--workers", str(workers),
            "--worker-connections", "2000", "--bind", f"127.0.0.1:{port}", "--backlog", "2048",
            "--log-level", "warning", "wsgi:app"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_app(data_dir: str, database_url: str | None):
    return create_app({"DATA_DIR": data_dir, "DATABASE_URL": database_url})


def prepare(app) -> tuple[str, str]:
    with app.app_context():
        create_user("facilitator", PASSWORD, "facilitator")
        template = templates.load_templates(ROOT / "questionnaires" / "workshops").templates[TEMPLATE]
        workshop = state.new_workshop("Benchmark", "2025-05-20", codes.new_join_code(), ["de"], template)
        record = get_store().add_workshop({**records.workshop_record(workshop), "facilitators": [
            get_store().find_user("facilitator")["id"]]})
    return record["id"], record["join_code"]


def start_server(data_dir: str, database_url: str | None, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "SURVEY_APP_DATA": data_dir}
    if database_url:
        env["SURVEY_APP_DATABASE_URL"] = database_url
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


def process_cpu(pids: set[int] | None = None, groups: set[int] | None = None) -> dict[int, float]:
    """User + system CPU seconds so far of the processes `pids` and of the process groups `groups`."""
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
        if int(entry) in (pids or ()) or int(fields[2]) in (groups or ()):
            total[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks
    return total


class Meter:
    """CPU shares of the machine: the app servers' and the load generators'."""

    def __init__(self, servers: list[subprocess.Popen], generators: list[int]):
        self.groups = {s.pid for s in servers}
        self.generators = set(generators)

    def now(self) -> tuple[float, float, float, dict[int, float]]:
        server = process_cpu(groups=self.groups)
        return clock(), sum(server.values()), sum(process_cpu(pids=self.generators).values()), server

    def since(self, start) -> tuple[float, float]:
        """(server %, generators %) of the machine since `start` (a now())."""
        wall, server, generators, _each = self.now()
        seconds = (wall - start[0]) * os.cpu_count()
        return (server - start[1]) / seconds * 100, (generators - start[2]) / seconds * 100


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
                                                                         local_addr=(address, 0),
                                                                         keepalive_timeout=KEEPALIVE_S))
        self.page: dict[str, str] = {}
        self.form: dict[str, str] = {}
        self.shown: dict[str, float] = {}     # run -> when the phone showed its vote form
        self.follower: asyncio.Task | None = None
        self.fetches = 0

    async def get(self, path: str, **kwargs) -> tuple[int, str, dict]:
        async with self.http.get(path, **kwargs) as response:
            return response.status, await response.text(), dict(response.headers)

    async def post(self, path: str, data: dict, headers: dict | None = None) -> tuple[int, str, str]:
        for attempt in range(3):
            try:
                async with self.http.post(path, data=data, headers=headers, allow_redirects=False) as response:
                    return response.status, response.headers.get("Location", ""), await response.text()
            except aiohttp.ClientConnectionError:
                # The server closed a kept-alive connection as the request went out: browsers
                # send it again on a new one (a vote sent twice replaces itself, never counts twice).
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def read_page(self, html: str) -> None:
        self.page = dict(DATA.findall(html.split('id="live"', 1)[-1].split(">", 1)[0] + ">"))
        self.read_screen(html)

    def read_screen(self, html: str) -> None:
        fields = dict(FIELD.findall(html))
        if "run" in fields:
            self.form = {"poll": fields["poll"], "run": fields["run"]}
            self.shown.setdefault(fields["run"], clock())
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
        """Send the vote as workshop.js does (fetch with its header: a stored vote is answered
        with the page, a refusal with a redirect that fetch follows; the page's live part is
        put in, the stream stays open). Returns (status: 200 stored, else the failure; ms until
        the POST was answered, ms with the page)."""
        started = clock()
        try:
            status, location, html = await self.post(f"/w/{self.code}/vote",
                                                     {"csrf_token": self.page["csrf"], **self.form, **fields},
                                                     headers={"X-Workshop-Script": "1"})
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:   # not acknowledged
            kind = re.sub(r"https?://\S+", "URL", f"{type(error).__name__}: {error}")[:80]
            return kind, (clock() - started) * 1000, (clock() - started) * 1000
        answered = clock()
        if status == 200:
            self.read_page(html)
        else:
            if status == 302:
                assert location.split("#")[0].endswith(f"/w/{self.code}"), location
            await self.load()
        return status, (answered - started) * 1000, (clock() - started) * 1000

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
        sent = clock()
        async with self.http.post(f"/workshops/{self.workshop_id}/control",
                                  data={"csrf_token": token, "action": action}, allow_redirects=False) as r:
            assert r.status == 302, r.status
        return sent


# --------------------------------------------------------------------------- load generators

async def generate(conn, bases: list[str], code: str, polling: bool, numbers: list[int], gate_size: int) -> None:
    """One load-generator process: its phones, driven by the commands the main process sends."""
    loop = asyncio.get_running_loop()
    phones = {n: Phone(bases[n % len(bases)], code, polling, n) for n in numbers}
    gate = asyncio.Semaphore(gate_size)

    async def join(phone: Phone) -> None:
        async with gate:
            await phone.join()

    async def vote_at(phone: Phone, at: float, fields: dict) -> tuple[int, float, float]:
        await asyncio.sleep(max(0.0, at - clock()))
        return await phone.vote(fields)

    async def shown(run: str, timeout: float) -> dict[int, float]:
        deadline = clock() + timeout
        while clock() < deadline and not all(run in p.shown for p in phones.values()):
            await asyncio.sleep(0.05)
        return {n: p.shown[run] for n, p in phones.items() if run in p.shown}

    try:
        while True:
            command, *rest = await loop.run_in_executor(None, conn.recv)
            if command == "join":
                await asyncio.gather(*(join(p) for p in phones.values()))
                conn.send(len(phones))
            elif command == "fetches":
                conn.send(sum(p.fetches for p in phones.values()))
            elif command == "shown":
                conn.send(await shown(*rest))
            elif command == "vote":   # {phone: (moment, fields)}
                plan = rest[0]
                results = await asyncio.gather(*(vote_at(phones[n], at, fields) for n, (at, fields) in plan.items()))
                conn.send(dict(zip(plan, results)))
            elif command == "close":
                break
    finally:
        await asyncio.gather(*(p.close() for p in phones.values()))
        conn.send("closed")


def generator_process(conn, *args) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the main process stops us
    asyncio.run(generate(conn, *args))


class Generators:
    """The load-generator processes; ask() sends a command to all and gathers their answers."""

    def __init__(self, count: int, bases: list[str], code: str, polling: bool, phones: int):
        context = multiprocessing.get_context("spawn")   # not a fork of our connections
        self.pipes, self.processes = [], []
        gate = max(2, 20 // count)   # joins at once, in all (as before: 20)
        for index in range(count):
            mine, theirs = context.Pipe()
            numbers = list(range(index, phones, count))
            process = context.Process(target=generator_process, daemon=True,
                                      args=(theirs, bases, code, polling, numbers, gate))
            process.start()
            self.pipes.append(mine)
            self.processes.append(process)
        self.owner = {n: n % count for n in range(phones)}

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def ask(self, command: str, *args, per_generator: list | None = None) -> list:
        for index, pipe in enumerate(self.pipes):
            pipe.send((command, *(per_generator[index] if per_generator else args)))
        return [pipe.recv() for pipe in self.pipes]

    def shown(self, run: str, timeout: float) -> dict[int, float]:
        return {n: t for part in self.ask("shown", run, timeout) for n, t in part.items()}

    def vote(self, plan: dict[int, tuple[float, dict]]) -> dict[int, tuple[int, float, float]]:
        parts = [{} for _ in self.pipes]
        for number, step in plan.items():
            parts[self.owner[number]][number] = step
        answers = self.ask("vote", per_generator=[(part,) for part in parts])
        return {n: r for part in answers for n, r in part.items()}

    def close(self) -> None:
        for pipe, process in zip(self.pipes, self.processes):
            try:
                if process.is_alive():
                    pipe.send(("close",))
                    pipe.poll(30) and pipe.recv()
            except (OSError, EOFError):
                pass
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()


# --------------------------------------------------------------------------- the run

def current_run(store, workshop_id: str) -> str:
    return records.workshop_from_record(store.get_workshop(workshop_id)).current_round().run


def check_stored(store, workshop_id: str, run: str, acknowledged: list[dict]) -> tuple[int, int, int]:
    """(stored, lost: acknowledged but not stored, doubled: participants stored more than once)."""
    stored = store.votes(workshop_id, run)
    doubled = sum(count - 1 for count in Counter(v["participant"] for v in stored).values() if count > 1)
    missing = Counter(json.dumps(v, sort_keys=True) for v in acknowledged)
    missing.subtract(Counter(json.dumps(v["value"], sort_keys=True) for v in stored))
    return len(stored), sum(c for c in missing.values() if c > 0), doubled


def not_stored(results: dict) -> str:
    """What the votes that were not acknowledged got (an HTTP status, or the client's error)."""
    failed = Counter(str(status) for status, _ms, _full in results.values() if status != 200)
    return f" (not: {', '.join(f'{kind} x{n}' for kind, n in failed.most_common())})" if failed else ""


def line(name: str, values: list[float], unit: str) -> str:
    return (f"{name:<28} n={len(values):5d}  p50 {statistics.median(values):8.1f} {unit}  "
            f"p95 {percentile(values, 95):8.1f} {unit}  max {max(values):8.1f} {unit}")


def cpu_note(meter: Meter, start) -> str:
    server, generators = meter.since(start)
    return f"CPU of the machine: server {server:.0f} %, load generators {generators:.0f} %"


def run(args, bases: list[str], servers: list[subprocess.Popen], store, workshop_id: str, code: str,
        database: bool) -> str:
    poll = records.workshop_from_record(store.get_workshop(workshop_id)).polls[0]
    rng = random.Random(args.seed)
    loop = asyncio.new_event_loop()
    async def logged_in() -> Facilitator:
        facilitator = Facilitator(bases[0], workshop_id)
        await facilitator.login()
        return facilitator

    facilitator = loop.run_until_complete(logged_in())
    generators = Generators(args.generators, bases, code, args.polling, args.phones)
    meter = Meter(servers, generators.pids)
    started = clock()
    try:
        joined = sum(generators.ask("join"))
        mode = "polling every 2 s" if args.polling else "streams"
        storage = "PostgreSQL" if database else "data folder"
        print(f"{joined} phones joined in {clock() - started:.1f} s ({mode}; {storage}; {len(servers)} server(s), "
              f"gunicorn gevent, {args.workers} workers each; {args.generators} load generators; "
              f"{os.cpu_count()} cores; load {os.getloadavg()[0]:.1f})", flush=True)
        # -- 1. waiting: the server's share of the machine
        time.sleep(3)
        start = meter.now()
        time.sleep(IDLE_S)
        idle_pct, idle_generators = meter.since(start)
        print(f"idle: server CPU {idle_pct:.1f} % of the machine while {joined} phones wait "
              f"(load generators {idle_generators:.1f} %)", flush=True)

        # -- 2. the facilitator opens the poll: every phone shows it
        fetches = sum(generators.ask("fetches"))
        sent = loop.run_until_complete(facilitator.act("open"))
        run_id = current_run(store, workshop_id)
        shown = generators.shown(run_id, 60)
        follow = [t - sent for t in shown.values()]
        far = [t - sent for n, t in shown.items() if n % len(bases) != 0]   # phones on another server
        print(line("follow after open", follow, "s") + f"  shown by {len(follow)} of {joined}, "
              f"page fetches {sum(generators.ask('fetches')) - fetches}", flush=True)
        if len(bases) > 1 and far:
            print(line("  of them on server 2", far, "s"), flush=True)

        # -- 3. votes at random moments within SPREAD_S
        values = [voting.random_vote(poll, rng) for _ in range(args.phones)]

        def plan(at: list[float], chosen: list) -> dict[int, tuple[float, dict]]:
            return {n: (at[n], {k: str(v) for k, v in voting.form_values(poll, chosen[n]).items()})
                    for n in range(args.phones)}

        begin = clock() + 0.5
        moments = [begin + rng.uniform(0, SPREAD_S) for _ in range(args.phones)]
        start = meter.now()
        results = generators.vote(plan(moments, values))
        note = cpu_note(meter, start)
        spent = meter.now()[1] - start[1]
        vote_ms = [ms for _s, ms, _full in results.values()]
        acknowledged = [values[n] for n, (status, _ms, _f) in results.items() if status == 200]
        stored, lost, doubled = check_stored(store, workshop_id, run_id, acknowledged)
        print(line("vote (POST), within 10 s", vote_ms, "ms"), flush=True)
        print(line("vote with the page after it", [full for *_x, full in results.values()], "ms"), flush=True)
        print(f"spread: {len(acknowledged)} of {args.phones} acknowledged{not_stored(results)}, {stored} stored, lost {lost}, "
              f"counted twice {doubled}; {note}; server {spent / args.phones * 1000:.1f} ms CPU per phone "
              f"(vote, page, stream)", flush=True)

        # -- 4. a new round; every phone votes at the same instant
        sent = loop.run_until_complete(facilitator.act("new_round"))
        burst_run = current_run(store, workshop_id)
        burst_follow = [t - sent for t in generators.shown(burst_run, 60).values()]
        print(line("follow after new round", burst_follow, "s"), flush=True)
        time.sleep(1)
        values_again = [voting.random_vote(poll, rng) for _ in range(args.phones)]
        at = clock() + 0.5
        start = meter.now()
        burst = generators.vote(plan([at] * args.phones, values_again))
        note = cpu_note(meter, start)
        burst_ms = [ms for _s, ms, _f in burst.values()]
        burst_full = [full for *_x, full in burst.values()]
        burst_ack = [values_again[n] for n, (status, _ms, _f) in burst.items() if status == 200]
        stored_b, lost_b, doubled_b = check_stored(store, workshop_id, burst_run, burst_ack)
        print(line("vote (POST), all at once", burst_ms, "ms") +
              f"  all answered within {max(burst_ms) / 1000:.2f} s", flush=True)
        print(f"burst: {len(burst_ack)} of {args.phones} acknowledged{not_stored(burst)}, {stored_b} stored, lost {lost_b}, "
              f"counted twice {doubled_b} ({max(burst_full) / 1000:.1f} s with the pages); {note}", flush=True)
        return (f"phones={args.phones} follow_p95_s={percentile(follow, 95):.2f} "
                f"vote_p95_ms={percentile(vote_ms, 95):.0f} idle_cpu_pct={idle_pct:.1f} "
                f"stored={stored} lost={lost + lost_b + doubled + doubled_b}")
    finally:
        generators.close()
        loop.run_until_complete(facilitator.http.close())
        loop.close()


def room(args, database_url: str | None) -> str:
    """One run of the room on a data folder (database_url None) or PostgreSQL; its last line."""
    with ExitStack() as stack:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-workshop-"))
        url = stack.enter_context(scratch_database(database_url)) if database_url else None
        app = make_app(data_dir, url)
        workshop_id, code = prepare(app)
        servers: list[subprocess.Popen] = []
        try:
            ports = [free_port() for _ in range(args.servers)]
            for port in ports:
                servers.append(start_server(data_dir, url, port, args.workers))
            with app.app_context():
                return run(args, [f"http://127.0.0.1:{port}" for port in ports], servers, get_store(app),
                           workshop_id, code, database_url is not None)
        finally:
            for server in servers:
                stop_server(server)
            if url:
                get_store(app).close()   # its connections, before the schema is dropped


def figures(result: str) -> dict[str, float]:
    return {key: float(value) for key, value in (item.split("=") for item in result.split())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (of each server)")
    parser.add_argument("--servers", type=int, default=1, help="app servers on different ports, one storage")
    parser.add_argument("--generators", type=int, default=os.cpu_count() or 2,
                        help="load-generator processes (default: one per core)")
    parser.add_argument("--polling", action="store_true", help="phones without a stream (the fallback)")
    parser.add_argument("--database-url", help="postgresql://...: the room on the data folder, then on PostgreSQL "
                                               "(a scratch schema, dropped afterwards)")
    parser.add_argument("--postgresql-only", action="store_true", help="with --database-url: skip the data folder")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * args.phones + 1024)), hard))
    if not args.database_url:
        print(room(args, None))
        return
    folder = None if args.postgresql_only else room(args, None)
    database = room(args, args.database_url)
    if folder:
        print(f"data folder: {folder}")
        print(f"postgresql:  {database}")
        one, other = figures(folder), figures(database)
        print("postgresql_vs_folder " + " ".join(
            f"{key}={other[key] / one[key]:.2f}" for key in ("follow_p95_s", "vote_p95_ms") if one[key]))
    print(database)


if __name__ == "__main__":
    main()
