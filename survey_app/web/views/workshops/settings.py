"""A workshop's settings page: title, date, organisation types, minimum group size, and who
runs the workshop."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from survey_app.definitions.model import localized
from survey_app.web import audit
from survey_app.web.auth import AccountError, normalize_username
from survey_app.web.db import get_store
from survey_app.web.minimum import app_minimum
from survey_app.web.views.workshops.common import change, facilitate, facilitator_ids, load, runs_workshop
from survey_app.web.views.workshops.lines import choices_from_lines, show_problems
from survey_app.workshops.definitions import check_organisation_types, choice_dict
from survey_app.workshops.model import Workshop


class SettingsForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    date = DateField(_l("Date"), validators=[InputRequired(message=_l("Please enter a date."))])
    min_group_size = IntegerField(_l("Minimum group size for results by organisation type"),
                                  validators=[Optional()])


def _settings_form(workshop: Workshop, formdata=None) -> FlaskForm:
    attrs = {}
    for lang in workshop.languages:
        attrs[f"organisation_types_{lang}"] = TextAreaField(
            gettext("Organisation types (%(language)s), one per line", language=lang),
            validators=[Optional(), Length(max=3000)])
    form_class = type("WorkshopSettingsForm", (SettingsForm,), attrs)
    if formdata is not None:
        form = form_class(formdata=formdata)
        # A workshop may raise the app's minimum for its own results, never lower it.
        form.min_group_size.validators.append(NumberRange(min=app_minimum(), max=1000))
        return form
    lines = {f"organisation_types_{lang}": "\n".join(localized(o.label, lang) for o in workshop.organisation_types)
             for lang in workshop.languages}
    return form_class(formdata=None, title=workshop.title, date=date.fromisoformat(workshop.date),
                      min_group_size=workshop.min_group_size, **lines)


def _organisation_types(form, workshop: Workshop):
    """The organisation types the form gives, checked like a template file's; None when refused
    (the messages are at the fields)."""
    entries = choices_from_lines(form, "organisation_types", workshop.languages, workshop.organisation_types)
    if entries is None:
        return None
    checked, problems, refusals = check_organisation_types([choice_dict(c) for c in entries], workshop.languages)
    first = form[f"organisation_types_{workshop.languages[0]}"]
    for message in show_problems(form, problems, refusals,
                                 lambda r: f"organisation_types_{r.language or workshop.languages[0]}"):
        first.errors.append(message)
    return None if problems else checked


@facilitate.route("/<workshop_id>/settings", methods=["GET", "POST"])
@runs_workshop
def settings(workshop_id: str):
    workshop = load(workshop_id)
    form = _settings_form(workshop, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        organisation_types = _organisation_types(form, workshop)
        if organisation_types is not None:
            def apply(w: Workshop) -> Workshop:
                return replace(w, title=form.title.data.strip(), date=form.date.data.isoformat(),
                               min_group_size=form.min_group_size.data, organisation_types=organisation_types)

            if change(workshop_id, apply) is not None:
                flash(gettext("Settings saved."))
                return redirect(url_for(".control", workshop_id=workshop_id))
    status = 422 if form.errors else 200
    return _render_settings(workshop, form, FacilitatorForm(formdata=None), status)


def _render_settings(workshop: Workshop, form, facilitator_form, status: int = 200):
    store = get_store()
    ids = facilitator_ids(store.get_workshop(workshop.id))
    accounts = {u["id"]: u for u in store.list_users()}
    facilitators = [{"id": i, "username": accounts[i]["username"] if i in accounts else gettext("(deleted account)")}
                    for i in ids]
    return render_template("workshop/settings.html", workshop=workshop, form=form, facilitators=facilitators,
                           facilitator_form=facilitator_form), status


class FacilitatorForm(FlaskForm):
    username = StringField(_l("User name of a facilitator"), validators=[InputRequired(), Length(max=200)])


def _set_facilitators(workshop_id: str, ids: list[str]) -> None:
    get_store().change_workshop(workshop_id, lambda stored: {**stored, "facilitators": ids})


@facilitate.route("/<workshop_id>/facilitators", methods=["POST"])
@runs_workshop
def add_facilitator(workshop_id: str):
    workshop = load(workshop_id)
    form = FacilitatorForm()
    if form.validate_on_submit():
        store = get_store()
        try:
            account = store.find_user(normalize_username(form.username.data))
        except AccountError:
            account = None
        ids = facilitator_ids(store.get_workshop(workshop_id))
        if account is None or account["role"] != "facilitator" or account.get("disabled"):
            form.username.errors.append(gettext("There is no active facilitator account with this user name."))
        elif account["id"] in ids:
            form.username.errors.append(gettext("%(name)s already runs this workshop.", name=account["username"]))
        else:
            _set_facilitators(workshop_id, [*ids, account["id"]])
            audit.record("workshop.facilitator_added", workshop.title, workshop=workshop.id,
                         facilitator=account["username"])
            flash(gettext("%(name)s may now run this workshop.", name=account["username"]))
            return redirect(url_for(".settings", workshop_id=workshop_id, _anchor="facilitators-heading"))
    return _render_settings(workshop, _settings_form(workshop), form, 422)


@facilitate.route("/<workshop_id>/facilitators/<user_id>/remove", methods=["POST"])
@runs_workshop
def remove_facilitator(workshop_id: str, user_id: str):
    workshop = load(workshop_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    ids = facilitator_ids(get_store().get_workshop(workshop_id))
    if user_id not in ids:
        abort(404)
    if len(ids) == 1:
        flash(gettext("A workshop keeps at least one facilitator; add another one first."), "error")
    else:
        _set_facilitators(workshop_id, [i for i in ids if i != user_id])
        account = get_store().get_user(user_id)
        audit.record("workshop.facilitator_removed", workshop.title, workshop=workshop.id,
                     facilitator=account["username"] if account else user_id)
        flash(gettext("The facilitator is removed from this workshop."))
    if user_id == current_user.id and not current_user.has_role("admin"):
        return redirect(url_for(".index"))
    return redirect(url_for(".settings", workshop_id=workshop_id, _anchor="facilitators-heading"))
