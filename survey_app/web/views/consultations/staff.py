"""Staff pages of consultations: the list, a new consultation (admins), its page with settings
and invitations (admins) and a new version of the draft (admins and evaluators)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey_app.consultations import model
from survey_app.consultations.document import DocumentError, Problem, decode, parse
from survey_app.consultations.shipped import shipped_drafts
from survey_app.consultations.statements import is_submitted
from survey_app.consultations.versions import SHIPPED, UPLOAD, Refused, add_version, start_consultation
from survey_app.fieldings.model import parse_day
from survey_app.output.export import to_csv
from survey_app.web import audit
from survey_app.web.auth import RESULT_ROLES, role_required
from survey_app.web.db import get_store
from survey_app.web.views.consultations.common import block_html, load, load_versions, mode_label, problem_message

bp = Blueprint("consultations", __name__, url_prefix="/consultations")
bp.add_app_template_filter(block_html, "block_html")

LARGE_UPLOADS = ("consultations.create", "consultations.new_version")


def allow_large_uploads(app) -> None:
    """A draft file larger than forms may be (up to MAX_IMPORT_LENGTH) reaches the view, which
    says at the field that it is too large, instead of a bare 413. Registered before CSRF."""
    @app.before_request
    def _upload_limit():
        if request.endpoint in LARGE_UPLOADS and getattr(current_user, "role", None) in RESULT_ROLES:
            request.max_content_length = app.config["MAX_IMPORT_LENGTH"]
            request.max_form_memory_size = app.config["MAX_IMPORT_LENGTH"]


def _shipped() -> dict[str, dict[str, str]]:
    return shipped_drafts(Path(current_app.config["QUESTIONNAIRE_DIR"]) / "consultations")


def _languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def _read_upload(name: str, errors: dict, field: str) -> str | None:
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        return None
    try:
        return decode(upload.read())
    except DocumentError as error:
        errors[field] = [problem_message(p) for p in error.problems]
        return None


def _days(errors: dict) -> tuple[str | None, str | None]:
    opens, closes = (request.form.get(name, "").strip() for name in ("opens_on", "closes_on"))
    for name, value in (("opens_on", opens), ("closes_on", closes)):
        if value and parse_day(value) is None:
            errors[name] = [_("Please enter a date such as 2026-12-01.")]
    if opens and closes and parse_day(opens) and parse_day(closes) and parse_day(closes) < parse_day(opens):
        errors["closes_on"] = [_("The closing day must not be before the opening day.")]
    return opens or None, closes or None


def _mode(errors: dict) -> str:
    mode = request.form.get("mode", model.NAMED)
    if mode not in model.MODES:
        errors["mode"] = [_("Please choose how statements are shown.")]
    return mode


@bp.route("/")
@role_required(*RESULT_ROLES)
def index():
    store = get_store()
    entries = []
    for record in store.list_consultations():
        statements = store.statements(record["id"])
        entries.append((record, model.state(record, dt.date.today()), sum(map(is_submitted, statements))))
    return render_template("consultation/index.html", entries=entries, shipped=_shipped(), errors={},
                           languages=_languages(), form=request.form)


@bp.route("/new", methods=["POST"])
@role_required("admin")
def create():
    errors: dict[str, list[str]] = {}
    language = request.form.get("language", "de")
    if language not in _languages():
        language = _languages()[0]
    texts: dict[str, str] = {}
    source, file = UPLOAD, ""
    shipped_name = request.form.get("shipped", "")
    uploaded = _read_upload("draft", errors, "draft")
    if uploaded is not None:
        texts[language] = uploaded
        file = request.files["draft"].filename
        translation = _read_upload("translation", errors, "translation")
        other = request.form.get("translation_language", "")
        if translation is not None:
            if other == language or other not in _languages():
                errors["translation"] = [_("Please choose the translation's language (not the draft's).")]
            else:
                texts[other] = translation
    elif shipped_name and shipped_name in _shipped():
        texts = _shipped()[shipped_name]
        language, source, file = next(iter(texts)), SHIPPED, f"questionnaires/consultations/{shipped_name}"
    elif "draft" not in errors:
        errors["draft"] = [_("Please upload the draft as a Markdown file or choose a shipped draft.")]
    opens, closes = _days(errors)
    mode = _mode(errors)
    title = " ".join(request.form.get("title", "").split())
    if len(title) > model.MAX_TITLE:
        errors["title"] = [_("The title may have at most %(n)d characters.", n=model.MAX_TITLE)]
    if texts and not errors:
        try:
            document = parse(texts)
        except DocumentError as error:
            field = "translation" if any(p.detail in texts and p.detail != language for p in error.problems) \
                else "draft"
            errors[field] = [problem_message(p) for p in error.problems]
    if errors:
        return render_template("consultation/index.html", entries=[], shipped=_shipped(), errors=errors,
                               languages=_languages(), form=request.form), 422
    record = start_consultation(get_store(), model.new_consultation(title or document.title or file, language, opens,
                                                                     closes, mode, source=file),
                                texts, source, current_user.username, file)
    audit.record("consultation.created", record["title"], mode=mode)
    flash(_("The consultation was created. Invite the organisations now."))
    return redirect(url_for(".show", consultation_id=record["id"]))


def _people_rows(record: dict, statements: dict) -> list[tuple[dict, dict | None]]:
    return [(org, statements.get(org["id"])) for org in record.get("organisations", ())]


def render_show(record: dict, errors: dict | None = None, status: int = 200, removed: tuple = ()):
    versions, docs = load_versions(record["id"])
    statements = {s["organisation"]: s for s in get_store().statements(record["id"])}
    return render_template("consultation/show.html", consultation=record, versions=versions, documents=docs,
                           state=model.state(record, dt.date.today()), organisations=_people_rows(record, statements),
                           mode_label=mode_label(record), errors=errors or {}, form=request.form,
                           languages=_languages(), removed=removed), status


@bp.route("/<consultation_id>/")
@role_required(*RESULT_ROLES)
def show(consultation_id: str):
    return render_show(load(consultation_id))


@bp.route("/<consultation_id>/settings", methods=["POST"])
@role_required("admin")
def settings(consultation_id: str):
    record = load(consultation_id)
    errors: dict[str, list[str]] = {}
    opens, closes = _days(errors)
    mode = _mode(errors)
    raw_minimum = request.form.get("min_group_size", "").strip()
    minimum = None
    if raw_minimum:
        if not raw_minimum.isdigit() or not 1 <= int(raw_minimum) <= 1000:
            errors["min_group_size"] = [_("Please enter a whole number, or nothing for the app's minimum.")]
        else:
            minimum = int(raw_minimum)
    statements = get_store().statements(consultation_id)
    if mode != record.get("mode", model.NAMED) and any(s.get("sections") or s.get("general") for s in statements):
        errors["mode"] = [_("Statements have been written under the current mode, which they were told on the "
                            "invitation page; it can no longer be changed.")]
    if errors:
        return render_show(record, errors, 422)
    status = model.CLOSED if request.form.get("closed") else model.OPEN
    title = " ".join(request.form.get("title", "").split())[:model.MAX_TITLE] or record["title"]
    get_store().change_consultation(consultation_id, lambda r: {
        **r, "title": title, "opens_on": opens, "closes_on": closes, "mode": mode, "min_group_size": minimum,
        "status": status})
    audit.record("consultation.changed", title, mode=mode, status=status)
    flash(_("The settings were saved."))
    return redirect(url_for(".show", consultation_id=consultation_id))


@bp.route("/<consultation_id>/invite", methods=["POST"])
@role_required("admin")
def invite(consultation_id: str):
    record = load(consultation_id)
    try:
        name, kind, people = model.invitation_lines(request.form.get("name", ""), request.form.get("kind", ""),
                                                    request.form.get("people", ""))
        tokens, change = model.invite(name, kind, people)
        record = get_store().change_consultation(consultation_id, change)
    except model.InviteError as error:
        messages = {
            "name_missing": _("Please enter the organisation's name."),
            "people_missing": _("Please enter at least one person, one per line."),
            "too_many_people": _("At most %(n)s people per invitation.", n=error.detail),
            "too_many_organisations": _("At most %(n)s organisations per consultation.", n=error.detail),
            "too_long": _("At most %(n)s characters.", n=error.detail),
        }
        return render_show(record, {f"invite_{error.field}": [messages[error.kind]]}, 422)
    audit.record("consultation.invited", record["title"], organisation=name, count=len(tokens))
    rows = model.invited(record, tokens)
    headers, table = model.link_table(rows, lambda token: url_for("consult.arrive", consultation_id=consultation_id,
                                                                  t=token, _external=True))
    return Response(to_csv(headers, table).encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="invitations-{len(table)}.csv"'})


@bp.route("/<consultation_id>/draft", methods=["POST"])
@role_required(*RESULT_ROLES)
def new_version(consultation_id: str):
    record = load(consultation_id)
    versions, docs = load_versions(consultation_id)
    errors: dict[str, list[str]] = {}
    text = _read_upload("draft", errors, "new_draft")
    if text is None and "new_draft" not in errors:
        errors["new_draft"] = [_("Please choose the Markdown file of the new version.")]
    texts = {record["language"]: text} if text is not None else {}
    translation = _read_upload("translation", errors, "new_translation")
    if translation is not None:
        other = next((lang for lang in docs[-1].languages[1:]), None) or next(
            (lang for lang in _languages() if lang != record["language"]), None)
        texts[other] = translation
    if errors:
        return render_show(record, errors, 422)
    try:
        version = add_version(get_store(), consultation_id, texts, UPLOAD, current_user.username,
                              request.files["draft"].filename, confirmed=bool(request.form.get("confirm_removal")))
    except DocumentError as error:
        return render_show(record, {"new_draft": [problem_message(p) for p in error.problems]}, 422)
    except Refused as refused:
        message = _("This version no longer has %(n)d sections that organisations have commented on. Their "
                    "comments are kept and shown marked as on a removed section. To store the version anyway, "
                    "tick the box and upload the file again.", n=len(refused.sections))
        return render_show(record, {"new_draft": [message]}, 422, removed=refused.sections)
    audit.record("consultation.version_added", record["title"], version=version["number"])
    flash(_("Version %(n)d of the draft was stored.", n=version["number"]))
    return redirect(url_for(".show", consultation_id=consultation_id))


@bp.route("/<consultation_id>/versions/<int:number>.md")
@role_required(*RESULT_ROLES)
def version_markdown(consultation_id: str, number: int):
    load(consultation_id)
    versions, docs = load_versions(consultation_id)
    if not 1 <= number <= len(docs):
        abort(404)
    return Response(docs[number - 1].markdown(), mimetype="text/markdown", headers={
        "Content-Disposition": f'attachment; filename="draft-v{number}.md"'})


__all__ = ["Problem", "allow_large_uploads", "bp"]
