"""Does the cost of one submission grow with a survey's history?

Stores N responses (default 10,000) to the staff questionnaire through the storage layer,
then times M submissions (default 200) through the app's test client into that survey and
the same M into an empty survey, side by side in one run. Each timed request is the final
"submit" POST (validate the last page, update the draft, append the response); the pages
before it are walked untimed.

    .venv/bin/python benchmarks/bench_submit.py [--stored 10000] [--submissions 200] [--database-url URL]

Last line: data folder: stored=N p50_ms=X p95_ms=Y ratio_vs_empty=Z   (Z = p95 full / p95 empty);
with --database-url the same line for PostgreSQL follows, then
p95_ms data_folder=A postgresql=B postgresql_vs_folder=B/A
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import valid_page_data  # noqa: E402  (the same answers the tests use)

from survey_app import create_app  # noqa: E402
from survey_app.web.db import get_store  # noqa: E402
from survey_app.web.catalogue import get_questionnaire  # noqa: E402
from survey_app.fieldings.drafts import build_response  # noqa: E402
from survey_app.fieldings.model import Fielding  # noqa: E402
from survey_app.synthetic import random_answers  # noqa: E402
from _database import scratch_database  # noqa: E402

SLUG = "staff-self-assessment"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def fill_history(app, survey: Fielding, count: int) -> float:
    rng = random.Random(42)
    store = get_store(app)
    with app.app_context():
        questionnaire = get_questionnaire(survey.questionnaire_id)
    started = time.perf_counter()
    for _ in range(count):
        draft = {"language": "de", "answers": random_answers(questionnaire, rng)}
        store.add_response(survey.id, build_response(survey, questionnaire, draft))
    return time.perf_counter() - started


def timed_submissions(app, slug: str, count: int) -> list[float]:
    with app.app_context():
        questionnaire = get_questionnaire(SLUG)
    pages = questionnaire.pages
    durations = []
    for _ in range(count):
        client = app.test_client()
        token = CSRF.search(client.get(f"/s/{slug}").get_data(as_text=True)).group(1)
        client.post(f"/s/{slug}/start", data={"csrf_token": token})
        for number, page in enumerate(pages[:-1], start=1):
            client.post(f"/s/{slug}/p/{number}", data={**valid_page_data(page), "csrf_token": token})
        data = {**valid_page_data(pages[-1]), "csrf_token": token, "action": "next"}
        started = time.perf_counter()
        response = client.post(f"/s/{slug}/p/{len(pages)}", data=data)
        durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302 and response.location.endswith("/thanks"), response.status_code
    return durations


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def run(args, data_dir: str, database_url: str | None, label: str) -> float:
    """One measurement on the data folder (database_url None) or PostgreSQL; returns p95 (full)."""
    app = create_app({"DATA_DIR": data_dir, "SECRET_KEY": "bench", "DATABASE_URL": database_url})
    app.test_client().get("/")  # creates the default surveys
    store = get_store(app)
    full = store.find_survey_by_slug(SLUG)
    store.add_survey(Fielding.new(SLUG, "bench-empty"))

    seconds = fill_history(app, full, args.stored)
    print(f"[{label}] stored {args.stored} responses through the storage layer in {seconds:.1f} s "
          f"({seconds / max(args.stored, 1) * 1000:.2f} ms each)")
    shards = sorted((Path(data_dir) / "surveys" / full.id).glob("responses-*.json"))
    if shards:
        print(f"[{label}] {len(shards)} shard files, largest {max(p.stat().st_size for p in shards) / 1024:.0f} KiB")

    # Alternate the two surveys in small blocks so that both see the same machine load.
    full_times, empty_times = [], []
    block = 20
    for _ in range(0, args.submissions, block):
        full_times += timed_submissions(app, SLUG, block)
        empty_times += timed_submissions(app, "bench-empty", block)
    assert store.count_responses(full.id) == args.stored + len(full_times)
    assert store.count_responses(store.find_survey_by_slug("bench-empty").id) == len(empty_times)

    for name, values in (("full survey", full_times), ("empty survey", empty_times)):
        print(f"[{label}] {name:<13} p50 {statistics.median(values):6.2f} ms  p95 {p95(values):6.2f} ms  "
              f"max {max(values):6.2f} ms  (n={len(values)})")
    ratio = p95(full_times) / p95(empty_times)
    print(f"{label}: stored={args.stored} p50_ms={statistics.median(full_times):.2f} "
          f"p95_ms={p95(full_times):.2f} ratio_vs_empty={ratio:.2f}")
    if database_url:
        store.close()
    return p95(full_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=10_000)
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--database-url", help="postgresql://...: measure there too (in a scratch schema "
                                               "that is dropped at the end), side by side with the data folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as data_dir:
        folder = run(args, data_dir, None, "data folder")
    if not args.database_url:
        return
    with scratch_database(args.database_url) as url, tempfile.TemporaryDirectory() as data_dir:
        database = run(args, data_dir, url, "postgresql")
    print(f"p95_ms data_folder={folder:.2f} postgresql={database:.2f} postgresql_vs_folder={database / folder:.2f}")


if __name__ == "__main__":
    main()
