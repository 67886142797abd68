"""Evaluators: response counts, one chart and table per question, CSV download.

Only the evaluator and admin roles reach these pages.
"""
from __future__ import annotations

import json
from collections import Counter

from flask import Blueprint, Response, abort, render_template
from flask_babel import gettext

from ..analysis import summarize
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
                     "count": store.count_responses(survey["id"])})
    return render_template("results/index.html", rows=rows, lang=select_locale())


@bp.route("/<survey_id>")
@role_required(*RESULT_ROLES)
def survey(survey_id: str):
    survey, questionnaire = _survey_and_questionnaire(survey_id)
    lang = select_locale()
    responses = get_store().responses(survey["id"])
    sections = []
    for summary in summarize(questionnaire, responses):
        figure = figure_for(summary, lang, gettext)
        sections.append({"summary": summary, "figure": _embeddable(figure) if figure else None})
    return render_template(
        "results/survey.html",
        survey=survey,
        questionnaire=questionnaire,
        total=len(responses),
        versions=Counter(r.get("version", "") for r in responses),
        sections=sections,
        lang=lang,
        chart_config=json.dumps(CONFIG),
    )


@bp.route("/<survey_id>/responses.csv")
@role_required(*RESULT_ROLES)
def responses_download(survey_id: str):
    survey, questionnaire = _survey_and_questionnaire(survey_id)
    text = responses_csv(questionnaire, get_store().responses(survey["id"]), select_locale())
    filename = f"{survey['slug']}-responses.csv"
    return Response(
        text.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
