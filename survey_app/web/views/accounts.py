"""Accounts: admins create, disable, enable and delete accounts, change roles and set one-time
passwords (/accounts/); everybody changes their own password (/account/password). The rules
live in auth.py; these views are their glue."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired

from survey_app.web import audit, auth
from survey_app.web.auth import MIN_PASSWORD_LENGTH, ROLES, AccountError, role_required
from survey_app.web.db import get_store

bp = Blueprint("accounts", __name__)

ROLE_LABELS = {"admin": _l("Administrator"), "evaluator": _l("Evaluator"), "facilitator": _l("Facilitator")}
PASSWORD_HELP = _l("At least %(n)d characters and not easy to guess; several unrelated words work well.",
                   n=MIN_PASSWORD_LENGTH)


def _role_choices():
    return [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES]


class NewAccountForm(FlaskForm):
    username = StringField(_l("User name"), validators=[InputRequired()])
    role = SelectField(_l("Role"), choices=_role_choices())
    password = PasswordField(_l("Password"), description=PASSWORD_HELP, validators=[InputRequired()])
    one_time = BooleanField(_l("One-time password: the person must choose their own at the first login"),
                            default=True)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=_role_choices())


class OneTimePasswordForm(FlaskForm):
    password = PasswordField(_l("One-time password"), description=PASSWORD_HELP, validators=[InputRequired()])


class DeleteForm(FlaskForm):
    confirm = BooleanField(_l("Yes, delete this account for good"),
                           validators=[InputRequired(_l("Please tick the box to confirm."))])


class OwnPasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[InputRequired()])
    password = PasswordField(_l("New password"), description=PASSWORD_HELP, validators=[InputRequired()])
    confirm = PasswordField(_l("New password again"), validators=[
        InputRequired(), EqualTo("password", _l("The two new passwords differ."))])


def _render_index(form: NewAccountForm, status: int = 200):
    return render_template("accounts/index.html", users=get_store().list_users(), form=form,
                           role_labels=ROLE_LABELS), status


@bp.route("/accounts/")
@role_required("admin")
def index():
    return _render_index(NewAccountForm(formdata=None))


@bp.route("/accounts/", methods=["POST"])
@role_required("admin")
def create():
    form = NewAccountForm()
    if form.validate_on_submit():
        try:
            user = auth.create_user(form.username.data, form.password.data, form.role.data,
                                    must_change_password=bool(form.one_time.data))
        except AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            audit.record("account.created", user.username, role=user.role)
            flash(_("Account %(name)s created.", name=user.username))
            return redirect(url_for(".index"))
    return _render_index(form, 422)


def _record_or_404(user_id: str) -> dict:
    record = get_store().get_user(user_id)
    if record is None:
        abort(404)
    return record


def _render_account(record: dict, status: int = 200, **forms):
    forms = {"role_form": RoleForm(formdata=None, role=record["role"]),
             "password_form": OneTimePasswordForm(formdata=None), "delete_form": DeleteForm(formdata=None), **forms}
    return render_template("accounts/account.html", account=record, role_labels=ROLE_LABELS,
                           yourself=record["id"] == current_user.id, **forms), status


@bp.route("/accounts/<user_id>")
@role_required("admin")
def account(user_id: str):
    return _render_account(_record_or_404(user_id))


def _apply(user_id: str, change, message):
    """Run an account change from a CSRF-checked form; a refusal is flashed, nothing changes."""
    _record_or_404(user_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        record = change()
    except AccountError as error:
        flash(str(error))
    else:
        flash(message % {"name": record["username"]})
    return redirect(url_for(".account", user_id=user_id) if get_store().get_user(user_id) else url_for(".index"))


@bp.route("/accounts/<user_id>/disable", methods=["POST"])
@role_required("admin")
def disable(user_id: str):
    return _apply(user_id, lambda: auth.disable_account(user_id, current_user),
                  _("Account %(name)s is disabled; its sessions have ended."))


@bp.route("/accounts/<user_id>/enable", methods=["POST"])
@role_required("admin")
def enable(user_id: str):
    return _apply(user_id, lambda: auth.enable_account(user_id), _("Account %(name)s can log in again."))


@bp.route("/accounts/<user_id>/role", methods=["POST"])
@role_required("admin")
def role(user_id: str):
    return _apply(user_id, lambda: auth.change_role(user_id, request.form.get("role", ""), current_user),
                  _("The role of %(name)s is saved."))


@bp.route("/accounts/<user_id>/password", methods=["POST"])
@role_required("admin")
def one_time_password(user_id: str):
    record = _record_or_404(user_id)
    form = OneTimePasswordForm()
    if form.validate_on_submit():
        try:
            auth.set_one_time_password(user_id, form.password.data)
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            flash(_("%(name)s has a one-time password now and must choose a new one at the next login.",
                    name=record["username"]))
            return redirect(url_for(".account", user_id=user_id))
    return _render_account(record, 422, password_form=form)


@bp.route("/accounts/<user_id>/delete", methods=["POST"])
@role_required("admin")
def delete(user_id: str):
    record = _record_or_404(user_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        return _render_account(record, 422, delete_form=form)
    try:
        auth.delete_account(user_id, current_user)
    except AccountError as error:
        flash(str(error))
        return redirect(url_for(".account", user_id=user_id))
    flash(_("Account %(name)s is deleted.", name=record["username"]))
    return redirect(url_for(".index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def own_password():
    form = OwnPasswordForm()
    if form.validate_on_submit():
        try:
            auth.change_own_password(current_user, form.current.data, form.password.data)
        except AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            record = get_store().get_user(current_user.id)
            login_user(auth.User.from_record(record, current_user.session_id))  # no longer one-time
            flash(_("Your new password is saved. Your other sessions have ended."))
            return redirect(auth.start_page(current_user))
    return render_template("accounts/password.html", form=form,
                           forced=current_user.must_change_password), (422 if form.errors else 200)
