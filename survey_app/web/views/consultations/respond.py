"""The invited organisations' pages: the whole draft with their comments beside it, saved as
often as they like and submitted once per organisation. No account: the personal link is kept
in the session (out of the address bar and of referrers), and it only ever opens the statement
of the person's own organisation."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from survey_app.consultations import model
from survey_app.consultations.review import removed_sections
from survey_app.consultations.statements import (
    MAX_COMMENT,
    MAX_GENERAL,
    AlreadySubmitted,
    entry_problems,
    is_submitted,
    mark,
    saved,
    submitted,
)
from survey_app.web.db import get_store
from survey_app.web.i18n import select_locale
from survey_app.web.unavailable import RETRY_AFTER, message as unavailable_message
from survey_app.web.views.main import storage_failed
from survey_app.web.views.consultations.common import POSITION_LABELS, block_html, load, load_versions

bp = Blueprint("consult", __name__, url_prefix="/k")


def _person(record: dict) -> model.Person:
    person = model.person_with_token(record, session.get("consultations", {}).get(record["id"]))
    if person is None:
        abort(403, _("This page can only be opened with a personal invitation link. Please use the link from "
                     "your invitation."))
    return person


@bp.route("/<consultation_id>")
def arrive(consultation_id: str):
    record = load(consultation_id)
    token = request.args.get("t")
    if token:
        if model.person_with_token(record, token) is None:
            abort(404)
        session["consultations"] = {**session.get("consultations", {}), consultation_id: token}
        return redirect(url_for(".statement", consultation_id=consultation_id))
    return redirect(url_for(".statement", consultation_id=consultation_id))


def _language(document) -> str:
    chosen = select_locale()
    return chosen if chosen in document.languages else document.languages[0]


def render_statement(record: dict, person: model.Person, statement: dict | None, errors: dict | None = None,
                     entered: dict | None = None, status: int = 200, not_stored: str | None = None):
    _versions, docs = load_versions(record["id"])
    document = docs[-1]
    language = _language(document)
    entries = dict((statement or {}).get("sections") or {})
    removed = [(block, gone) for block, gone, _heading in removed_sections(docs) if block.id in entries]
    return render_template(
        "consultation/statement.html", consultation=record, person=person, statement=statement or {},
        entries=entries, entered=entered, document=document, language=language, removed=removed,
        block_html=block_html, positions=POSITION_LABELS, state=model.state(record, dt.date.today()),
        named=model.is_named(record), errors=errors or {}, submitted=is_submitted(statement),
        opens_on=model.parse_day(record.get("opens_on")), closes_on=model.parse_day(record.get("closes_on")),
        version=len(docs), max_comment=MAX_COMMENT, max_general=MAX_GENERAL, mark=mark,
        shown=request.form if entered else {}, not_stored=not_stored), status


@bp.route("/<consultation_id>/statement", methods=["GET", "POST"])
def statement(consultation_id: str):
    record = load(consultation_id)
    person = _person(record)
    org_id = person.organisation["id"]
    stored = get_store().get_statement(consultation_id, org_id)
    if request.method == "GET":
        return render_statement(record, person, stored)
    if not model.accepts_statements(record, dt.date.today()):
        return render_statement(record, person, stored, status=409)
    _versions, docs = load_versions(consultation_id)
    document = docs[-1]
    sections, typed, errors = {}, {}, {}
    for block in document.sections:
        names = [f"{key}-{block.id}" for key in ("position", "comment", "proposal")]
        if not any(name in request.form for name in names):
            continue          # not on the page that was sent: what is stored stays
        entry = {key: request.form.get(name, "").strip() for key, name in zip(("position", "comment", "proposal"), names)}
        typed[block.id] = entry
        if request.form.get(f"was-{block.id}") == mark(entry):
            continue          # as the page showed it: a colleague's save meanwhile stays
        problems = entry_problems(**entry)
        if problems:
            errors[block.id] = problems
        sections[block.id] = entry
    general = request.form["general"].strip() if "general" in request.form else None
    # shown again as typed when it cannot be stored (also what this person left unchanged)
    entered = {"sections": {**(stored or {}).get("sections", {}), **typed},
               "general": (stored or {}).get("general", "") if general is None else general}
    if general is not None and request.form.get("was-general") == mark(general):
        general = None
    if general and len(general) > MAX_GENERAL:
        errors["general"] = {"general": "too_long"}
    if errors:
        return render_statement(record, person, stored, errors, entered, 422)
    try:
        stored = get_store().change_statement(consultation_id, org_id, saved(
            sections, general, person.name, len(docs), _language(document)))
    except AlreadySubmitted as done:
        return render_statement(record, person, done.statement, status=409)
    except OSError as error:
        if not storage_failed(error):
            raise
        # Nothing was stored: the page again with everything as typed; the same button retries.
        page, _status = render_statement(record, person, stored, {}, entered, 503,
                                         not_stored=unavailable_message("statement", error))
        return page, 503, RETRY_AFTER
    if request.form.get("action") == "review":
        return redirect(url_for(".review", consultation_id=consultation_id))
    flash(_("Your statement was saved. You can come back with your personal link at any time until it is "
            "submitted."))
    return redirect(url_for(".statement", consultation_id=consultation_id))


@bp.route("/<consultation_id>/submit", methods=["GET", "POST"])
def review(consultation_id: str):
    """What will be submitted, and the button that submits it on behalf of the organisation."""
    record = load(consultation_id)
    person = _person(record)
    org_id = person.organisation["id"]
    stored = get_store().get_statement(consultation_id, org_id)
    if request.method == "POST" and model.accepts_statements(record, dt.date.today()) and not is_submitted(stored):
        try:
            get_store().change_statement(consultation_id, org_id, submitted(person.name))
        except AlreadySubmitted:
            pass          # the page says by whom
        else:
            flash(_("The statement of %(org)s was submitted. Thank you!", org=person.organisation["name"]))
        return redirect(url_for(".statement", consultation_id=consultation_id))
    if is_submitted(stored) or not model.accepts_statements(record, dt.date.today()):
        return redirect(url_for(".statement", consultation_id=consultation_id))
    _versions, docs = load_versions(consultation_id)
    return render_template("consultation/submit.html", consultation=record, person=person, statement=stored or {},
                           document=docs[-1], positions=POSITION_LABELS, named=model.is_named(record))
