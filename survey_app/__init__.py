"""survey_app: self-hosted evaluation surveys, workshop polls and findings."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from survey_app.analysis.disclosure import DEFAULT as DEFAULT_MINIMUM, checked_app_minimum

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory.

    Data (TinyDB files, the generated secret key) live in the instance folder unless
    SURVEY_APP_DATA points elsewhere, or in PostgreSQL with SURVEY_APP_DATABASE_URL; shipped definitions come from questionnaires/
    unless SURVEY_APP_QUESTIONNAIRES points elsewhere.
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(
        DATA_DIR=os.environ.get("SURVEY_APP_DATA") or app.instance_path,
        # postgresql://... keeps everything in PostgreSQL instead of the data folder (web/db.py).
        DATABASE_URL=os.environ.get("SURVEY_APP_DATABASE_URL") or None,
        QUESTIONNAIRE_DIR=os.environ.get("SURVEY_APP_QUESTIONNAIRES")
        or str(PROJECT_ROOT / "questionnaires"),
        BABEL_DEFAULT_LOCALE="de",
        LANGUAGES=("de", "en"),
        # Forms are small; anything larger is refused with 413 before it is read.
        MAX_CONTENT_LENGTH=512 * 1024,
        # ... except definition uploads by admins (a LimeSurvey export with many languages).
        MAX_IMPORT_LENGTH=11 * 1024 * 1024,
        SESSION_COOKIE_SAMESITE="Lax",
        # Behind HTTPS (SURVEY_APP_HTTPS=1) cookies are never sent over plain HTTP.
        SESSION_COOKIE_SECURE=os.environ.get("SURVEY_APP_HTTPS") == "1",
        SESSION_COOKIE_HTTPONLY=True,
        # A respondent may take longer than Flask-WTF's default hour for one page.
        WTF_CSRF_TIME_LIMIT=None,
        WTF_I18N_ENABLED=True,
        # The minimum group size for every result (never below 3): SURVEY_APP_MIN_GROUP_SIZE.
        MIN_GROUP_SIZE=os.environ.get("SURVEY_APP_MIN_GROUP_SIZE") or DEFAULT_MINIMUM,
        # A results page waits this long for the release plan of new responses (computed in
        # the background after each submission) before it shows the last planned state.
        RELEASE_PLAN_WAIT=float(os.environ.get("SURVEY_APP_RELEASE_PLAN_WAIT", "0.3") or 0.3),
        # A staff session ends after this many minutes without a request.
        SESSION_IDLE_MINUTES=int(os.environ.get("SURVEY_APP_IDLE_MINUTES", "60") or 60),
    )
    if test_config:
        app.config.from_mapping(test_config)
    # Refused at start, with the reason, rather than showing groups too small to be anonymous.
    app.config["MIN_GROUP_SIZE"] = checked_app_minimum(app.config["MIN_GROUP_SIZE"])

    if os.environ.get("SURVEY_APP_HTTPS") == "1":
        # The app is reached only by HTTPS: links it writes (invitations, join links, QR codes)
        # say https even when the proxy in front does not tell (no SURVEY_APP_PROXIES).
        app.wsgi_app = _https_only(app.wsgi_app)
        app.config["PREFERRED_URL_SCHEME"] = "https"

    proxies = int(os.environ.get("SURVEY_APP_PROXIES", "0") or 0)
    if proxies:
        # Behind a reverse proxy the client address and scheme come from its headers; the
        # join rate limit of workshops needs the real address of each phone.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    from survey_app.web import auth, db, catalogue as definitions, headers, i18n, minimum
    from survey_app.web.views import accounts, admin, audit, consultations, decisions, main, results, survey, workshops

    app.request_class = main.Request
    db.init_app(app)
    app.config.setdefault("SECRET_KEY", None)
    if not app.config["SECRET_KEY"] and db.store_ready(app):
        app.config["SECRET_KEY"] = db.get_store(app).secret_key()

    from flask_wtf.csrf import CSRFProtect

    admin.allow_large_imports(app)   # before CSRF protection reads the form
    consultations.allow_large_uploads(app)
    CSRFProtect(app)
    i18n.init_app(app)
    auth.init_app(app)
    definitions.init_app(app)
    minimum.init_app(app)
    headers.init_app(app)

    for blueprint in (main.bp, auth.bp, accounts.bp, audit.bp, survey.bp, results.bp, admin.bp,
                      workshops.facilitate, workshops.participate, consultations.staff_bp, consultations.respond_bp,
                      decisions.bp):
        app.register_blueprint(blueprint)

    from survey_app.web import assets

    assets.init_app(app, {"main.plotly_js": main.PLOTLY_JS})

    from survey_app.web import cli

    cli.init_app(app)
    return app


def _https_only(wsgi_app):
    def app(environ, start_response):
        environ["wsgi.url_scheme"] = "https"
        return wsgi_app(environ, start_response)

    return app
