"""The evaluator's pages of a consultation: comments per section with their answers, the
synopsis downloads, the revised draft and the differences between versions."""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, gettext as _
from flask_login import current_user

from survey_app.consultations import review as rv
from survey_app.consultations.document import DocumentError
from survey_app.consultations.revision import accepted_proposals, diff, revise, starting_texts
from survey_app.consultations.versions import REVISION, Outdated, add_document
from survey_app.fieldings.model import parse_day
from survey_app.output.synopsis import synopsis_xlsx, to_docx
from survey_app.web import audit
from survey_app.web.auth import RESULT_ROLES, role_required
from survey_app.web.db import get_store
from survey_app.web.i18n import select_locale
from survey_app.web.views.consultations.common import (
    DECISION_LABELS,
    POSITION_LABELS,
    load,
    load_versions,
    minimum,
    mode_label,
    problem_message,
    words,
)
from survey_app.web.views.consultations.staff import bp


def _review(record: dict) -> tuple[rv.Review, list]:
    _versions, docs = load_versions(record["id"])
    return rv.review(record, docs, get_store().statements(record["id"]), minimum(record)), docs


def _filter() -> str | None:
    which = request.args.get("filter")
    return which if which in rv.FILTERS else None


def render_review(record: dict, errors: dict | None = None, status: int = 200, which: str | None = None):
    result, docs = _review(record)
    return render_template("consultation/review.html", consultation=record, review=result,
                           sections=result.filtered(which), which=which, document=docs[-1],
                           positions=POSITION_LABELS, decisions=DECISION_LABELS, errors=errors or {},
                           form=request.form, mode_label=mode_label(record)), status


@bp.route("/<consultation_id>/review")
@role_required(*RESULT_ROLES)
def review(consultation_id: str):
    return render_review(load(consultation_id), which=_filter())


@bp.route("/<consultation_id>/answer", methods=["POST"])
@role_required(*RESULT_ROLES)
def answer(consultation_id: str):
    record = load(consultation_id)
    key = request.form.get("key", "")
    which = request.form.get("filter") if request.form.get("filter") in rv.FILTERS else None
    if key not in rv.comment_keys(record, get_store().statements(consultation_id)):
        abort(404)
    decision, reason = request.form.get("decision", ""), request.form.get("reason", "").strip()
    problems = rv.decision_problems(decision, reason)
    if problems:
        messages = {"missing": _("Please choose a decision."), "too_long": _("At most %(n)d characters.", n=5000),
                    "needed": _("Please give the reason: the organisation will read it in the synopsis.")}
        return render_review(record, {key: {field: messages[p] for field, p in problems.items()}}, 422, which)
    get_store().change_consultation(consultation_id, rv.answered(key, decision, reason, current_user.username))
    audit.record("consultation.decision", record["title"], comment=key, decision=decision)
    return redirect(url_for(".review", consultation_id=consultation_id, **({"filter": which} if which else {}))
                    + f"#c-{key.replace('/', '-')}")


# -- the synopsis ----------------------------------------------------------------------------

def _synopsis(record: dict):
    result, docs = _review(record)
    rows = rv.synopsis_rows(result, words(), record.get("language"))
    headers = [_("Section text"), _("Organisation"), _("Comment and proposed wording"), _("Response and decision")]
    facts = [_("Version %(n)d of the draft; %(submitted)d of %(invited)d organisations submitted a statement.",
               n=len(docs), submitted=result.submitted, invited=result.invited), mode_label(record)]
    opens, closes = parse_day(record.get("opens_on")), parse_day(record.get("closes_on"))
    if opens or closes:
        facts.append(_("Consultation period: %(opens)s to %(closes)s",
                       opens=format_date(opens, "long") if opens else "–",
                       closes=format_date(closes, "long") if closes else "–"))
    if not result.shown:
        facts.append(_("Fewer than %(k)d statements: in an anonymous consultation nothing is shown yet.",
                       k=result.minimum))
    return result, rows, headers, facts


@bp.route("/<consultation_id>/synopsis.<kind>")
@role_required(*RESULT_ROLES)
def synopsis(consultation_id: str, kind: str):
    record = load(consultation_id)
    if kind not in ("docx", "xlsx", "html"):
        abort(404)
    result, rows, headers, facts = _synopsis(record)
    title = _("Synopsis of statements: %(title)s", title=record["title"])
    audit.record("consultation.downloaded", record["title"], file=f"synopsis.{kind}")
    name = f"synopsis-{dt.date.today().isoformat()}.{kind}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if kind == "docx":
        body = to_docx(title, facts, headers, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif kind == "xlsx":
        body = synopsis_xlsx(_("Synopsis"), headers, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = render_template("consultation/synopsis_file.html", title=title, facts=facts, headers=headers,
                               rows=rows, lang=select_locale()).encode("utf-8")
        mimetype = "text/html"
    return Response(body, mimetype=mimetype, headers=disposition)


# -- the revised draft and the differences ---------------------------------------------------

@bp.route("/<consultation_id>/revise", methods=["GET", "POST"])
@role_required(*RESULT_ROLES)
def revise_draft(consultation_id: str):
    record = load(consultation_id)
    result, docs = _review(record)
    latest = docs[-1]
    proposals = accepted_proposals(result)
    texts = starting_texts(latest, result)
    errors: dict = {}
    if request.method == "POST":
        based_on = request.form.get("based_on", "")
        texts = {b.id: request.form.get(f"text-{b.id}", b.source()) for b in latest.sections}
        if based_on != str(len(docs)):
            errors["form"] = [_("Another version of the draft was stored meanwhile. Your texts are below; "
                                "compare them with the new version before you save.")]
        else:
            versions = get_store().consultation_versions(consultation_id)
            try:
                document = revise(latest, texts, [f"s{versions[-1].get('last_id', 0)}"])
                version = add_document(get_store(), consultation_id, document, len(docs), REVISION,
                                       current_user.username)
            except DocumentError as error:
                errors["form"] = [problem_message(p) for p in error.problems]
            except Outdated:
                errors["form"] = [_("Another version of the draft was stored meanwhile. Your texts are below; "
                                    "compare them with the new version before you save.")]
            else:
                audit.record("consultation.revised", record["title"], version=version["number"])
                flash(_("The revised draft was stored as version %(n)d.", n=version["number"]))
                return redirect(url_for(".compare", consultation_id=consultation_id, a=len(docs),
                                        b=version["number"]))
    return render_template("consultation/revise.html", consultation=record, document=latest, texts=texts,
                           proposals=proposals, version=len(docs), errors=errors,
                           review=result), 422 if errors else 200


@bp.route("/<consultation_id>/diff")
@role_required(*RESULT_ROLES)
def compare(consultation_id: str):
    record = load(consultation_id)
    _versions, docs = load_versions(consultation_id)
    try:
        a = int(request.args.get("a", max(len(docs) - 1, 1)))
        b = int(request.args.get("b", len(docs)))
    except ValueError:
        abort(404)
    if not (1 <= a <= len(docs) and 1 <= b <= len(docs)):
        abort(404)
    rows = diff(docs[a - 1], docs[b - 1])
    return render_template("consultation/diff.html", consultation=record, rows=rows, a=a, b=b, count=len(docs))
