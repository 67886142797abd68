"""UI language: German by default, English second (Flask-Babel).

The respondent's or user's explicit choice is kept in the session; there is no
guessing from the browser, so everyone starts in German as the city expects. A
questionnaire may offer more languages than the interface (e.g. Arabic, or easy German
"de-x-easy"): then the questionnaire text is in that language and the buttons and
notices are in German for German variants and in English for all others.
"""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel, format_date, gettext

from survey_app import messages


def select_locale() -> str:
    if not has_request_context():  # CLI commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    if chosen:
        return "de" if chosen.replace("_", "-").split("-")[0] == "de" else "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    # Messages of the domain code (question types, workshops) shown as text speak the UI language.
    messages.install(gettext, format_date)

    @app.context_processor
    def inject_language():
        return {"current_language": select_locale(), "ui_languages": app.config["LANGUAGES"]}
