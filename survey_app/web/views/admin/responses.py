"""The responses of one fielding, for admins: find one by its running number and exclude it
from results (it stays stored), or delete every response of a test run."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey_app.analysis.counting import answer_lines, counted, exclusion
from survey_app.web.auth import role_required
from survey_app.web.catalogue import get_questionnaire
from survey_app.web.db import get_store
from survey_app.web.i18n import select_locale
from survey_app.web.views.admin.common import bp, survey_or_404


RESPONSES_PER_PAGE = 100


@bp.route("/surveys/<survey_id>/responses")
@role_required("admin")
def responses(survey_id: str):
    """Every stored response of a fielding by running number, newest first, so that an admin
    can find one that must not count (a colleague trying the link) without results ever
    showing single responses; the answers of one are shown on demand (?show=<number>)."""
    survey = survey_or_404(survey_id)
    stored = get_store().responses(survey.id)
    pages = max(1, -(-len(stored) // RESPONSES_PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    newest_first = list(enumerate(stored, start=1))[::-1]
    shown = newest_first[(page - 1) * RESPONSES_PER_PAGE:page * RESPONSES_PER_PAGE]
    number = request.args.get("show", type=int)
    questionnaire = get_questionnaire(survey.questionnaire_id)
    opened = (number, answer_lines(questionnaire, stored[number - 1])) \
        if questionnaire and number and 1 <= number <= len(stored) else None
    return render_template("admin/responses.html", survey=survey, questionnaire=questionnaire, rows=shown,
                           counted=counted(survey, stored), page=page, pages=pages, opened=opened,
                           lang=select_locale())


@bp.route("/surveys/<survey_id>/responses/<response_id>/exclusion", methods=["POST"])
@role_required("admin")
def set_exclusion(survey_id: str, response_id: str):
    """Exclude one response from every result and download ("exclude": "1"), or count it
    again ("0"); it stays stored, with who did it and when."""
    survey = survey_or_404(survey_id)
    if request.form.get("exclude") not in ("0", "1"):
        abort(400)
    excluded = request.form["exclude"] == "1"
    if get_store().change_response(survey.id, response_id, exclusion(excluded, current_user.username)) is None:
        abort(404)
    number = request.form.get("number", type=int)
    if excluded:
        flash(_("Response no. %(n)s is excluded from results; it stays stored.", n=number or "?"))
    else:
        flash(_("Response no. %(n)s counts in results again.", n=number or "?"))
    return redirect(url_for(".responses", survey_id=survey.id, page=request.form.get("page", 1, type=int))
                    + (f"#response-{number}" if number else ""))


@bp.route("/surveys/<survey_id>/test-responses", methods=["GET", "POST"])
@role_required("admin")
def delete_test_responses(survey_id: str):
    """Delete every response and questionnaire begun of a fielding marked as a test run, after
    a confirmation page; refused (409) for any other fielding."""
    survey = survey_or_404(survey_id)
    store = get_store()
    if not survey.test_run:
        return render_template("admin/delete_test_responses.html", survey=survey, refused=True), 409
    if request.method == "POST":
        responses_deleted, drafts_deleted = store.remove_responses(survey.id, lambda _response: True, drafts=True)
        flash(_("Deleted from the test run %(name)s: %(responses)d responses and %(drafts)d questionnaires begun.",
                name=survey.name, responses=responses_deleted, drafts=drafts_deleted))
        return redirect(url_for(".responses", survey_id=survey.id))
    return render_template("admin/delete_test_responses.html", survey=survey, refused=False,
                           stored=store.count_responses(survey.id), drafts=len(store.list_drafts(survey.id)) + store.count_submitted(survey.id))
