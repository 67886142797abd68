"""Administration (/admin, admins only), one module per job:

* overview.py: the admin page (questionnaires with their problems, damaged files, fieldings,
  drafts, answers to earlier versions);
* drafts.py: uploads (YAML, XLSForm, LimeSurvey) kept as drafts -> review and correct ->
  preview -> publish, or discard;
* fieldings.py: the fieldings of a questionnaire (create, edit, open, close) and their
  personal invitations;
* exports.py: a questionnaire as an XLSForm (what it cannot carry, then the file);
* responses.py: the responses of one fielding (exclude one, delete those of a test run);
* common.py: the blueprint, look-ups that answer 404, and the page-by-page preview.

The routes are in the modules; importing them registers them on the one blueprint.
"""
from survey_app.web.views.admin import drafts, exports, fieldings, overview, responses  # noqa: F401
from survey_app.web.views.admin.common import bp  # noqa: F401
from survey_app.web.views.admin.drafts import allow_large_imports  # noqa: F401
