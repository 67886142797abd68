"""Respondents: start page, paged form, thank-you page. No account needed."""
from __future__ import annotations

import datetime as dt

from babel import Locale, UnknownLocaleError
from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from survey_app.web import guessing
from survey_app.definitions.conditions import as_data, live_conditions
from survey_app.web.db import get_store
from survey_app.web.plans import plan_after_submission
from survey_app.web.catalogue import get_questionnaire
from survey_app.fieldings import respondent
from survey_app.fieldings.model import Fielding
from survey_app.fieldings.navigation import next_page, visible_pages
from survey_app.web.forms import check_draft, draft_changes, page_form
from survey_app.web.i18n import select_locale
from survey_app.fieldings.drafts import is_open, is_submitted, new_draft, submitted_draft
from survey_app.fieldings.progress import draft_with_code, new_resume_code, normalize_resume_code
from survey_app.fieldings.pseudonym import PARTS, build_code
from survey_app.definitions.model import EASY_GERMAN
from survey_app.web.unavailable import RETRY_AFTER, message as unavailable_message
from survey_app.web.views.main import storage_failed

bp = Blueprint("survey", __name__, url_prefix="/s")

# Names of language variants that Babel does not know, in their own language.
VARIANT_NAMES = {EASY_GERMAN: "Deutsch – Leichte Sprache"}


bp.add_app_template_global(as_data, "condition_data")


@bp.app_template_global()
def language_direction(code: str) -> str:
    """"rtl" for right-to-left languages (Arabic, Farsi, Hebrew, Urdu, ...), else "ltr"."""
    try:
        return Locale.parse(code.split("-x-")[0]).text_direction
    except (ValueError, UnknownLocaleError):
        return "ltr"


@bp.app_template_global()
def language_label(code: str) -> str:
    """A language's name in that language, as a respondent looks for it."""
    if code in VARIANT_NAMES:
        return VARIANT_NAMES[code]
    try:
        return Locale.parse(code.split("-x-")[0]).get_display_name()
    except (ValueError, UnknownLocaleError):
        return code


@bp.app_template_global()
def html_language(code: str) -> str:
    """BCP 47 form for the lang attribute: pt_BR -> pt-BR."""
    return code.replace("_", "-")


def _load(slug: str):
    survey = get_store().find_survey_by_slug(slug)
    questionnaire = get_questionnaire(survey.questionnaire_id) if survey else None
    if not questionnaire:
        abort(404)
    return survey, questionnaire


def language_for(questionnaire) -> str:
    """The questionnaire language: the one the respondent picked if the definition has it
    (any code, e.g. ar or de-x-easy), else the interface language, else the default."""
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in questionnaire.languages:
        return chosen
    interface = select_locale()
    return interface if interface in questionnaire.languages else questionnaire.default_language


def _current_draft(survey: Fielding) -> dict | None:
    """The respondent's draft; for one submitted (and so deleted) only that it was submitted."""
    draft_id = session.get("drafts", {}).get(survey.id)
    if not draft_id:
        return None
    draft = get_store().get_draft(survey.id, draft_id)
    if draft is None and get_store().was_submitted(survey.id, draft_id):
        return submitted_draft(draft_id)
    return draft


def _remember_draft(survey: Fielding, draft: dict) -> None:
    drafts = dict(session.get("drafts", {}))
    drafts[survey.id] = draft["id"]
    session["drafts"] = drafts


def _invitation_token(survey: Fielding) -> str | None:
    return session.get("invitations", {}).get(survey.id)


def _may_answer(survey: Fielding) -> bool:
    return respondent.may_answer(get_store(), survey, _invitation_token(survey), dt.date.today())


@bp.route("/<slug>")
def start(slug: str):
    survey, questionnaire = _load(slug)
    if request.args.get("t") and survey.needs_invitation:
        # Keep the personal token in the session, out of the address bar and of referrers.
        session["invitations"] = {**session.get("invitations", {}), survey.id: request.args["t"]}
        return redirect(url_for(".start", slug=slug))
    return _render_start(survey, questionnaire)


def _render_start(survey, questionnaire, code_errors: dict | None = None):
    return render_template(
        "survey/start.html",
        survey=survey,
        state=survey.state(dt.date.today()),
        opens_on=survey.opens_day,
        questionnaire=questionnaire,
        lang=language_for(questionnaire),
        draft=_current_draft(survey),
        invitation=respondent.invitation_status(get_store(), survey, _invitation_token(survey)),
        code_parts=PARTS if survey.pseudonym else (),
        code_errors=code_errors or {},
        form=FlaskForm(),
    ), (422 if code_errors else 200)


@bp.route("/<slug>/start", methods=["POST"])
def begin(slug: str):
    survey, questionnaire = _load(slug)
    if not _may_answer(survey):  # the start page says why
        return redirect(url_for(".start", slug=slug))
    draft = _current_draft(survey)
    if not draft or not is_open(draft) or request.form.get("restart"):
        pseudonym = None
        if survey.pseudonym:
            pseudonym, errors = build_code({part.name: request.form.get(f"code-{part.name}") for part in PARTS})
            if errors:
                return _render_start(survey, questionnaire, errors)
        draft = get_store().add_draft(survey.id, new_draft(survey.id, language_for(questionnaire),
                                                              new_resume_code(), pseudonym))
        _remember_draft(survey, draft)
    return redirect(url_for(".page", slug=slug, number=draft.get("page", 0) + 1))


@bp.route("/<slug>/p/<int:number>", methods=["GET", "POST"])
def page(slug: str, number: int):
    survey, questionnaire = _load(slug)
    draft = _current_draft(survey)
    arrived = respondent.arrive(questionnaire, draft, number, _may_answer(survey))
    if not isinstance(arrived, respondent.Show):
        return _follow(survey, arrived)
    index, lang = arrived.index, language_for(questionnaire)
    if request.method == "GET":
        form = page_form(questionnaire, index, lang, draft["answers"], entered=draft.get("entered"))
        if request.args.get("incomplete") == "1":  # sent here on submit: say what is wrong
            form.validate()
        return render_page(survey, questionnaire, index, form, lang, draft["answers"])

    form = page_form(questionnaire, index, lang, draft["answers"], formdata=request.form)
    valid = form.validate()  # CSRF was already checked for every POST by CSRFProtect
    answers, entered = draft_changes(form)
    appeared = respondent.questions_appeared(questionnaire, index, form.visible_question_ids(),
                                             request.form.get("shown_questions"))
    action, language = request.form.get("action", respondent.NEXT), lang
    if request.form.get("switch_language") in questionnaire.languages:  # a language of the header
        action, language = respondent.LANGUAGE, request.form["switch_language"]
        session["lang"] = language
    posted = respondent.Posted(action, valid, answers, entered, language, appeared)
    try:
        outcome = respondent.post_page(get_store(), survey, questionnaire, draft, index, posted,
                                       lambda d: check_draft(questionnaire, lang, d), _invitation_token(survey))
    except OSError as error:
        if not storage_failed(error):
            raise
        # The write was refused, so the draft is as before: the page again, with everything
        # as it was sent and a note; pressing the button again retries (submit is idempotent).
        form = page_form(questionnaire, index, lang, draft["answers"], formdata=request.form)
        return render_page(survey, questionnaire, index, form, lang, draft["answers"],
                           not_stored=unavailable_message("answers", error)), 503, RETRY_AFTER
    if isinstance(outcome, respondent.Redirect) and outcome.to == respondent.THANKS:
        plan_after_submission(survey)   # the results' release plan of the new state, in the background
    return _follow(survey, outcome, questionnaire, form, lang)


def _follow(survey: Fielding, outcome: respondent.Outcome, questionnaire=None, form=None, lang=None):
    """The redirect or page for an outcome of fieldings.respondent."""
    if isinstance(outcome, respondent.NotFound):
        abort(404)
    if isinstance(outcome, respondent.Kept):  # survey.js autosaving: nothing to show
        return "", 204 if outcome.stored else 409
    if isinstance(outcome, respondent.Show):
        return render_page(survey, questionnaire, outcome.index, form, lang, outcome.answers,
                           appeared=outcome.appeared), outcome.status
    if outcome.to == respondent.PAGE:
        return redirect(url_for(".page", slug=survey.slug, number=outcome.page + 1,
                                **({"incomplete": 1} if outcome.incomplete else {})))
    return redirect(url_for(PAGES[outcome.to], slug=survey.slug))


PAGES = {respondent.START: ".start", respondent.SAVED: ".saved", respondent.THANKS: ".thanks"}


def render_page(survey, questionnaire, index, form, lang, answers, appeared=False, preview=False,
                not_stored: str | None = None):
    """One questionnaire page as respondents see it (also the admins' preview)."""
    pages = visible_pages(questionnaire, answers)
    return render_template(
        "survey/page.html",
        survey=survey,
        questionnaire=questionnaire,
        page=questionnaire.pages[index],
        position=pages.index(index) + 1,     # among the pages that apply; this one always does
        total=len(pages),
        is_last=next_page(questionnaire, answers, index) is None,
        form=form,
        lang=lang,
        live=live_conditions(questionnaire, index, answers),
        incomplete=request.args.get("incomplete") == "1",
        appeared=appeared,
        preview=preview,
        not_stored=not_stored,
    )


@bp.route("/<slug>/thanks")
def thanks(slug: str):
    survey, questionnaire = _load(slug)
    draft = _current_draft(survey)
    if not draft or not is_submitted(draft):
        return redirect(url_for(".start", slug=slug))
    return render_template("survey/thanks.html", survey=survey, questionnaire=questionnaire,
                           lang=language_for(questionnaire))


@bp.route("/<slug>/saved")
def saved(slug: str):
    """The resume link and code of the respondent's draft, to bookmark or write down."""
    survey, questionnaire = _load(slug)
    draft = _current_draft(survey)
    if not draft or not is_open(draft) or not draft.get("resume_code"):
        return redirect(url_for(".start", slug=slug))
    return render_template("survey/saved.html", survey=survey, questionnaire=questionnaire,
                           lang=language_for(questionnaire), code=draft["resume_code"], page_number=draft["page"] + 1)


@bp.route("/<slug>/resume", methods=["GET", "POST"])
@bp.route("/<slug>/resume/<code>")
def resume(slug: str, code: str | None = None):
    """Continue a saved questionnaire on any device, by link or by typing the code."""
    survey, questionnaire = _load(slug)
    lang = language_for(questionnaire)
    if request.method != "POST":
        # A link fills in the code and waits for one tap: a plain GET looks nothing up, so links
        # cannot be used to guess codes, and pages elsewhere cannot lock anybody out with them.
        return render_template("survey/resume.html", survey=survey, questionnaire=questionnaire, lang=lang,
                               form=FlaskForm(), code=code or "", error=None)
    typed = request.form.get("code", "")
    if guessing.locked_out(guessing.RESUME_CODE):
        return _resume_refused(survey, questionnaire, lang, typed, 429, _("Too many wrong codes from your network. "
                                                                            "Please wait a few minutes and try again."))
    normalized = normalize_resume_code(typed)
    drafts, damaged = get_store().read_drafts(survey.id)
    draft = draft_with_code(drafts, normalized) if normalized else None
    if draft is None:
        status = 429 if guessing.count_failure(guessing.RESUME_CODE) else 404
        message = _("No saved answers were found for this code. Please check it.")
        if damaged:
            message += " " + _("Some saved answers of this survey cannot be read because a file is damaged "
                               "(nothing was overwritten); if your code is right, yours may be among them. "
                               "Please tell the survey team.")
        return _resume_refused(survey, questionnaire, lang, typed, status, message)
    _remember_draft(survey, draft)
    return redirect(url_for(".page", slug=slug, number=draft["page"] + 1))


def _resume_refused(survey, questionnaire, lang, code, status, message):
    return render_template("survey/resume.html", survey=survey, questionnaire=questionnaire, lang=lang,
                           form=FlaskForm(), code=code, error=message), status
