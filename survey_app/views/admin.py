"""Administration: questionnaire definitions (with their problems), surveys and accounts."""
from __future__ import annotations

from itertools import groupby

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import PasswordField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from ..auth import ROLES, AccountError, create_user, role_required
from ..db import get_store
from ..definitions import add_definition_file, get_catalogue
from ..i18n import select_locale
from ..questionnaire import ERROR, Problem, load_bytes
from ..xlsform import XLSFormError, convert_workbook, to_yaml

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_LABELS = {"admin": _l("Administrator"), "evaluator": _l("Evaluator"), "facilitator": _l("Facilitator")}


class NewUserForm(FlaskForm):
    username = StringField(_l("User name"), validators=[InputRequired()])
    role = SelectField(_l("Role"), choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES])
    password = PasswordField(_l("Password (at least 10 characters)"), validators=[InputRequired()])


def _render(form: NewUserForm, status: int = 200):
    store = get_store()
    catalogue = get_catalogue()
    surveys = store.list_surveys()
    counts = {survey["id"]: store.count_responses(survey["id"]) for survey in surveys}
    problems = [(file, list(items)) for file, items in groupby(catalogue.problems, key=lambda p: p.file)]
    return render_template(
        "admin/index.html",
        catalogue=catalogue,
        problems=problems,
        surveys=surveys,
        counts=counts,
        users=store.list_users(),
        role_labels=ROLE_LABELS,
        form=form,
        upload_form=DefinitionUploadForm(formdata=None),
        lang=select_locale(),
    ), status


@bp.route("/")
@role_required("admin")
def index():
    return _render(NewUserForm(formdata=None))


@bp.route("/users", methods=["POST"])
@role_required("admin")
def add_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.username.data, form.password.data, form.role.data)
        except AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            flash(_("Account %(name)s created.", name=user.username))
            return redirect(url_for(".index"))
    return _render(form, 422)


class DefinitionUploadForm(FlaskForm):
    definition = FileField(_l("Questionnaire file (YAML, or XLSForm .xlsx)"), validators=[
        FileRequired(_l("Please choose a file.")),
        FileAllowed(["yaml", "yml", "xlsx"], _l("Only .yaml, .yml and .xlsx files can be read.")),
    ])


class DefinitionSaveForm(FlaskForm):
    text = TextAreaField(_l("Definition (YAML)"), validators=[InputRequired()])


def _review(text: str, notes=(), status: int = 200, name: str = "upload.yaml"):
    """Validate a definition and show it with its problems, ready to be saved."""
    questionnaire, problems = load_bytes(text.encode("utf-8"), name)
    errors = [p for p in problems if p.severity == ERROR]
    warnings = [p for p in problems if p.severity != ERROR]
    existing = questionnaire and (Path(current_app.config["QUESTIONNAIRE_DIR"]) / f"{questionnaire.id}.yaml").exists()
    if existing:
        errors.append(Problem(name, "id", _("A questionnaire with the id %(id)s exists already; choose another id.",
                                            id=questionnaire.id)))
    return render_template(
        "admin/definition_review.html", form=DefinitionSaveForm(text=text), questionnaire=questionnaire,
        errors=errors, warnings=warnings, notes=notes, lang=select_locale(),
    ), (422 if errors and status == 200 else status)


@bp.route("/definitions/upload", methods=["POST"])
@role_required("admin")
def upload_definition():
    form = DefinitionUploadForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.definition.errors))
        return redirect(url_for(".index") + "#upload-heading")
    upload = form.definition.data
    data = upload.read()
    if upload.filename.lower().endswith(".xlsx"):
        try:
            conversion = convert_workbook(data, upload.filename)
        except XLSFormError as error:
            flash(str(error))
            return redirect(url_for(".index") + "#upload-heading")
        if not conversion.usable:
            flash(_("No question could be made from this form."))
            return redirect(url_for(".index") + "#upload-heading")
        return _review(to_yaml(conversion.definition), conversion.notes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        flash(_("The file is not UTF-8 text."))
        return redirect(url_for(".index") + "#upload-heading")
    return _review(text, name=upload.filename)


@bp.route("/definitions/save", methods=["POST"])
@role_required("admin")
def save_definition():
    form = DefinitionSaveForm()
    if not form.validate_on_submit():
        abort(400)
    text = form.text.data.replace("\r\n", "\n")  # browsers send text areas with CRLF line ends
    page, status = _review(text)
    if status != 200:
        return page, status
    questionnaire, _problems = load_bytes(text.encode("utf-8"), "upload.yaml")
    add_definition_file(f"{questionnaire.id}.yaml", text)
    flash(_("Questionnaire %(id)s saved; its survey is open at /s/%(id)s.", id=questionnaire.id))
    return redirect(url_for(".index"))
