"""Evaluators' decision work from the findings: task profiles, staffing, the committee pack
(one module per part, all on the blueprint `decisions`; evaluator and admin only)."""
from flask import Blueprint

bp = Blueprint("decisions", __name__, url_prefix="/decisions")

from survey_app.web.views.decisions import pack, staffing  # noqa: E402,F401  (their routes are on bp)
