"""The audit log for admins: the newest events with filters, and all matching ones as CSV."""
from __future__ import annotations

import re

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from survey_app.web import audit
from survey_app.web.auth import role_required
from survey_app.output.export import to_csv

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _filter() -> tuple[audit.AuditFilter, list[str]]:
    problems = []
    days = {}
    for key in ("since", "until"):
        value = request.args.get(key, "").strip()
        if value and not _DAY.match(value):
            problems.append(_("Please give days as YYYY-MM-DD; “%(value)s” is ignored.", value=value))
            value = ""
        days[key] = value
    action = request.args.get("action", "")
    return audit.AuditFilter(actor=request.args.get("actor", "").strip(),
                             action=action if action in audit.ACTIONS or action in _groups() else "",
                             **days), problems


def _groups() -> list[str]:
    return sorted({name.split(".")[0] for name in audit.ACTIONS if "." in name})


@bp.route("/")
@role_required("admin")
def index():
    selected, problems = _filter()
    found = audit.events(selected)
    return render_template("audit/index.html", found=found, selected=selected, problems=problems,
                           actions=audit.ACTIONS, groups=_groups(), query=request.args.to_dict())


@bp.route("/audit.csv")
@role_required("admin")
def download():
    selected, _problems = _filter()
    body = to_csv(*audit.table(reversed(audit.events(selected, limit=None).events)))  # oldest first
    return Response(body.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})
