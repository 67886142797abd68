"""Damaged files in the data folder: each concerns only its survey, workshop or respondent, none
is ever written over, check-data lists them all; temporary files of killed writers go at start.

Damage is made the way it happens: a file cut off in the middle (a copy or disk that gave out),
cut to 0 bytes (a crash on a file system that lost the data but kept the name), or valid JSON of
the wrong layout (edited by hand)."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from conftest import Respondent, csrf_token, login, make_app, valid_page_data
from survey_app import PROJECT_ROOT
from survey_app.web.db import get_store
from survey_app.demo import run_demo_workshop
from survey_app.fieldings.drafts import changed, closed, new_draft
from survey_app.storage.tinydb.files import DamagedFileError
from survey_app.storage.tinydb.maintenance import check_data_folder
from survey_app.storage.tinydb.store import Store
from survey_app.workshops.templates import load_templates

pytestmark = pytest.mark.data_folder   # these tests look at the data folder's files

STAFF, PARTNERS = "staff-self-assessment", "stakeholder-questionnaire"
STAFF_TITLE = "Selbsteinschätzung der Quartiersmanager*innen"
DAMAGES = {
    "cut in half": lambda raw: raw[: len(raw) // 2],
    "0 bytes": lambda raw: b"",
    "wrong layout": lambda raw: b'{"_default": {"1": "not a document"}}',
}


def survey_of(app, slug) -> tuple[Path, str]:
    with app.app_context():
        store = get_store()
        survey = store.find_survey_by_slug(slug)
        return store.data_dir / "surveys" / survey.id, survey.id


def all_but_last_page(app, slug):
    """A respondent in a new browser who answered every page but the last."""
    respondent = Respondent(app.test_client(), app, slug)
    respondent.start()
    pages = respondent.questionnaire.pages
    for number, page in enumerate(pages[:-1], start=1):
        assert respondent.post_page(number, valid_page_data(page)).status_code == 302
    return respondent, len(pages), valid_page_data(pages[-1])


def staff_client(app, role):
    client = app.test_client()
    login(client, role)
    return client


def damage_logged(caplog, path: Path) -> int:
    return sum(str(path) in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_shard_is_never_written_over_and_concerns_only_its_survey(app, damage, caplog):
    Respondent(app.test_client(), app, STAFF).complete()
    folder, survey_id = survey_of(app, STAFF)
    shard = folder / "responses-000001.json"
    shard.write_bytes(DAMAGES[damage](shard.read_bytes()))
    damaged = shard.read_bytes()

    respondent, last, data = all_but_last_page(app, STAFF)
    refused = respondent.post_page(last, data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 503
    assert STAFF_TITLE in page and "nichts wurde überschrieben" in page
    assert shard.read_bytes() == damaged  # not "started afresh"
    assert [p.name for p in folder.glob("responses-*.json")] == ["responses-000001.json"]
    with app.app_context():
        [waiting] = [d for d in get_store().list_drafts(survey_id) if d["status"] == "open"]
        assert waiting["answers"]  # the respondent's answers are still there
    respondent.client.get("/lang/en")
    english = respondent.post_page(last, data).get_data(as_text=True)
    assert "Other surveys are not affected" in english and "Nothing was lost or overwritten" in english

    # The other survey takes answers, and the overview pages work and say what is missing.
    Respondent(app.test_client(), app, PARTNERS).complete()
    _folder, partners_id = survey_of(app, PARTNERS)
    with app.app_context():
        assert get_store().count_responses(partners_id) == 1
    evaluator = staff_client(app, "evaluator")
    index = evaluator.get("/results/")
    assert index.status_code == 200 and "Eine ihrer Dateien ist beschädigt" in index.get_data(as_text=True)
    triangulation = evaluator.get("/results/triangulation")
    assert triangulation.status_code == 200
    assert f"Weggelassen, weil eine ihrer Dateien beschädigt ist (es wurde nichts überschrieben): {STAFF_TITLE}" \
        in triangulation.get_data(as_text=True)
    assert evaluator.get(f"/results/{partners_id}").status_code == 200
    assert evaluator.get(f"/results/{survey_id}").status_code == 503
    admin = staff_client(app, "admin")
    overview = admin.get("/admin/")
    assert overview.status_code == 200
    assert f"surveys/{survey_id}/responses-000001.json" in overview.get_data(as_text=True)
    assert "nicht lesbar (beschädigte Datei)" in overview.get_data(as_text=True)  # its row in the survey list
    fieldings = admin.get(f"/admin/questionnaires/{STAFF}/fieldings")
    assert fieldings.status_code == 200 and "nicht lesbar (beschädigte Datei)" in fieldings.get_data(as_text=True)
    assert shard.read_bytes() == damaged
    assert damage_logged(caplog, shard) == 1  # once, however often it was met


def resume(client, code):
    """Type the resume code into the form, as a respondent on another device does."""
    token = csrf_token(client, f"/s/{STAFF}/resume")
    return client.post(f"/s/{STAFF}/resume", data={"code": code, "csrf_token": token})


def test_a_damaged_draft_concerns_only_its_respondent(app):
    folder, survey_id = survey_of(app, STAFF)
    codes = []
    for _ in range(2):
        respondent = Respondent(app.test_client(), app, STAFF)
        respondent.start()
        saved = respondent.post_page(1, valid_page_data(respondent.questionnaire.pages[0]), action="save")
        assert saved.status_code == 302
        with app.app_context():
            [draft] = [d for d in get_store().list_drafts(survey_id) if d["resume_code"] not in codes]
        codes.append(draft["resume_code"])
        if len(codes) == 1:
            first, first_path = respondent, folder / "drafts" / f"{draft['id']}.json"
    first_path.write_bytes(first_path.read_bytes()[:40])
    damaged = first_path.read_bytes()

    own = first.client.get(f"/s/{STAFF}")
    assert own.status_code == 503 and "Ihre gespeicherten Antworten" in own.get_data(as_text=True)
    assert first.post_page(1, valid_page_data(first.questionnaire.pages[0])).status_code == 503
    assert first_path.read_bytes() == damaged
    # The other respondent resumes on another device; the first one's code is explained.
    assert resume(app.test_client(), codes[1]).status_code == 302
    lost = resume(app.test_client(), codes[0])
    assert lost.status_code == 404 and "weil eine Datei beschädigt ist" in lost.get_data(as_text=True)
    results = staff_client(app, "evaluator").get(f"/results/{survey_id}")
    assert results.status_code == 200


def test_a_damaged_workshop_is_left_out_of_triangulation_with_a_note(app):
    with app.app_context():
        store = get_store()
        workshop = run_demo_workshop(store, load_templates(PROJECT_ROOT / "questionnaires" / "workshops"))
        path = store.data_dir / "workshops" / workshop["id"] / "workshop.json"
    path.write_bytes(path.read_bytes()[:-10])
    page = staff_client(app, "evaluator").get("/results/triangulation")
    assert page.status_code == 200 and "Demo-Workshop Quartiersmanagement" in page.get_data(as_text=True)
    assert "Weggelassen" in page.get_data(as_text=True)


def test_damaged_guessing_brakes_neither_stop_logins_nor_count_as_damage(app, client, runner):
    assert login(client, "evaluator", "wrong password").status_code == 422
    brakes = sorted((Path(app.config["DATA_DIR"]) / "brakes").glob("*.json"))
    assert brakes
    for path in brakes:
        path.write_bytes(b'{"3f2a": {"count"')  # cut off by a crash
    assert login(client, "evaluator", "wrong password").status_code == 422  # counted, not a 500
    assert login(client, "evaluator").status_code == 302
    assert "brakes" not in staff_client(app, "admin").get("/admin/").get_data(as_text=True)
    assert runner.invoke(args=["check-data"]).exit_code == 0


@pytest.mark.parametrize("damage", DAMAGES)
def test_no_writer_replaces_a_damaged_file(tmp_path, damage):
    store = Store(tmp_path)
    survey = "6f1c2b1e-3d4a-4c5b-9e8f-0a1b2c3d4e5f"
    store.add_response(survey, {"i": 0})
    draft = store.add_draft(survey, new_draft(survey, "de"))
    store.add_invitations(survey, ["a" * 64])
    store.add_user("anna", "hash", "admin")
    writes = {
        f"surveys/{survey}/responses-000001.json": lambda: store.add_response(survey, {"i": 1}),
        f"surveys/{survey}/drafts/{draft['id']}.json": lambda: store.change_draft(survey, draft["id"], changed({"q": 1})),
        f"surveys/{survey}/invitations.json": lambda: store.add_invitations(survey, ["b" * 64]),
        "users.json": lambda: store.add_user("ben", "hash", "admin"),
    }
    for name, write in writes.items():
        path = tmp_path / name
        path.write_bytes(DAMAGES[damage](path.read_bytes()))
        before = path.read_bytes()
        with pytest.raises(DamagedFileError) as raised:
            write()
        assert raised.value.path == path and path.read_bytes() == before
    with pytest.raises(DamagedFileError):  # the draft's answers are not moved into a response either
        store.submit_draft(survey, draft["id"], {"answers": {}}, closed)
    assert sorted(p.name for p in (tmp_path / "surveys" / survey).glob("responses-*")) == ["responses-000001.json"]


def test_check_data_lists_every_damaged_file_and_exits_non_zero(app):
    runner = app.test_cli_runner()
    Respondent(app.test_client(), app, STAFF).complete()
    folder, survey_id = survey_of(app, STAFF)
    data = Path(app.config["DATA_DIR"])
    with app.app_context():
        store = get_store()
        draft = store.add_draft(survey_id, new_draft(survey_id, "de"))
        workshop = run_demo_workshop(store, load_templates(PROJECT_ROOT / "questionnaires" / "workshops"))
    healthy = runner.invoke(args=["check-data"])
    assert healthy.exit_code == 0 and "no problems" in healthy.output

    [version] = (data / "definitions" / STAFF).glob("*.yaml")
    participants = sorted((data / "workshops" / workshop["id"]).glob("participants-*.json"))[0]
    [votes] = list((data / "workshops" / workshop["id"] / "runs").glob("*/votes-*.jsonl"))[:1]
    stale = folder / ".responses-000001.json.k2j4h6g8.tmp"
    fresh = folder / ".responses-000001.json.a1b2c3d4.tmp"  # a write in progress: not a problem
    stale.write_text("{}")
    fresh.write_text("{}")
    os.utime(stale, (time.time() - 600,) * 2)
    (data / "questionnaires").mkdir()
    (data / "questionnaires" / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    damaged = {
        folder / "responses-000001.json": lambda raw: raw[: len(raw) // 2],
        folder / "drafts" / f"{draft['id']}.json": lambda raw: b"",
        data / "users.json": lambda raw: json.dumps({"_default": {"1": {"id": "x", "username": "x"}}}).encode(),
        participants: lambda raw: b"\x00" * 20,
        votes: lambda raw: b"[]",
        version: lambda raw: raw.replace(b"Selbsteinsch", b"Fremdeinsch"),
    }
    for path, damage in damaged.items():
        path.write_bytes(damage(path.read_bytes()))
    before = {path: path.read_bytes() for path in damaged}

    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for path in [*damaged, stale, data / "questionnaires" / "broken.yaml"]:
        assert [line for line in lines if line.startswith(f"{path}: ")], (path, result.output)
    assert str(fresh) not in result.output
    assert "lacks password_hash" in result.output and "0 bytes" in result.output
    assert {path: path.read_bytes() for path in damaged} == before  # checking changes nothing
    assert check_data_folder(data)[1] and len(lines) == len(damaged) + 2


def test_temporary_files_of_killed_writers_are_removed_at_start(tmp_path):
    data = tmp_path / "data"
    store = Store(data)
    survey = "6f1c2b1e-3d4a-4c5b-9e8f-0a1b2c3d4e5f"
    store.add_response(survey, {"i": 0})
    left = [data / ".surveys.json.ab12cd34.tmp", data / "surveys" / survey / ".responses-000001.json.x1y2z3w4.tmp",
            data / "surveys" / survey / "drafts" / ".6f1c2b1e.json.qq_rr5tt.tmp"]
    (data / "surveys" / survey / "drafts").mkdir(exist_ok=True)
    for path in left:
        path.write_text('{"_default": {"1": {"half')
        os.utime(path, (time.time() - 300,) * 2)
    fresh = data / ".users.json.mn34op56.tmp"  # another worker is writing it right now
    fresh.write_text("{")
    make_app(tmp_path)
    assert [path.exists() for path in left] == [False, False, False]
    assert fresh.exists()
    assert store.responses(survey)[0]["i"] == 0


@pytest.mark.parametrize("args", [["demo"], ["demo", "--remove"]])
def test_commands_end_with_the_damaged_file_not_a_traceback(tmp_path, args):
    app = make_app(tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    data = Path(app.config["DATA_DIR"])
    shard = sorted(data.glob("surveys/*/responses-*.json"))[0]
    shard.write_bytes(shard.read_bytes()[:300])
    before = shard.read_bytes()
    result = runner.invoke(args=args)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert str(shard) in result.output and "check-data" in result.output
    assert "Traceback" not in result.output
    assert shard.read_bytes() == before
