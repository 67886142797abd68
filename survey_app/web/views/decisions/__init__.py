"""From findings to decisions: task profiles (profiles.py), staffing (staffing.py) and the
committee pack (pack.py) on one blueprint. Evaluators and admins only; each module registers
its routes with `register(bp)`."""
from __future__ import annotations

from flask import Blueprint, render_template

from survey_app.web.auth import RESULT_ROLES, role_required
from survey_app.web.views.decisions import profiles

bp = Blueprint("decisions", __name__, url_prefix="/decisions")


@bp.route("/")
@role_required(*RESULT_ROLES)
def index():
    return render_template("decisions/index.html")


profiles.register(bp)

from survey_app.web.views.decisions import pack, staffing  # noqa: E402,F401  (their routes are on bp)
