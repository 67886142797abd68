"""Staff accounts: users, password hashing, login, role checks.

Respondents and workshop participants never need an account; staff pages do.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l, gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired

from . import guessing
from .db import get_store

ROLES = ("admin", "evaluator", "facilitator")
# Roles allowed to see responses and results.
RESULT_ROLES = ("admin", "evaluator")
MIN_PASSWORD_LENGTH = 10

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


@dataclass
class User(UserMixin):
    id: str
    username: str
    role: str

    @classmethod
    def from_record(cls, record: dict) -> "User":
        return cls(id=record["id"], username=record["username"], role=record["role"])

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class AccountError(ValueError):
    """A user account could not be created; the message says why, `field` says where."""

    def __init__(self, message: str, field: str = "username"):
        super().__init__(message)
        self.field = field


def create_user(username: str, password: str, role: str) -> User:
    """Validate and store a new staff account with a hashed password."""
    from .store import DuplicateError

    username = username.strip()
    if not username:
        raise AccountError(_("The user name must not be empty."))
    if role not in ROLES:
        raise AccountError(
            _("Unknown role %(role)s; choose one of %(roles)s.", role=role, roles=", ".join(ROLES)), "role"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), "password")
    try:
        record = get_store().add_user(username, generate_password_hash(password), role)
    except DuplicateError:
        raise AccountError(_("The user name %(name)s is already taken.", name=username)) from None
    return User.from_record(record)


def authenticate(username: str, password: str) -> User | None:
    record = get_store().find_user(username.strip())
    if record and check_password_hash(record["password_hash"], password):
        return User.from_record(record)
    return None


def role_required(*roles: str):
    """Only logged-in users with one of `roles` may pass; others get the login page or 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[InputRequired()])
    password = PasswordField(_l("Password"), validators=[InputRequired()])


def _safe_next(target: str | None) -> str:
    """Only follow redirects to paths on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        # Password guessing meets the same brake as guessing codes.
        if guessing.locked_out():
            form.password.errors.append(_("Too many wrong attempts from your network. Please wait a few minutes."))
            return render_template("auth/login.html", form=form), 429
        user = authenticate(form.username.data, form.password.data)
        if user:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        guessing.count_wrong_code()
        form.password.errors.append(_("User name or password is wrong."))
    return render_template("auth/login.html", form=form), (422 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You are logged out."))
    return redirect(url_for("main.index"))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        record = get_store().get_user(user_id)
        return User.from_record(record) if record else None
