"""Questionnaires uploaded by admins live in the storage (storage.interface.UploadedQuestionnaires):
files in the data folder, tables in PostgreSQL, so that every app server behind a proxy serves
the same ones. The contract on both adapters, and two app servers on one PostgreSQL database:
what an admin uploads and publishes on one is served by the other."""
from __future__ import annotations

import io

import pytest

from conftest import PASSWORD, csrf_token, login, make_app
from support.storage import TEST_DATABASE_URL, adapter_params, postgres_required, postgres_url
from survey_app import PROJECT_ROOT
from survey_app.storage.interface import UploadedQuestionnaires
from survey_app.web.auth import create_user
from survey_app.web.db import get_store

STAFF = (PROJECT_ROOT / "questionnaires" / "staff-self-assessment.yaml").read_text(encoding="utf-8")
PARTNER = STAFF.replace("id: staff-self-assessment", "id: partner-check") \
    .replace("Selbsteinschätzung der Quartiersmanager*innen", "Partnercheck Version eins")


@pytest.fixture(params=adapter_params(), ids=str)
def uploads(request, tmp_path):
    return request.param.open(tmp_path, False).uploaded_questionnaires()


def test_drafts_are_kept_changed_published_once_and_discarded(uploads):
    assert isinstance(uploads, UploadedQuestionnaires)
    empty = uploads.signature()
    assert uploads.published() == [] and uploads.drafts() == []
    first = uploads.add_draft(PARTNER, {"uploaded_by": "anna", "file": "partner.yaml", "notes": ["ä"]})
    second = uploads.add_draft("id: other\n", {"uploaded_by": "ben"})
    assert len(first) == 16 and first != second and uploads.signature() == empty   # drafts are not served
    assert uploads.draft(first) == (PARTNER, {"uploaded_by": "anna", "file": "partner.yaml", "notes": ["ä"]})
    assert sorted(d[0] for d in uploads.drafts()) == sorted([first, second])
    assert uploads.change_draft(first, PARTNER + "# fixed\n", {"changed_by": "ben"}) is True
    assert uploads.draft(first) == (PARTNER + "# fixed\n", {"uploaded_by": "anna", "file": "partner.yaml",
                                                             "notes": ["ä"], "changed_by": "ben"})
    # publishing what was checked, and only that
    assert uploads.publish_draft(first, PARTNER, "partner-check.yaml") is False     # changed since it was checked
    assert uploads.draft(first) is not None and uploads.published() == []
    assert uploads.publish_draft(first, PARTNER + "# fixed\n", "partner-check.yaml") is True
    assert uploads.published() == [("partner-check.yaml", (PARTNER + "# fixed\n").encode("utf-8"))]
    assert uploads.draft(first) is None and uploads.publish_draft(first, PARTNER, "partner-check.yaml") is False
    published = uploads.signature()
    assert published != empty
    # a new version over the live one
    third = uploads.add_draft(PARTNER, {})
    assert uploads.publish_draft(third, PARTNER, "partner-check.yaml") is True
    assert uploads.published() == [("partner-check.yaml", PARTNER.encode("utf-8"))]
    assert uploads.signature() not in (empty, published)
    assert "partner-check.yaml" in uploads.location("partner-check.yaml")
    assert uploads.discard_draft(second) is True and uploads.discard_draft(second) is False
    assert uploads.drafts() == []
    for bad in ("../x", "", None, "0123456789ABCDEF", "0123456789abcdef/.."):
        assert uploads.draft(bad) is None and uploads.discard_draft(bad) is False
        assert uploads.change_draft(bad, "x", {}) is False
    for bad_name in ("../x.yaml", "x.txt", "a/b.yaml", ""):
        with pytest.raises(ValueError):
            uploads.publish_draft(third, PARTNER, bad_name)


def _admin(app):
    with app.app_context():
        if get_store(app).find_user("admin") is None:
            create_user("admin", PASSWORD, "admin")
    client = app.test_client()
    login(client, "admin")
    return client


@pytest.mark.skipif(not TEST_DATABASE_URL and not postgres_required(), reason="needs SURVEY_APP_TEST_DATABASE_URL")
def test_what_an_admin_publishes_on_one_server_is_served_by_the_other(tmp_path):
    url = postgres_url(tmp_path / "database")
    one = make_app(tmp_path / "one", DATABASE_URL=url)      # each with its own (empty) data folder
    two = make_app(tmp_path / "two", DATABASE_URL=url)
    try:
        admin_one, admin_two = _admin(one), _admin(two)
        uploaded = admin_one.post("/admin/definitions/upload", data={
            "csrf_token": csrf_token(admin_one, "/admin/"),
            "definition": (io.BytesIO(PARTNER.encode("utf-8")), "partner.yaml")}, content_type="multipart/form-data")
        assert uploaded.status_code == 302
        draft = uploaded.location
        assert draft in admin_two.get("/admin/").get_data(as_text=True)               # the draft, on the other
        assert two.test_client().get("/s/partner-check").status_code == 404           # not served yet
        published = admin_two.post(f"{draft}/publish", data={"csrf_token": csrf_token(admin_two, "/admin/")})
        assert published.status_code == 302 and published.location.endswith("/admin/")
        for app in (one, two):
            page = app.test_client().get("/s/partner-check")
            assert page.status_code == 200 and "Partnercheck Version eins" in page.get_data(as_text=True)
        assert not (tmp_path / "one" / "data" / "questionnaires").exists()
        assert not (tmp_path / "two" / "data" / "questionnaires").exists()
        # a new version published on the first is served by the second at once
        newer = PARTNER.replace("Partnercheck Version eins", "Partnercheck Version zwei")
        again = admin_one.post("/admin/definitions/upload", data={
            "csrf_token": csrf_token(admin_one, "/admin/"),
            "definition": (io.BytesIO(newer.encode("utf-8")), "partner.yaml")}, content_type="multipart/form-data")
        assert admin_one.post(f"{again.location}/publish",
                              data={"csrf_token": csrf_token(admin_one, "/admin/")}).status_code == 302
        assert "Partnercheck Version zwei" in two.test_client().get("/s/partner-check").get_data(as_text=True)
        with two.app_context():
            surveys = [s for s in get_store(two).list_surveys() if s.questionnaire_id == "partner-check"]
        assert len(surveys) == 1                                                      # one survey, not one per server
    finally:
        for app in (one, two):
            app.extensions["survey_store"].close()
