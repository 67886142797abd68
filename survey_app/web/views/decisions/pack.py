"""The committee pack (evaluators and admins): choose per audience which questions (with a
breakdown and filter) and workshop polls go in and in which order, save the choice
(DecisionRecords kind "committee_pack"), and download the pack as DOCX or PDF.

Glue only: the candidates, the form's reading and the exhibits are decisions/pack.py's; the
numbers come from the results pages' own findings and release plan (views/results.py) and
the workshop's tallies; the files are output/pack.py's.
"""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from survey_app.analysis.breakdown import breakdown_questions
from survey_app.analysis.findings import ResponseFilter, Section, build_findings
from survey_app.analysis.summaries import options_of
from survey_app.decisions import pack, staffing
from survey_app.definitions.model import localized
from survey_app.output.pack import pack_docx, pack_pdf
from survey_app.storage.interface import DamagedDataError, RecordConflict
from survey_app.web import audit
from survey_app.web.auth import RESULT_ROLES, role_required
from survey_app.web.catalogue import get_questionnaire
from survey_app.web.db import get_decision_records, get_store
from survey_app.web.i18n import select_locale
from survey_app.web.minimum import minimum_group_size as minimum_for
from survey_app.web.views.decisions import bp
from survey_app.web.views.results import counted_responses, filter_label, minimum_group_size, release_plan_for
from survey_app.web.views.workshops.common import chart as poll_chart
from survey_app.workshops.model import cast_votes
from survey_app.workshops.records import workshop_from_record
from survey_app.workshops.tallies import tally

AUDIENCE_NAMES = {"social_committee": lazy_gettext("Social committee"),
                  "personnel_committee": lazy_gettext("Personnel committee")}
FILES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "pdf": "application/pdf"}


def staffing_blocks(selection: pack.Selection, lang: str, day: str) -> list[pack.Block]:
    """The staffing table of each staff survey today and of each saved scenario (as the
    staffing pages compute them: decisions/staffing.py, through the release plan)."""
    if not selection.staffing:
        return []
    from survey_app.web.views.decisions.staffing import _scenarios, _today

    blocks = []
    for survey in get_store().list_surveys():
        questionnaire = get_questionnaire(survey.questionnaire_id)
        if survey.test_run or not questionnaire or not staffing.has_staffing(questionnaire):
            continue
        today = _today(survey, questionnaire)
        tables = [staffing.staffing_table(today, None, lang)]
        for record in _scenarios(survey) if today.scenario_units else ():
            saved = staffing.scenario_from_record(record)
            if not staffing.read_scenario(staffing.scenario_form(saved, lang), today)[1]:
                tables.append(staffing.staffing_table(today, staffing.compute_scenario(today, saved), lang))
        shown = [pack.staffing_block_table(table, day, lang, gettext) for table in tables if table is not None]
        if shown:
            blocks.append(pack.Block(gettext("Staffing in full-time equivalents"),
                                     "\n\n".join(f.render(gettext) for f in staffing.FORMULAS), tuple(shown)))
    return blocks


def profile_blocks(selection: pack.Selection, lang: str, day: str) -> list[pack.Block]:
    """The classified task profiles (as the profiles pages show them): classification, actors,
    description, the flags where sources disagree, and which sources (with n) stand behind each."""
    if not selection.profiles:
        return []
    from survey_app.web.views.decisions import profiles as pages

    found, _left_out = pages.task_profiles()
    classified = [p for p in found if p.classification is not None]
    if not classified:
        return []
    kinds = pages.classification_labels()
    rows, notes = [], []
    for profile in classified:
        c = profile.classification
        label = localized(profile.label, lang)
        sources: dict[str, list[int]] = {}
        for e in profile.evidence:
            if e.shown:
                sources.setdefault(localized(e.measure.source_title, lang), []).append(e.cell.n)
        rows.append((label, kinds.get(c.kind, c.kind) + (f" ({c.actors})" if c.actors else ""), c.description or "–",
                     "; ".join(f"{name} (n = {_span(ns)})" for name, ns in sources.items()) or "–"))
        notes += [f"{label}: {pages.flag_text(flag, lang)}" for flag in profile.flags]
    table = pack.Table((gettext("Task"), gettext("Classification"), gettext("Description"), gettext("Sources (n)")),
                       tuple(rows))
    caption = gettext("Task profiles: %(n)d of %(total)d tasks classified; As of: %(date)s") % {
        "n": len(classified), "total": len(found), "date": day}
    return [pack.Block(gettext("Task profiles"), gettext(
        "Each task as the staff, the partners and the workshop see it, classified by the evaluators. The "
        "notes below the table name where the sources disagree; their rules are stated on the task profiles' page."),
        ((caption, table, tuple(notes)),))]


def _span(numbers: list[int]) -> str:
    low, high = min(numbers), max(numbers)
    return str(low) if low == high else f"{low}–{high}"


# The decision work's sections: functions (selection, lang, day) -> Blocks.
BLOCK_SOURCES: list = [profile_blocks, staffing_blocks]


def _audience(audience: str) -> str:
    if audience not in pack.AUDIENCES:
        abort(404)
    return audience


def _sources():
    """(surveys with questionnaire, workshops) that can go into a pack: no test runs."""
    store = get_store()
    surveys = [(s, get_questionnaire(s.questionnaire_id)) for s in store.list_surveys() if not s.test_run]
    workshops = []
    for entry in store.list_workshops():
        try:
            record = store.get_workshop(entry["id"])
        except DamagedDataError:
            continue
        if record is not None:
            workshops.append(workshop_from_record(record))
    return [(s, q) for s, q in surveys if q], workshops


def _survey_title(survey, questionnaire) -> dict:
    return {lang: " · ".join(filter(None, (text, survey.label))) for lang, text in questionnaire.title.items()}


def candidates() -> list[pack.Candidate]:
    surveys, workshops = _sources()
    found = []
    for survey, questionnaire in surveys:
        found += pack.survey_candidates(survey.id, _survey_title(survey, questionnaire), questionnaire,
                                        breakdown_questions(questionnaire))
    for workshop in workshops:
        found += pack.poll_candidates(workshop.id, {lang: workshop.title for lang in workshop.languages},
                                      workshop.polls)
    return found


def _stored(audience: str) -> tuple[pack.Selection, int]:
    record = get_decision_records().get_record(pack.KIND, audience)
    return pack.selection_from_value(audience, record), (record or {}).get("version", 0)


@bp.route("/pack/")
@role_required(*RESULT_ROLES)
def pack_index():
    records = dict(get_decision_records().list_records(pack.KIND))
    rows = [{"audience": a, "name": AUDIENCE_NAMES[a], "record": records.get(a),
             "selection": pack.selection_from_value(a, records.get(a))} for a in pack.AUDIENCES]
    return render_template("decisions/pack_index.html", rows=rows)


@bp.route("/pack/<audience>", methods=["GET", "POST"])
@role_required(*RESULT_ROLES)
def pack_selection(audience: str):
    audience = _audience(audience)
    lang = select_locale()
    offered = candidates()
    selection, version = _stored(audience)
    errors, form = {}, None
    if request.method == "POST":
        form = request.form.to_dict()
        selection, errors = pack.read_selection(audience, form, offered)
        if not errors:
            try:
                get_decision_records().put_record(pack.KIND, audience, selection.value(),
                                                  expected_version=_version(form.get("version")),
                                                  updated_by=current_user.username)
            except RecordConflict:
                errors["form"] = [gettext("Someone else saved this pack in the meantime: nothing was saved. "
                                          "Please reload the page and choose again.")]
            else:
                audit.record("committee_pack.saved", audience, items=len(selection.items))
                flash(gettext("The selection for the pack is saved."))
                return redirect(url_for(".pack_selection", audience=audience))
    chosen = {item.ref: (position, item) for position, item in enumerate(selection.items, start=1)}
    return render_template("decisions/pack.html", audience=audience, name=AUDIENCE_NAMES[audience],
                           selection=selection, version=version, candidates=offered, chosen=chosen,
                           form=form, errors=errors, lang=lang,
                           blocks_available=bool(BLOCK_SOURCES)), (422 if errors else 200)


def _version(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


@bp.route("/pack/<audience>/pack.<kind>")
@role_required(*RESULT_ROLES)
def pack_download(audience: str, kind: str):
    audience = _audience(audience)
    if kind not in FILES:
        abort(404)
    selection, version = _stored(audience)
    if not version:
        abort(409, description=gettext("No selection is saved for this pack yet: choose its questions first."))
    lang = select_locale()
    content = build_pack(selection, lang)
    body = (pack_docx if kind == "docx" else pack_pdf)(content, lang, gettext)
    name = f"{audience.replace('_', '-')}-{dt.date.today().isoformat()}.{kind}"
    return Response(body, mimetype=FILES[kind], headers={"Content-Disposition": f'attachment; filename="{name}"'})


def build_pack(selection: pack.Selection, lang: str, today: dt.date | None = None) -> pack.Pack:
    """The pack's content: every exhibit from the results' own findings (release plan) or the
    workshop's tally, in the selection's order."""
    day = (today or dt.date.today()).isoformat()
    surveys, workshops = _sources()
    surveys = {s.id: (s, q) for s, q in surveys}
    workshops = {w.id: w for w in workshops}
    exhibits, left_out, minimums, cache = [], [], set(), {}
    for item in selection.items:
        if item.kind == pack.QUESTION and item.source in surveys:
            survey, questionnaire = surveys[item.source]
            exhibit = _question(survey, questionnaire, item, lang, day, cache)
            if exhibit is not None:
                exhibits.append(exhibit)
                minimums.add(minimum_group_size(survey))
                continue
        elif item.kind == pack.POLL and item.source in workshops:
            workshop = workshops[item.source]
            poll = workshop.poll(item.item)
            if poll is not None and poll.type in pack.CHARTED_POLLS:
                minimum = minimum_for(workshop.min_group_size)
                exhibits.append(_poll(workshop, poll, minimum, lang, day))
                minimums.add(minimum)
                continue
        left_out.append(item.item)
    blocks = tuple(block for source in BLOCK_SOURCES for block in source(selection, lang, day))
    minimum = min(minimums) if minimums else minimum_for(None)
    method = pack.method_text(minimum, gettext)
    if len(minimums) > 1:
        method += (gettext("Some sources use a larger minimum group size: %(sizes)s.")
                   % {"sizes": ", ".join(str(m) for m in sorted(minimums))},)
    return pack.Pack(selection.title, str(AUDIENCE_NAMES[selection.audience]), day, selection.summary,
                     tuple(exhibits), blocks, method, tuple(left_out))


def _question(survey, questionnaire, item: pack.Item, lang: str, day: str, cache: dict):
    questions = {q.id: q for q in questionnaire.questions()}
    question = questions.get(item.item)
    if question is None or not pack.charted_question(question):
        return None
    by = questions.get(item.by) if item.by else None
    response_filter = None
    if item.filter:
        filter_question, _, value = item.filter.partition(":")
        if filter_question in questions and value in {o.value for o in options_of(questions[filter_question])}:
            response_filter = ResponseFilter(questions[filter_question], value)
    key = (survey.id, item.by, item.filter)
    if key not in cache:
        responses = counted_responses(survey).responses
        cache[key] = build_findings(questionnaire, responses, minimum_group_size(survey), response_filter=response_filter,
                                    by=by, plan=release_plan_for(survey, questionnaire, responses))
    findings = cache[key]
    section = next((s for s in findings.sections if s.question.id == question.id), None)
    context = pack.Context(localized(_survey_title(survey, questionnaire), lang), day,
                           filter_label(response_filter, lang) if response_filter else None,
                           localized(by.text, lang) if by else None)
    if section is None:   # nothing shown at all (too few in total or in the filter)
        section = Section(question, None, reason=findings.reason)
    return pack.question_exhibit(findings, section, context, lang, gettext)


def _poll(workshop, poll, minimum: int, lang: str, day: str) -> pack.Exhibit:
    latest = workshop.current_round(poll.id)
    data = None
    if latest is not None:
        result = tally(poll, cast_votes(get_store().votes(workshop.id, latest.run)), workshop.hidden_items)
        data = poll_chart(result, workshop)
    context = pack.Context(workshop.title, day)
    return pack.poll_exhibit(poll, data, minimum, context, lang, gettext)


def save_demo_pack() -> bool:
    """`flask demo`: the social committee's pack, unless one is saved already (True when saved)."""
    records = get_decision_records()
    if records.get_record(pack.KIND, "social_committee") is not None:
        return False
    selection = pack.demo_selection(candidates())
    try:
        records.put_record(pack.KIND, selection.audience, {**selection.value(), "demo": True},
                           expected_version=0, updated_by="demo")
    except RecordConflict:
        return False
    return True


def remove_demo_pack() -> bool:
    """`flask demo --remove`: the demo's pack, if nobody saved it since (True when removed)."""
    records = get_decision_records()
    record = records.get_record(pack.KIND, "social_committee")
    return bool(record and record.get("demo")) and records.delete_record(pack.KIND, "social_committee")
