"""Staff accounts: users, password rules and hashing, login, sessions, role checks.

Respondents and workshop participants never need an account; staff pages do.

Sessions live on the server: each login adds a random session id to the account
(store.add_session), the login cookie names it (User.get_id is "<user id>:<session id>"), and
the cookie only works while the id is listed. Logging out ends that session; a new password,
a one-time password set by an admin or a disabled account end all others. A session also ends
after SESSION_IDLE_MINUTES without a request.

Account changes (create, disable, enable, delete, role, one-time password) are functions here,
each with its rules (the last active admin stays); views/accounts.py is their glue.
"""
from __future__ import annotations

import secrets
import time
import unicodedata
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from flask import (Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import lazy_gettext as _l, gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired
from zxcvbn import zxcvbn

from survey_app.web import audit, guessing
from survey_app.web.db import get_store

ROLES = ("admin", "evaluator", "facilitator")
# Roles allowed to see responses and results.
RESULT_ROLES = ("admin", "evaluator")
# Where each role starts after logging in.
START_PAGES = {"admin": "admin.index", "evaluator": "results.index", "facilitator": "workshops.index"}

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
MAX_USERNAME_LENGTH = 64
# zxcvbn's score: 3 means about 10^8 guesses or more (no common password, keyboard pattern,
# repetition, sequence, date or the user name with a few changes).
MIN_PASSWORD_SCORE = 3
USERNAME_PUNCTUATION = "._-@"

SESSION_IDLE_MINUTES = 60           # config SESSION_IDLE_MINUTES
DEVICE_COOKIE = "survey_app_device"
DEVICE_MAX_AGE = 180 * 24 * 3600

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


@dataclass
class User(UserMixin):
    id: str
    username: str
    role: str
    session_id: str = ""
    must_change_password: bool = False

    @classmethod
    def from_record(cls, record: dict, session_id: str = "") -> "User":
        return cls(id=record["id"], username=record["username"], role=record["role"], session_id=session_id,
                   must_change_password=bool(record.get("must_change_password")))

    def get_id(self) -> str:
        return f"{self.id}:{self.session_id}"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class AccountError(ValueError):
    """An account change was refused; the message says why, `field` says where."""

    def __init__(self, message: str, field: str = "username"):
        super().__init__(message)
        self.field = field


# --------------------------------------------------------------------------- rules

def normalize_username(raw: str) -> str:
    """The user name in NFKC form (full-width letters become plain ones); AccountError when it
    is empty, too long or holds anything but letters, digits and . _ - @ (so no spaces, no
    invisible and no direction-changing characters)."""
    name = unicodedata.normalize("NFKC", raw or "").strip()
    if not name:
        raise AccountError(_("The user name must not be empty."))
    if len(name) > MAX_USERNAME_LENGTH:
        raise AccountError(_("The user name must have at most %(n)d characters.", n=MAX_USERNAME_LENGTH))
    if any(unicodedata.category(ch)[0] not in "LMN" and ch not in USERNAME_PUNCTUATION for ch in name):
        raise AccountError(_("The user name may contain only letters, digits and the characters . _ - @ "
                             "(no spaces, no invisible or direction-changing characters)."))
    return name


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is refused, or None: at least 12 characters and not easy to guess."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("The password must have at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)
    if zxcvbn(password[:72], user_inputs=[username, "survey_app", "survey", "umfrage"])["score"] < MIN_PASSWORD_SCORE:
        return _("This password is too easy to guess: it is a common password, a keyboard pattern, a repetition "
                 "or sequence, or it contains the user name. Several unrelated words are easy to remember and "
                 "hard to guess.")
    return None


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem, "password")


_dummy_hash: list[str] = []


def _dummy_password_hash() -> str:
    # For unknown names: checking against it costs as much as checking a real password.
    if not _dummy_hash:
        _dummy_hash.append(generate_password_hash(secrets.token_hex(16)))
    return _dummy_hash[0]


# --------------------------------------------------------------------------- accounts

def create_user(username: str, password: str, role: str, must_change_password: bool = False) -> User:
    """Validate and store a new staff account with a hashed password."""
    from survey_app.storage.interface import DuplicateError

    username = normalize_username(username)
    if role not in ROLES:
        raise AccountError(
            _("Unknown role %(role)s; choose one of %(roles)s.", role=role, roles=", ".join(ROLES)), "role"
        )
    _check_password(password, username)
    store = get_store()
    try:
        record = store.add_user(username, generate_password_hash(password), role)
    except DuplicateError:
        raise AccountError(_("The user name %(name)s is already taken.", name=username)) from None
    if must_change_password:
        record = store.update_user(record["id"], must_change_password=True)
    return User.from_record(record)


def authenticate(username: str, password: str) -> dict | None:
    """The account record when the password is right (disabled accounts included). Always
    checks one password hash, so known and unknown names take the same time."""
    try:
        record = get_store().find_user(normalize_username(username))
    except AccountError:
        record = None
    stored = record["password_hash"] if record else _dummy_password_hash()
    if check_password_hash(stored, password[:MAX_PASSWORD_LENGTH]) and record:
        return record
    return None


def _account(user_id: str) -> dict:
    record = get_store().get_user(user_id)
    if record is None:
        raise AccountError(_("This account does not exist (any more)."))
    return record


def _active_admins(except_id: str) -> int:
    return sum(1 for u in get_store().list_users()
               if u["role"] == "admin" and not u.get("disabled") and u["id"] != except_id)


def _keep_an_admin(record: dict) -> None:
    if record["role"] == "admin" and not record.get("disabled") and _active_admins(record["id"]) == 0:
        raise AccountError(_("%(name)s is the last active administrator; make another account an administrator "
                             "first.", name=record["username"]))


def _not_yourself(record: dict, actor: User) -> None:
    if record["id"] == actor.id:
        raise AccountError(_("You cannot do this to your own account."))


def disable_account(user_id: str, actor: User) -> dict:
    record = _account(user_id)
    _not_yourself(record, actor)
    _keep_an_admin(record)
    record = get_store().update_user(user_id, disabled=True, sessions=[])
    audit.record("account.disabled", record["username"])
    return record


def enable_account(user_id: str) -> dict:
    record = get_store().update_user(_account(user_id)["id"], disabled=False)
    audit.record("account.enabled", record["username"])
    return record


def delete_account(user_id: str, actor: User) -> dict:
    record = _account(user_id)
    _not_yourself(record, actor)
    _keep_an_admin(record)
    get_store().delete_user(user_id)
    audit.record("account.deleted", record["username"], role=record["role"])
    return record


def change_role(user_id: str, role: str, actor: User) -> dict:
    record = _account(user_id)
    if role not in ROLES:
        raise AccountError(_("Unknown role %(role)s; choose one of %(roles)s.", role=role, roles=", ".join(ROLES)),
                           "role")
    if role == record["role"]:
        return record
    _not_yourself(record, actor)
    _keep_an_admin(record)
    record = get_store().update_user(user_id, role=role)
    audit.record("account.role_changed", record["username"], role=role)
    return record


def set_one_time_password(user_id: str, password: str) -> dict:
    """An admin sets a password that must be changed at the next login; every session ends."""
    record = _account(user_id)
    _check_password(password, record["username"])
    record = get_store().update_user(user_id, password_hash=generate_password_hash(password),
                                     must_change_password=True, sessions=[])
    audit.record("account.one_time_password", record["username"])
    return record


def change_own_password(user: User, current: str, new: str) -> None:
    """The user's own new password; their other sessions end, this one goes on."""
    record = _account(user.id)
    wait = guessing.account_wait(record["username"])
    if wait:
        raise AccountError(_("Too many wrong passwords for this user name. Please wait %(n)d seconds and try again.",
                             n=wait), "current")
    if not check_password_hash(record["password_hash"], current[:MAX_PASSWORD_LENGTH]):
        guessing.count_account_failure(record["username"])
        raise AccountError(_("The current password is wrong."), "current")
    if new == current:
        raise AccountError(_("The new password must differ from the current one."), "password")
    _check_password(new, record["username"])
    store = get_store()
    store.update_user(user.id, password_hash=generate_password_hash(new), must_change_password=False)
    store.end_sessions(user.id, keep=user.session_id)
    audit.record("password.changed", record["username"])


# --------------------------------------------------------------------------- sessions

def _keep_language_only() -> None:
    # Nothing from before a login or after a logout carries over, a new CSRF token included.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def start_session(record: dict) -> User:
    session_id = secrets.token_urlsafe(24)
    get_store().add_session(record["id"], session_id)
    _keep_language_only()
    user = User.from_record(record, session_id)
    login_user(user)
    session["seen"] = int(time.time())
    return user


def end_session() -> None:
    if current_user.is_authenticated:
        get_store().end_sessions(current_user.id, current_user.session_id)
    logout_user()
    _keep_language_only()


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


# --------------------------------------------------------------------------- trusted devices
# A browser that logged in to an account before carries a signed cookie naming it. Its logins
# to that account skip the address and account brakes (so strangers guessing cannot lock the
# account's owner out) and meet a brake of their own instead.

def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="trusted-device")


def _trusted_device(username: str) -> str | None:
    """The device's key if this browser logged in to the account named `username` before."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return None
    try:
        data = _device_serializer().loads(cookie, max_age=DEVICE_MAX_AGE)
        record = get_store().find_user(normalize_username(username))
    except (BadSignature, AccountError):
        return None
    if not isinstance(data, dict) or record is None or data.get("user") != record["id"]:
        return None
    device = str(data.get("device", ""))
    return device if device and not guessing.locked_out(guessing.DEVICE, device) else None


def _remember_device(response, user_id: str) -> None:
    value = _device_serializer().dumps({"user": user_id, "device": secrets.token_hex(16)})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False), path="/login")


# --------------------------------------------------------------------------- login and logout

class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[InputRequired()])
    password = PasswordField(_l("Password"), validators=[InputRequired()])


def _safe_next(target: str | None, fallback: str | None = None) -> str:
    """Only follow redirects to paths on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return fallback or url_for("main.index")


def start_page(user: User) -> str:
    return url_for(START_PAGES.get(user.role, "main.index"))


def _refuse(form: LoginForm, message: str, status: int):
    form.password.errors.append(message)
    return render_template("auth/login.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), (422 if form.errors else 200)
    name, password = form.username.data, form.password.data
    device = _trusted_device(name)
    if device is None:
        if guessing.locked_out(guessing.LOGIN):
            return _refuse(form, _("Too many wrong attempts from your network. Please wait a few minutes."), 429)
        wait = guessing.account_wait(name)
        if wait:
            return _refuse(form, _("Too many wrong passwords for this user name. Please wait %(n)d seconds and "
                                   "try again.", n=wait), 429)
    record = authenticate(name, password)
    if record and record.get("disabled"):
        audit.record("login.refused", record["username"], reason="disabled")
        return _refuse(form, _("This account is disabled. Please ask an administrator."), 403)
    if record:
        guessing.clear_account(name)
        user = start_session(record)
        audit.record("login", user.username)
        response = redirect(_safe_next(request.args.get("next"), start_page(user)))
        _remember_device(response, user.id)
        return response
    if device is None:
        guessing.count_failure(guessing.LOGIN)
    else:
        guessing.count_failure(guessing.DEVICE, device)
    guessing.count_account_failure(name)
    try:
        known = get_store().find_user(normalize_username(name))
    except AccountError:
        known = None
    # An unknown name is not written down: it may be a password typed into the wrong field.
    audit.record("login.failed", known["username"] if known else "")
    return _refuse(form, _("User name or password is wrong."), 422)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        audit.record("logout", current_user.username)
    end_session()
    flash(_("You are logged out."))
    return redirect(url_for("main.index"))


# Endpoints a user with a one-time password may reach before choosing a new one.
ONE_TIME_PASSWORD_ENDPOINTS = {"accounts.own_password", "auth.logout", "auth.login", "main.set_language",
                               "main.healthz", "static"}


def _check_session():
    """Idle timeout and the forced change of a one-time password, before every staff request."""
    if request.endpoint in ("static", "main.healthz", "main.plotly_js"):
        return None
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    idle = int(current_app.config.get("SESSION_IDLE_MINUTES", SESSION_IDLE_MINUTES)) * 60
    if now - int(session.get("seen", 0)) > idle:
        end_session()
        flash(_("You were logged out after %(n)d minutes without activity. Please log in again.", n=idle // 60))
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target) if target else url_for("auth.login"))
    if now - int(session.get("seen", 0)) >= 30:
        session["seen"] = now
    if current_user.must_change_password and request.endpoint not in ONE_TIME_PASSWORD_ENDPOINTS:
        flash(_("Please choose your own password now."))
        return redirect(url_for("accounts.own_password"))
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    app.before_request(_check_session)

    @login_manager.user_loader
    def load_user(session_key: str) -> User | None:
        user_id, _sep, session_id = session_key.partition(":")
        record = get_store().get_user(user_id)
        if not record or not session_id or record.get("disabled") or session_id not in record.get("sessions", []):
            return None
        return User.from_record(record, session_id)
