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
from survey_app.web.catalogue import get_questionnaire
from survey_app.fieldings.fielding import (
    accepts_answers,
    build_response,
    fielding_state,
    nearest_visible_page,
    next_page,
    parse_day,
    previous_page,
    visible_pages,
)
from survey_app.web.forms import check_draft, draft_changes, page_form
from survey_app.web.i18n import select_locale
from survey_app.fieldings.invitations import token_hash
from survey_app.fieldings.progress import draft_with_code, new_resume_code, normalize_resume_code
from survey_app.fieldings.pseudonym import PARTS, build_code
from survey_app.definitions.model import EASY_GERMAN
from survey_app.storage.tinydb.store import InvitationUsedError
from survey_app.web.views.main import RETRY_AFTER, storage_failed

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
    questionnaire = get_questionnaire(survey["questionnaire_id"]) if survey else None
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


def _current_draft(survey: dict) -> dict | None:
    draft_id = session.get("drafts", {}).get(survey["id"])
    return get_store().get_draft(survey["id"], draft_id) if draft_id else None


def _remember_draft(survey: dict, draft: dict) -> None:
    drafts = dict(session.get("drafts", {}))
    drafts[survey["id"]] = draft["id"]
    session["drafts"] = drafts


INVITATION = "invitation"   # a fielding's access mode: only with a personal single-use link
CONFIDENTIAL = "confidential"  # a fielding whose responses carry the invitation number


def _invitation_token(survey: dict) -> str | None:
    return session.get("invitations", {}).get(survey["id"])


def _invitation_state(survey: dict) -> str:
    """"open" when no invitation is needed, else "unused", "used" or "missing"."""
    if survey.get("access") != INVITATION:
        return "open"
    token = _invitation_token(survey)
    state = get_store().invitation_state(survey["id"], token_hash(token)) if token else None
    return state or "missing"


def _may_answer(survey: dict) -> bool:
    return accepts_answers(survey, dt.date.today()) and _invitation_state(survey) in ("open", "unused")


@bp.route("/<slug>")
def start(slug: str):
    survey, questionnaire = _load(slug)
    if request.args.get("t") and survey.get("access") == INVITATION:
        # Keep the personal token in the session, out of the address bar and of referrers.
        session["invitations"] = {**session.get("invitations", {}), survey["id"]: request.args["t"]}
        return redirect(url_for(".start", slug=slug))
    return _render_start(survey, questionnaire)


def _render_start(survey, questionnaire, code_errors: dict | None = None):
    return render_template(
        "survey/start.html",
        survey=survey,
        state=fielding_state(survey, dt.date.today()),
        opens_on=parse_day(survey.get("opens_on")),
        questionnaire=questionnaire,
        lang=language_for(questionnaire),
        draft=_current_draft(survey),
        invitation=_invitation_state(survey),
        code_parts=PARTS if survey.get("pseudonym") else (),
        code_errors=code_errors or {},
        form=FlaskForm(),
    ), (422 if code_errors else 200)


@bp.route("/<slug>/start", methods=["POST"])
def begin(slug: str):
    survey, questionnaire = _load(slug)
    if not _may_answer(survey):  # the start page says why
        return redirect(url_for(".start", slug=slug))
    draft = _current_draft(survey)
    if not draft or draft["status"] != "open" or request.form.get("restart"):
        pseudonym = None
        if survey.get("pseudonym"):
            pseudonym, errors = build_code({part.name: request.form.get(f"code-{part.name}") for part in PARTS})
            if errors:
                return _render_start(survey, questionnaire, errors)
        draft = get_store().create_draft(survey["id"], language_for(questionnaire), new_resume_code(), pseudonym)
        _remember_draft(survey, draft)
    return redirect(url_for(".page", slug=slug, number=draft.get("page", 0) + 1))


@bp.route("/<slug>/p/<int:number>", methods=["GET", "POST"])
def page(slug: str, number: int):
    survey, questionnaire = _load(slug)
    if not _may_answer(survey):  # the start page says why
        return redirect(url_for(".start", slug=slug))
    draft = _current_draft(survey)
    if not draft:
        return redirect(url_for(".start", slug=slug))
    if draft["status"] == "submitted":
        return redirect(url_for(".thanks", slug=slug))
    if not 1 <= number <= len(questionnaire.pages):
        abort(404)
    index = number - 1
    shown = nearest_visible_page(questionnaire, draft["answers"], index)
    if shown != index:  # the answers hide this page (e.g. after going back and changing one)
        return redirect(url_for(".page", slug=slug, number=shown + 1))
    lang = language_for(questionnaire)
    if request.method == "GET":
        form = page_form(questionnaire, index, lang, draft["answers"], entered=draft.get("entered"))
        if request.args.get("incomplete") == "1":  # sent here on submit: say what is wrong
            form.validate()
        return render_page(survey, questionnaire, index, form, lang, draft["answers"])

    try:
        return _post_page(survey, questionnaire, draft, index, lang)
    except OSError as error:
        if not storage_failed(error):
            raise
        # The write was refused, so the draft is as before: the page again, with everything
        # as it was sent and a note; pressing the button again retries (submit is idempotent).
        form = page_form(questionnaire, index, lang, draft["answers"], formdata=request.form)
        return render_page(survey, questionnaire, index, form, lang, draft["answers"], not_stored=True), \
            503, RETRY_AFTER


def _post_page(survey, questionnaire, draft, index: int, lang: str):
    """A posted page: "Back", "Save" or "Next" (which submits after the last page)."""
    slug, store = survey["slug"], get_store()
    form = page_form(questionnaire, index, lang, draft["answers"], formdata=request.form)
    valid = form.validate()  # CSRF was already checked for every POST by CSRFProtect
    # Everything typed is kept in the draft, also what is incomplete or invalid; only
    # answers that pass every check count for branching and reach the response.
    answers, entered = draft_changes(form)
    action = request.form.get("action", "next")
    if action == "back":
        back = previous_page(questionnaire, _merged(draft["answers"], answers), index)
        store.update_draft(survey["id"], draft["id"], answers=answers, entered=entered, page=back, language=lang)
        return redirect(url_for(".page", slug=slug, number=back + 1))
    if action == "save":  # give the respondent a way back in later
        store.update_draft(survey["id"], draft["id"], answers=answers, entered=entered, page=index, language=lang)
        return redirect(url_for(".saved", slug=slug))
    if not valid:
        draft = store.update_draft(survey["id"], draft["id"], answers=answers, entered=entered, language=lang) or draft
        return render_page(survey, questionnaire, index, form, lang, draft["answers"]), 422

    # Without JavaScript an answer on this page can reveal a question the respondent has
    # not seen yet: then the page is shown again instead of moving on past it.
    appeared = _questions_appeared(form)
    following = None if appeared else next_page(questionnaire, _merged(draft["answers"], answers), index)
    draft = store.update_draft(survey["id"], draft["id"], answers=answers, entered=entered,
                               page=index if following is None else following, language=lang)
    if draft["status"] == "submitted":  # a second click raced the first one
        return redirect(url_for(".thanks", slug=slug))
    if appeared:
        return render_page(survey, questionnaire, index, form, lang, draft["answers"], appeared=True)
    if following is not None:
        return redirect(url_for(".page", slug=slug, number=following + 1))

    problem, checked = check_draft(questionnaire, lang, draft)
    if problem is not None:
        store.update_draft(survey["id"], draft["id"], page=problem)
        return redirect(url_for(".page", slug=slug, number=problem + 1, incomplete=1))
    invitation = _invitation_token(survey) if survey.get("access") == INVITATION else None
    response = build_response(survey, questionnaire, {**draft, "answers": checked})
    try:
        store.submit_draft(survey["id"], draft["id"], response,
                           invitation=token_hash(invitation) if invitation else None,
                           record_invitation=survey.get("anonymity") == CONFIDENTIAL)
    except InvitationUsedError:  # used up in another browser meanwhile
        return redirect(url_for(".start", slug=slug))
    return redirect(url_for(".thanks", slug=slug))


def _merged(stored: dict, changes: dict) -> dict:
    """The draft's answers after `changes` (None deletes), as Store.update_draft merges them."""
    merged = {**stored, **changes}
    return {key: value for key, value in merged.items() if value is not None}


def _questions_appeared(form) -> bool:
    """True when a question is shown now that was not on the page the respondent sent
    (the page lists them in "shown_questions"; survey.js keeps that list up to date)."""
    if "shown_questions" not in request.form:
        return False
    seen = set(request.form["shown_questions"].split())
    return any(q.has_answer and q.id not in seen for q in form.page.questions if q.id not in form.hidden)


def render_page(survey, questionnaire, index, form, lang, answers, appeared=False, preview=False,
                not_stored=False):
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
    if not draft or draft["status"] != "submitted":
        return redirect(url_for(".start", slug=slug))
    return render_template("survey/thanks.html", survey=survey, questionnaire=questionnaire,
                           lang=language_for(questionnaire))


@bp.route("/<slug>/saved")
def saved(slug: str):
    """The resume link and code of the respondent's draft, to bookmark or write down."""
    survey, questionnaire = _load(slug)
    draft = _current_draft(survey)
    if not draft or draft["status"] != "open" or not draft.get("resume_code"):
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
    drafts, damaged = get_store().read_drafts(survey["id"])
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
