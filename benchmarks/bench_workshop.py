"""A full room votes at once: do all votes arrive, how fast, and when does the presenter see them?

Starts the app under gunicorn with several worker processes on 127.0.0.1 and a fresh data
folder, creates a workshop from the shipped template and opens its dot-voting poll. N simulated
participants (default 500) join over HTTP like phones (join page, join, vote page), then:

1. each casts one dot vote at a random moment within 5 seconds, while the presenter view asks
   for its live state once a second as in the browser; then the same number of requests to the
   bare /healthz endpoint with the same timing, for comparison in the same run;
2. a new round starts and all N votes are sent at the same instant.

After each phase the votes stored on disk are compared with those sent (nothing lost, nothing
counted twice). Every process started here is stopped at the end.

    .venv/bin/python benchmarks/bench_workshop.py [--participants 500] [--workers 4]

Last line (the 5-second run): data folder: sent=N stored=N p95_ms=X presenter_s=Y ratio_vs_bare=Z;
with --database-url postgresql://... the same line for PostgreSQL follows, then
vote p95_ms data_folder=A postgresql=B postgresql_vs_folder=B/A
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey_app import create_app
from survey_app.workshops import codes, model, records, state, templates  # noqa: E402
from survey_app.web.auth import create_user  # noqa: E402
from survey_app.web.db import get_store  # noqa: E402
from survey_app.web.db import open_store  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _database import scratch_database  # noqa: E402

TEMPLATE = "neighbourhood-management-workshop"
PASSWORD = "benchmark-password"
SPREAD_S = 5.0
PRESENTER_INTERVAL_S = 1.0   # as static/presenter.js
HIDDEN_FIELD = re.compile(r'name="(csrf_token|poll|run)"[^>]*value="([^"]*)"')


class Client:
    """One browser: its own cookies, a new connection per request (gunicorn's sync workers close them)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        connection = HTTPConnection("127.0.0.1", self.port, timeout=120)
        sent_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            sent_headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, sent_headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        return response.status, response.headers, data.decode("utf-8", "replace")

    def hidden_fields(self, path: str) -> dict:
        status, _headers, html = self.request("GET", path)
        assert status == 200, (path, status)
        return dict(HIDDEN_FIELD.findall(html))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(data_dir: str, database_url: str | None = None) -> tuple[str, str]:
    """A facilitator account and a workshop with its dot-voting poll open, results shown."""
    app = create_app({"DATA_DIR": data_dir, "DATABASE_URL": database_url})
    with app.app_context():
        create_user("facilitator", PASSWORD, "facilitator")
        template = templates.load_templates(ROOT / "questionnaires" / "workshops").templates[TEMPLATE]
        workshop = state.new_workshop("Benchmark", "2025-05-20", codes.new_join_code(), ["de"], template)
        workshop = state.show_results(state.open_voting(workshop, "2025-05-20T10:00:00+00:00"), True)
        record = get_store().add_workshop(records.workshop_record(workshop))
    if database_url:
        get_store(app).close()
    return record["id"], record["join_code"]


def start_server(data_dir: str, port: int, workers: int, database_url: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "SURVEY_APP_DATA": data_dir}
    if database_url:
        env["SURVEY_APP_DATABASE_URL"] = database_url
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--backlog", "2048", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, start_new_session=True)  # own process group: stopped as a whole below
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Client(port).request("GET", "/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.1)
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


def join(port: int, code: str) -> Client:
    phone = Client(port)
    token = phone.hidden_fields(f"/w/{code}")["csrf_token"]
    status, _headers, _html = phone.request("POST", f"/w/{code}/join", {"csrf_token": token})
    assert status == 302, status
    return phone


def random_dots(poll: model.Poll, rng: random.Random) -> dict[str, int]:
    points = {}
    budget = poll.points
    for option in rng.sample(poll.options, len(poll.options)):
        given = rng.randint(0, min(poll.max_per_option, budget))
        if given:
            points[option.id] = given
            budget -= given
    return points or {poll.options[0].id: 1}


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def fire(jobs, start_at):
    """Run each (delay, job) in its own thread at start_at + delay; returns (latency_ms, result, done_at)."""
    results = [None] * len(jobs)

    def run(index, delay, job):
        pause = start_at + delay - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        started = time.perf_counter()
        outcome = job()
        done = time.perf_counter()
        results[index] = ((done - started) * 1000, outcome, done)

    threads = [threading.Thread(target=run, args=(i, delay, job)) for i, (delay, job) in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class Presenter(threading.Thread):
    """Polls the presenter's live state like static/presenter.js and notes when it shows `expected` votes."""

    def __init__(self, client: Client, workshop_id: str, expected: int):
        super().__init__(daemon=True)
        self.client, self.url, self.expected = client, f"/workshops/{workshop_id}/live.json", expected
        self.complete_at: float | None = None
        self.state: dict | None = None
        self.stop = threading.Event()
        self.etag = ""

    def run(self):
        while not self.stop.is_set():
            status, headers, body = self.client.request("GET", self.url, headers={"If-None-Match": self.etag})
            if status == 200:
                self.etag = headers.get("ETag", "")
                self.state = json.loads(body)
                if self.state["voted"] >= self.expected and self.complete_at is None:
                    self.complete_at = time.perf_counter()
                    return
            self.stop.wait(PRESENTER_INTERVAL_S)


def summary(name: str, latencies: list[float], seconds: float) -> str:
    return (f"{name:<22} {len(latencies) / seconds:7.1f} req/s  p50 {statistics.median(latencies):7.1f} ms  "
            f"p95 {percentile(latencies, 95):7.1f} ms  p99 {percentile(latencies, 99):7.1f} ms  "
            f"max {max(latencies):7.1f} ms")


def check_stored(store, workshop_id: str, run: str, sent: list[dict]) -> tuple[int, bool]:
    """(votes stored, stored equals sent: one vote per participant, the same values as sent)."""
    stored = store.votes(workshop_id, run)
    by_participant = Counter(v["participant"] for v in stored)
    values = sorted(json.dumps(v["value"], sort_keys=True) for v in stored)
    expected = sorted(json.dumps(v, sort_keys=True) for v in sent)
    return len(stored), max(by_participant.values(), default=1) == 1 and values == expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="postgresql://...: measure there too (in a scratch schema "
                                               "that is dropped at the end), side by side with the data folder")
    args = parser.parse_args()
    folder = measure(args, None, "data folder")
    if not args.database_url:
        return
    with scratch_database(args.database_url) as url:
        database = measure(args, url, "postgresql")
    print(f"vote p95_ms data_folder={folder:.1f} postgresql={database:.1f} postgresql_vs_folder={database / folder:.2f}")


def measure(args, database_url: str | None, label: str) -> float:
    """The room on the data folder (database_url None) or PostgreSQL; returns the vote p95 (ms)."""
    n, rng = args.participants, random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-workshop-") as data_dir:
        workshop_id, code = prepare(data_dir, database_url)
        store = open_store(database_url or data_dir)
        poll = records.workshop_from_record(store.get_workshop(workshop_id)).polls[0]
        port = free_port()
        server = start_server(data_dir, port, args.workers, database_url)
        try:
            facilitator = Client(port)
            token = facilitator.hidden_fields("/login")["csrf_token"]
            facilitator.request("POST", "/login", {"csrf_token": token, "username": "facilitator",
                                                    "password": PASSWORD})
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=16) as pool:
                phones = list(pool.map(lambda _i: join(port, code), range(n)))
            print(f"[{label}] {n} participants joined in {time.perf_counter() - started:.1f} s "
                  f"(gunicorn, {args.workers} workers, {os.cpu_count()} cores)")
            forms = [phone.hidden_fields(f"/w/{code}") for phone in phones]

            def vote_job(phone, form, value):
                fields = {**form, **{f"points-{key}": str(points) for key, points in value.items()}}
                return lambda: phone.request("POST", f"/w/{code}/vote", fields)[0]

            # -- 1. votes at random moments within 5 seconds, then the bare endpoint alike
            values = [random_dots(poll, rng) for _ in phones]
            delays = [rng.uniform(0, SPREAD_S) for _ in phones]
            presenter = Presenter(facilitator, workshop_id, n)
            presenter.start()
            results = fire([(d, vote_job(p, f, v)) for d, p, f, v in zip(delays, phones, forms, values)],
                           time.perf_counter() + 0.2)
            last_vote = max(done for _ms, _status, done in results)
            presenter.join(timeout=60)
            presenter.stop.set()
            vote_ms = [ms for ms, _status, _done in results]
            ok = sum(status == 302 for _ms, status, _done in results)
            first_send = min(done - ms / 1000 for ms, _s, done in results)
            vote_seconds = last_vote - first_send
            bare = fire([(d, lambda: Client(port).request("GET", "/healthz")[0]) for d in delays],
                        time.perf_counter() + 0.2)
            bare_ms = [ms for ms, _status, _done in bare]
            bare_seconds = max(done for *_x, done in bare) - min(done - ms / 1000 for ms, _s, done in bare)

            run = records.workshop_from_record(store.get_workshop(workshop_id)).current_round().run
            stored, equal = check_stored(store, workshop_id, run, values)
            chart = presenter.state["chart"] if presenter.state else None
            totals = Counter()
            for value in values:
                totals.update(value)
            # the presenter's bars are ordered by points: compare the points per bar
            presenter_equal = chart is not None and chart["n"] == n and \
                sorted(chart["values"]) == sorted(totals[o.id] for o in poll.options)
            presenter_s = (presenter.complete_at - last_vote) if presenter.complete_at else float("nan")
            print(f"[{label}] 5-second run: {ok} of {n} votes accepted, {stored} stored, stored = sent: {'yes' if equal else 'NO'},"
                  f" presenter tally = sent: {'yes' if presenter_equal else 'NO'}")
            print(f"[{label}] " + summary("vote (POST)", vote_ms, vote_seconds))
            print(f"[{label}] " + summary("bare endpoint /healthz", bare_ms, bare_seconds))
            print(f"[{label}] presenter showed all {n} votes {presenter_s:.2f} s after the last vote "
                  f"(it asks once every {PRESENTER_INTERVAL_S:.0f} s)")

            # -- 2. a new round, all votes at the same instant
            token = facilitator.hidden_fields(f"/workshops/{workshop_id}")["csrf_token"]
            facilitator.request("POST", f"/workshops/{workshop_id}/control", {"csrf_token": token, "action": "new_round"})
            forms = [phone.hidden_fields(f"/w/{code}") for phone in phones]
            values_again = [random_dots(poll, rng) for _ in phones]
            burst = fire([(0.0, vote_job(p, f, v)) for p, f, v in zip(phones, forms, values_again)],
                         time.perf_counter() + 0.5)
            burst_ms = [ms for ms, _status, _done in burst]
            burst_ok = sum(status == 302 for _ms, status, _done in burst)
            burst_seconds = max(done for *_x, done in burst) - min(done - ms / 1000 for ms, _s, done in burst)
            run = records.workshop_from_record(store.get_workshop(workshop_id)).current_round().run
            stored_again, equal_again = check_stored(store, workshop_id, run, values_again)
            print(f"[{label}] all at once: {burst_ok} of {n} votes accepted, {stored_again} stored, "
                  f"stored = sent: {'yes' if equal_again else 'NO'}")
            print(f"[{label}] " + summary("vote (POST), burst", burst_ms, burst_seconds))
        finally:
            stop_server(server)
            if database_url:
                store.close()
        print(f"{label}: sent={n} stored={stored} p95_ms={percentile(vote_ms, 95):.1f} presenter_s={presenter_s:.2f} "
              f"ratio_vs_bare={percentile(vote_ms, 95) / percentile(bare_ms, 95):.2f}")
        return percentile(vote_ms, 95)


if __name__ == "__main__":
    main()
