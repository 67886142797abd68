"""Respondents: start page, paged form, thank-you page. No account needed."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm

from ..db import get_store
from ..definitions import get_questionnaire
from ..fielding import build_response, first_incomplete_page
from ..forms import answers_from_form, page_form
from ..i18n import select_locale

bp = Blueprint("survey", __name__, url_prefix="/s")


def _load(slug: str):
    survey = get_store().find_survey_by_slug(slug)
    questionnaire = get_questionnaire(survey["questionnaire_id"]) if survey else None
    if not questionnaire:
        abort(404)
    return survey, questionnaire


def _language(questionnaire) -> str:
    lang = select_locale()
    return lang if lang in questionnaire.languages else questionnaire.default_language


def _current_draft(survey: dict) -> dict | None:
    draft_id = session.get("drafts", {}).get(survey["id"])
    return get_store().get_draft(survey["id"], draft_id) if draft_id else None


def _remember_draft(survey: dict, draft: dict) -> None:
    drafts = dict(session.get("drafts", {}))
    drafts[survey["id"]] = draft["id"]
    session["drafts"] = drafts


@bp.route("/<slug>")
def start(slug: str):
    survey, questionnaire = _load(slug)
    return render_template(
        "survey/start.html",
        survey=survey,
        questionnaire=questionnaire,
        lang=_language(questionnaire),
        draft=_current_draft(survey),
        form=FlaskForm(),
    )


@bp.route("/<slug>/start", methods=["POST"])
def begin(slug: str):
    survey, questionnaire = _load(slug)
    if survey["status"] != "open":
        return redirect(url_for(".start", slug=slug))
    draft = _current_draft(survey)
    if not draft or draft["status"] != "open" or request.form.get("restart"):
        draft = get_store().create_draft(survey["id"], _language(questionnaire))
        _remember_draft(survey, draft)
    return redirect(url_for(".page", slug=slug, number=draft.get("page", 0) + 1))


@bp.route("/<slug>/p/<int:number>", methods=["GET", "POST"])
def page(slug: str, number: int):
    survey, questionnaire = _load(slug)
    if survey["status"] != "open":
        return redirect(url_for(".start", slug=slug))
    draft = _current_draft(survey)
    if not draft:
        return redirect(url_for(".start", slug=slug))
    if draft["status"] == "submitted":
        return redirect(url_for(".thanks", slug=slug))
    if not 1 <= number <= len(questionnaire.pages):
        abort(404)
    index = number - 1
    current_page = questionnaire.pages[index]
    lang = _language(questionnaire)
    store = get_store()

    if request.method == "GET":
        form = page_form(current_page, lang, questionnaire.default_language, draft["answers"])
        return _render_page(survey, questionnaire, index, form, lang)

    form = page_form(current_page, lang, questionnaire.default_language, draft["answers"], formdata=request.form)
    valid = form.validate()  # CSRF was already checked for every POST by CSRFProtect
    action = request.form.get("action", "next")
    if action == "back":
        store.update_draft(survey["id"], draft["id"], answers=answers_from_form(form, only_valid=True),
                           page=max(index - 1, 0), language=lang)
        return redirect(url_for(".page", slug=slug, number=max(number - 1, 1)))
    if not valid:
        return _render_page(survey, questionnaire, index, form, lang), 422

    is_last = index == len(questionnaire.pages) - 1
    draft = store.update_draft(survey["id"], draft["id"], answers=answers_from_form(form),
                               page=index if is_last else index + 1, language=lang)
    if draft["status"] == "submitted":  # a second click raced the first one
        return redirect(url_for(".thanks", slug=slug))
    if not is_last:
        return redirect(url_for(".page", slug=slug, number=number + 1))

    missing = first_incomplete_page(questionnaire, draft["answers"])
    if missing is not None:
        store.update_draft(survey["id"], draft["id"], page=missing)
        return redirect(url_for(".page", slug=slug, number=missing + 1, incomplete=1))
    store.submit_draft(survey["id"], draft["id"], build_response(survey, questionnaire, draft))
    return redirect(url_for(".thanks", slug=slug))


def _render_page(survey, questionnaire, index, form, lang):
    return render_template(
        "survey/page.html",
        survey=survey,
        questionnaire=questionnaire,
        page=questionnaire.pages[index],
        number=index + 1,
        total=len(questionnaire.pages),
        form=form,
        lang=lang,
        incomplete=request.args.get("incomplete") == "1",
    )


@bp.route("/<slug>/thanks")
def thanks(slug: str):
    survey, questionnaire = _load(slug)
    draft = _current_draft(survey)
    if not draft or draft["status"] != "submitted":
        return redirect(url_for(".start", slug=slug))
    return render_template("survey/thanks.html", survey=survey, questionnaire=questionnaire,
                           lang=_language(questionnaire))
