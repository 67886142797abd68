"""Administration: questionnaire definitions (with their problems), surveys and accounts."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import groupby
from pathlib import Path

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from survey_app.web import audit
from survey_app.web.auth import role_required
from survey_app.analysis.counting import answer_lines, counted, exclusion
from survey_app.web.db import get_store
from survey_app.web.minimum import app_minimum, minimum_group_size
from survey_app.web.catalogue import (
    FILE_EXISTS,
    SHIPPED,
    definition_folder,
    get_catalogue,
    get_questionnaire,
    version_changes,
)
from survey_app.output.export import to_csv
from survey_app.fieldings.fielding import add_fielding, fieldings_of
from survey_app.fieldings.model import CLOSED, Fielding, parse_day
from survey_app.web.forms import page_form
from survey_app.web.i18n import select_locale
from survey_app.fieldings.invitations import MAX_PER_BATCH, invitation_table, new_invitations
from survey_app.definitions.loader import ERROR, Problem
from survey_app.definitions.questionnaire import load_bytes
from survey_app.definitions.versions import breaking_changes
from survey_app.definitions import limesurvey
from survey_app.storage.interface import DamagedDataError, DataFolder
from survey_app.definitions.imports import to_yaml
from survey_app.definitions.xlsform import ORIGIN as XLSFORM, XLSFormError, convert_workbook
from survey_app.web.views.survey import language_for, render_page

bp = Blueprint("admin", __name__, url_prefix="/admin")

bp.add_app_template_filter(parse_day, "as_day")

def _render(status: int = 200):
    store = get_store()
    catalogue = get_catalogue()
    # listed first: the rest of the page works around them (a database keeps no files)
    damaged = store.damaged_files() if isinstance(store, DataFolder) else []
    try:
        surveys = store.list_surveys()
    except DamagedDataError:
        surveys = []
    versions, counts = {}, {}
    for survey in surveys:
        try:
            versions[survey.id] = Counter(r.get("version", "") for r in store.responses(survey.id))
        except DamagedDataError:  # its row says so; the other surveys are not affected
            versions[survey.id], counts[survey.id] = Counter(), None
        else:
            counts[survey.id] = sum(versions[survey.id].values())
    today = dt.date.today()
    problems = [(file, list(items)) for file, items in groupby(catalogue.problems, key=lambda p: p.file)]
    return render_template(
        "admin/index.html",
        catalogue=catalogue,
        problems=problems,
        damaged=[(problem, store.owner_of(problem.path)) for problem in damaged],
        data_dir=getattr(store, "data_dir", None),
        surveys=surveys,
        counts=counts,
        states={survey.id: survey.state(today) for survey in surveys},
        version_warnings=_version_warnings(store, catalogue, surveys, versions),
        upload_form=DefinitionUploadForm(formdata=None),
        drafts=definition_folder().list_drafts(),
        lang=select_locale(),
    ), status


def _version_warnings(store, catalogue, surveys, versions) -> list[dict]:
    """Fieldings whose responses answered an earlier version that the current definition no
    longer matches: the admin should know before results are mixed."""
    warnings = []
    for survey in surveys:
        questionnaire = catalogue.questionnaires.get(survey.questionnaire_id)
        for version, count in versions[survey.id].items():
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
    definition = FileField(_l("Questionnaire file (YAML, XLSForm .xlsx/.xls/.zip or LimeSurvey .lss)"), validators=[
        FileRequired(_l("Please choose a file.")),
        FileAllowed(["yaml", "yml", "xlsx", "xls", "zip", "csv", "lss"],
                    _l("Only .yaml, .yml, .xlsx, .xls, .zip, .csv and .lss files can be read.")),
    ])


class DefinitionSaveForm(FlaskForm):
    text = TextAreaField(_l("Definition (YAML)"), validators=[InputRequired()])


# -- drafts: upload -> review (and correct) -> preview -> publish, or discard -------------------

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
    notes, importer_name = [], ""
    importer = IMPORTERS.get(Path(upload.filename.lower()).suffix)
    if importer:
        convert, error_class, origin, importer_name = importer
        try:
            conversion = convert(data, upload.filename)
        except error_class as error:
            flash(_localized(error))
            return redirect(url_for(".index") + "#upload-heading")
        if not conversion.usable:
            flash(_("No question could be made from this form."))
            return redirect(url_for(".index") + "#upload-heading")
        notes = [{"kind": note.kind, "text": _localized(note)} for note in conversion.notes]
        text = to_yaml(conversion.definition, origin)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            flash(_("The file is not UTF-8 text."))
            return redirect(url_for(".index") + "#upload-heading")
    questionnaire_id = _draft_name(text, "")
    draft_id = definition_folder().add_draft(text, questionnaire=questionnaire_id, uploaded_by=current_user.username,
                                             file=upload.filename, importer=importer_name, notes=notes)
    audit.record("questionnaire.uploaded", questionnaire_id or upload.filename, file=upload.filename,
                 bytes=len(data), draft=draft_id)
    return redirect(url_for(".draft", draft_id=draft_id))


# Upload suffix -> (convert(bytes, name), its error class, origin for the YAML header, name in the report)
IMPORTERS = {
    **{suffix: (convert_workbook, XLSFormError, XLSFORM, "XLSForm") for suffix in (".xlsx", ".xls", ".zip", ".csv")},
    ".lss": (limesurvey.convert_lss, limesurvey.LimeSurveyError, limesurvey.ORIGIN, "LimeSurvey"),
}


def _localized(item) -> str:
    """An importer's report line or error in the admin's language, where it provides msgids."""
    render = getattr(item, "render", None)
    return render(_) if render else str(item)


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
    return _preview(questionnaire, number, lambda n: url_for(".preview_draft", draft_id=draft_id, number=n),
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
    test_run = BooleanField(_l("Test run: its responses are never counted in results, downloads, the report, "
                                "comparisons, response rates or triangulation"))
    access = SelectField(_l("Who may answer"), choices=[
        SelectChoice("open", _l("Anyone with the public link")),
        SelectChoice("invitation", _l("Only with a personal invitation link (each works once)")),
    ], default="open")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        floor = app_minimum()
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
            "test_run": bool(self.test_run.data),
        }

    def validate_anonymity(self, field):
        if field.data == "confidential" and self.access.data != "invitation":
            raise ValidationError(_("Confidential needs personal invitations: choose them under “Who may answer”."))


def _questionnaire_or_404(questionnaire_id: str):
    questionnaire = get_questionnaire(questionnaire_id)
    if questionnaire is None:
        abort(404)
    return questionnaire


def _survey_or_404(survey_id: str) -> Fielding:
    survey = get_store().get_survey(survey_id)
    if survey is None:
        abort(404)
    return survey


def _counted_if_readable(store, survey: Fielding):
    """What counts of a fielding's responses; None when one of its files is damaged."""
    try:
        return counted(survey, store.responses(survey.id))
    except DamagedDataError:
        return None


def _render_fieldings(questionnaire, form: FieldingForm, status: int = 200):
    store = get_store()
    today = dt.date.today()
    rows = [{"survey": s, "state": s.state(today), "counted": _counted_if_readable(store, s)}
            for s in fieldings_of(store, questionnaire.id)]
    return render_template("admin/fieldings.html", questionnaire=questionnaire, rows=rows, form=form,
                           lang=select_locale()), status


@bp.route("/questionnaires/<questionnaire_id>/fieldings")
@role_required("admin")
def fieldings(questionnaire_id: str):
    questionnaire = _questionnaire_or_404(questionnaire_id)
    form = FieldingForm(formdata=None, min_group_size=app_minimum())
    return _render_fieldings(questionnaire, form)


@bp.route("/questionnaires/<questionnaire_id>/fieldings", methods=["POST"])
@role_required("admin")
def add_fielding_view(questionnaire_id: str):
    questionnaire = _questionnaire_or_404(questionnaire_id)
    form = FieldingForm()
    if not form.validate_on_submit():
        return _render_fieldings(questionnaire, form, 422)
    survey = add_fielding(get_store(), questionnaire.id, status="open", **form.fields_to_store())
    audit.record("fielding.created", survey.slug, questionnaire=questionnaire.id)
    flash(_("Fielding %(label)s created; its link is %(link)s.", label=survey.label,
            link=url_for("survey.start", slug=survey.slug, _external=True)))
    return redirect(url_for(".fieldings", questionnaire_id=questionnaire.id))


@bp.route("/surveys/<survey_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_fielding(survey_id: str):
    survey = _survey_or_404(survey_id)
    if request.method == "GET":
        form = FieldingForm(formdata=None, label=survey.name,
                            opens_on=parse_day(survey.opens_on), closes_on=parse_day(survey.closes_on),
                            min_group_size=minimum_group_size(survey.min_group_size),
                            access=survey.access, pseudonym=survey.pseudonym,
                            anonymity=survey.anonymity, test_run=survey.test_run)
    else:
        form = FieldingForm()
        if form.validate_on_submit():
            saved = get_store().update_survey(survey.id, **form.fields_to_store())
            audit.record("fielding.changed", survey.slug)
            flash(_("Fielding %(label)s saved.", label=form.label.data.strip()))
            _say_what_counts_now(survey, saved)
            return redirect(url_for(".fieldings", questionnaire_id=survey.questionnaire_id))
    return render_template("admin/fielding_edit.html", survey=survey, form=form,
                           counted=counted(survey, get_store().responses(survey.id)),
                           invitations=get_store().count_invitations(survey.id),
                           invitation_form=InvitationForm(formdata=None),
                           questionnaire=get_questionnaire(survey.questionnaire_id),
                           state=survey.state(dt.date.today()), lang=select_locale()), \
        (422 if form.errors else 200)


@bp.route("/surveys/<survey_id>/open", methods=["POST"])
@role_required("admin")
def open_fielding(survey_id: str):
    survey = _survey_or_404(survey_id)
    get_store().update_survey(survey.id, **survey.opening_changes(dt.date.today()))
    audit.record("fielding.opened", survey.slug)
    flash(_("Fielding %(label)s is open from today.", label=survey.name))
    return redirect(url_for(".fieldings", questionnaire_id=survey.questionnaire_id))


@bp.route("/surveys/<survey_id>/close", methods=["POST"])
@role_required("admin")
def close_fielding(survey_id: str):
    survey = _survey_or_404(survey_id)
    get_store().update_survey(survey.id, status=CLOSED)
    audit.record("fielding.closed", survey.slug)
    flash(_("Fielding %(label)s is closed.", label=survey.name))
    return redirect(url_for(".fieldings", questionnaire_id=survey.questionnaire_id))


def _say_what_counts_now(before: Fielding, after: Fielding) -> None:
    """Marking or unmarking a test run changes what results count: say so when there are responses."""
    if before.test_run == after.test_run:
        return
    stored = get_store().count_responses(after.id)
    if stored and after.test_run:
        flash(_("It is a test run now: its %(n)d stored responses are no longer counted in results.", n=stored))
    elif stored:
        flash(_("It is no longer a test run: its %(n)d stored responses now count in results. If they were tests, "
                "mark it as a test run again and delete them.", n=stored))


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
        return redirect(url_for(".edit_fielding", survey_id=survey.id) + "#invitations-heading")
    tokens, hashes = new_invitations(form.count.data)
    numbers = get_store().add_invitations(survey.id, hashes)
    audit.record("invitations.created", survey.slug, count=len(numbers))
    links = [url_for("survey.start", slug=survey.slug, t=token, _external=True) for token in tokens]
    return Response(to_csv(*invitation_table(numbers, links)).encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{survey.slug}-invitations.csv"'})


@bp.route("/preview/<questionnaire_id>/<int:number>", methods=["GET", "POST"])
@role_required("admin")
def preview(questionnaire_id: str, number: int):
    questionnaire = _questionnaire_or_404(questionnaire_id)
    return _preview(questionnaire, number, lambda n: url_for(".preview", questionnaire_id=questionnaire.id, number=n),
                    url_for(".index"))


def _preview(questionnaire, number: int, page_url, done_url: str):
    """A questionnaire page exactly as respondents see it, with its checks; nothing is stored
    (so branching across pages shows every page). `page_url(n)` is the preview's page n."""
    if not 1 <= number <= len(questionnaire.pages):
        abort(404)
    index, lang = number - 1, language_for(questionnaire)
    survey = Fielding("preview", questionnaire.id, questionnaire.id)
    if request.method == "GET":
        return render_page(survey, questionnaire, index, page_form(questionnaire, index, lang, {}), lang, {},
                           preview=True)
    form = page_form(questionnaire, index, lang, {}, formdata=request.form)
    target = number - 1 if request.form.get("action") == "back" else number + 1
    if request.form.get("action") != "back" and not form.validate():
        return render_page(survey, questionnaire, index, form, lang, {}, preview=True), 422
    if not 1 <= target <= len(questionnaire.pages):
        flash(_("End of the preview: respondents would now see the thank-you page."))
        return redirect(done_url)
    return redirect(page_url(target))


# -- responses of one fielding: exclude single ones, delete those of a test run ---------------

RESPONSES_PER_PAGE = 100


@bp.route("/surveys/<survey_id>/responses")
@role_required("admin")
def responses(survey_id: str):
    """Every stored response of a fielding by running number, newest first, so that an admin
    can find one that must not count (a colleague trying the link) without results ever
    showing single responses; the answers of one are shown on demand (?show=<number>)."""
    survey = _survey_or_404(survey_id)
    stored = get_store().responses(survey.id)
    pages = max(1, -(-len(stored) // RESPONSES_PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    newest_first = list(enumerate(stored, start=1))[::-1]
    shown = newest_first[(page - 1) * RESPONSES_PER_PAGE:page * RESPONSES_PER_PAGE]
    number = request.args.get("show", type=int)
    questionnaire = get_questionnaire(survey.questionnaire_id)
    opened = (number, answer_lines(questionnaire, stored[number - 1])) \
        if questionnaire and number and 1 <= number <= len(stored) else None
    return render_template("admin/responses.html", survey=survey, questionnaire=questionnaire, rows=shown,
                           counted=counted(survey, stored), page=page, pages=pages, opened=opened,
                           lang=select_locale())


@bp.route("/surveys/<survey_id>/responses/<response_id>/exclusion", methods=["POST"])
@role_required("admin")
def set_exclusion(survey_id: str, response_id: str):
    """Exclude one response from every result and download ("exclude": "1"), or count it
    again ("0"); it stays stored, with who did it and when."""
    survey = _survey_or_404(survey_id)
    if request.form.get("exclude") not in ("0", "1"):
        abort(400)
    excluded = request.form["exclude"] == "1"
    if get_store().change_response(survey.id, response_id, exclusion(excluded, current_user.username)) is None:
        abort(404)
    number = request.form.get("number", type=int)
    if excluded:
        flash(_("Response no. %(n)s is excluded from results; it stays stored.", n=number or "?"))
    else:
        flash(_("Response no. %(n)s counts in results again.", n=number or "?"))
    return redirect(url_for(".responses", survey_id=survey.id, page=request.form.get("page", 1, type=int))
                    + (f"#response-{number}" if number else ""))


@bp.route("/surveys/<survey_id>/test-responses", methods=["GET", "POST"])
@role_required("admin")
def delete_test_responses(survey_id: str):
    """Delete every response and questionnaire begun of a fielding marked as a test run, after
    a confirmation page; refused (409) for any other fielding."""
    survey = _survey_or_404(survey_id)
    store = get_store()
    if not survey.test_run:
        return render_template("admin/delete_test_responses.html", survey=survey, refused=True), 409
    if request.method == "POST":
        responses_deleted, drafts_deleted = store.remove_responses(survey.id, lambda _response: True, drafts=True)
        flash(_("Deleted from the test run %(name)s: %(responses)d responses and %(drafts)d questionnaires begun.",
                name=survey.name, responses=responses_deleted, drafts=drafts_deleted))
        return redirect(url_for(".responses", survey_id=survey.id))
    return render_template("admin/delete_test_responses.html", survey=survey, refused=False,
                           stored=store.count_responses(survey.id),
                           drafts=len(store.list_drafts(survey.id)) + store.count_submitted(survey.id))
