"""From findings to decisions (evaluators and admins): one blueprint, one module per part
(profiles.py, staffing.py, pack.py)."""
from flask import Blueprint

bp = Blueprint("decisions", __name__, url_prefix="/decisions")

from survey_app.web.views.decisions import pack  # noqa: E402,F401  (its routes are on bp)
