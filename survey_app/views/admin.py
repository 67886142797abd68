"""Administration: questionnaire definitions (with their problems), surveys and accounts."""
from __future__ import annotations

from itertools import groupby

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired

from ..auth import ROLES, AccountError, create_user, role_required
from ..db import get_store
from ..definitions import get_catalogue
from ..i18n import select_locale

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
