"""The adversary through the real routes, and issue 10's attacks as an evaluator tried them.

Every view the results page offers (each filter, each breakdown, each filter with each
breakdown) is fetched as the evaluator's aggregates.json, which carries every number the page,
its charts, the report and the XLSX summary show for that view (all are built from the same
findings). What the documents release is written as linear equations over the combinations of
grouping answers (disclosure/adversary.py), and no group of fewer than k people may be in
their span. Response-level files are checked for k-anonymity, row numbers and random order.
Each attack of the issue is a test that fails on the main of before issue 10.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import random
from pathlib import Path

import pytest

from conftest import PASSWORD, csrf_token, data_rows, login, make_app
from disclosure.adversary import _options, exact_smallest_support, grouping_columns, leaks_in, released_by_documents
from survey_app.fieldings.drafts import build_response
from survey_app.fieldings.fielding import add_fielding
from survey_app.synthetic import random_answers
from survey_app.web.auth import create_user
from survey_app.web.catalogue import get_questionnaire
from survey_app.web.db import get_store

K = 5
ATTACKS = Path(__file__).resolve().parents[1] / "data" / "disclosure"
SHIPPED = Path(__file__).resolve().parents[2] / "questionnaires"


def _app(tmp_path_factory, folder: Path):
    app = make_app(tmp_path_factory.mktemp("routes"), QUESTIONNAIRE_DIR=str(folder))
    with app.app_context():
        for role in ("admin", "evaluator"):
            create_user(role, PASSWORD, role)
    app.test_client().get("/")           # the default fieldings
    return app


def _fielding(app, slug: str, rows: list[dict], label: str, versions=None) -> tuple[str, list[dict]]:
    """A new fielding of questionnaire `slug` holding `rows` (answers); returns its id and the
    stored responses."""
    with app.app_context():
        store = get_store()
        fielding = add_fielding(store, slug, label=label, status="open")
        questionnaire = get_questionnaire(slug)
        for i, answers in enumerate(rows):
            response = build_response(fielding, questionnaire, {"language": "de", "answers": answers})
            response["answers"] = {k: v for k, v in answers.items() if v is not None}
            if versions:
                response["version"] = versions[i]
            store.add_response(fielding.id, response)
        return fielding.id, store.responses(fielding.id)


def _client(app, role="evaluator"):
    client = app.test_client()
    login(client, role)
    return client


def _json(client, survey_id, **args) -> dict:
    query = "&".join(f"{k}={v}" for k, v in args.items() if v is not None)
    response = client.get(f"/results/{survey_id}/download/aggregates.json?{query}")
    if response.status_code == 409:
        return {"shown": False, "questions": []}
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.loads(response.get_data())


def views(questionnaire, limit: int | None = None, seed: int = 0):
    """(filter, by) of the views the page offers: (condition or None, question id or None)."""
    filters = [None] + [(q.id, v) for q in questionnaire.questions() if q.kind.can_filter for v in _options(q)]
    breakdowns = [None] + [q.id for q in questionnaire.questions() if q.kind.can_break_down]
    every = list(itertools.product(filters, breakdowns))
    if limit is None or len(every) <= limit:
        return every
    one_way = [(f, b) for f, b in every if f is None or b is None]
    rest = [v for v in every if v not in one_way]
    return one_way + random.Random(seed).sample(rest, max(0, limit - len(one_way)))


def documents(client, survey_id, questionnaire, texts=False, limit=None):
    out = []
    for f, by in views(questionnaire, limit):
        document = _json(client, survey_id, by=by, filter=f"{f[0]}:{f[1]}" if f else None,
                         texts="1" if texts else None)
        out.append((f, by, document))
    return out


def no_leaks_through_routes(app, client, survey_id, slug, responses, limit=None, unions=100):
    with app.app_context():
        questionnaire = get_questionnaire(slug)
    docs = documents(client, survey_id, questionnaire, limit=limit)
    shown = released_by_documents(docs, questionnaire, responses)
    assert leaks_in(shown, questionnaire, responses, K, unions=unions) == []
    if len(responses) <= 16:
        groups, counts, per_question = shown
        assert exact_smallest_support(groups | counts, range(len(responses)), K) is None
        for sets in per_question.values():
            assert exact_smallest_support(sets, range(len(responses)), K) is None
    return docs


def repeat(row, times):
    return [dict(row) for _ in range(times)]


@pytest.fixture(scope="module")
def attacks(tmp_path_factory):
    return _app(tmp_path_factory, ATTACKS)


# --------------------------------------------------------------------------- the attacks

def test_all_minus_north_minus_south_does_not_give_west(attacks):
    rows = (repeat({"region": "north", "gender": "female", "sat": 4, "hours": 30}, 8)
            + repeat({"region": "south", "gender": "male", "sat": 2, "hours": 20}, 7)
            + [{"region": "west", "gender": "male", "sat": 5, "hours": 39}])
    survey_id, responses = _fielding(attacks, "attacks", rows, "west")
    client = _client(attacks)
    everybody, north, south = (_json(client, survey_id, filter=f) for f in (None, "region:north", "region:south"))
    assert everybody["shown"]
    # before: both filters were shown (8 vs 8 and 7 vs 9), and all - north - south was west
    assert not (north["shown"] and south["shown"])
    page = client.get(f"/results/{survey_id}?filter=region:south").get_data(as_text=True)
    assert "Dieser Filter wird nicht angezeigt" in page and "verborgen, um andere Gruppen zu schützen" in page
    # the region question's own table hides the counts the filters hide
    region = next(q for q in everybody["questions"] if q["question"] == "region")
    counts = {o["value"]: o["count"] for o in region["options"]}
    assert counts["west"] is None and counts["south"] is None and counts["north"] == 8
    no_leaks_through_routes(attacks, client, survey_id, "attacks", responses)


def test_breakdown_minus_the_same_breakdown_filtered_gives_no_small_group(attacks):
    rows = []
    for education, women, men in (("1", 2, 5), ("2", 6, 7), ("3", 8, 6), ("4", 7, 9), ("5", 3, 6)):
        rows += repeat({"gender": "female", "education": education, "sat": 5}, women)
        rows += repeat({"gender": "male", "education": education, "sat": 2}, men)
    survey_id, responses = _fielding(attacks, "attacks", rows, "education")
    client = _client(attacks)
    by_gender = _json(client, survey_id, by="gender", filter="education:1")
    by_education_men = _json(client, survey_id, by="education", filter="gender:male")
    by_education = _json(client, survey_id, by="education")

    def size(document, value):
        sat = next(q for q in document["questions"] if q["question"] == "sat")
        return next(g["size"] for g in sat["groups"] if g["group"] == value)
    # education 1 of everybody minus education 1 of men would be the two women with education 1
    assert size(by_education, "1") is None or size(by_education_men, "1") is None
    assert not by_gender["shown"] or size(by_gender, "male") is None or size(by_gender, "female") is None
    no_leaks_through_routes(attacks, client, survey_id, "attacks", responses)


def test_no_answer_group_cannot_be_had_through_filters(attacks):
    rows = (repeat({"region": "north", "sat": 4}, 9) + repeat({"region": "south", "sat": 3}, 8)
            + repeat({"sat": 1}, 2))
    survey_id, responses = _fielding(attacks, "attacks", rows, "no answer")
    client = _client(attacks)
    north, south = (_json(client, survey_id, filter=f) for f in ("region:north", "region:south"))
    assert not (north["shown"] and south["shown"])   # all - north - south = the two without an answer
    by_region = _json(client, survey_id, by="region")
    sat = next(q for q in by_region["questions"] if q["question"] == "sat")
    assert all(g["size"] is None for g in sat["groups"] if g["group"] is None)
    no_leaks_through_routes(attacks, client, survey_id, "attacks", responses)


def test_report_with_texts_minus_the_filtered_report_gives_no_comment(attacks):
    rows = (repeat({"region": "north", "comment": "gut so"}, 6) + repeat({"region": "north"}, 2)
            + repeat({"region": "south"}, 6) + [{"region": "south", "comment": "meine eigenen Worte"}])
    survey_id, responses = _fielding(attacks, "attacks", rows, "texts")
    client = _client(attacks)
    whole = client.get(f"/results/{survey_id}/download/report.html?texts=1").get_data(as_text=True)
    north = client.get(f"/results/{survey_id}/download/report.html?texts=1&filter=region:north")
    north = north.get_data(as_text=True) if north.status_code == 200 else ""
    assert "meine eigenen Worte" not in whole or "gut so" not in north
    for url in (f"/results/{survey_id}?texts=1&filter=region:south",
                f"/results/{survey_id}/download/aggregates.json?texts=1&filter=region:south",
                f"/results/{survey_id}/download/report.html?texts=1&filter=region:south"):
        response = client.get(url)
        assert "meine eigenen Worte" not in response.get_data(as_text=True)


@pytest.mark.parametrize("answered", [2, 4])
def test_texts_of_a_question_answered_by_few_are_not_listed(attacks, answered):
    rows = repeat({"region": "north", "comment": f"nur {answered} schrieben"}, answered) + repeat({"region": "north"}, 10)
    survey_id, _ = _fielding(attacks, "attacks", rows, f"few texts {answered}")
    client = _client(attacks)
    for url in (f"/results/{survey_id}?texts=1", f"/results/{survey_id}/download/report.html?texts=1",
                f"/results/{survey_id}/download/aggregates.json?texts=1",
                f"/results/{survey_id}/download/responses.csv?texts=1"):
        assert f"nur {answered} schrieben" not in client.get(url).get_data(as_text=True), url


def test_free_texts_are_off_by_default_on_the_page(attacks):
    rows = repeat({"region": "north", "comment": "ein Kommentar von vielen"}, 12)
    survey_id, _ = _fielding(attacks, "attacks", rows, "texts default")
    client = _client(attacks)
    assert "ein Kommentar von vielen" not in client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "ein Kommentar von vielen" in client.get(f"/results/{survey_id}?texts=1").get_data(as_text=True)


def test_no_single_persons_value(attacks):
    # six answered the scale, five of them "don't know"; hours: minimum and maximum are one person's
    rows = repeat({"region": "north", "sat": "dk", "hours": 20}, 5) + [{"region": "north", "sat": 4, "hours": 77}] \
        + repeat({"region": "south", "hours": 30}, 6) + [{"region": "south", "hours": 1}]
    survey_id, _ = _fielding(attacks, "attacks", rows, "single values")
    client = _client(attacks)
    document = _json(client, survey_id)
    sat = next(q for q in document["questions"] if q["question"] == "sat")
    assert sat.get("suppressed") or all(item.get("mean") is None for item in sat["items"])
    hours = next(q for q in document["questions"] if q["question"] == "hours")
    assert hours["min"] is None and hours["max"] is None and hours["median"] is not None
    page = client.get(f"/results/{survey_id}").get_data(as_text=True)
    section = page.split('id="result-hours"')[1].split("</section>")[0]
    assert "Minimum" not in section and "Maximum" not in section and "77" not in section
    report = client.get(f"/results/{survey_id}/download/report.html").get_data(as_text=True)
    assert '"lowerfence":[1' not in report.replace(" ", "") and '"upperfence":[77' not in report.replace(" ", "")


def test_a_version_answered_by_one_is_pooled_everywhere(attacks):
    rows = repeat({"region": "north", "sat": 3}, 12)
    versions = ["v-main"] * 11 + ["v-rare-one"]
    survey_id, _ = _fielding(attacks, "attacks", rows, "versions", versions=versions)
    client = _client(attacks)
    assert "v-rare-one" not in json.dumps(_json(client, survey_id))
    for url in (f"/results/{survey_id}", f"/results/{survey_id}/download/report.html",
                f"/results/{survey_id}/download/responses.csv", f"/results/{survey_id}/download/responses-long.csv"):
        body = client.get(url).get_data(as_text=True)
        assert "v-rare-one" not in body and "(n = 1)" not in body, url
    rows_ = data_rows(csv.DictReader(io.StringIO(client.get(f"/results/{survey_id}/download/responses.csv")
                                             .get_data().decode("utf-8-sig"))))
    assert {r["version"] for r in rows_} == {"other"}     # 11 + 1: the one is pooled with the next


# --------------------------------------------------------------------------- response-level files

def _csv_rows(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return data_rows(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def assert_microdata(client, survey_id, questionnaire, responses, k=K):
    rows = _csv_rows(client, f"/results/{survey_id}/download/responses.csv")
    assert len(rows) == len(responses)
    ids = {r["id"] for r in responses}
    assert sorted(int(r["row"]) for r in rows) == list(range(1, len(rows) + 1))
    text = json.dumps(rows)
    assert not any(i in text for i in ids)                      # no stable response id
    assert "submitted_on" not in rows[0] and "language" not in rows[0]
    quasi = [c for c in rows[0] if c == "version" or any(
        c == q.id or c.startswith(q.id + ".") for q in questionnaire.questions() if q.kind.can_filter)]
    combos = {}
    for r in rows:
        combos.setdefault(tuple(r[c] for c in quasi), []).append(r)
    assert all(len(v) >= k for v in combos.values()), {key: len(v) for key, v in combos.items() if len(v) < k}
    # never filtered: a filter does not change the file's rows (only their order)
    some_filter = next(f"{q.id}:{_options(q)[0]}" for q in questionnaire.questions() if q.kind.can_filter)
    filtered = _csv_rows(client, f"/results/{survey_id}/download/responses.csv?filter={some_filter}")
    key = lambda r: json.dumps({c: v for c, v in r.items() if c != "row"}, sort_keys=True)  # noqa: E731
    assert sorted(map(key, filtered)) == sorted(map(key, rows))
    long = _csv_rows(client, f"/results/{survey_id}/download/responses-long.csv")
    assert not any(i in json.dumps(long) for i in ids) and set(long[0]) == {"row", "question", "item", "value"}
    return rows


def test_response_files_of_the_attacks_are_microdata(attacks):
    rows = (repeat({"region": "north", "gender": "female", "sat": 4}, 8)
            + repeat({"region": "south", "gender": "male", "sat": 2}, 7)
            + [{"region": "west", "gender": "male", "sat": 5, "hours": 39}])
    survey_id, responses = _fielding(attacks, "attacks", rows, "microdata")
    client = _client(attacks)
    with attacks.app_context():
        questionnaire = get_questionnaire("attacks")
    file = assert_microdata(client, survey_id, questionnaire, responses)
    assert "west" not in {r["region"] for r in file}
    orders = {tuple(r["sat"] for r in _csv_rows(client, f"/results/{survey_id}/download/responses.csv"))
              for _ in range(6)}
    assert len(orders) > 1                                       # random order, new in every file


def test_response_files_say_how_many_values_were_blanked(attacks, tmp_path):
    import zipfile

    import pyreadstat
    from openpyxl import load_workbook

    rows = (repeat({"region": "north", "gender": "female", "sat": 4}, 8)
            + repeat({"region": "south", "gender": "male", "sat": 2}, 7)
            + [{"region": "west", "gender": "male", "sat": 5}])
    survey_id, _ = _fielding(attacks, "attacks", rows, "blanked")
    client = _client(attacks)
    url = f"/results/{survey_id}/download"
    csv_text = client.get(f"{url}/responses.csv").get_data().decode("utf-8-sig")
    note = csv_text.splitlines()[-1]
    assert note.startswith("# k-Anonymität: Damit jede Kombination") and "Werte geleert" in note
    blanked = sum(1 for r in data_rows(csv.DictReader(io.StringIO(csv_text))) if r["region"] == "")
    assert f"region {blanked}" in note and blanked >= 1                   # the one from the west at least
    assert client.get(f"{url}/responses-long.csv").get_data().decode("utf-8-sig").splitlines()[-1] == note
    book = load_workbook(io.BytesIO(client.get(f"{url}/results.xlsx").get_data()))
    assert book["Hinweis"]["A2"].value == note[2:]
    bundle = zipfile.ZipFile(io.BytesIO(client.get(f"{url}/responses-r.zip").get_data()))
    assert bundle.read("README.txt").decode().strip() == note[2:]
    (tmp_path / "r.sav").write_bytes(client.get(f"{url}/responses.sav").get_data())
    _, meta = pyreadstat.read_sav(str(tmp_path / "r.sav"), metadataonly=True)
    assert " ".join(meta.notes) == note[2:]
    # the page says it too, in English for an English reader
    client.get("/lang/en")
    page = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert 'id="blanking-note"' in page and f"values were blanked (per column: region {blanked}" in page


def test_the_untouched_file_is_for_admins_behind_a_confirmation_and_logged(attacks):
    rows = repeat({"region": "north", "sat": 4}, 6) + [{"region": "west", "sat": 1}]
    survey_id, responses = _fielding(attacks, "attacks", rows, "untouched")
    url = f"/results/{survey_id}/download/responses.csv?untouched=1"
    evaluator = _client(attacks)
    assert evaluator.get(url).status_code == 403
    assert evaluator.post(url, data={"csrf_token": csrf_token(evaluator, f"/results/{survey_id}")}).status_code == 403
    admin = _client(attacks, "admin")
    confirm = admin.get(url)
    assert confirm.status_code == 200 and "text/html" in confirm.mimetype
    assert not any(r["id"] in confirm.get_data(as_text=True) for r in responses)
    assert admin.post(url).status_code == 400                   # no CSRF token: refused
    token = csrf_token(admin, url)
    response = admin.post(url, data={"csrf_token": token})
    assert response.status_code == 200 and "untouched" in response.headers["Content-Disposition"]
    body = response.get_data().decode("utf-8-sig")
    assert all(r["id"] in body for r in responses) and "west" in body
    with attacks.app_context():
        events = [e for e in get_store().audit_events() if e and e.get("action") == "download.untouched"]
    assert events and events[-1]["actor"] == "admin" and events[-1]["file"] == "responses.csv"
    assert "west" not in json.dumps(events)


# --------------------------------------------------------------------------- three data sets

@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    return _app(tmp_path_factory, SHIPPED)


@pytest.mark.parametrize("n", [6, 7, 8])
def test_staff_team_of_six_to_eight_programme_by_quarter(shipped, n):
    slug = "staff-self-assessment"
    with shipped.app_context():
        questionnaire = get_questionnaire(slug)
    rng = random.Random(n)
    rows = []
    for i in range(n):
        answers = random_answers(questionnaire, rng)
        answers["programme"] = "general" if i < n - 2 else "qfi"
        answers["quarter"] = [rng.choice(["ost_rothe_erde", "aachen_nord", "preuswald"])]
        rows.append(answers)
    survey_id, responses = _fielding(shipped, slug, rows, f"team {n}")
    client = _client(shipped)
    no_leaks_through_routes(shipped, client, survey_id, slug, responses, limit=40, unions=60)
    assert_microdata(client, survey_id, questionnaire, responses)


def test_stakeholders_2800(shipped):
    slug = "stakeholder-questionnaire"
    with shipped.app_context():
        questionnaire = get_questionnaire(slug)
    rng = random.Random(2800)
    rows = [random_answers(questionnaire, rng) for _ in range(2800)]
    for answers in rows[:3]:                       # a few rare combinations
        answers["organisation_type"] = "other"
    survey_id, responses = _fielding(shipped, slug, rows, "2800")
    client = _client(shipped)
    no_leaks_through_routes(shipped, client, survey_id, slug, responses, limit=6, unions=20)
