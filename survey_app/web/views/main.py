"""Pages for everyone: start page, language switch, shared template filters, error pages."""
from __future__ import annotations

from pathlib import Path

import plotly
from flask import (Blueprint, Request as FlaskRequest, Response, current_app, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.exceptions import Forbidden

from survey_app.output import formatting
from survey_app.web import assets
from survey_app.web.auth import _safe_next
from survey_app.web.db import get_store
from survey_app.web.catalogue import get_catalogue, keep_versions
from survey_app.fieldings.fielding import ensure_default_surveys
from survey_app.web.i18n import select_locale
from survey_app.definitions.model import localized
from survey_app.storage.interface import DamagedDataError, storage_unavailable
from survey_app.web.unavailable import unavailable_response
from survey_app.text import clean

bp = Blueprint("main", __name__)


class Request(FlaskRequest):
    """Every form field a browser sends, in one normal form (text.clean) before any view or
    form reads it; passwords are checked exactly as typed."""

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        super()._load_form_data()
        form = self.__dict__["form"]
        self.__dict__["form"] = self.parameter_storage_class(
            (key, value if "password" in key else clean(value)) for key, value in form.items(multi=True))

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@bp.before_app_request
def prepare_surveys():
    if request.blueprint == "participate" or request.endpoint == "main.healthz":
        return   # workshop phones (a room of them at once) need no questionnaire: no folder scan
    # Once per loaded catalogue and process: the catalogue object changes only when a file does.
    catalogue = get_catalogue()
    if current_app.extensions.get("surveys_prepared_for") is not catalogue:
        try:
            ensure_default_surveys(get_store(), catalogue)
        except DamagedDataError:  # logged; pages that need the file say so, the others work
            return
        keep_versions(get_store(), catalogue)
        current_app.extensions["surveys_prepared_for"] = catalogue


@bp.route("/")
def index():
    surveys = []
    if current_user.is_authenticated:
        catalogue = get_catalogue()
        for survey in get_store().list_surveys():
            questionnaire = catalogue.questionnaires.get(survey.questionnaire_id)
            if questionnaire:
                title = localized(questionnaire.title, select_locale(), questionnaire.default_language)
                surveys.append((survey, title))
    return render_template("index.html", surveys=surveys)


@bp.route("/lang/<code>")
def set_language(code: str):
    # Only the display language changes, nothing stored: a plain link works without JS.
    session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/healthz")
def healthz():
    """Liveness check for load balancers and monitoring (and the bare endpoint of the benchmarks)."""
    return Response("ok", mimetype="text/plain")


@bp.route("/vendor/plotly.min.js")
def plotly_js():
    # Served from the installed plotly package: no CDN, works offline; gzipped and cached
    # for good under its versioned URL (web/assets.py).
    return assets.send(PLOTLY_JS)


@bp.app_template_filter("localized")
def localized_filter(text, lang: str, default_lang: str = "de") -> str:
    return localized(text, lang, default_lang)


@bp.app_template_filter("number")
def number_filter(value) -> str:
    return formatting.number(value)


@bp.app_template_filter("percent")
def percent_filter(share) -> str:
    return formatting.percent(share, select_locale())


@bp.app_template_filter("percents")
def percents_filter(shares, whole: bool = True) -> list[str]:
    return formatting.percents(list(shares), select_locale(), whole)


@bp.app_template_filter("decimal")
def decimal_filter(value) -> str:
    return formatting.decimal(value, select_locale())


@bp.app_template_filter("paragraphs")
def paragraphs_filter(text: str) -> Markup:
    return formatting.paragraphs(text)


def _error_page(status: int, title: str, message: str, detail: str | None = None):
    return render_template("error.html", title=title, message=message, detail=detail), status


@bp.app_errorhandler(DamagedDataError)
def damaged_file(error: DamagedDataError):
    """A file that cannot be read concerns the survey or workshop it belongs to: say which,
    and that nothing was overwritten (the store never writes to such a file)."""
    store = get_store()
    owner = error.owner
    name = _owner_name(store, owner)
    if owner and owner[0] == "survey" and name and error.draft:
        message = _("Your saved answers to the survey “%(name)s” cannot be read right now: the file that holds "
                    "them is damaged. Other respondents are not affected.", name=name)
    elif owner and owner[0] == "survey" and name:
        message = _("The stored data of the survey “%(name)s” cannot be read right now: one of its files is "
                    "damaged. Other surveys are not affected.", name=name)
    elif owner and owner[0] == "workshop" and name:
        message = _("The stored data of the workshop “%(name)s” cannot be read right now: one of its files is "
                    "damaged. Other workshops are not affected.", name=name)
    else:
        message = _("Some stored data of this app cannot be read right now: one of its files is damaged.")
    message += " " + _("Nothing was lost or overwritten by this: the app does not write to a damaged file. "
                       "The administrators see the file on their overview page; please try again later.")
    try:
        is_admin = current_user.is_authenticated and current_user.has_role("admin")
    except DamagedDataError:  # the accounts file itself
        is_admin = False
    detail = error.location if is_admin else None
    return _error_page(503, _("Temporarily not available"), message, detail)


def _owner_name(store, owner: tuple[str, str] | None) -> str | None:
    try:
        if owner and owner[0] == "survey":
            survey = store.get_survey(owner[1])
            questionnaire = get_catalogue().questionnaires.get(survey.questionnaire_id) if survey else None
            if questionnaire is None:
                return survey and survey.name
            title = localized(questionnaire.title, select_locale(), questionnaire.default_language)
            return " · ".join(filter(None, (title, survey.label)))
        if owner:
            entry = next((w for w in store.list_workshops() if w["id"] == owner[1]), None)
            return entry and (entry.get("title") or entry["join_code"])
    except DamagedDataError:  # the index is damaged as well
        pass
    return None


def storage_failed(error: BaseException) -> bool:
    """True, and logged for the admins, when a write failed because the storage cannot take
    one now (storage.interface.storage_unavailable: a full disk, a database out of reach); the
    caller then shows a page that keeps what the person entered (web/unavailable.py says why)."""
    if not storage_unavailable(error):
        return False
    current_app.logger.error("could not store (%s %s): %s", request.method, request.path, error)
    return True


@bp.app_errorhandler(OSError)
def storage_unavailable_page(error):
    """Any request the storage could not serve: a page (or JSON) in the person's language that
    says why, instead of a bare 500. (The questionnaire pages, statements and workshop votes
    catch this themselves and show the form again with what was entered.)"""
    if not storage_failed(error):
        raise error
    return unavailable_response(error)


@bp.app_errorhandler(500)
def internal_error(error):
    """Any other failure: a page in the UI language, never the server's bare English page."""
    title = _("Something went wrong")
    message = _("The server could not complete this request. Please go back and try again in a moment; if it "
                "happens again, tell the people who run this survey.")
    try:
        return _error_page(500, title, message)
    except Exception:  # the page itself cannot be built (e.g. a broken template): plain text
        current_app.logger.exception("the error page failed")
        return Response(f"{title}\n\n{message}\n", status=500, mimetype="text/plain")


@bp.app_errorhandler(400)
def bad_request(error):
    return _error_page(400, _("Request not accepted"),
                       _("The form was too old or incomplete. Please go back, reload the page and try again."))


@bp.app_errorhandler(403)
def forbidden(error):
    own = error.description if error.description != Forbidden.description else None
    return _error_page(403, _("No access"), own or _("Your account does not have the role needed for this page."))


@bp.app_errorhandler(404)
def not_found(error):
    return _error_page(404, _("Page not found"), _("This address does not exist (any more). Please check the link."))


@bp.app_errorhandler(409)
def conflict(error):
    return _error_page(409, _("Not available yet"), error.description)


@bp.app_errorhandler(413)
def too_large(error):
    return _error_page(413, _("Too much data"), _("What you sent is larger than this app accepts. Please shorten it."))
