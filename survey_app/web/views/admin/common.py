"""The admin blueprint and what its pages share: look-ups that answer 404, the admin's
language for domain messages, and the page-by-page preview of a questionnaire."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request
from flask_babel import gettext as _

from survey_app.fieldings.model import Fielding, parse_day
from survey_app.web.catalogue import get_questionnaire
from survey_app.web.db import get_store
from survey_app.web.forms import page_form
from survey_app.web.views.survey import language_for, render_page

bp = Blueprint("admin", __name__, url_prefix="/admin")

bp.add_app_template_filter(parse_day, "as_day")


def localized(item) -> str:
    """An importer's report line or error in the admin's language, where it provides msgids."""
    render = getattr(item, "render", None)
    return render(_) if render else str(item)


def questionnaire_or_404(questionnaire_id: str):
    questionnaire = get_questionnaire(questionnaire_id)
    if questionnaire is None:
        abort(404)
    return questionnaire


def survey_or_404(survey_id: str) -> Fielding:
    survey = get_store().get_survey(survey_id)
    if survey is None:
        abort(404)
    return survey


def preview(questionnaire, number: int, page_url, done_url: str):
    """A questionnaire page exactly as respondents see it, with its checks; nothing is stored
    (so branching across pages shows every page). `page_url(n)` is the preview's page n."""
    if not 1 <= number <= len(questionnaire.pages):
        abort(404)
    index, lang = number - 1, language_for(questionnaire)
    survey = Fielding("preview", questionnaire.id, questionnaire.id)
    if request.method == "GET":
        return render_page(survey, questionnaire, index, page_form(questionnaire, index, lang, {}), lang, {},
                           preview=True)
    form = page_form(questionnaire, index, lang, {}, formdata=request.form)
    target = number - 1 if request.form.get("action") == "back" else number + 1
    if request.form.get("action") != "back" and not form.validate():
        return render_page(survey, questionnaire, index, form, lang, {}, preview=True), 422
    if not 1 <= target <= len(questionnaire.pages):
        flash(_("End of the preview: respondents would now see the thank-you page."))
        return redirect(done_url)
    return redirect(page_url(target))
