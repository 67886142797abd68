"""`flask backup` and `flask restore`: a consistent copy of the data folder while writers run,
checked on the way back; hostile or changed archives are refused and leave nothing behind."""
from __future__ import annotations

import io
import json
import queue
import tarfile
import threading
import time
from pathlib import Path

import pytest

from conftest import Respondent, make_app
from survey_app.fieldings.drafts import new_draft
from survey_app.storage.tinydb.backup import restore_backup, write_backup
from survey_app.web.db import get_store
from survey_app.storage.tinydb.maintenance import check_data_folder
from survey_app.storage.tinydb.store import Store
from support.storage import SURVEY, spawn, stop

pytestmark = pytest.mark.data_folder   # these tests look at the data folder's files

WORKERS, DRAFTS_EACH = 4, 40


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


def test_backup_while_four_processes_submit_keeps_every_acknowledged_response(app, tmp_path):
    store = get_store(app)
    drafts = [[store.add_draft(SURVEY, new_draft(SURVEY, "de"))["id"] for _ in range(DRAFTS_EACH)] for _ in range(WORKERS)]
    procs = [spawn("submit", "tinydb", tmp_path, SURVEY, seed, *ids) for seed, ids in enumerate(drafts)]
    acknowledged: queue.Queue = queue.Queue()
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready"
        readers = [threading.Thread(target=lambda p=p: [acknowledged.put(line.split()[0]) for line in p.stdout],
                                    daemon=True) for p in procs]
        for reader in readers:
            reader.start()
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        deadline = time.monotonic() + 60
        while acknowledged.qsize() < 20 and time.monotonic() < deadline:
            time.sleep(0.001)
        before_backup = set(acknowledged.queue)  # every id a worker printed: its submit returned
        archive = tmp_path / "backup.tar.gz"
        result = app.test_cli_runner().invoke(args=["backup", str(archive)])
        assert result.exit_code == 0, result.output
        for proc in procs:
            proc.wait(timeout=60)
            assert proc.returncode == 0
        for reader in readers:
            reader.join(timeout=10)
    finally:
        for proc in procs:
            stop(proc)
    assert len(before_backup) >= 20 and acknowledged.qsize() == WORKERS * DRAFTS_EACH

    restored = tmp_path / "restored"
    result = app.test_cli_runner().invoke(args=["restore", str(archive), "--data", str(restored)])
    assert result.exit_code == 0, result.output
    assert check_data_folder(restored)[1] == []
    restored_store = Store(restored)
    responses = {r["id"]: r for r in restored_store.responses(SURVEY)}
    assert before_backup <= set(responses)
    # The survey was copied under its lock: a draft is gone (remembered as submitted) exactly
    # when its response is there.
    left = {d["id"] for d in restored_store.list_drafts(SURVEY)}
    assert all(r["draft"] not in left and restored_store.was_submitted(SURVEY, r["draft"]) for r in responses.values())
    assert not any(restored_store.was_submitted(SURVEY, draft_id) for draft_id in left)
    checked = make_app(tmp_path / "other", DATA_DIR=str(restored)).test_cli_runner().invoke(args=["check-data"])
    assert checked.exit_code == 0 and "no problems" in checked.output


def test_a_backup_waits_for_a_submission_in_progress(app, tmp_path):
    store = get_store(app)
    draft = store.add_draft(SURVEY, new_draft(SURVEY, "de"))["id"]
    archive = tmp_path / "backup.tar.gz"
    proc = spawn("pause", "tinydb", tmp_path, SURVEY, draft)
    try:
        # The response is stored, the draft (holding its id) not yet deleted: the survey is mid-change.
        assert proc.stdout.readline().strip() == "paused"
        backup = threading.Thread(target=write_backup, args=(store, archive))
        backup.start()
        backup.join(timeout=0.5)  # time to copy the half-changed survey, if the backup did not wait
        proc.stdin.write("go\n")
        proc.stdin.flush()
        response_id = proc.stdout.readline().strip()
        backup.join(timeout=60)
        assert proc.wait(timeout=60) == 0
    finally:
        stop(proc)
    restored = tmp_path / "restored"
    restore_backup(archive, restored)
    copied = Store(restored)
    assert copied.list_drafts(SURVEY) == [] and copied.was_submitted(SURVEY, draft)
    assert [r["id"] for r in copied.responses(SURVEY)] == [response_id]


def test_restored_folder_serves_the_same_surveys_and_logins(tmp_path):
    source = make_app(tmp_path / "a", SECRET_KEY=None)  # the key comes from the data folder, as in production
    with source.app_context():
        from survey_app.web.auth import create_user
        from survey_app.web.catalogue import get_catalogue
        from survey_app.fieldings.fielding import ensure_default_surveys

        create_user("anna", "correct horse battery", "admin")
        ensure_default_surveys(get_store(), get_catalogue())
        get_store().put_record("staffing_scenario", "Szenario – mehr Vernetzung", {"hours": {"task.networking": 12}})
    Respondent(source.test_client(), source, "staff-self-assessment").complete()
    archive = tmp_path / "b.tar.gz"
    assert source.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    assert archive.stat().st_mode & 0o077 == 0  # it holds the responses: private
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "MANIFEST.json" in names and not [n for n in names if n.endswith((".lock", ".tmp"))]

    # Restored into the folder a new app was started on (it made a key and an empty folder there).
    target = tmp_path / "new-data"
    runner = make_app(tmp_path / "c", DATA_DIR=str(target), SECRET_KEY=None).test_cli_runner()
    result = runner.invoke(args=["restore", str(archive), "--data", str(target)])
    assert result.exit_code == 0, result.output
    for name in ("secret_key", "users.json", "surveys.json"):
        assert (target / name).read_bytes() == (tmp_path / "a" / "data" / name).read_bytes()
    restored = make_app(tmp_path / "d", DATA_DIR=str(target), SECRET_KEY=None)
    with restored.app_context():
        survey = get_store().find_survey_by_slug("staff-self-assessment")
        assert len(get_store().responses(survey.id)) == 1
        assert get_store().find_user("anna") is not None
        scenario = get_store().get_record("staffing_scenario", "Szenario – mehr Vernetzung")
        assert scenario["hours"] == {"task.networking": 12} and scenario["version"] == 1
    # Nothing is restored over data.
    again = runner.invoke(args=["restore", str(archive), "--data", str(target)])
    assert again.exit_code != 0 and "not empty" in again.output


def test_backup_refuses_to_replace_a_file_or_to_write_into_the_data_folder(app, tmp_path):
    runner = app.test_cli_runner()
    existing = tmp_path / "old.tar.gz"
    existing.write_bytes(b"an older backup")
    assert runner.invoke(args=["backup", str(existing)]).exit_code != 0
    assert existing.read_bytes() == b"an older backup"
    inside = Path(app.config["DATA_DIR"]) / "backup.tar.gz"
    assert runner.invoke(args=["backup", str(inside)]).exit_code != 0 and not inside.exists()


def _archive(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]], manifest: bool = True) -> Path:
    """A tar.gz with these members and (if asked) a manifest that lists the regular files truly."""
    import hashlib

    files = []
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
            if data is not None and info.isfile():
                files.append({"path": info.name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        if manifest:
            body = json.dumps({"format": "survey_app backup", "version": 1, "files": files}).encode()
            info = tarfile.TarInfo("MANIFEST.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


def _file(name: str, data: bytes = b'{"_default": {}}') -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _special(name: str, kind: bytes, target: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


HOSTILE = {
    "dot-dot": [_file("users.json"), _file("../escaped.json")],
    "absolute": [_file("/tmp/escaped-survey-app.json")],
    "symlink": [_special("surveys", tarfile.SYMTYPE, "/tmp"), _file("surveys/escaped.json")],
    "hard link": [_file("users.json"), _special("surveys.json", tarfile.LNKTYPE, "/etc/passwd")],
    "device": [_special("users.json", tarfile.CHRTYPE)],
}


@pytest.mark.parametrize("case", HOSTILE)
def test_restore_refuses_hostile_archives_and_writes_nothing(app, tmp_path, case):
    archive = _archive(tmp_path / "hostile.tar.gz", HOSTILE[case])
    target = tmp_path / "target"
    result = app.test_cli_runner().invoke(args=["restore", str(archive), "--data", str(target)])
    assert result.exit_code != 0 and "refused" in result.output
    assert list(target.iterdir()) == []
    assert not (tmp_path / "escaped.json").exists() and not Path("/tmp/escaped-survey-app.json").exists()


def test_restore_refuses_a_changed_or_incomplete_archive(app, tmp_path):
    runner = app.test_cli_runner()
    store = get_store(app)
    store.add_response(SURVEY, {"answers": {"q": 1}})
    archive = tmp_path / "good.tar.gz"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    manifest = next(data for m, data in members if m.name == "MANIFEST.json")
    shard = f"surveys/{SURVEY}/responses-000001.json"

    def rewrite(name, change):
        path = tmp_path / name
        with tarfile.open(path, "w:gz") as tar:
            for member, data in members:
                data = change(member.name, data)
                if data is not None:
                    member.size = len(data)
                    tar.addfile(member, io.BytesIO(data))
        return path

    cases = {
        "changed.tar.gz": lambda name, data: data.replace(b'"q": 1', b'"q": 2') if name == shard else data,
        "missing.tar.gz": lambda name, data: None if name == shard else data,
        "no-manifest.tar.gz": lambda name, data: None if name == "MANIFEST.json" else data,
        "extra.tar.gz": lambda name, data: manifest.replace(shard.encode(), b"surveys/other.json")
        if name == "MANIFEST.json" else data,
    }
    for name, change in cases.items():
        target = tmp_path / name.replace(".tar.gz", "")
        result = runner.invoke(args=["restore", str(rewrite(name, change)), "--data", str(target)])
        assert result.exit_code != 0, (name, result.output)
        assert list(target.iterdir()) == [], name
    assert shard in runner.invoke(args=["restore", str(tmp_path / "changed.tar.gz"), "--data",
                                        str(tmp_path / "x")]).output
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    result = runner.invoke(args=["restore", str(cut), "--data", str(tmp_path / "y")])
    assert result.exit_code != 0 and list((tmp_path / "y").iterdir()) == []
