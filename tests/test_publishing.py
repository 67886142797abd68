"""Publishing a questionnaire: upload -> review (and correct) -> preview -> publish, or discard.
An upload is an unpublished draft in the data folder: respondents cannot reach it, it has no
survey and no link until an admin publishes it; a new version of a published questionnaire
waits the same way while the live one keeps serving. The audit log names who uploaded,
published or discarded what, and when."""
from __future__ import annotations

import io
import json
import re
from datetime import datetime, timezone

import pytest

from conftest import PASSWORD, csrf_token, login
from survey_app import PROJECT_ROOT
from survey_app.web.db import get_store
from test_definition_limits import bounded, laughs

STAFF = (PROJECT_ROOT / "questionnaires" / "staff-self-assessment.yaml").read_text(encoding="utf-8")
PARTNER = STAFF.replace("id: staff-self-assessment", "id: partner-check") \
    .replace("Selbsteinschätzung der Quartiersmanager*innen", "Partnercheck Version eins")


@pytest.fixture
def admin(app):
    client = app.test_client()
    login(client, "admin")
    return client


def upload(client, text: str, name: str = "partner.yaml"):
    return client.post("/admin/definitions/upload", data={
        "csrf_token": csrf_token(client, "/admin/"), "definition": (io.BytesIO(text.encode("utf-8")), name)},
        content_type="multipart/form-data")


def post(client, path: str, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin/"), **data})


def audit_events(app) -> list[dict]:
    return list(get_store(app).audit_events())


def surveys_of(app, questionnaire_id: str) -> list:
    return [s for s in get_store(app).list_surveys() if s.questionnaire_id == questionnaire_id]


def test_an_upload_is_an_unpublished_draft_until_an_admin_publishes_it(app, admin, tmp_path):
    started = datetime.now(timezone.utc).replace(microsecond=0)
    uploaded = upload(admin, PARTNER)
    assert uploaded.status_code == 302
    draft = re.fullmatch(r"/admin/drafts/([0-9a-f]{16})", uploaded.location).group(0)
    draft_id = draft.rsplit("/", 1)[1]
    kept = tmp_path / "data" / "questionnaires" / "drafts" / draft_id / "definition.yaml"
    assert kept.read_text(encoding="utf-8") == PARTNER          # kept in the data folder (and its backups)
    review = admin.get(draft).get_data(as_text=True)
    assert "Nicht veröffentlicht" in review and "Partnercheck Version eins" in review
    assert "/s/partner-check" in review                         # the link it will get
    # not served, no survey, no public link, while it is a draft
    respondent = app.test_client()
    assert respondent.get("/s/partner-check").status_code == 404
    assert respondent.get("/").status_code == 200               # (a request that prepares surveys)
    assert surveys_of(app, "partner-check") == []
    overview = admin.get("/admin/").get_data(as_text=True)
    assert "Entwürfe (nicht veröffentlicht)" in overview and f'href="{draft}"' in overview

    # the preview, page by page, as respondents would see it; nothing is stored
    first = admin.get(f"{draft}/preview/1")
    assert first.status_code == 200 and "Vorschau" in first.get_data(as_text=True)
    assert "Partnercheck Version eins" in first.get_data(as_text=True)
    moved = post(admin, f"{draft}/preview/1", action="next")
    assert moved.status_code == 302 and moved.location.endswith(f"{draft}/preview/2")
    refused = post(admin, f"{draft}/preview/2", action="next")
    assert refused.status_code == 422 and "Bitte beantworten Sie diese Frage." in refused.get_data(as_text=True)
    assert admin.get(f"{draft}/preview/99").status_code == 404
    assert surveys_of(app, "partner-check") == []

    published = post(admin, f"{draft}/publish")
    assert published.status_code == 302 and published.location.endswith("/admin/")
    assert "ist veröffentlicht; seine Erhebung ist offen unter http://localhost/s/partner-check" in \
        admin.get("/admin/").get_data(as_text=True)
    assert respondent.get("/s/partner-check").status_code == 200
    assert len(surveys_of(app, "partner-check")) == 1
    assert not kept.parent.exists() and admin.get(draft).status_code == 404
    assert (tmp_path / "data" / "questionnaires" / "partner-check.yaml").read_text(encoding="utf-8") == PARTNER

    events = {e["action"]: e for e in audit_events(app) if e["action"].startswith("questionnaire.")}
    assert set(events) == {"questionnaire.uploaded", "questionnaire.published"}
    for event in events.values():
        assert event["actor"] == "admin" and event["role"] == "admin" and event["target"] == "partner-check"
        assert started <= datetime.fromisoformat(event["at"]) <= datetime.now(timezone.utc)  # when, in UTC
        assert event["draft"] == draft_id
    assert events["questionnaire.uploaded"]["file"] == "partner.yaml"
    assert len(events["questionnaire.published"]["version"]) == 10
    log = admin.get("/admin/audit/").get_data(as_text=True)
    assert "Fragebogen als Entwurf hochgeladen" in log and "Fragebogen veröffentlicht" in log


def test_a_new_version_waits_while_the_live_one_keeps_serving(app, admin):
    draft = upload(admin, PARTNER).location
    post(admin, f"{draft}/publish")
    respondent = app.test_client()
    assert "Partnercheck Version eins" in respondent.get("/s/partner-check").get_data(as_text=True)

    second = PARTNER.replace("Partnercheck Version eins", "Partnercheck Version zwei") \
        .replace("      - id: obstacles_other", "      - id: obstacles_more")
    new_draft = upload(admin, second, "partner-v2.yaml").location
    review = admin.get(new_draft).get_data(as_text=True)
    assert "neue Version des veröffentlichten Fragebogens partner-check" in review
    assert "<code>obstacles_other</code>" in review             # removed: earlier answers not comparable
    assert "(neue Version)" in admin.get("/admin/").get_data(as_text=True)
    # the live version keeps serving; the preview shows the new one
    assert "Partnercheck Version eins" in respondent.get("/s/partner-check").get_data(as_text=True)
    assert "Partnercheck Version zwei" in admin.get(f"{new_draft}/preview/1").get_data(as_text=True)
    live_hash = next(e for e in audit_events(app) if e["action"] == "questionnaire.published")["version"]

    assert post(admin, f"{new_draft}/publish").status_code == 302
    assert "Die neue Version von partner-check ist veröffentlicht" in admin.get("/admin/").get_data(as_text=True)
    assert "Partnercheck Version zwei" in respondent.get("/s/partner-check").get_data(as_text=True)
    assert len(surveys_of(app, "partner-check")) == 1           # the same survey and link
    published = [e for e in audit_events(app) if e["action"] == "questionnaire.published"]
    assert published[-1]["replaces"] == live_hash and published[-1]["version"] != live_hash


def test_a_discarded_draft_is_gone_and_nothing_is_published(app, admin, tmp_path):
    draft = upload(admin, PARTNER).location
    post(admin, f"{draft}/publish")
    new_draft = upload(admin, PARTNER.replace("Version eins", "Version zwei")).location
    discarded = post(admin, f"{new_draft}/discard")
    assert discarded.status_code == 302
    assert "Der Entwurf ist verworfen" in admin.get("/admin/").get_data(as_text=True)
    assert admin.get(new_draft).status_code == 404
    assert post(admin, f"{new_draft}/publish").status_code == 404
    assert list((tmp_path / "data" / "questionnaires" / "drafts").iterdir()) == []
    assert "Version eins" in app.test_client().get("/s/partner-check").get_data(as_text=True)  # live one untouched

    never = upload(admin, PARTNER.replace("partner-check", "never-published"), "never.yaml").location
    post(admin, f"{never}/discard")
    assert app.test_client().get("/s/never-published").status_code == 404
    assert surveys_of(app, "never-published") == []
    events = [e for e in audit_events(app) if e["action"] == "questionnaire.discarded"]
    assert [(e["actor"], e["target"]) for e in events] == [("admin", "partner-check"), ("admin", "never-published")]


def test_a_draft_with_problems_is_corrected_before_it_can_be_previewed_or_published(app, admin):
    broken = PARTNER.replace("type: allocation", "type: allocatoin")
    draft = upload(admin, broken).location
    review = admin.get(draft).get_data(as_text=True)
    assert "So kann der Fragebogen nicht veröffentlicht werden" in review and "allocatoin" in review
    assert f"{draft}/publish" not in review
    assert admin.get(f"{draft}/preview/1").location.endswith(draft)
    assert post(admin, f"{draft}/publish").location.endswith(draft)
    assert app.test_client().get("/s/partner-check").status_code == 404

    corrected = post(admin, draft, text=PARTNER.replace("\n", "\r\n"))
    assert corrected.location.endswith(draft)
    assert f"{draft}/publish" in admin.get(draft).get_data(as_text=True)
    assert post(admin, f"{draft}/publish").location.endswith("/admin/")
    assert app.test_client().get("/s/partner-check").status_code == 200
    changed = next(e for e in audit_events(app) if e["action"] == "questionnaire.draft_changed")
    assert changed["actor"] == "admin" and changed["target"] == "partner-check"


def test_a_hostile_upload_gets_a_clear_message_and_the_app_keeps_serving(app, admin):
    with bounded():
        draft = upload(admin, laughs(), "laughs.yaml").location
        review = admin.get(draft).get_data(as_text=True)
    assert "holds more than 50,000 values" in review and f"{draft}/publish" not in review
    assert app.test_client().get("/s/staff-self-assessment").status_code == 200
    assert admin.get("/admin/").status_code == 200


def test_only_admins_reach_drafts(app, admin):
    draft = upload(admin, PARTNER).location
    for role in ("evaluator", "facilitator"):
        other = app.test_client()
        login(other, role)
        assert other.get(draft).status_code == 403
        assert other.get(f"{draft}/preview/1").status_code == 403
        for action in ("", "/publish", "/discard"):
            assert other.post(f"{draft}{action}", data={"csrf_token": csrf_token(other, "/"), "text": "x"}).status_code == 403
    assert admin.post(f"{draft}/publish").status_code == 400      # no CSRF token
    assert admin.get("/admin/drafts/../../users").status_code == 404
    assert admin.get("/admin/drafts/0123456789abcdef").status_code == 404
    assert app.test_client().get("/s/partner-check").status_code == 404


@pytest.mark.browser
def test_draft_pages_have_no_wcag_violations(app, browser, live_server):
    from test_accessibility import _violations

    page = browser.new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Benutzername").fill("admin")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("heading", name="Verwaltung", exact=True).wait_for()
    found = {}
    for name, text in (("first", PARTNER), ("problems", PARTNER.replace("type: allocation", "type: allocatoin"))):
        page.goto(f"{live_server.url}/admin/")
        page.set_input_files("input[type=file]", files=[{"name": f"{name}.yaml", "mimeType": "application/x-yaml",
                                                         "buffer": text.encode("utf-8")}])
        page.get_by_role("button", name="Datei prüfen").click()
        page.get_by_role("heading", name="Entwurf eines Fragebogens").wait_for()
        found[f"draft ({name})"] = _violations(page)
    page.goto(f"{live_server.url}/admin/")
    found["admin with drafts"] = _violations(page)
    print(page.locator("#drafts-heading").locator("..").inner_html())
    page.get_by_role("row", name="partner-check").get_by_role("link", name="Prüfen").click()
    page.get_by_role("link", name="Vorschau Seite für Seite").click()
    found["draft preview"] = _violations(page)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("row", name="partner-check").get_by_role("link", name="Prüfen").click()
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_text("ist veröffentlicht").wait_for()
    page.goto(f"{live_server.url}/admin/")
    page.set_input_files("input[type=file]", files=[{"name": "v2.yaml", "mimeType": "application/x-yaml",
                                                     "buffer": PARTNER.replace("eins", "zwei").encode("utf-8")}])
    page.get_by_role("button", name="Datei prüfen").click()
    page.locator("#new-version").wait_for()
    found["new version"] = _violations(page)
    page.close()
    assert {name: v for name, v in found.items() if v} == {}
