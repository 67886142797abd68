"""Admins add questionnaires in the app: YAML or XLSForm upload, kept as a draft, checked and
published (tests/test_publishing.py follows a draft through preview, new versions and discard)."""
from __future__ import annotations

import io
import re
import shutil

import pytest

from conftest import PASSWORD, csrf_token, login, make_app
from survey_app import PROJECT_ROOT
from survey_app.web.auth import create_user
from test_xlsform import CHOICES, FULL, xlsform


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "definitions"
    shutil.copytree(PROJECT_ROOT / "questionnaires", target)
    return target


@pytest.fixture
def admin(tmp_path, folder):
    app = make_app(tmp_path, QUESTIONNAIRE_DIR=str(folder))
    with app.app_context():
        create_user("admin", PASSWORD, "admin")
        create_user("evaluator", PASSWORD, "evaluator")
    client = app.test_client()
    login(client, "admin")
    return client


def _upload(client, name, data):
    return client.post("/admin/definitions/upload", data={
        "csrf_token": csrf_token(client, "/admin/"), "definition": (io.BytesIO(data), name)},
        content_type="multipart/form-data", follow_redirects=True)


def _publish(client, review):
    """Publish the draft whose review page `review` is (the response of an upload)."""
    path = review.request.path
    return client.post(f"{path}/publish", data={"csrf_token": csrf_token(client, path)})


def _textarea(page: str) -> str:
    import html

    return html.unescape(re.search(r'<textarea[^>]*name="text"[^>]*>\r?\n?(.*?)</textarea>', page, re.S).group(1))


def test_xlsform_upload_is_reviewed_then_saved_and_served(admin, folder, tmp_path):
    review = _upload(admin, "partner.xlsx", xlsform(FULL, CHOICES, {"form_title": "Partnerbefragung", "form_id": "partner"}))
    page = review.get_data(as_text=True)
    assert review.status_code == 200
    assert "Partnerbefragung" in page and "7 Fragen" in page
    assert "XLSForm kennt keinen Zweck" in page  # the import report, in the admin's language
    text = _textarea(page)
    uploads = tmp_path / "data" / "questionnaires"
    assert not (uploads / "partner.yaml").exists()  # nothing published before the admin says so
    assert admin.get("/s/partner").status_code == 404
    # a correction in the text area: a browser sends it with CRLF line ends
    text = text.replace("Partnerbefragung", "Befragung der Partner")
    corrected = admin.post(review.request.path, data={"csrf_token": csrf_token(admin, review.request.path),
                                                      "text": text.replace("\n", "\r\n")})
    assert corrected.status_code == 302 and corrected.location.endswith(review.request.path)
    assert _publish(admin, review).status_code == 302
    assert (uploads / "partner.yaml").read_text(encoding="utf-8") == text
    assert not (folder / "partner.yaml").exists()  # the shipped folder is only read
    assert "Befragung der Partner" in admin.get("/s/partner").get_data(as_text=True)


def test_broken_yaml_is_shown_with_its_line_and_cannot_be_published(admin, folder, tmp_path):
    review = _upload(admin, "broken.yaml", b"id: broken\nlanguages: [de\n")
    assert review.status_code == 200
    page = review.get_data(as_text=True)
    assert "line 3" in page and "Veröffentlichen" not in page
    before = sorted(p.name for p in folder.iterdir())
    refused = _publish(admin, review)
    assert refused.status_code == 302 and refused.location.endswith(review.request.path)
    assert sorted(p.name for p in folder.iterdir()) == before
    assert list((tmp_path / "data" / "questionnaires").glob("*.y*ml")) == []


def test_existing_id_is_refused(admin, folder):
    text = (folder / "staff-self-assessment.yaml").read_text(encoding="utf-8")
    review = _upload(admin, "copy.yaml", text.encode("utf-8"))
    assert "gehört zu einem Fragebogen, der mit der App kommt" in review.get_data(as_text=True)
    assert _publish(admin, review).location.endswith(review.request.path)  # refused, back to the draft
    assert (folder / "staff-self-assessment.yaml").read_text(encoding="utf-8") == text


def _save(client, text):
    return _publish(client, _upload(client, "upload.yaml", text.encode("utf-8")))


def test_an_uploaded_questionnaire_is_kept_in_the_data_folder_and_comes_back_with_it(admin, tmp_path):
    # The backup the README describes is the data folder: restored alone, next to a fresh
    # checkout, it must bring the uploaded survey back.
    text = (PROJECT_ROOT / "questionnaires" / "staff-self-assessment.yaml").read_text(encoding="utf-8")
    text = text.replace("id: staff-self-assessment", "id: partner-check")
    assert _save(admin, text).status_code == 302
    assert admin.get("/s/partner-check").status_code == 200

    restored = tmp_path / "elsewhere"
    shutil.copytree(tmp_path / "data", restored / "data")
    fresh_checkout = restored / "checkout-questionnaires"
    shutil.copytree(PROJECT_ROOT / "questionnaires", fresh_checkout)
    app = make_app(restored, QUESTIONNAIRE_DIR=str(fresh_checkout))
    client = app.test_client()
    assert client.get("/s/partner-check").status_code == 200
    assert client.get("/s/staff-self-assessment").status_code == 200


def test_an_uploaded_file_with_a_shipped_id_is_a_problem_not_an_override(admin, tmp_path):
    uploads = tmp_path / "data" / "questionnaires"
    uploads.mkdir()
    text = (PROJECT_ROOT / "questionnaires" / "staff-self-assessment.yaml").read_text(encoding="utf-8")
    (uploads / "copy.yaml").write_text(text.replace("Selbsteinschätzung der", "Kopie der"), encoding="utf-8")
    page = admin.get("/admin/").get_data(as_text=True)
    assert str(uploads / "copy.yaml") in page and "already used by the shipped file staff-self-assessment.yaml" in page
    start = admin.get("/s/staff-self-assessment").get_data(as_text=True)
    assert "Selbsteinschätzung der" in start and "Kopie der" not in start


def test_other_files_are_refused_with_a_message(admin):
    page = _upload(admin, "notes.txt", b"hello").get_data(as_text=True)
    assert "Nur .yaml-, .yml-, .xlsx-, .xls-, .zip-, .csv- und .lss-Dateien" in page
    page = _upload(admin, "fake.xlsx", b"not a workbook").get_data(as_text=True)
    assert "keine Arbeitsmappe" in page


def test_only_admins_with_csrf_may_upload(tmp_path, admin):
    assert admin.post("/admin/definitions/upload", data={"definition": (io.BytesIO(b"x"), "a.yaml")},
                      content_type="multipart/form-data").status_code == 400
    evaluator = admin.application.test_client()
    login(evaluator, "evaluator")
    draft = _upload(admin, "x.yaml", b"id: x\n").request.path
    for path in (draft, f"{draft}/publish", f"{draft}/discard"):
        response = evaluator.post(path, data={"csrf_token": csrf_token(evaluator), "text": "id: x"})
        assert response.status_code == 403
    assert evaluator.get(draft).status_code == 403 and evaluator.get(f"{draft}/preview/1").status_code == 403


def test_admin_previews_every_page_as_respondents_see_it_and_nothing_is_stored(admin, folder):
    from survey_app.web.db import get_store

    page = admin.get("/admin/preview/staff-self-assessment/1")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Vorschau: So sehen es die Antwortenden" in text
    assert "Seite 1 von 5" in text and 'id="q-quarter"' in text
    # the checks work as for respondents: a required question left open is shown at the field
    token = csrf_token(admin, "/admin/")
    refused = admin.post("/admin/preview/staff-self-assessment/2", data={"csrf_token": token, "action": "next"})
    assert refused.status_code == 422 and "Bitte beantworten Sie diese Frage." in refused.get_data(as_text=True)
    moved = admin.post("/admin/preview/staff-self-assessment/1", data={"csrf_token": token, "action": "next"})
    assert moved.location.endswith("/admin/preview/staff-self-assessment/2")
    with admin.application.app_context():
        store = get_store()
        survey = store.find_survey_by_slug("staff-self-assessment")
        assert store.list_drafts(survey.id) == [] and store.responses(survey.id) == []
    evaluator = admin.application.test_client()
    login(evaluator, "evaluator")
    assert evaluator.get("/admin/preview/staff-self-assessment/1").status_code == 403
