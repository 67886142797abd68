"""Definition drafts: an upload (YAML, or an XLSForm or LimeSurvey export converted by
definitions/uploads.py) is kept unpublished -> reviewed and corrected -> previewed page by
page -> published (served from then on), or discarded. Every step is in the audit log."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import TextAreaField
from wtforms.validators import InputRequired

from survey_app.definitions.loader import ERROR, Problem
from survey_app.definitions.questionnaire import load_bytes
from survey_app.definitions.uploads import UploadRefused, read_upload
from survey_app.definitions.versions import breaking_changes
from survey_app.web import audit
from survey_app.web.auth import role_required
from survey_app.web.catalogue import FILE_EXISTS, SHIPPED, definition_folder
from survey_app.web.i18n import select_locale
from survey_app.web.views.admin.common import bp, localized, preview


class DefinitionUploadForm(FlaskForm):
    definition = FileField(_l("Questionnaire file (YAML, XLSForm .xlsx/.xls/.zip or LimeSurvey .lss)"), validators=[
        FileRequired(_l("Please choose a file.")),
        FileAllowed(["yaml", "yml", "xlsx", "xls", "zip", "csv", "lss"],
                    _l("Only .yaml, .yml, .xlsx, .xls, .zip, .csv and .lss files can be read.")),
    ])


class DefinitionSaveForm(FlaskForm):
    text = TextAreaField(_l("Definition (YAML)"), validators=[InputRequired()])


@bp.route("/definitions/upload", methods=["POST"])
@role_required("admin")
def upload_definition():
    """Keep an uploaded file, converted to our YAML where it is an import, as an unpublished
    draft and show it for review; nothing is served before it is published."""
    form = DefinitionUploadForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.definition.errors))
        return redirect(url_for(".index") + "#upload-heading")
    upload = form.definition.data
    data = upload.read()
    try:
        read = read_upload(upload.filename, data)
    except UploadRefused as refused:
        flash(localized(refused.reason))
        return redirect(url_for(".index") + "#upload-heading")
    text = read.text
    notes = [{"kind": note.kind, "text": localized(note)} for note in read.notes]
    questionnaire_id = _draft_name(text, "")
    draft_id = definition_folder().add_draft(text, questionnaire=questionnaire_id, uploaded_by=current_user.username,
                                             file=upload.filename, importer=read.importer, notes=notes)
    audit.record("questionnaire.uploaded", questionnaire_id or upload.filename, file=upload.filename,
                 bytes=len(data), draft=draft_id)
    return redirect(url_for(".draft", draft_id=draft_id))


def allow_large_imports(app) -> None:
    """Survey exports (a LimeSurvey file with several languages) pass the 512 KB that forms may
    send: admins may upload and correct definitions up to MAX_IMPORT_LENGTH. Registered before
    CSRF protection, which reads the form and would refuse the body first."""
    @app.before_request
    def _import_limit():
        if request.endpoint in ("admin.upload_definition", "admin.change_draft") \
                and getattr(current_user, "role", None) == "admin":
            request.max_content_length = app.config["MAX_IMPORT_LENGTH"]
            request.max_form_memory_size = app.config["MAX_IMPORT_LENGTH"]


def _draft_or_404(draft_id: str):
    found = definition_folder().draft(draft_id)
    if found is None:
        abort(404)
    return found


def _draft_name(text: str, fallback: str) -> str:
    """What the audit log names a draft by: its questionnaire id, else `fallback`."""
    questionnaire, _problems = load_bytes(text.encode("utf-8"), fallback)
    return questionnaire.id if questionnaire else fallback


def _checked(found):
    """The draft's questionnaire (None while it has errors), its errors and warnings, and
    what publishing it would do."""
    name = found.about.get("file") or "upload.yaml"
    questionnaire, problems = load_bytes(found.text.encode("utf-8"), name)
    errors = [p for p in problems if p.severity == ERROR]
    warnings = [p for p in problems if p.severity != ERROR]
    publishing = definition_folder().publishing(questionnaire.id) if questionnaire else None
    if publishing and publishing.refused == SHIPPED:
        errors.append(Problem(name, "id", _("The id %(id)s belongs to a questionnaire that comes with the app; "
                                            "choose another id.", id=questionnaire.id)))
    elif publishing and publishing.refused == FILE_EXISTS:
        errors.append(Problem(name, "id", _("A questionnaire file named %(id)s exists already and does not load; "
                                            "choose another id, or fix that file first.", id=questionnaire.id)))
    return (None if errors else questionnaire), errors, warnings, publishing


@bp.route("/drafts/<draft_id>")
@role_required("admin")
def draft(draft_id: str):
    """A draft with every problem, what the import changed and, for a new version, what
    changes for answers already given; from here it is previewed, published or discarded."""
    found = _draft_or_404(draft_id)
    questionnaire, errors, warnings, publishing = _checked(found)
    replaces = publishing.replaces if questionnaire else None
    return render_template(
        "admin/definition_review.html", draft=found, form=DefinitionSaveForm(formdata=None, text=found.text),
        questionnaire=questionnaire, errors=errors, warnings=warnings, notes=found.about.get("notes") or [],
        importer=found.about.get("importer") or "", replaces=replaces,
        changes=breaking_changes(replaces, questionnaire) if replaces else [], lang=select_locale())


@bp.route("/drafts/<draft_id>", methods=["POST"])
@role_required("admin")
def change_draft(draft_id: str):
    """Keep the corrected text of a draft and check it again."""
    _draft_or_404(draft_id)
    form = DefinitionSaveForm()
    if not form.validate_on_submit():
        abort(400)
    text = form.text.data.replace("\r\n", "\n")  # browsers send text areas with CRLF line ends
    questionnaire_id = _draft_name(text, "")
    if not definition_folder().change_draft(draft_id, text, questionnaire=questionnaire_id,
                                            changed_by=current_user.username):
        abort(404)
    audit.record("questionnaire.draft_changed", questionnaire_id or draft_id, draft=draft_id)
    flash(_("The corrected draft is kept and was checked again."))
    return redirect(url_for(".draft", draft_id=draft_id))


@bp.route("/drafts/<draft_id>/preview/<int:number>", methods=["GET", "POST"])
@role_required("admin")
def preview_draft(draft_id: str, number: int):
    """The pages of a draft as respondents would see them; nothing is stored."""
    questionnaire, _errors, _warnings, _publishing = _checked(_draft_or_404(draft_id))
    if questionnaire is None:
        flash(_("Correct the problems first; then the draft can be previewed."))
        return redirect(url_for(".draft", draft_id=draft_id))
    return preview(questionnaire, number, lambda n: url_for(".preview_draft", draft_id=draft_id, number=n),
                    url_for(".draft", draft_id=draft_id))


@bp.route("/drafts/<draft_id>/publish", methods=["POST"])
@role_required("admin")
def publish_draft(draft_id: str):
    """Publish a checked draft: it is served from now on (a first version gets its survey and
    public link); a new version replaces the live one."""
    found = _draft_or_404(draft_id)
    questionnaire, _errors, _warnings, publishing = _checked(found)
    if questionnaire is None:
        flash(_("The draft has problems and was not published."))
        return redirect(url_for(".draft", draft_id=draft_id))
    if not definition_folder().publish_draft(draft_id, found.text, publishing.target):
        flash(_("The draft was changed or removed meanwhile; please check it again."))
        return redirect(url_for(".index") + "#drafts-heading")
    replaced = {"replaces": publishing.replaces.content_hash[:10]} if publishing.replaces else {}
    audit.record("questionnaire.published", questionnaire.id, version=questionnaire.content_hash[:10],
                 draft=draft_id, uploaded_by=found.about.get("uploaded_by", ""), **replaced)
    if publishing.replaces:
        flash(_("The new version of %(id)s is published: respondents get it from now on.", id=questionnaire.id))
    else:
        flash(_("Questionnaire %(id)s is published; its survey is open at %(link)s.", id=questionnaire.id,
                link=url_for("survey.start", slug=questionnaire.id, _external=True)))
    return redirect(url_for(".index"))


@bp.route("/drafts/<draft_id>/discard", methods=["POST"])
@role_required("admin")
def discard_draft(draft_id: str):
    found = _draft_or_404(draft_id)
    if not definition_folder().discard_draft(draft_id):
        abort(404)
    audit.record("questionnaire.discarded", found.about.get("questionnaire") or found.about.get("file") or draft_id,
                 draft=draft_id, uploaded_by=found.about.get("uploaded_by", ""))
    flash(_("The draft is discarded; nothing was published."))
    return redirect(url_for(".index") + "#drafts-heading")
