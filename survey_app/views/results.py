"""Evaluators: response counts, one chart and table per question, CSV download.

Only the evaluator and admin roles reach these pages.
"""
from __future__ import annotations

import json
from collections import Counter

from flask import Blueprint, Response, abort, current_app, render_template
from flask_babel import gettext

from ..analysis import summarize, too_few_to_show
from ..auth import RESULT_ROLES, role_required
from ..charts import CONFIG, figure_for
from ..db import get_store
from ..definitions import get_questionnaire
from ..export import responses_csv
from ..i18n import select_locale

bp = Blueprint("results", __name__, url_prefix="/results")


def _survey_and_questionnaire(survey_id: str):
    survey = get_store().get_survey(survey_id)
    questionnaire = get_questionnaire(survey["questionnaire_id"]) if survey else None
    if not questionnaire:
        abort(404)
    return survey, questionnaire


def minimum_group_size(survey: dict) -> int:
    return survey.get("min_group_size") or current_app.config["MIN_GROUP_SIZE"]


def _embeddable(figure) -> str:
    # Inside <script type="application/json">, "</" would end the element early.
    return figure.to_json().replace("</", "<\\/")


@bp.route("/")
@role_required(*RESULT_ROLES)
def index():
    store = get_store()
    rows = []
    for survey in store.list_surveys():
        questionnaire = get_questionnaire(survey["questionnaire_id"])
        rows.append({"survey": survey, "questionnaire": questionnaire,
                     "count": store.count_responses(survey["id"]), "minimum": minimum_group_size(survey)})
    return render_template("results/index.html", rows=rows, lang=select_locale())


@bp.route("/<survey_id>")
@role_required(*RESULT_ROLES)
def survey(survey_id: str):
    survey, questionnaire = _survey_and_questionnaire(survey_id)
    lang = select_locale()
    responses = get_store().responses(survey["id"])
    minimum = minimum_group_size(survey)
    sections = []
    if len(responses) >= minimum:
        for summary in summarize(questionnaire, responses):
            hidden = too_few_to_show(summary, minimum)
            figure = None if hidden else figure_for(summary, lang, gettext)
            sections.append({"summary": summary, "hidden": hidden,
                             "figure": _embeddable(figure) if figure else None})
    return render_template(
        "results/survey.html",
        survey=survey,
        questionnaire=questionnaire,
        total=len(responses),
        minimum=minimum,
        versions=Counter(r.get("version", "") for r in responses),
        sections=sections,
        lang=lang,
        chart_config=json.dumps(CONFIG),
    )


@bp.route("/<survey_id>/responses.csv")
@role_required(*RESULT_ROLES)
def responses_download(survey_id: str):
    survey, questionnaire = _survey_and_questionnaire(survey_id)
    responses = get_store().responses(survey["id"])
    if len(responses) < minimum_group_size(survey):
        # Single rows of a handful of responses would point to the people who gave them.
        abort(409, description=gettext(
            "The responses can be downloaded once there are at least %(n)d of them.", n=minimum_group_size(survey)))
    text = responses_csv(questionnaire, responses, select_locale())
    filename = f"{survey['slug']}-responses.csv"
    return Response(
        text.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
