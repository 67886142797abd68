"""Administration: questionnaire definitions (with their problems), surveys and accounts."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import groupby
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from .. import audit
from ..auth import role_required
from ..db import get_store
from ..definitions import add_definition_file, get_catalogue, get_questionnaire, version_changes
from ..export import to_csv
from ..fielding import CLOSED, add_fielding, fielding_state, fieldings_of, opening_changes, parse_day
from ..forms import page_form
from ..i18n import select_locale
from ..invitations import MAX_PER_BATCH, invitation_table, new_invitations
from ..questionnaire import ERROR, Problem, load_bytes
from ..xlsform import XLSFormError, convert_workbook, to_yaml
from .survey import language_for, render_page

bp = Blueprint("admin", __name__, url_prefix="/admin")

bp.add_app_template_filter(parse_day, "as_day")

def _render(status: int = 200):
    store = get_store()
    catalogue = get_catalogue()
    surveys = store.list_surveys()
    versions = {survey["id"]: Counter(r.get("version", "") for r in store.responses(survey["id"]))
                for survey in surveys}
    counts = {survey_id: sum(found.values()) for survey_id, found in versions.items()}
    today = dt.date.today()
    problems = [(file, list(items)) for file, items in groupby(catalogue.problems, key=lambda p: p.file)]
    return render_template(
        "admin/index.html",
        catalogue=catalogue,
        problems=problems,
        surveys=surveys,
        counts=counts,
        states={survey["id"]: fielding_state(survey, today) for survey in surveys},
        version_warnings=_version_warnings(store, catalogue, surveys, versions),
        upload_form=DefinitionUploadForm(formdata=None),
        lang=select_locale(),
    ), status


def _version_warnings(store, catalogue, surveys, versions) -> list[dict]:
    """Fieldings whose responses answered an earlier version that the current definition no
    longer matches: the admin should know before results are mixed."""
    warnings = []
    for survey in surveys:
        questionnaire = catalogue.questionnaires.get(survey["questionnaire_id"])
        for version, count in versions[survey["id"]].items():
            if questionnaire and version != questionnaire.content_hash:
                changes = version_changes(store, questionnaire, version)
                if changes:
                    warnings.append({"survey": survey, "version": version, "count": count, "changes": changes})
    return warnings


@bp.route("/")
@role_required("admin")
def index():
    return _render()


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
    audit.record("questionnaire.checked", upload.filename, bytes=len(data))
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
    audit.record("questionnaire.published", questionnaire.id, version=questionnaire.content_hash[:10])
    flash(_("Questionnaire %(id)s saved; its survey is open at /s/%(id)s.", id=questionnaire.id))
    return redirect(url_for(".index"))


# -- fieldings ("Erhebungen"): the surveys of one questionnaire -------------------------------

class FieldingForm(FlaskForm):
    label = StringField(_l("Name of the fielding (e.g. “Baseline 2017”)"), validators=[
        InputRequired(_l("Please give the fielding a name.")), Length(max=120)])
    opens_on = DateField(_l("Opening day (empty: open at once)"), validators=[Optional()])
    closes_on = DateField(_l("Closing day, inclusive (empty: open until closed by hand)"), validators=[Optional()])
    min_group_size = IntegerField(_l("Minimum group size for results"), validators=[
        InputRequired(_l("Please enter a whole number."))])
    pseudonym = BooleanField(_l("Ask respondents for a self-generated code, to pair their answers with "
                                "those of another fielding (no names needed)"))
    anonymity = SelectField(_l("Anonymity"), choices=[
        SelectChoice("anonymous", _l("Anonymous: nothing links an answer to a person or an invitation")),
        SelectChoice("confidential", _l("Confidential: answers carry the invitation number (only with "
                                        "personal invitations; respondents are told)")),
    ], default="anonymous")
    access = SelectField(_l("Who may answer"), choices=[
        SelectChoice("open", _l("Anyone with the public link")),
        SelectChoice("invitation", _l("Only with a personal invitation link (each works once)")),
    ], default="open")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        floor = current_app.config["MIN_GROUP_SIZE"]
        # The anonymity statement promises the app's floor; a fielding can only raise it.
        self.min_group_size.validators.append(NumberRange(
            min=floor, max=1000, message=_l("Please enter a whole number from %(min)d to %(max)d.")))

    def validate_closes_on(self, field):
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_("The closing day must not be before the opening day."))

    def fields_to_store(self) -> dict:
        return {
            "label": self.label.data.strip(),
            "opens_on": self.opens_on.data.isoformat() if self.opens_on.data else None,
            "closes_on": self.closes_on.data.isoformat() if self.closes_on.data else None,
            "min_group_size": self.min_group_size.data,
            "access": self.access.data,
            "pseudonym": bool(self.pseudonym.data),
            "anonymity": self.anonymity.data,
        }

    def validate_anonymity(self, field):
        if field.data == "confidential" and self.access.data != "invitation":
            raise ValidationError(_("Confidential needs personal invitations: choose them under “Who may answer”."))


def _questionnaire_or_404(questionnaire_id: str):
    questionnaire = get_questionnaire(questionnaire_id)
    if questionnaire is None:
        abort(404)
    return questionnaire


def _survey_or_404(survey_id: str) -> dict:
    survey = get_store().get_survey(survey_id)
    if survey is None:
        abort(404)
    return survey


def _render_fieldings(questionnaire, form: FieldingForm, status: int = 200):
    store = get_store()
    today = dt.date.today()
    rows = [{"survey": s, "state": fielding_state(s, today), "responses": store.count_responses(s["id"])}
            for s in fieldings_of(store, questionnaire.id)]
    return render_template("admin/fieldings.html", questionnaire=questionnaire, rows=rows, form=form,
                           lang=select_locale()), status


@bp.route("/questionnaires/<questionnaire_id>/fieldings")
@role_required("admin")
def fieldings(questionnaire_id: str):
    questionnaire = _questionnaire_or_404(questionnaire_id)
    form = FieldingForm(formdata=None, min_group_size=current_app.config["MIN_GROUP_SIZE"])
    return _render_fieldings(questionnaire, form)


@bp.route("/questionnaires/<questionnaire_id>/fieldings", methods=["POST"])
@role_required("admin")
def add_fielding_view(questionnaire_id: str):
    questionnaire = _questionnaire_or_404(questionnaire_id)
    form = FieldingForm()
    if not form.validate_on_submit():
        return _render_fieldings(questionnaire, form, 422)
    survey = add_fielding(get_store(), questionnaire.id, status="open", **form.fields_to_store())
    audit.record("fielding.created", survey["slug"], questionnaire=questionnaire.id)
    flash(_("Fielding %(label)s created; its link is %(link)s.", label=survey["label"],
            link=url_for("survey.start", slug=survey["slug"], _external=True)))
    return redirect(url_for(".fieldings", questionnaire_id=questionnaire.id))


@bp.route("/surveys/<survey_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_fielding(survey_id: str):
    survey = _survey_or_404(survey_id)
    if request.method == "GET":
        form = FieldingForm(formdata=None, label=survey.get("label") or survey["slug"],
                            opens_on=parse_day(survey.get("opens_on")), closes_on=parse_day(survey.get("closes_on")),
                            min_group_size=max(survey.get("min_group_size") or 0, current_app.config["MIN_GROUP_SIZE"]),
                            access=survey.get("access", "open"), pseudonym=survey.get("pseudonym", False),
                            anonymity=survey.get("anonymity", "anonymous"))
    else:
        form = FieldingForm()
        if form.validate_on_submit():
            get_store().update_survey(survey["id"], **form.fields_to_store())
            audit.record("fielding.changed", survey["slug"])
            flash(_("Fielding %(label)s saved.", label=form.label.data.strip()))
            return redirect(url_for(".fieldings", questionnaire_id=survey["questionnaire_id"]))
    return render_template("admin/fielding_edit.html", survey=survey, form=form,
                           invitations=get_store().count_invitations(survey["id"]),
                           invitation_form=InvitationForm(formdata=None),
                           questionnaire=get_questionnaire(survey["questionnaire_id"]),
                           state=fielding_state(survey, dt.date.today()), lang=select_locale()), \
        (422 if form.errors else 200)


@bp.route("/surveys/<survey_id>/open", methods=["POST"])
@role_required("admin")
def open_fielding(survey_id: str):
    survey = _survey_or_404(survey_id)
    get_store().update_survey(survey["id"], **opening_changes(survey, dt.date.today()))
    audit.record("fielding.opened", survey["slug"])
    flash(_("Fielding %(label)s is open from today.", label=survey.get("label") or survey["slug"]))
    return redirect(url_for(".fieldings", questionnaire_id=survey["questionnaire_id"]))


@bp.route("/surveys/<survey_id>/close", methods=["POST"])
@role_required("admin")
def close_fielding(survey_id: str):
    survey = _survey_or_404(survey_id)
    get_store().update_survey(survey["id"], status=CLOSED)
    audit.record("fielding.closed", survey["slug"])
    flash(_("Fielding %(label)s is closed.", label=survey.get("label") or survey["slug"]))
    return redirect(url_for(".fieldings", questionnaire_id=survey["questionnaire_id"]))


class InvitationForm(FlaskForm):
    count = IntegerField(_l("Number of personal links"), validators=[
        InputRequired(_l("Please enter a whole number.")),
        NumberRange(min=1, max=MAX_PER_BATCH, message=_l("Please enter a whole number from %(min)d to %(max)d."))])


@bp.route("/surveys/<survey_id>/invitations", methods=["POST"])
@role_required("admin")
def create_invitations(survey_id: str):
    """New single-use links, downloaded once as CSV for a mail merge: only their hashes are kept."""
    survey = _survey_or_404(survey_id)
    form = InvitationForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.count.errors))
        return redirect(url_for(".edit_fielding", survey_id=survey["id"]) + "#invitations-heading")
    tokens, hashes = new_invitations(form.count.data)
    numbers = get_store().add_invitations(survey["id"], hashes)
    audit.record("invitations.created", survey["slug"], count=len(numbers))
    links = [url_for("survey.start", slug=survey["slug"], t=token, _external=True) for token in tokens]
    return Response(to_csv(*invitation_table(numbers, links)).encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{survey["slug"]}-invitations.csv"'})


@bp.route("/preview/<questionnaire_id>/<int:number>", methods=["GET", "POST"])
@role_required("admin")
def preview(questionnaire_id: str, number: int):
    """A questionnaire page exactly as respondents see it, with its checks; nothing is stored
    (so branching across pages shows every page)."""
    questionnaire = _questionnaire_or_404(questionnaire_id)
    if not 1 <= number <= len(questionnaire.pages):
        abort(404)
    index, lang = number - 1, language_for(questionnaire)
    survey = {"id": "preview", "slug": questionnaire.id}
    if request.method == "GET":
        return render_page(survey, questionnaire, index, page_form(questionnaire, index, lang, {}), lang, {},
                           preview=True)
    form = page_form(questionnaire, index, lang, {}, formdata=request.form)
    target = number - 1 if request.form.get("action") == "back" else number + 1
    if request.form.get("action") != "back" and not form.validate():
        return render_page(survey, questionnaire, index, form, lang, {}, preview=True), 422
    if not 1 <= target <= len(questionnaire.pages):
        flash(_("End of the preview: respondents would now see the thank-you page."))
        return redirect(url_for(".index"))
    return redirect(url_for(".preview", questionnaire_id=questionnaire.id, number=target))
