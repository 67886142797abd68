"""Staffing: full-time equivalents per task and programme today, the settings they need (posts
per programme, weekly hours) and named scenarios with their XLSX (glue: decisions/staffing.py
computes, DecisionRecords keeps the settings and scenarios)."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from survey_app.decisions import staffing
from survey_app.web.auth import RESULT_ROLES, role_required
from survey_app.web.catalogue import get_questionnaire
from survey_app.web.db import get_store
from survey_app.web.i18n import select_locale
from survey_app.web.views.decisions import bp
from survey_app.web.views.results import counted_responses, release_plan_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _staff_survey(survey_id: str):
    survey = get_store().get_survey(survey_id)
    questionnaire = get_questionnaire(survey.questionnaire_id) if survey else None
    if not questionnaire or not staffing.has_staffing(questionnaire):
        abort(404)
    return survey, questionnaire


def _today(survey, questionnaire, settings=None) -> staffing.Today:
    responses = counted_responses(survey).responses
    if settings is None:
        settings = staffing.settings_from_record(get_store().get_record(staffing.SETTINGS_KIND, survey.id),
                                                 questionnaire)
    return staffing.compute_today(questionnaire, responses, release_plan_for(survey, questionnaire, responses),
                                  settings, select_locale())


def _scenarios(survey) -> list[dict]:
    prefix = staffing.scenario_key(survey.id, "")
    return [value for key, value in get_store().list_records(staffing.SCENARIO_KIND) if key.startswith(prefix)]


def _put(kind: str, key: str, value: dict, version: int) -> bool:
    """Store if the stored version is still `version` (0: none yet); False when someone else
    changed (or made) the record since it was read."""
    from survey_app.storage.interface import RecordConflict   # (module level once DecisionRecords is on main)

    try:
        get_store().put_record(kind, key, value, expected_version=version, updated_by=current_user.username)
    except RecordConflict:
        return False
    return True


def _version(form) -> int:
    """The version of the record the form was made from (0: a new one)."""
    text = form.get("version", "")
    return int(text) if text.isdigit() else 0


@bp.route("/staffing/")
@role_required(*RESULT_ROLES)
def staffing_index():
    rows = []
    for survey in get_store().list_surveys():
        questionnaire = get_questionnaire(survey.questionnaire_id)
        if questionnaire and staffing.has_staffing(questionnaire) and not survey.test_run:
            rows.append({"survey": survey, "questionnaire": questionnaire})
    return render_template("decisions/staffing_index.html", rows=rows, lang=select_locale())


def _page(survey, questionnaire, today, form_data, errors, status=200):
    record = get_store().get_record(staffing.SETTINGS_KIND, survey.id)
    return render_template(
        "decisions/staffing.html", survey=survey, questionnaire=questionnaire, today=today,
        form=form_data, errors=errors, settings_version=(record or {}).get("version"),
        programmes=staffing.programmes(questionnaire), post_keys=staffing.post_keys(questionnaire),
        has_post_question=staffing.post_share_question(questionnaire) is not None,
        scenarios=_scenarios(survey), formulas=staffing.FORMULAS, lang=select_locale()), status


@bp.route("/staffing/<survey_id>")
@role_required(*RESULT_ROLES)
def staffing_page(survey_id: str):
    survey, questionnaire = _staff_survey(survey_id)
    today = _today(survey, questionnaire)
    return _page(survey, questionnaire, today, staffing.settings_form(today.settings, select_locale()), {})


@bp.route("/staffing/<survey_id>/settings", methods=["POST"])
@role_required(*RESULT_ROLES)
def staffing_settings(survey_id: str):
    survey, questionnaire = _staff_survey(survey_id)
    settings, errors = staffing.read_settings(request.form, questionnaire)
    if not errors:
        if _put(staffing.SETTINGS_KIND, survey.id, staffing.settings_record(settings), _version(request.form)):
            flash(gettext("The staffing settings are saved."))
            return redirect(url_for(".staffing_page", survey_id=survey.id))
        errors["basis"] = gettext("Someone else changed these settings in the meantime: "
                                  "please check them and save again.")
    return _page(survey, questionnaire, _today(survey, questionnaire), request.form, errors, 422)


def _scenario_page(survey, questionnaire, today, form_data, errors, result=None, original="", version=None,
                   status=200):
    return render_template(
        "decisions/scenario.html", survey=survey, questionnaire=questionnaire, today=today, form=form_data,
        errors=errors, result=result, table=staffing.staffing_table(today, result, select_locale()) if result else None,
        original=original, version=version, new_tasks=staffing.new_task_ids(), modes=staffing.MODES,
        lang=select_locale()), status


def _stored_scenario(survey, name: str) -> dict | None:
    return get_store().get_record(staffing.SCENARIO_KIND, staffing.scenario_key(survey.id, name)) if name else None


@bp.route("/staffing/<survey_id>/scenario", methods=["GET", "POST"])
@role_required(*RESULT_ROLES)
def scenario(survey_id: str):
    """A new scenario (no ?name=) or a saved one: the targets per task and, once valid, the posts needed."""
    survey, questionnaire = _staff_survey(survey_id)
    today = _today(survey, questionnaire)
    if not today.scenario_units:
        return redirect(url_for(".staffing_page", survey_id=survey.id))
    if request.method == "GET":
        name = request.args.get("name", "")
        record = _stored_scenario(survey, name)
        if name and record is None:
            abort(404)
        if record is None:
            return _scenario_page(survey, questionnaire, today, {}, {})
        saved = staffing.scenario_from_record(record)
        _, errors = staffing.read_scenario(staffing.scenario_form(saved, select_locale()), today)
        result = None if errors else staffing.compute_scenario(today, saved)
        return _scenario_page(survey, questionnaire, today, staffing.scenario_form(saved, select_locale()), errors, result,
                              original=saved.name, version=record.get("version"))
    original = request.form.get("original", "")
    chosen, errors = staffing.read_scenario(request.form, today)
    if not errors and chosen.name != original and _stored_scenario(survey, chosen.name) is not None:
        errors["name"] = gettext("A scenario of this name exists already: please choose another name.")
    if not errors:
        version = _version(request.form) if chosen.name == original else 0
        if _put(staffing.SCENARIO_KIND, staffing.scenario_key(survey.id, chosen.name),
                staffing.scenario_record(chosen), version):
            if original and original != chosen.name:
                get_store().delete_record(staffing.SCENARIO_KIND, staffing.scenario_key(survey.id, original))
            flash(gettext("The scenario is saved."))
            return redirect(url_for(".scenario", survey_id=survey.id, name=chosen.name))
        errors["name"] = gettext("Someone else changed this scenario in the meantime: "
                                 "open it again to see their version.")
    return _scenario_page(survey, questionnaire, today, request.form, errors, original=original,
                          version=request.form.get("version"), status=422)


@bp.route("/staffing/<survey_id>/scenario/delete", methods=["POST"])
@role_required(*RESULT_ROLES)
def delete_scenario(survey_id: str):
    survey, _questionnaire = _staff_survey(survey_id)
    if get_store().delete_record(staffing.SCENARIO_KIND, staffing.scenario_key(survey.id, request.form.get("name", ""))):
        flash(gettext("The scenario is deleted."))
    return redirect(url_for(".staffing_page", survey_id=survey.id))


@bp.route("/staffing/<survey_id>/scenario.xlsx")
@role_required(*RESULT_ROLES)
def scenario_xlsx(survey_id: str):
    survey, questionnaire = _staff_survey(survey_id)
    record = _stored_scenario(survey, request.args.get("name", ""))
    today = _today(survey, questionnaire)
    if record is None or not today.scenario_units:
        abort(404)
    saved = staffing.scenario_from_record(record)
    _, errors = staffing.read_scenario(staffing.scenario_form(saved, select_locale()), today)
    if errors:   # the settings changed since: the scenario's page says what to fix
        return redirect(url_for(".scenario", survey_id=survey.id, name=saved.name))
    data = staffing.scenario_workbook(today, staffing.compute_scenario(today, saved), select_locale(), gettext)
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"scenario-{survey.slug}.xlsx\""})
