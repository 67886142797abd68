"""The fieldings ("Erhebungen") of a questionnaire: create, edit, open and close them, make
personal invitation links, and preview the questionnaire page by page."""
from __future__ import annotations

import datetime as dt

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from survey_app.analysis.counting import counted
from survey_app.fieldings.fielding import add_fielding, fieldings_of
from survey_app.fieldings.invitations import MAX_PER_BATCH, invitation_table, new_invitations
from survey_app.fieldings.model import CLOSED, Fielding, parse_day
from survey_app.output.export import to_csv
from survey_app.storage.interface import DamagedDataError
from survey_app.web import audit
from survey_app.web.auth import role_required
from survey_app.web.catalogue import get_questionnaire
from survey_app.web.db import get_store
from survey_app.web.i18n import select_locale
from survey_app.web.minimum import app_minimum, minimum_group_size
from survey_app.web.views.admin.common import bp, preview, questionnaire_or_404, survey_or_404


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
    questionnaire = questionnaire_or_404(questionnaire_id)
    form = FieldingForm(formdata=None, min_group_size=app_minimum())
    return _render_fieldings(questionnaire, form)


@bp.route("/questionnaires/<questionnaire_id>/fieldings", methods=["POST"])
@role_required("admin")
def add_fielding_view(questionnaire_id: str):
    questionnaire = questionnaire_or_404(questionnaire_id)
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
    survey = survey_or_404(survey_id)
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
    survey = survey_or_404(survey_id)
    get_store().update_survey(survey.id, **survey.opening_changes(dt.date.today()))
    audit.record("fielding.opened", survey.slug)
    flash(_("Fielding %(label)s is open from today.", label=survey.name))
    return redirect(url_for(".fieldings", questionnaire_id=survey.questionnaire_id))


@bp.route("/surveys/<survey_id>/close", methods=["POST"])
@role_required("admin")
def close_fielding(survey_id: str):
    survey = survey_or_404(survey_id)
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
    survey = survey_or_404(survey_id)
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


@bp.route("/preview/<questionnaire_id>/<int:number>", methods=["GET", "POST"], endpoint="preview")
@role_required("admin")
def preview_questionnaire(questionnaire_id: str, number: int):
    questionnaire = questionnaire_or_404(questionnaire_id)
    return preview(questionnaire, number, lambda n: url_for(".preview", questionnaire_id=questionnaire.id, number=n),
                    url_for(".index"))
