"""Pages for everyone: start page, language switch, shared template filters, error pages."""
from __future__ import annotations

from pathlib import Path

import plotly
from flask import Blueprint, Response, current_app, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.exceptions import Forbidden

from .. import formatting
from ..auth import _safe_next
from ..db import get_store
from ..definitions import get_catalogue, keep_versions
from ..fielding import ensure_default_surveys
from ..i18n import select_locale
from ..questionnaire import localized

bp = Blueprint("main", __name__)

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@bp.before_app_request
def prepare_surveys():
    # Once per loaded catalogue and process: the catalogue object changes only when a file does.
    catalogue = get_catalogue()
    if current_app.extensions.get("surveys_prepared_for") is not catalogue:
        ensure_default_surveys(get_store(), catalogue)
        keep_versions(get_store(), catalogue, current_app.config["QUESTIONNAIRE_DIR"])
        current_app.extensions["surveys_prepared_for"] = catalogue


@bp.route("/")
def index():
    surveys = []
    if current_user.is_authenticated:
        catalogue = get_catalogue()
        for survey in get_store().list_surveys():
            questionnaire = catalogue.questionnaires.get(survey["questionnaire_id"])
            if questionnaire:
                title = localized(questionnaire.title, select_locale(), questionnaire.default_language)
                surveys.append({**survey, "title": title})
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
    # Served from the installed plotly package: no CDN, works offline.
    return send_file(PLOTLY_JS, mimetype="text/javascript", max_age=86400)


@bp.app_template_filter("localized")
def localized_filter(text, lang: str, default_lang: str = "de") -> str:
    return localized(text, lang, default_lang)


@bp.app_template_filter("number")
def number_filter(value) -> str:
    return formatting.number(value)


@bp.app_template_filter("percent")
def percent_filter(share) -> str:
    return formatting.percent(share, select_locale())


@bp.app_template_filter("decimal")
def decimal_filter(value) -> str:
    return formatting.decimal(value, select_locale())


@bp.app_template_filter("paragraphs")
def paragraphs_filter(text: str) -> Markup:
    return formatting.paragraphs(text)


def _error_page(status: int, title: str, message: str):
    return render_template("error.html", title=title, message=message), status


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
