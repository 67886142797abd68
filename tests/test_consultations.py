"""Consultations: the draft's sections and their ids, invitations, the organisations' statements,
the evaluator's answers, the synopsis files, the revised draft, anonymous rounds and the demo."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document as WordDocument
from openpyxl import load_workbook

from conftest import PASSWORD, csrf_token, login, make_app
from test_storage_full import disk, small_disk  # noqa: F401  (fixtures: a tmpfs filled up)
from survey_app.consultations import document as doc
from survey_app.consultations.demo import make_demo_consultation, remove_demo_consultation
from survey_app.consultations.document import DocumentError, parse
from survey_app.consultations.revision import diff, revise
from survey_app.consultations.shipped import shipped_drafts
from survey_app.web.auth import create_user
from survey_app.web.db import get_store

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "questionnaires" / "consultations"

DRAFT = """# Aufgabenbeschreibung

## Kernaufgaben

Das Quartiersmanagement vernetzt die Akteure im Quartier.

Es übernimmt eine Lotsenfunktion.

## Abgrenzung

Keine Einzelfallbetreuung.
"""


# -- the draft: sections, ids, safe HTML -----------------------------------------------------

def test_a_draft_is_split_into_numbered_sections_under_its_headings():
    document = parse({"de": DRAFT})
    assert [b.kind for b in document.blocks] == ["heading", "heading", "text", "text", "heading", "text"]
    assert [document.numbers[b.id] for b in document.sections] == [1, 2, 3]
    assert document.title == "Aufgabenbeschreibung"
    assert document.heading_of(document.sections[2].id) == "Abgrenzung"


def test_section_ids_stay_across_small_edits_and_removed_ones_are_never_reused():
    first = parse({"de": DRAFT})
    ids = [b.id for b in first.sections]
    edited = DRAFT.replace("vernetzt die Akteure im Quartier.", "vernetzt die Akteure im ganzen Quartier.") \
        .replace("## Abgrenzung", "## Abgrenzung\n\nEin neuer Absatz vorweg.")
    second = parse({"de": edited}, first)
    assert [b.id for b in second.sections] == [ids[0], ids[1], "s7", ids[2]]
    assert second.numbers[ids[2]] == 4
    shorter = edited.replace("Es übernimmt eine Lotsenfunktion.\n\n", "")
    third = parse({"de": shorter}, second, ["s7"])
    assert ids[1] not in {b.id for b in third.blocks}
    fourth = parse({"de": shorter + "\nNoch ein Absatz.\n"}, third, ["s7"])
    assert fourth.sections[-1].id == "s8"          # not s2 again: comments on s2 stay its own


@pytest.mark.parametrize("text, kind", [
    ("Nur ein Absatz ohne Überschrift.\n\nUnd noch einer.", doc.NO_HEADING),
    ("   \n\n", doc.EMPTY),
])
def test_a_draft_without_headings_or_text_is_refused(text, kind):
    with pytest.raises(DocumentError) as refused:
        parse({"de": text})
    assert refused.value.problems[0].kind == kind


def test_a_5_mb_file_is_refused_before_it_is_parsed():
    with pytest.raises(DocumentError) as refused:
        doc.decode(b"# T\n\n" + b"x" * (5 * 1024 * 1024))
    assert refused.value.problems[0].kind == doc.TOO_LARGE and refused.value.problems[0].detail == "5.0"


def test_html_and_scripts_in_the_draft_are_shown_as_text_and_unsafe_links_not_made():
    document = parse({"de": "# T\n\n<script>alert(1)</script>\n\nSee [here](javascript:alert(2)) and "
                            "<img src=x onerror=alert(3)> ![i](http://example.org/x.png)\n\n<div onclick=x>y</div>"})
    html = "".join(doc.render_block(b) for b in document.blocks)
    assert "<script" not in html and "<img" not in html and "<div" not in html
    assert 'href="javascript' not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_translation_must_have_the_same_sections():
    with pytest.raises(DocumentError) as refused:
        parse({"de": DRAFT, "en": "# Task description\n\n## Core tasks\n\nNetworking.\n"})
    assert refused.value.problems[0].kind == doc.TRANSLATION and refused.value.problems[0].detail == "en"
    texts = shipped_drafts(SHIPPED)["aufgabenbeschreibung-quartiersmanagement"]
    shipped = parse(texts)
    assert list(texts) == ["de", "en"] and len(shipped.sections) == 16
    assert "Einzelfallbetreuung" in shipped.markdown("de") and "individual case work" in shipped.markdown("en")


def test_a_revision_keeps_the_ids_and_the_diff_marks_words():
    first = parse({"de": DRAFT})
    target = first.sections[0]
    second = revise(first, {target.id: "Das Quartiersmanagement vernetzt alle Akteure.\n\nZweiter Teil.",
                            first.sections[1].id: ""}, [])
    assert second.sections[0].id == target.id and second.sections[1].source() == "Zweiter Teil."
    assert first.sections[1].id not in {b.id for b in second.blocks}
    rows = {row.block_id: row for row in diff(first, second)}
    assert rows[target.id].status == "changed" and "<ins>alle</ins>" in rows[target.id].html
    assert rows[first.sections[1].id].status == "removed" and rows[second.sections[1].id].status == "added"


# -- the web pages ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("consult"))
    with app.app_context():
        for role in ("admin", "evaluator", "facilitator"):
            create_user(role, PASSWORD, role)
    return app


def staff(app, role):
    client = app.test_client()
    login(client, role)
    return client


def create(client, text: str | bytes = DRAFT, **fields):
    token = csrf_token(client, "/consultations/")
    data = {"csrf_token": token, "title": "", "language": "de", "mode": "named", **fields}
    if text is not None:
        data["draft"] = (io.BytesIO(text.encode() if isinstance(text, str) else text), "entwurf.md")
    return client.post("/consultations/new", data=data, content_type="multipart/form-data")


def new_consultation(app, **fields) -> str:
    response = create(staff(app, "admin"), **fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response.headers["Location"].rstrip("/").split("/")[-1]


def invite(client, cid, name, kind, people) -> list[dict]:
    token = csrf_token(client, f"/consultations/{cid}/")
    response = client.post(f"/consultations/{cid}/invite", data={"csrf_token": token, "name": name, "kind": kind,
                                                                 "people": "\n".join(people)})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def person(app, link: str):
    client = app.test_client()
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 302
    return client


def sections(app, cid):
    with app.app_context():
        store = get_store()
        return doc.Document.from_record(store.consultation_versions(cid)[-1]["document"]).sections


def save(client, cid, entries: dict, general=None, action="save"):
    token = csrf_token(client, f"/k/{cid}/statement")
    data = {"csrf_token": token, "action": action, **({"general": general} if general is not None else {})}
    for section_id, (position, comment, proposal) in entries.items():
        data.update({f"position-{section_id}": position, f"comment-{section_id}": comment,
                     f"proposal-{section_id}": proposal})
    return client.post(f"/k/{cid}/statement", data=data)


def submit(client, cid):
    token = csrf_token(client, f"/k/{cid}/statement")
    return client.post(f"/k/{cid}/submit", data={"csrf_token": token})


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_bad_drafts_get_a_message_at_the_field_and_create_nothing(site):
    client = staff(site, "admin")
    with site.app_context():
        before = len(get_store().list_consultations())
    no_heading = create(client, "Nur Text.\n\nOhne Überschrift.")
    assert no_heading.status_code == 422
    page = no_heading.get_data(as_text=True)
    assert 'id="draft-error"' in page and "keine Überschrift" in page and 'aria-invalid="true"' in page
    huge = create(client, b"# T\n\n" + b"Absatz. " * (5 * 1024 * 1024 // 8))
    assert huge.status_code == 422 and "höchstens 500 KB" in huge.get_data(as_text=True)
    assert create(client, None).status_code == 422
    dates = create(client, opens_on="2026-12-10", closes_on="2026-12-01")
    assert dates.status_code == 422 and 'id="closes_on-error"' in dates.get_data(as_text=True)
    with site.app_context():
        assert len(get_store().list_consultations()) == before


def test_roles_and_csrf_on_every_staff_route(site):
    cid = new_consultation(site)
    anonymous = site.test_client()
    facilitator, evaluator = staff(site, "facilitator"), staff(site, "evaluator")
    for path in ("/consultations/", f"/consultations/{cid}/", f"/consultations/{cid}/review",
                 f"/consultations/{cid}/synopsis.docx", f"/consultations/{cid}/revise", f"/consultations/{cid}/diff"):
        assert anonymous.get(path).status_code == 302          # to the login page
        assert facilitator.get(path).status_code == 403
        assert evaluator.get(path).status_code == 200
    token = csrf_token(evaluator, f"/consultations/{cid}/")
    assert evaluator.post(f"/consultations/{cid}/invite", data={"csrf_token": token, "name": "X",
                                                                "people": "a"}).status_code == 403
    assert evaluator.post(f"/consultations/{cid}/settings", data={"csrf_token": token}).status_code == 403
    assert evaluator.post("/consultations/new", data={"csrf_token": token}).status_code == 403
    admin = staff(site, "admin")
    assert admin.post(f"/consultations/{cid}/invite", data={"name": "X", "people": "a"}).status_code == 400
    assert admin.post(f"/consultations/{cid}/answer", data={"key": "x"}).status_code == 400
    assert anonymous.get(f"/k/{cid}/statement").status_code == 403    # no personal link
    assert anonymous.get(f"/k/{cid}?t=wrong-token").status_code == 404


def test_an_organisation_saves_comes_back_and_submits_once_and_a_colleague_sees_by_whom(site):
    cid = new_consultation(site)
    admin = staff(site, "admin")
    links = invite(admin, cid, "Caritasverband", "Wohlfahrtsverband", ["Maria Schröder", "Jonas Weber"])
    assert [row["person"] for row in links] == ["Maria Schröder", "Jonas Weber"]
    other = invite(admin, cid, "Begegnungszentrum Nord", "Begegnungszentrum", ["K. Hoffmann"])
    maria, jonas, kim = person(site, links[0]["link"]), person(site, links[1]["link"]), person(site, other[0]["link"])
    first, second, third = sections(site, cid)

    page = maria.get(f"/k/{cid}/statement")
    assert page.status_code == 200
    assert "offizielle Stellungnahme" in text_of(page) and "mit dem Namen Ihrer Organisation" in text_of(page)
    saved = save(maria, cid, {first.id: ("agree_with_changes", "Bitte genauer.", "Das QM vernetzt alle."),
                              third.id: ("disagree", "", "")}, general="Wir begrüßen den Entwurf.")
    assert saved.status_code == 302
    # the colleague sees the same statement and who saved it last
    seen = jonas.get(f"/k/{cid}/statement").get_data(as_text=True)
    assert "Bitte genauer." in seen and "Das QM vernetzt alle." in seen and "Maria Schröder" in seen
    # another organisation sees only its own (empty) statement
    theirs = kim.get(f"/k/{cid}/statement").get_data(as_text=True)
    assert "Bitte genauer." not in theirs and "Wir begrüßen" not in theirs and "Begegnungszentrum Nord" in theirs
    # a too long comment is refused at its field, and nothing typed is lost
    long = save(jonas, cid, {first.id: ("agree", "x" * 5001, "")}, general="Neu")
    assert long.status_code == 422 and f'id="comment-{first.id}-error"' in long.get_data(as_text=True)
    assert "x" * 5001 in long.get_data(as_text=True)
    assert "Bitte genauer." in jonas.get(f"/k/{cid}/statement").get_data(as_text=True)   # stored one unchanged

    assert save(jonas, cid, {first.id: ("agree_with_changes", "Bitte genauer.", "Das QM vernetzt alle.")},
                action="review").headers["Location"].endswith(f"/k/{cid}/submit")
    summary = jonas.get(f"/k/{cid}/submit")
    assert "Im Namen von Caritasverband einreichen" in text_of(summary)
    assert submit(jonas, cid).status_code == 302
    with site.app_context():
        statements = get_store().statements(cid)
    stored = next(s for s in statements if s.get("status") == "submitted")
    assert stored["submitted_by"] == "Jonas Weber" and stored["sections"][third.id]["position"] == "disagree"
    assert stored["general"] == "Wir begrüßen den Entwurf." and stored["submitted_on"] == dt.date.today().isoformat()

    after = maria.get(f"/k/{cid}/statement")
    assert "von Jonas Weber" in text_of(after) and "eingereicht" in text_of(after)
    assert 'name="comment-' not in after.get_data(as_text=True)          # read only now
    late = save(maria, cid, {first.id: ("agree", "Doch anders", "")})
    assert late.status_code == 409
    assert submit(maria, cid).status_code == 302
    with site.app_context():
        again = next(s for s in get_store().statements(cid) if s.get("status") == "submitted")
    assert again == stored                                               # nothing changed


def test_a_closed_or_not_yet_open_consultation_takes_no_statement(site):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    cid = new_consultation(site, opens_on=tomorrow)
    link = invite(staff(site, "admin"), cid, "Diakonie", "Wohlfahrtsverband", ["S. Yilmaz"])[0]["link"]
    client = person(site, link)
    assert "öffnet am" in text_of(client.get(f"/k/{cid}/statement"))
    first = sections(site, cid)[0]
    assert save(client, cid, {first.id: ("agree", "Gut", "")}).status_code == 409
    with site.app_context():
        assert get_store().statements(cid) == []


def test_invitations_and_decisions_are_in_the_audit_log(site):
    cid = new_consultation(site)
    admin = staff(site, "admin")
    link = invite(admin, cid, "Stadtteilkonferenz Ost", "Stadtteilkonferenz", ["R. Becker"])[0]["link"]
    client = person(site, link)
    first = sections(site, cid)[0]
    save(client, cid, {first.id: ("agree_with_changes", "Geschäftsführung regeln", "")})
    submit(client, cid)
    evaluator = staff(site, "evaluator")
    with site.app_context():
        org = get_store().get_consultation(cid)["organisations"][0]["id"]
    key = f"{org}/{first.id}"
    token = csrf_token(evaluator, f"/consultations/{cid}/review")
    refused = evaluator.post(f"/consultations/{cid}/answer", data={"csrf_token": token, "key": key,
                                                                  "decision": "not_accepted", "reason": ""})
    assert refused.status_code == 422 and "Begründung" in refused.get_data(as_text=True)
    assert evaluator.post(f"/consultations/{cid}/answer", data={"csrf_token": token, "key": f"{org}/s999",
                                                               "decision": "noted"}).status_code == 404
    done = evaluator.post(f"/consultations/{cid}/answer", data={"csrf_token": token, "key": key,
                                                               "decision": "accepted", "reason": "Wird ergänzt."})
    assert done.status_code == 302
    with site.app_context():
        decision = get_store().get_consultation(cid)["decisions"][key]
        events = [e for e in get_store().audit_events() if e and e["action"].startswith("consultation.")]
    assert decision["decision"] == "accepted" and decision["by"] == "evaluator"
    invited = [e for e in events if e["action"] == "consultation.invited" and e["organisation"] == "Stadtteilkonferenz Ost"]
    assert invited and invited[0]["count"] == 1 and invited[0]["actor"] == "admin"
    decided = [e for e in events if e["action"] == "consultation.decision" and e["comment"] == key]
    assert decided and decided[0]["decision"] == "accepted" and "Geschäftsführung" not in str(decided)


@pytest.fixture(scope="module")
def demo(site):
    with site.app_context():
        return make_demo_consultation(get_store(), shipped_drafts(SHIPPED))


def test_the_evaluator_sees_positions_by_kind_comments_and_filters(site, demo):
    evaluator = staff(site, "evaluator")
    page = evaluator.get(f"/consultations/{demo['id']}/review")
    text = text_of(page)
    assert "5 von 5 eingeladenen Organisationen" in text
    assert "Positionen (n = 5 Stellungnahmen)" in text and "Wohlfahrtsverband" in text
    assert "Caritasverband Aachen" in text and "Begegnungszentren sind mehr als Räume" in text
    objections = text_of(evaluator.get(f"/consultations/{demo['id']}/review?filter=objections"))
    assert "Abschnitt 12" in objections and "Abschnitt 2 " not in objections
    unanswered = text_of(evaluator.get(f"/consultations/{demo['id']}/review?filter=unanswered"))
    assert "Räume und eine Versicherung" in unanswered and "Die runden Tische haben sich bewährt" in unanswered
    assert "Begegnungszentren sind mehr als Räume" not in unanswered       # answered


def test_the_synopsis_docx_has_the_administrations_table(site, demo):
    response = staff(site, "evaluator").get(f"/consultations/{demo['id']}/synopsis.docx")
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    table = WordDocument(io.BytesIO(response.data)).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Abschnittstext", "Organisation",
                                                     "Kommentar und vorgeschlagene Formulierung",
                                                     "Antwort und Entscheidung"]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    caritas = next(r for r in rows if r[1].startswith("Caritasverband Aachen") and "Einzelanliegen" in r[2])
    assert caritas[0].startswith("Abschnitt 10") and "keine Einzelfallbetreuung" in caritas[0]
    assert "Vorgeschlagene Formulierung: Das Quartiersmanagement übernimmt" in caritas[2]
    assert caritas[3].startswith("Übernommen: Die Weitervermittlung")
    diakonie = next(r for r in rows if r[1].startswith("Diakonisches Werk") and r[0].startswith("Abschnitt 10"))
    assert diakonie[0] == caritas[0] and diakonie[3].startswith("Teilweise übernommen")   # one merged text cell
    assert any(r[0].startswith("Abschnitt 2 ") and r[2] == "Keine Kommentare." for r in rows)
    assert any(r[0] == "Allgemeine Stellungnahme" and r[1].startswith("Stadtteilkonferenz") for r in rows)


def test_the_xlsx_and_html_synopsis_are_safe(site):
    cid = new_consultation(site, text=DRAFT.replace("Keine Einzelfallbetreuung.", "<script>alert(1)</script>"))
    link = invite(staff(site, "admin"), cid, "=HYPERLINK(\"http://x\")", "Verband", ["P"])[0]["link"]
    client = person(site, link)
    first = sections(site, cid)[0]
    save(client, cid, {first.id: ("disagree", "=1+1", "@SUM(A1)")})
    submit(client, cid)
    evaluator = staff(site, "evaluator")
    sheet = load_workbook(io.BytesIO(evaluator.get(f"/consultations/{cid}/synopsis.xlsx").data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value and str(cell.value).startswith("=")]
    assert cells and all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
    html = evaluator.get(f"/consultations/{cid}/synopsis.html").get_data(as_text=True)
    assert "<script>" not in html and "&lt;script&gt;" in html
    review = evaluator.get(f"/consultations/{cid}/review").get_data(as_text=True)
    assert "<script>alert" not in review and "&lt;script&gt;alert(1)&lt;/script&gt;" in review


def test_an_anonymous_round_follows_the_minimum_group_size(site):
    cid = new_consultation(site, mode="anonymous")
    admin = staff(site, "admin")
    first = sections(site, cid)[0]
    kinds = ["Verband", "Verband", "Verband", "Verband", "Zentrum"]
    for number, kind in enumerate(kinds):
        link = invite(admin, cid, f"Organisation {number}", kind, [f"Person {number}"])[0]["link"]
        client = person(site, link)
        if number == 0:
            assert "Anonyme Runde" in text_of(client.get(f"/k/{cid}/statement"))
        save(client, cid, {first.id: ("disagree", f"Kommentar Nummer {number}", "")})
        submit(client, cid)
        page = text_of(staff(site, "evaluator").get(f"/consultations/{cid}/review"))
        if number < 4:       # fewer than 5 statements: nothing per section
            assert "Kommentar Nummer" not in page and "mindestens 5 Organisationen" in page
    page = text_of(staff(site, "evaluator").get(f"/consultations/{cid}/review"))
    assert all(f"Kommentar Nummer {n}" in page for n in range(5))
    assert "Organisation 0" not in page and "Eine Organisation" in page
    # one "Zentrum" and four "Verband": neither kind may be shown (the other follows from the total)
    assert "Zentrum" not in page and ">Verband<" not in page and "2 Arten von Organisationen" in page
    rows = [[c.text for c in r.cells] for r in WordDocument(io.BytesIO(
        staff(site, "evaluator").get(f"/consultations/{cid}/synopsis.docx").data)).tables[0].rows]
    assert all(row[1] == "" for row in rows[1:])
    # nothing on the page tells which comments came from the same organisation, and answers work
    evaluator = staff(site, "evaluator")
    html = evaluator.get(f"/consultations/{cid}/review").get_data(as_text=True)
    with site.app_context():
        org_ids = [o["id"] for o in get_store().get_consultation(cid)["organisations"]]
    assert not any(org in html for org in org_ids)
    keys = re.findall(r'name="key" value="([^"]+)"', html)
    assert len(keys) == 5 and all("/" not in key for key in keys)
    answered = evaluator.post(f"/consultations/{cid}/answer", data={
        "csrf_token": csrf_token(evaluator, f"/consultations/{cid}/review"), "key": keys[0], "decision": "noted"})
    assert answered.status_code == 302
    with site.app_context():
        assert get_store().get_consultation(cid)["decisions"][keys[0]]["decision"] == "noted"


def test_an_edit_that_removes_a_commented_section_asks_first_and_loses_no_comment(site):
    cid = new_consultation(site)
    link = invite(staff(site, "admin"), cid, "Diakonie", "Wohlfahrtsverband", ["S. Yilmaz"])[0]["link"]
    client = person(site, link)
    first, second, third = sections(site, cid)
    save(client, cid, {second.id: ("disagree", "Lotsen gibt es schon.", "")})
    evaluator = staff(site, "evaluator")
    without = DRAFT.replace("Es übernimmt eine Lotsenfunktion.\n\n", "")

    def upload(confirm: bool):
        token = csrf_token(evaluator, f"/consultations/{cid}/")
        data = {"csrf_token": token, "draft": (io.BytesIO(without.encode()), "v2.md")}
        if confirm:
            data["confirm_removal"] = "1"
        return evaluator.post(f"/consultations/{cid}/draft", data=data, content_type="multipart/form-data")

    refused = upload(False)
    assert refused.status_code == 422 and 'id="new_draft-error"' in refused.get_data(as_text=True)
    assert "Lotsenfunktion" in text_of(refused) and 'name="confirm_removal"' in refused.get_data(as_text=True)
    with site.app_context():
        assert len(get_store().consultation_versions(cid)) == 1
    assert upload(True).status_code == 302
    with site.app_context():
        assert len(get_store().consultation_versions(cid)) == 2
    mine = text_of(client.get(f"/k/{cid}/statement"))
    assert "aus dem Entwurf entfernt" in mine and "Lotsen gibt es schon." in mine
    assert "Lotsen gibt es schon." not in text_of(evaluator.get(f"/consultations/{cid}/review"))  # not submitted
    submit(client, cid)
    page = text_of(evaluator.get(f"/consultations/{cid}/review"))
    assert "Entfernt in Fassung 2" in page and "Lotsen gibt es schon." in page
    rows = WordDocument(io.BytesIO(evaluator.get(f"/consultations/{cid}/synopsis.docx").data)).tables[0].rows
    assert any("entfernt in Fassung 2" in row.cells[0].text and "Lotsen gibt es schon." in row.cells[2].text
               for row in rows)


def test_the_revised_draft_applies_accepted_wordings_and_the_diff_shows_them(site, demo):
    evaluator = staff(site, "evaluator")
    cid = demo["id"]
    form = evaluator.get(f"/consultations/{cid}/revise").get_data(as_text=True)
    section10 = sections(site, cid)[9]
    textarea = re.search(rf'name="text-{section10.id}"[^>]*>([^<]*)</textarea>', form).group(1)
    assert textarea.startswith("Das Quartiersmanagement übernimmt keine Einzelfallbetreuung. Es klärt Anliegen")
    data = {"csrf_token": csrf_token(evaluator, f"/consultations/{cid}/revise"), "based_on": "1"}
    for match in re.finditer(r'name="(text-s\d+)"[^>]*>([^<]*)</textarea>', form):
        data[match.group(1)] = match.group(2).replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")
    stale = evaluator.post(f"/consultations/{cid}/revise", data={**data, "based_on": "0"})
    assert stale.status_code == 422
    stored = evaluator.post(f"/consultations/{cid}/revise", data=data)
    assert stored.status_code == 302 and "/diff?a=1&b=2" in stored.headers["Location"]
    with site.app_context():
        versions = get_store().consultation_versions(cid)
    assert len(versions) == 2 and versions[1]["source"] == "revision" and versions[1]["by"] == "evaluator"
    revised = doc.Document.from_record(versions[1]["document"])
    assert revised.block(section10.id).source().startswith("Das Quartiersmanagement übernimmt keine "
                                                           "Einzelfallbetreuung. Es klärt Anliegen")
    page = evaluator.get(f"/consultations/{cid}/diff?a=1&b=2").get_data(as_text=True)
    assert "<ins>" in page and "<del>" in page
    assert evaluator.get(f"/consultations/{cid}/diff?a=1&b=9").status_code == 404


def test_the_demo_is_made_once_and_removed_alone(tmp_path):
    app = make_app(tmp_path)
    runner = app.test_cli_runner()
    with app.app_context():
        other = new_consultation_direct()
    first = runner.invoke(args=["demo"])
    assert "added the consultation" in first.output
    assert "is there already" in runner.invoke(args=["demo"]).output
    with app.app_context():
        store = get_store()
        demo_ones = [c for c in store.list_consultations() if c.get("demo")]
        assert len(demo_ones) == 1 and len(demo_ones[0]["organisations"]) == 5
        assert sum(s["status"] == "submitted" for s in store.statements(demo_ones[0]["id"])) == 5
    assert "removed the consultation" in runner.invoke(args=["demo", "--remove"]).output
    with app.app_context():
        assert [c["id"] for c in get_store().list_consultations()] == [other]
        assert remove_demo_consultation(get_store()) is None


def new_consultation_direct() -> str:
    from survey_app.consultations.model import new_consultation as record
    from survey_app.consultations.versions import UPLOAD, add_version

    store = get_store()
    consultation = store.add_consultation(record("Echt"))
    add_version(store, consultation["id"], {"de": DRAFT}, UPLOAD, "admin")
    return consultation["id"]


class _Form(HTMLParser):
    """The fields a browser would send for the first form of a page with a CSRF token."""

    def __init__(self):
        super().__init__()
        self.data, self._textarea = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            if attrs.get("type") in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.data[attrs["name"]] = attrs.get("value", "on")
            elif attrs.get("type") not in ("submit", "file"):
                self.data[attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.data[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def page_form(response) -> dict:
    parser = _Form()
    parser.feed(response.get_data(as_text=True).split('class="form-navigation"')[0])
    return parser.data


def test_two_colleagues_editing_different_sections_at_once_both_keep_their_work(site):
    cid = new_consultation(site)
    links = invite(staff(site, "admin"), cid, "AWO", "Wohlfahrtsverband", ["Eva", "Tom"])
    eva, tom = person(site, links[0]["link"]), person(site, links[1]["link"])
    first, second, third = sections(site, cid)
    save(eva, cid, {third.id: ("agree", "Schon gespeichert", "")}, general="Allgemein")
    eva_form, tom_form = page_form(eva.get(f"/k/{cid}/statement")), page_form(tom.get(f"/k/{cid}/statement"))
    assert eva_form[f"comment-{third.id}"] == "Schon gespeichert"
    eva_form.update({f"position-{first.id}": "disagree", f"comment-{first.id}": "Von Eva"})
    tom_form.update({f"position-{second.id}": "agree", f"comment-{second.id}": "Von Tom", "general": "Allgemein, Tom"})
    assert eva.post(f"/k/{cid}/statement", data={**eva_form, "action": "save"}).status_code == 302
    assert tom.post(f"/k/{cid}/statement", data={**tom_form, "action": "save"}).status_code == 302
    with site.app_context():
        stored = get_store().statements(cid)[0]
    assert stored["sections"][first.id]["comment"] == "Von Eva"
    assert stored["sections"][second.id]["comment"] == "Von Tom"
    assert stored["sections"][third.id]["comment"] == "Schon gespeichert"
    assert stored["general"] == "Allgemein, Tom"


def test_the_statement_page_speaks_english_too(site):
    cid = new_consultation(site)
    link = invite(staff(site, "admin"), cid, "Meeting centre North", "Meeting centre", ["K. H."])[0]["link"]
    client = person(site, link)
    client.get("/lang/en")
    text = text_of(client.get(f"/k/{cid}/statement"))
    assert "An official statement of your organisation" in text and "Your position on section 1" in text
    assert "Agree with changes" in text and "Save and review before submitting" in text


def test_a_refused_save_shows_every_section_again_and_a_retry_loses_none(site):
    cid = new_consultation(site)
    client = person(site, invite(staff(site, "admin"), cid, "IN VIA", "Wohlfahrtsverband", ["L."])[0]["link"])
    first, second, third = sections(site, cid)
    save(client, cid, {third.id: ("disagree", "Bleibt stehen", "")}, general="Allgemein bleibt")
    form = page_form(client.get(f"/k/{cid}/statement"))
    form[f"comment-{first.id}"] = "x" * 5001
    refused = client.post(f"/k/{cid}/statement", data={**form, "action": "save"})
    assert refused.status_code == 422
    again = page_form(refused)
    assert again[f"comment-{third.id}"] == "Bleibt stehen" and again["general"] == "Allgemein bleibt"
    again[f"comment-{first.id}"] = "Kürzer"
    assert client.post(f"/k/{cid}/statement", data={**again, "action": "save"}).status_code == 302
    with site.app_context():
        stored = get_store().statements(cid)[0]
    assert stored["sections"][third.id]["comment"] == "Bleibt stehen" and stored["general"] == "Allgemein bleibt"
    assert stored["sections"][first.id]["comment"] == "Kürzer"


@pytest.mark.data_folder   # the full disk is a tmpfs under the data folder
def test_a_save_on_a_full_disk_comes_back_with_everything_typed(disk):
    app = make_app(disk.folder)
    with app.app_context():
        create_user("admin", PASSWORD, "admin")
    cid = new_consultation(app)
    client = person(app, invite(staff(app, "admin"), cid, "AWO", "Wohlfahrtsverband", ["E."])[0]["link"])
    first = sections(app, cid)[0]
    form = page_form(client.get(f"/k/{cid}/statement"))
    form.update({f"position-{first.id}": "disagree", f"comment-{first.id}": "Auf vollem Datenträger"})
    disk.fill()
    refused = client.post(f"/k/{cid}/statement", data={**form, "action": "save"})
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "60"
    assert "Speicherplatz des Servers voll" in text_of(refused)
    assert page_form(refused)[f"comment-{first.id}"] == "Auf vollem Datenträger"
    with app.app_context():
        assert get_store().statements(cid) == []
    disk.free()
    assert client.post(f"/k/{cid}/statement", data={**page_form(refused), "action": "save"}).status_code == 302
    with app.app_context():
        assert get_store().statements(cid)[0]["sections"][first.id]["comment"] == "Auf vollem Datenträger"
