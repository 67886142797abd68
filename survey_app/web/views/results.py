"""Evaluators: results per question with breakdowns and filters, downloads and the report.

Only the evaluator and admin roles reach these pages. Every number comes from
findings.build_findings, which asks the release plan of the survey's counted responses
(`release_plan_for`: one plan per data state, shared by every page and file) what may be
shown, over the responses `counted_responses` returns: the one place results read responses
(test runs and excluded responses left out). Response-level files come from
disclosure/microdata.py's `response_rows` (k-anonymous for evaluators; the untouched file only
for admins, after a confirmation, recorded in the audit log).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional

from survey_app.web import audit
from survey_app.analysis.summaries import answers_of, options_of
from survey_app.web.auth import RESULT_ROLES, role_required
from survey_app.analysis.breakdown import breakdown_questions
from survey_app.analysis.disclosure.microdata import EVALUATOR_META, ResponseFile, blanking_note, response_rows
from survey_app.output.charts import CONFIG, add_caption, breakdown_figure, figure_for, figure_json
from survey_app.analysis.counting import Counted, counted
from survey_app.web.db import get_store
from survey_app.web.minimum import app_minimum, minimum_group_size as minimum_for
from survey_app.web.plans import release_plan_for, shown_plan
from survey_app.web.catalogue import get_questionnaire, version_changes
from survey_app.fieldings.fielding import (
    compare_findings,
    fieldings_of,
    known_population,
    response_rates,
)
from survey_app.output.export import (
    aggregates_json,
    codebook_table,
    long_table,
    response_table,
    summary_table,
    to_csv,
)
from survey_app.analysis.disclosure.rules import OTHER_VERSION
from survey_app.output.statfiles import r_bundle, to_sav
from survey_app.output.xlsx import column_labels, results_workbook
from survey_app.analysis.findings import Findings, ResponseFilter, build_findings
from survey_app.web.i18n import select_locale
from survey_app.definitions.model import Question, Questionnaire, localized
from survey_app.fieldings.model import Fielding
from survey_app.fieldings.progress import completion
from survey_app.fieldings.pseudonym import codes_of, paired
from survey_app.output.report import report_html
from survey_app.web.headers import REPORT_POLICY
from survey_app.storage.interface import DamagedDataError
from survey_app.analysis.triangulation import (
    Triangulation,
    survey_observations,
    triangulate,
    workshop_observations,
)
from survey_app.workshops.model import cast_votes
from survey_app.workshops.records import workshop_from_record

bp = Blueprint("results", __name__, url_prefix="/results")

SELECTION_ARGS = ("by", "filter", "texts")  # what Selection reads from the query string


def minimum_group_size(survey: Fielding) -> int:
    return minimum_for(survey.min_group_size)


def counted_responses(survey: Fielding) -> Counted:
    """The responses of a survey that count in results, downloads, the report, comparisons,
    response rates and triangulation, with how many were left out and why."""
    return counted(survey, get_store().responses(survey.id))


def _count_if_readable(survey: Fielding) -> int | None:
    """How many responses count; None when one of the survey's files is damaged (listed with a note)."""
    try:
        return len(counted_responses(survey).responses)
    except DamagedDataError:
        return None


def _survey_and_questionnaire(survey_id: str):
    survey = get_store().get_survey(survey_id)
    questionnaire = get_questionnaire(survey.questionnaire_id) if survey else None
    if not questionnaire:
        abort(404)
    return survey, questionnaire


@dataclass
class Selection:
    """What the evaluator asked for in the query string: breakdown, filter, free texts."""
    by: Question | None
    response_filter: ResponseFilter | None
    include_texts: bool
    problem: str | None

    def query(self) -> dict:
        args = {}
        if self.by:
            args["by"] = self.by.id
        if self.response_filter:
            args["filter"] = f"{self.response_filter.question.id}:{self.response_filter.value}"
        if self.include_texts:
            args["texts"] = "1"
        return args


def _selection(questionnaire: Questionnaire, include_texts_default: bool) -> Selection:
    questions = {q.id: q for q in questionnaire.questions()}
    problem = None
    by = questions.get(request.args.get("by", ""))
    if request.args.get("by") and (by is None or not by.kind.can_break_down):
        by, problem = None, gettext("The breakdown question does not exist; showing all respondents together.")
    response_filter = None
    if request.args.get("filter"):
        question_id, _, value = request.args["filter"].partition(":")
        question = questions.get(question_id)
        if question and question.kind.can_filter and value in _option_values(question):
            response_filter = ResponseFilter(question, value)
        else:
            problem = gettext("The filter does not exist; showing all respondents.")
    texts = request.args.get("texts")
    include_texts = include_texts_default if texts is None else texts == "1"
    return Selection(by, response_filter, include_texts, problem)


def _option_values(question: Question) -> list[str]:
    return [o.value for o in options_of(question)]


def _findings(survey, questionnaire, selection: Selection, responses=None, plan=None) -> Findings:
    """The findings of these responses; `plan` is their release plan (default: looked up)."""
    responses = counted_responses(survey).responses if responses is None else responses
    return build_findings(
        questionnaire,
        responses,
        minimum_group_size(survey),
        response_filter=selection.response_filter,
        by=selection.by,
        hidden_texts=survey.hidden_texts,
        include_texts=selection.include_texts,
        plan=plan or release_plan_for(survey, questionnaire, responses),
    )


def chart_caption(findings: Findings, missing: int, lang: str) -> str:
    """What a chart shows, written on the chart itself."""
    parts = [gettext("without answer: %(n)d", n=missing)] if missing is not None else []
    if findings.response_filter:
        parts.append(gettext("filter: %(filter)s", filter=filter_label(findings.response_filter, lang)))
    parts.append(version_label(findings))
    return " · ".join(part for part in parts if part)


def version_label(findings: Findings) -> str:
    """How many questionnaire versions the numbers pool, when more than one. No content hash
    (it means nothing to a reader) and no day (the day a version was first answered can be one
    person's day of submission); versions answered by fewer than the minimum are counted
    together as one "other version" (findings.versions is pooled)."""
    count = len(findings.versions)
    return gettext("answers to %(n)d questionnaire versions", n=count) if count > 1 else ""


def filter_label(response_filter: ResponseFilter, lang: str) -> str:
    question = response_filter.question
    value = next(localized(o.label, lang) for o in options_of(question) if o.value == response_filter.value)
    return f"{localized(question.text, lang)} = {value}"


def chart_json(findings: Findings, section, lang: str) -> str | None:
    """The section's plotly figure as JSON, safe inside <script type="application/json">."""
    if section.suppressed:
        return None
    if section.breakdown:
        figure = breakdown_figure(section.breakdown, lang, gettext)
    else:
        figure = figure_for(section.summary, lang, gettext)
    if figure is None:
        return None
    add_caption(figure, chart_caption(findings, section.summary.missing, lang))
    return figure_json(figure)


@bp.route("/")
@role_required(*RESULT_ROLES)
def index():
    store = get_store()
    today = dt.date.today()
    rows = []
    for survey in store.list_surveys():
        questionnaire = get_questionnaire(survey.questionnaire_id)
        rows.append({"survey": survey, "questionnaire": questionnaire, "state": survey.state(today),
                     "count": _count_if_readable(survey), "test_run": survey.test_run,
                     "minimum": minimum_group_size(survey)})
    return render_template("results/index.html", rows=rows, lang=select_locale())


def all_observations(store) -> tuple[list, list]:
    """What every survey and every workshop says about each construct; and the names of
    those left out because one of their files is damaged."""
    observations, left_out = [], []
    for survey in store.list_surveys():
        questionnaire = get_questionnaire(survey.questionnaire_id)
        if questionnaire and not survey.test_run:  # a test run is no instrument: not even an empty column
            try:
                responses = counted_responses(survey).responses
            except DamagedDataError:
                left_out.append({lang: " · ".join(filter(None, (text, survey.label)))
                                 for lang, text in questionnaire.title.items()})
                continue
            observations += survey_observations(survey.slug, questionnaire, responses, minimum_group_size(survey),
                                                release_plan_for(survey, questionnaire, responses))
    for entry in store.list_workshops():
        try:
            record = store.get_workshop(entry["id"])
            if record is None:
                continue
            workshop = workshop_from_record(record)
            runs = {r.run for rounds in workshop.rounds.values() for r in rounds[-1:]}
            votes = {run: cast_votes(store.votes(workshop.id, run)) for run in runs}
        except DamagedDataError:
            left_out.append({"de": entry.get("title") or entry["join_code"]})
            continue
        minimum = minimum_for(workshop.min_group_size)
        observations += workshop_observations(workshop, votes, minimum)
    return observations, left_out


def triangulation_for(survey: Fielding | None = None) -> Triangulation:
    """All constructs shared between instruments; with `survey`, only rows it takes part in."""
    observations, left_out = all_observations(get_store())
    result = replace(triangulate(observations), left_out=tuple(left_out))
    if survey is None:
        return result
    columns = {i for i, m in enumerate(result.measures) if m.source == survey.slug}
    return replace(result, rows=tuple(r for r in result.rows if columns & set(r.cells)))


@bp.route("/triangulation")
@role_required(*RESULT_ROLES)
def triangulation():
    return render_template("results/triangulation.html", result=triangulation_for(), lang=select_locale())


class GroupSizeForm(FlaskForm):
    min_group_size = IntegerField(validators=[InputRequired()])


@bp.route("/<survey_id>")
@role_required(*RESULT_ROLES)
def survey(survey_id: str):
    survey, questionnaire = _survey_and_questionnaire(survey_id)
    lang = select_locale()
    selection = _selection(questionnaire, include_texts_default=False)
    found = counted_responses(survey)
    # right after new responses: the last planned state until theirs is ready (never new data
    # under an old plan; the page says how many are being included)
    planned = shown_plan(survey, questionnaire, found.responses)
    responses = planned.responses
    findings = _findings(survey, questionnaire, selection, responses, planned.plan)
    charts = {s.question.id: chart_json(findings, s, lang) for s in findings.sections}
    filters = [(q, options_of(q)) for q in questionnaire.questions() if q.kind.can_filter]
    return render_template(
        "results/survey.html",
        survey=survey,
        questionnaire=questionnaire,
        findings=findings,
        charts=charts,
        selection=selection,
        breakdown_choices=breakdown_questions(questionnaire),
        filter_choices=filters,
        lang=lang,
        chart_config=json.dumps(CONFIG),
        group_size_form=GroupSizeForm(min_group_size=minimum_group_size(survey)),
        completion=completion([], 0) if found.test_run else completion(get_store().list_drafts(survey.id),
                                                                      get_store().count_submitted(survey.id)),
        counted=found,
        version_changes={version: version_changes(get_store(), questionnaire, version)
                         for version in findings.versions if version not in (questionnaire.content_hash, OTHER_VERSION)},
        default_minimum=app_minimum(),
        rates=response_rates(questionnaire, survey, planned.plan),
        pending=planned.pending,
        blanking=_blanking_note(planned.plan),
        other_fieldings=[s for s in fieldings_of(get_store(), questionnaire.id)
                         if s.id != survey.id and not s.test_run],
    )


@bp.route("/<survey_id>/settings", methods=["POST"])
@role_required(*RESULT_ROLES)
def settings(survey_id: str):
    survey, _ = _survey_and_questionnaire(survey_id)
    floor = app_minimum()
    form = GroupSizeForm()
    form.min_group_size.validators.append(NumberRange(min=floor, max=1000))
    if form.validate_on_submit():
        get_store().update_survey(survey.id, min_group_size=form.min_group_size.data)
        flash(gettext("The minimum group size is now %(n)d.", n=form.min_group_size.data))
    else:
        flash(gettext("The minimum group size must be a whole number of at least %(n)d.", n=floor))
    return redirect(url_for(".survey", survey_id=survey.id))


@bp.route("/<survey_id>/compare/<other_id>")
@role_required(*RESULT_ROLES)
def compare(survey_id: str, other_id: str):
    """Two fieldings of one questionnaire (e.g. baseline and follow-up) side by side, each
    with its own minimum group size; free texts are left out."""
    survey, questionnaire = _survey_and_questionnaire(survey_id)
    other = get_store().get_survey(other_id)
    if other is None or other.id == survey.id or other.questionnaire_id != survey.questionnaire_id:
        abort(404)
    everyone = Selection(by=None, response_filter=None, include_texts=False, problem=None)
    counts = [counted_responses(s) for s in (survey, other)]
    responses = [c.responses for c in counts]
    sides = [_findings(s, questionnaire, everyone, found) for s, found in zip((survey, other), responses)]
    pairs = paired(*(codes_of(found) for found in responses))
    return render_template("results/compare.html", surveys=(survey, other), questionnaire=questionnaire,
                           pairs=pairs if survey.pseudonym and other.pseudonym else None,
                           sides=sides, counted=counts, compared=compare_findings(*sides), lang=select_locale(),
                           summaries=[{x.question.id: x.summary for x in side.sections} for side in sides])


MAX_PEOPLE = 1_000_000


def _known_sizes_form(question: Question | None, lang: str, formdata=None, **data) -> FlaskForm:
    """One number field per option of the chosen question ("size-<value>") and the total."""
    fields = {"population": IntegerField(lazy_gettext("Everybody asked to take part (total)"), validators=[
        Optional(), NumberRange(min=1, max=MAX_PEOPLE, message=lazy_gettext(
            "Please enter a whole number from %(min)d to %(max)d, or leave it empty."))])}
    for option in options_of(question) if question else ():
        fields[f"size-{option.value}"] = IntegerField(localized(option.label, lang), validators=[
            Optional(), NumberRange(min=0, max=MAX_PEOPLE, message=lazy_gettext(
                "Please enter a whole number from %(min)d to %(max)d, or leave it empty."))])
    form_class = type("KnownSizesForm", (FlaskForm,), fields)
    return form_class(formdata=formdata, data=data) if formdata is None else form_class()


@bp.route("/<survey_id>/group-sizes", methods=["GET", "POST"])
@role_required(*RESULT_ROLES)
def group_sizes(survey_id: str):
    """Known sizes of the groups of one single-choice question (or only the total), from
    which the results page computes response rates."""
    survey, questionnaire = _survey_and_questionnaire(survey_id)
    lang = select_locale()
    stored_question, stored_sizes, _population = known_population(questionnaire, survey)
    choices = breakdown_questions(questionnaire)
    chosen_id = request.values.get("question", stored_question.id if stored_question else "")
    question = next((q for q in choices if q.id == chosen_id), None)
    if request.method == "GET":
        sizes = stored_sizes if question and question == stored_question else {}
        form = _known_sizes_form(question, lang, population=survey.population,
                                 **{f"size-{value}": n for value, n in sizes.items()})
    else:
        form = _known_sizes_form(question, lang, formdata=request.form)
        if form.validate_on_submit():
            sizes = {o.value: form[f"size-{o.value}"].data for o in options_of(question)
                     if form[f"size-{o.value}"].data is not None} if question else {}
            if form.population.data and sum(sizes.values()) > form.population.data:
                form.population.errors.append(gettext(
                    "The total is smaller than the groups together (%(n)d).", n=sum(sizes.values())))
            else:
                get_store().update_survey(survey.id, population=form.population.data,
                                          group_sizes={"question": question.id, "sizes": sizes} if sizes else None)
                flash(gettext("The known group sizes are saved."))
                return redirect(url_for(".survey", survey_id=survey.id) + "#rates-heading")
    return render_template("results/group_sizes.html", survey=survey, questionnaire=questionnaire, form=form,
                           question=question, choices=choices, lang=lang), (422 if form.errors else 200)


@bp.route("/<survey_id>/texts/<question_id>/<response_id>", methods=["POST"])
@role_required(*RESULT_ROLES)
def toggle_text(survey_id: str, question_id: str, response_id: str):
    """Hide a free-text answer from reports and downloads (or show it again); the stored
    response itself is never changed."""
    survey, questionnaire = _survey_and_questionnaire(survey_id)
    if question_id not in {q.id for q in questionnaire.questions()} or \
            response_id not in {r.get("id") for r in counted_responses(survey).responses}:
        abort(404)
    # Only the page's own selection goes back into the address (a stray ?survey_id= must not
    # break the redirect after the change is saved).
    back = url_for(".survey", survey_id=survey.id,
                   **{key: request.args[key] for key in SELECTION_ARGS if key in request.args})
    hidden = {k: list(v) for k, v in survey.hidden_texts.items()}
    ids = hidden.setdefault(question_id, [])
    if response_id in ids:
        ids.remove(response_id)
    else:
        ids.append(response_id)
    get_store().update_survey(survey.id, hidden_texts=hidden)
    return redirect(f"{back}#result-{question_id}")


DOWNLOADS = {
    "responses.csv": "text/csv",
    "responses-long.csv": "text/csv",
    "codebook.csv": "text/csv",
    "results.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "responses.sav": "application/x-spss-sav",
    "responses-r.zip": "application/zip",
    "aggregates.json": "application/json",
    "report.html": "text/html",
}


RESPONSE_FILES = ("responses.csv", "responses-long.csv", "results.xlsx", "responses.sav",
                  "responses-r.zip")   # one row per response


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the admin confirms the untouched download with a POST."""


@bp.route("/<survey_id>/download/<name>", methods=["GET", "POST"])
@role_required(*RESULT_ROLES)
def download(survey_id: str, name: str):
    """Aggregates follow the page's filter and breakdown; response-level files never do. For
    evaluators they are microdata (disclosure/microdata.py); `?untouched=1` gives an admin
    the file as stored, after a confirmation (POST with CSRF), recorded in the audit log."""
    if name not in DOWNLOADS:
        abort(404)
    survey, questionnaire = _survey_and_questionnaire(survey_id)
    lang = select_locale()
    untouched = request.args.get("untouched") == "1"
    if untouched and (name not in RESPONSE_FILES or current_user.role != "admin"):
        abort(403)
    if request.method == "POST" and not untouched:
        abort(405)
    # Shared files leave free texts out unless the evaluator asks for them.
    selection = _selection(questionnaire, include_texts_default=False)
    found = counted_responses(survey)
    if found.test_run:
        abort(409, description=gettext(
            "This fielding is a test run: its responses are not counted, so there is nothing to download."))
    responses = found.responses
    findings = _findings(survey, questionnaire, selection, responses)
    if findings.blocked == "total" or (findings.blocked and name not in RESPONSE_FILES):
        abort(409, description=gettext(
            "Nothing can be downloaded for this selection: the plan that protects small groups does not "
            "show it (fewer than %(n)d people, or a group from which such a group could be worked out).",
            n=findings.minimum))
    if untouched:
        form = ConfirmForm()
        if request.method == "GET" or not form.validate_on_submit():
            return render_template("results/confirm_untouched.html", survey=survey, questionnaire=questionnaire,
                                   name=name, form=form, selection=selection, lang=lang)

    if name == "aggregates.json":
        body = aggregates_json(findings, lang)
    elif name == "codebook.csv":
        body = to_csv(*codebook_table(questionnaire, lang, selection.include_texts, (),
                                      meta=EVALUATOR_META))
    elif name == "report.html":
        body = report_html(findings, lang, gettext, _chart_jsons(findings, lang), survey,
                           triangulation=triangulation_for(survey),
                           filter_label=filter_label(findings.response_filter, lang) if findings.response_filter else None,
                           completion=completion(get_store().list_drafts(survey.id), get_store().count_submitted(survey.id)),
                           excluded=found.excluded, demo=found.demo)
    else:
        file = response_file(survey, questionnaire, responses, selection.include_texts, untouched)
        if untouched:
            audit.record("download.untouched", survey.slug, file=name, rows=len(file.rows),
                         free_texts=file.include_texts)
        else:
            audit.record("download.raw", survey.slug, file=name, rows=len(file.rows),
                         free_texts=file.include_texts)
        body = response_download(questionnaire, file, name, findings, lang)
    data = body.encode("utf-8") if isinstance(body, str) else body
    suffix = "-untouched" if untouched else ""
    headers = {"Content-Disposition": f'attachment; filename="{survey.slug}{suffix}-{name}"'}
    if name == "report.html":  # self-contained, scripts inline: its own policy (web/headers.py)
        headers["Content-Security-Policy"] = REPORT_POLICY
    return Response(data, mimetype=DOWNLOADS[name], headers=headers)


def _blanking_note(plan) -> str | None:
    """What the response-level files of the shown state blank, once known (the background
    works it out after the plan, a download finds it too)."""
    blanked = plan.blanked(compute=False)
    return None if blanked is None else blanking_note(blanked, plan.minimum).render(gettext)


def response_file(survey: Fielding, questionnaire: Questionnaire, responses, include_texts: bool,
                  untouched: bool = False) -> ResponseFile:
    """The rows and columns of a response-level file for this survey (every format's writer
    takes them from here): free texts only when asked for and shown for everybody by the plan."""
    plan = release_plan_for(survey, questionnaire, responses)
    texts = frozenset(q.id for q in questionnaire.questions() if q.kind.is_free_text and include_texts
                      and (untouched or plan.answers(q.id).shown))
    file = response_rows(questionnaire, responses, minimum_group_size(survey), untouched=untouched,
                         texts=texts, hidden_texts=survey.hidden_texts,
                         extra=extra_columns(survey) if untouched else ())
    if not untouched:
        plan.know_blanked(file.blanked)     # the page's note says the same
    return file


def response_download(questionnaire: Questionnaire, file: ResponseFile, name: str, findings: Findings,
                      lang: str) -> str | bytes:
    """Every format of a response-level download from the same rows and columns (`file`);
    a microdata file says what it blanked for k-anonymity (CSV: a last row starting with "#",
    XLSX: a sheet, SPSS: the file's notes, R: README.txt)."""
    include_texts = file.include_texts
    note = None if file.untouched else blanking_note(file.blanked, findings.minimum).render(gettext)
    if name in ("responses-long.csv", "responses.csv"):
        headers, rows = (long_table(questionnaire, file.rows, include_texts, id_column=file.meta[0])
                         if name == "responses-long.csv" else
                         response_table(questionnaire, file.rows, include_texts, meta=file.meta))
        return to_csv(headers, rows, comment=note)
    table = response_table(questionnaire, file.rows, include_texts, meta=file.meta)
    codebook = codebook_table(questionnaire, lang, include_texts, meta=file.meta)
    if name in ("responses.sav", "responses-r.zip"):   # the CSV's table, labelled (output/statfiles.py)
        writer = to_sav if name == "responses.sav" else r_bundle
        return writer(questionnaire, *table, column_labels(codebook, gettext), lang, gettext, note=note)
    return results_workbook(table, summary_table(findings, lang), codebook, gettext, note=note)


def extra_columns(survey: Fielding) -> list[str]:
    """The pseudonym and invitation columns a fielding's response downloads carry."""
    return [column for column, wanted in (("pseudonym", survey.pseudonym),
                                          ("invitation", survey.records_invitation)) if wanted]


def _chart_jsons(findings: Findings, lang: str) -> dict[str, str]:
    return {s.question.id: chart_json(findings, s, lang) for s in findings.sections}
