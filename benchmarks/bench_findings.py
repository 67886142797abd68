"""How fast are the findings for a large survey, and are the numbers right?

Generates N synthetic responses (default 10,000) to the staff questionnaire and, in one run:
  * computes all aggregates with survey_app.analysis.summaries and, independently, with pandas
    (from the same list of responses), checks that they are equal and prints our time
    as a ratio of pandas' time;
  * builds every chart;
  * times the whole results page (server side, test client) and the HTML report and XLSX
    downloads;
  * times writing the XLSX of the same tables the old way (openpyxl, write-only) and the new
    way (output/xlsx.py: XlsxWriter, constant memory, formatted), side by side.

    .venv/bin/python benchmarks/bench_findings.py [N] [--database-url postgresql://...]

Last line: data folder: responses=N equal_to_pandas=yes|no agg_ratio=X page_s=Y selected_page_s=S
report_s=Z read_s=R xlsx_s=W xlsx_old_s=V (S: the results page broken down by programme and
filtered to one quarter); with --database-url the same line for PostgreSQL follows, then
page_s data_folder=A postgresql=B postgresql_vs_folder=B/A read_s data_folder=.. postgresql=..
"""
from __future__ import annotations

import argparse
import copy as copy_module
import dataclasses
import io
import math
import random
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from survey_app import create_app
from survey_app.analysis.summaries import summarize
from survey_app.questions.allocation import AllocationSummary
from survey_app.questions.choice import ChoiceSummary
from survey_app.questions.number import NumberSummary
from survey_app.questions.scale import ScaleSummary
from survey_app.analysis.counting import counted
from survey_app.analysis.disclosure.cache import keeper
from survey_app.web.auth import create_user
from survey_app.web.minimum import minimum_group_size
from survey_app.web.plans import plan_after_submission
from survey_app.output.charts import figure_for
from survey_app.output.export import codebook_table, response_table
from survey_app.output.xlsx import results_workbook
from survey_app.web.db import get_store
from survey_app.web.catalogue import get_questionnaire
from survey_app.fieldings.drafts import build_response
from survey_app.synthetic import random_answers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _database import scratch_database  # noqa: E402
from _timing import best_of  # noqa: E402

SLUG = "staff-self-assessment"


def openpyxl_workbook(sheets) -> bytes:
    """The XLSX writer before output/xlsx.py (openpyxl, write-only), for comparison only."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from survey_app.output.export import formula_like
    from survey_app.output.xlsx import value

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        header = []
        for name in headers:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            cells = []
            for cell_value in row:
                cell = WriteOnlyCell(sheet, value=value(cell_value))
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    cell.quotePrefix = formula_like(cell.value)
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def pandas_aggregates(questionnaire, responses) -> dict:
    """The same numbers, computed with pandas from the raw answers, keyed like ours."""
    answers = pd.DataFrame([r["answers"] for r in responses])
    out = {}
    for q in questionnaire.questions():
        column = answers[q.id] if q.id in answers else pd.Series([None] * len(answers), dtype=object)
        if q.type == "single_choice":
            valid = column.dropna()
            counts = valid.value_counts()
            out[q.id] = {"n": len(valid), **{o.value: int(counts.get(o.value, 0)) for o in q.options}}
        elif q.type == "multiple_choice":
            lists = column.dropna()
            lists = lists[lists.map(len) > 0]
            exploded = lists.explode().value_counts()
            out[q.id] = {"n": len(lists), **{o.value: int(exploded.get(o.value, 0)) for o in q.options}}
        elif q.type in ("scale", "matrix"):
            frame = (column.to_frame("value") if q.type == "scale"
                     else pd.DataFrame(column.map(lambda v: v if isinstance(v, dict) else {}).tolist(),
                                       index=column.index))
            items = [None] if q.type == "scale" else [i.id for i in q.items]
            for item in items:
                values = frame["value" if item is None else item] if (item is None or item in frame) else pd.Series(dtype=object)
                values = values.dropna()
                numeric = pd.to_numeric(values[values != "dk"])
                key = q.id if item is None else f"{q.id}.{item}"
                out[key] = {"n": len(values), "dk": int((values == "dk").sum()),
                            "mean": numeric.mean() if q.scale.ordered and len(numeric) else None,
                            "median": float(numeric.median()) if q.scale.ordered and len(numeric) else None,
                            "sd": numeric.std() if q.scale.ordered and len(numeric) > 1 else None,
                            **{p.value: int((numeric == p.value).sum()) for p in q.scale.points}}
        elif q.type == "number":
            numeric = pd.to_numeric(column.dropna())
            out[q.id] = {"n": len(numeric), "mean": numeric.mean(), "median": numeric.median(),
                         "q1": numeric.quantile(0.25), "q3": numeric.quantile(0.75)}
        elif q.type == "allocation":
            frame = pd.DataFrame(column.dropna().tolist())
            out[q.id] = {"n": len(frame), **{i.id: frame[i.id].mean() for i in q.items}}
        else:  # texts
            values = column.dropna()
            out[q.id] = {"n": int((values.str.strip() != "").sum())}
    return out


def ours_keyed(summaries) -> dict:
    out = {}
    for s in summaries:
        q = s.question
        if isinstance(s, ChoiceSummary):
            out[q.id] = {"n": s.n, **{o.value: o.count for o in s.options}}
        elif isinstance(s, ScaleSummary):
            for row in s.items:
                key = q.id if row.item is None else f"{q.id}.{row.item.id}"
                out[key] = {"n": row.n, "dk": row.dk, "mean": row.mean, "median": row.median, "sd": row.sd,
                            **{p.value: p.count for p in row.points}}
        elif isinstance(s, NumberSummary):
            out[q.id] = {"n": s.n, "mean": s.mean, "median": s.median, "q1": s.q1, "q3": s.q3}
        elif isinstance(s, AllocationSummary):
            out[q.id] = {"n": s.n, **{i.item.id: i.mean for i in s.items}}
        else:
            out[q.id] = {"n": s.n}
    return out


def equal(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for key in a:
        for field in a[key].keys() | b[key].keys():
            x, y = a[key].get(field), b[key].get(field)
            if x is None or y is None or (isinstance(y, float) and math.isnan(y)):
                if not (x is None and (y is None or (isinstance(y, float) and math.isnan(y)))):
                    print(f"  differs: {key}.{field}: {x} vs {y}")
                    return False
            elif not math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-9):
                print(f"  differs: {key}.{field}: {x} vs {y}")
                return False
    return True


def open_plan(plan):
    """A copy of a (prepared) plan that shows everything: the page without suppression."""
    def opened(tables):
        return {key: dataclasses.replace(release, hidden=set(), left_out=False) for key, release in tables.items()}
    copy = copy_module.copy(plan)
    copy.tables = opened(plan.tables)
    copy._question_tables = {key: opened(tables) for key, tables in plan._question_tables.items()}
    return copy


def after_submission(app, store, survey, questionnaire, client, url, rng) -> tuple[float, float, float, float]:
    """(first page after one new response, page with its plan ready, seconds until the plan was
    ready in the background, page with a plan that hides nothing), best of 3 rounds."""
    first = ready = background = math.inf
    for _ in range(3):
        store.add_response(survey.id, build_response(survey, questionnaire,
                                                     {"language": "de", "answers": random_answers(questionnaire, rng)}))
        started = time.perf_counter()
        with app.test_request_context():
            plan_after_submission(store.get_survey(survey.id))   # as the submission does
        first = min(first, best_of(1, lambda: client.get(url))[0])
        with app.app_context():
            responses = counted(survey, store.responses(survey.id)).responses
            minimum = minimum_group_size(survey.min_group_size)
        keeper().plan(survey.id, questionnaire, responses, minimum)
        background = min(background, time.perf_counter() - started)
        ready = min(ready, best_of(1, lambda: client.get(url))[0])
    entry, _ = keeper()._entry(survey.id, questionnaire, responses, minimum)
    real = entry.plan
    entry.plan = open_plan(real.prepare())
    open_s, _ = best_of(3, lambda: client.get(url))
    entry.plan = real
    return first, ready, background, open_s


def run(count: int, data_dir: str, database_url: str | None, label: str) -> tuple[float, float]:
    """One measurement on the data folder (database_url None) or PostgreSQL: (page_s, read_s)."""
    if True:
        app = create_app({"DATA_DIR": data_dir, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "DATABASE_URL": database_url})
        client = app.test_client()
        client.get("/")
        store = get_store(app)
        with app.app_context():
            questionnaire = get_questionnaire(SLUG)
            create_user("bench", "benchmark-password", "evaluator")
        survey = store.find_survey_by_slug(SLUG)
        rng = random.Random(1)
        responses = [{"id": str(i), **build_response(survey, questionnaire,
                                                     {"language": "de", "answers": random_answers(questionnaire, rng)})}
                     for i in range(count)]
        store_started = time.perf_counter()
        for response in responses:
            store.add_response(survey.id, {k: v for k, v in response.items() if k != "id"})
        print(f"[{label}] stored {count} responses in {time.perf_counter() - store_started:.1f} s")

        ours_s, summaries = best_of(3, lambda: summarize(questionnaire, responses))
        pandas_s, reference = best_of(3, lambda: pandas_aggregates(questionnaire, responses))
        same = equal(ours_keyed(summaries), reference)
        print(f"[{label}] aggregates: ours {ours_s * 1000:.0f} ms, pandas {pandas_s * 1000:.0f} ms, "
              f"ratio {ours_s / pandas_s:.2f}, equal: {same}")

        charts_s, _ = best_of(3, lambda: [figure_for(s, "de") for s in summaries])
        print(f"[{label}] all {len(summaries)} charts: {charts_s * 1000:.0f} ms")

        client.post("/login", data={"username": "bench", "password": "benchmark-password"})
        url = f"/results/{survey.id}"
        page_s, page = best_of(3, lambda: client.get(url))
        assert page.status_code == 200
        # the results page with a breakdown and a filter (the release plan's hardest case)
        selected = f"{url}?by=programme&filter=quarter:aachen_nord"
        selected_s, selected_page = best_of(3, lambda: client.get(selected))
        assert selected_page.status_code == 200
        first_s, ready_s, background_s, open_s = after_submission(app, store, survey, questionnaire, client, selected, rng)
        print(f"[{label}] page with a breakdown and a filter: first page after one new response {first_s:.2f} s "
              f"(the last planned state, with a note) | with the plan ready {ready_s:.2f} s | without "
              f"suppression {open_s:.2f} s (x1.5 = {1.5 * open_s:.2f} s) | the new plan ready in the "
              f"background after {background_s:.2f} s")
        report_s, report = best_of(3, lambda: client.get(f"{url}/download/report.html"))
        assert report.status_code == 200
        xlsx_s, xlsx = best_of(1, lambda: client.get(f"{url}/download/results.xlsx"))
        assert xlsx.status_code == 200
        read_s, _ = best_of(3, lambda: store.responses(survey.id))
        print(f"[{label}] results page {page_s:.2f} s (of which reading the responses {read_s:.2f} s), "
              f"with a breakdown and a filter {selected_s:.2f} s, "
              f"report {report_s:.2f} s ({len(report.data) / 1e6:.1f} MB), XLSX download {xlsx_s:.2f} s")

        tables = (response_table(questionnaire, responses), codebook_table(questionnaire, "de"))
        summary = (["question"], [[s.question.id] for s in summaries])
        new_s, new = best_of(3, lambda: results_workbook(tables[0], summary, tables[1], lambda t: t))
        old_s, old = best_of(1, lambda: openpyxl_workbook([("Antworten", *tables[0]), ("Zusammenfassung", *summary),
                                                           ("Codebuch", *tables[1])]))
        print(f"[{label}] XLSX of {count} responses ({len(tables[0][0])} columns), writing only: "
              f"old (openpyxl) {old_s:.2f} s, {len(old) / 1e6:.1f} MB | "
              f"new (output/xlsx.py) {new_s:.2f} s, {len(new) / 1e6:.1f} MB")
        if database_url:
            store.close()
        print(f"{label}: responses={count} equal_to_pandas={'yes' if same else 'no'} agg_ratio={ours_s / pandas_s:.2f} "
              f"page_s={page_s:.2f} selected_page_s={selected_s:.2f} first_after_new_s={first_s:.2f} "
              f"plan_ready_s={ready_s:.2f} unsuppressed_s={open_s:.2f} background_plan_s={background_s:.2f} report_s={report_s:.2f} read_s={read_s:.2f} xlsx_s={xlsx_s:.2f} "
              f"xlsx_old_s={old_s:.2f}")
        return page_s, read_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=10_000)
    parser.add_argument("--database-url", help="postgresql://...: measure there too (in a scratch schema "
                                               "that is dropped at the end), side by side with the data folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        folder = run(args.count, data_dir, None, "data folder")
    if not args.database_url:
        return
    with scratch_database(args.database_url) as url, tempfile.TemporaryDirectory() as data_dir:
        database = run(args.count, data_dir, url, "postgresql")
    print(f"page_s data_folder={folder[0]:.2f} postgresql={database[0]:.2f} "
          f"postgresql_vs_folder={database[0] / folder[0]:.2f} read_s data_folder={folder[1]:.2f} "
          f"postgresql={database[1]:.2f}")


if __name__ == "__main__":
    main()
