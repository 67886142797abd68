"""The admin page: questionnaires with their problems, damaged files, fieldings with their
responses, drafts, and answers given to an earlier version that the current one no longer matches."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import groupby

from flask import render_template

from survey_app.storage.interface import DamagedDataError, DataFolder
from survey_app.web.auth import role_required
from survey_app.web.catalogue import definition_folder, get_catalogue, version_changes
from survey_app.web.db import get_store
from survey_app.web.i18n import select_locale
from survey_app.web.views.admin.common import bp
from survey_app.web.views.admin.drafts import DefinitionUploadForm


@bp.route("/")
@role_required("admin")
def index():
    store = get_store()
    catalogue = get_catalogue()
    # listed first: the rest of the page works around them (a database keeps no files)
    damaged = store.damaged_files() if isinstance(store, DataFolder) else []
    try:
        surveys = store.list_surveys()
    except DamagedDataError:
        surveys = []
    versions, counts = {}, {}
    for survey in surveys:
        try:
            versions[survey.id] = Counter(r.get("version", "") for r in store.responses(survey.id))
        except DamagedDataError:  # its row says so; the other surveys are not affected
            versions[survey.id], counts[survey.id] = Counter(), None
        else:
            counts[survey.id] = sum(versions[survey.id].values())
    today = dt.date.today()
    problems = [(file, list(items)) for file, items in groupby(catalogue.problems, key=lambda p: p.file)]
    return render_template(
        "admin/index.html",
        catalogue=catalogue,
        problems=problems,
        damaged=[(problem, store.owner_of(problem.path)) for problem in damaged],
        data_dir=getattr(store, "data_dir", None),
        surveys=surveys,
        counts=counts,
        states={survey.id: survey.state(today) for survey in surveys},
        version_warnings=_version_warnings(store, catalogue, surveys, versions),
        upload_form=DefinitionUploadForm(formdata=None),
        drafts=definition_folder().list_drafts(),
        lang=select_locale(),
    )


def _version_warnings(store, catalogue, surveys, versions) -> list[dict]:
    """Fieldings whose responses answered an earlier version that the current definition no
    longer matches: the admin should know before results are mixed."""
    warnings = []
    for survey in surveys:
        questionnaire = catalogue.questionnaires.get(survey.questionnaire_id)
        for version, count in versions[survey.id].items():
            if questionnaire and version != questionnaire.content_hash:
                changes = version_changes(store, questionnaire, version)
                if changes:
                    warnings.append({"survey": survey, "version": version, "count": count, "changes": changes})
    return warnings
