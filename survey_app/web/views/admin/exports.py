"""A questionnaire as an XLSForm for ODK Collect or KoboCollect (definitions/xlsform/export.py):
first what the form cannot carry, in the admin's language, then the file."""
from __future__ import annotations

from flask import Response, render_template

from survey_app.definitions.xlsform.export import xlsform
from survey_app.web.auth import role_required
from survey_app.web.i18n import select_locale
from survey_app.web.views.admin.common import bp, localized, questionnaire_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/questionnaires/<questionnaire_id>/xlsform")
@role_required("admin")
def xlsform_export(questionnaire_id: str):
    questionnaire = questionnaire_or_404(questionnaire_id)
    _, notes = xlsform(questionnaire)
    return render_template("admin/xlsform_export.html", questionnaire=questionnaire, lang=select_locale(),
                           notes=[localized(note) for note in notes])


@bp.route("/questionnaires/<questionnaire_id>/xlsform.xlsx")
@role_required("admin")
def xlsform_file(questionnaire_id: str):
    questionnaire = questionnaire_or_404(questionnaire_id)
    data, _ = xlsform(questionnaire)
    return Response(data, mimetype=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{questionnaire.id}-xlsform.xlsx"'})
