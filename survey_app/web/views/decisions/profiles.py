"""Task profiles (glue): the overview of every task, one page per task with the instruments'
cells side by side, its classification and description (saved as a DecisionRecords record),
the draft task description as Markdown and DOCX, and a consultation round started from it.

`task_profiles()` is what other pages (the committee pack) call for the profiles as shown here.
"""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey_app.consultations import model as consultation_model
from survey_app.consultations.document import DocumentError
from survey_app.consultations.versions import TASK_PROFILES, start_consultation
from survey_app.decisions import profiles as tasks
from survey_app.definitions.model import localized
from survey_app.output.formatting import percent
from survey_app.output.task_description import to_docx, to_markdown
from survey_app.storage.interface import RecordConflict
from survey_app.web import audit
from survey_app.web.auth import RESULT_ROLES, role_required
from survey_app.web.db import get_decision_records, get_store
from survey_app.web.i18n import select_locale
from survey_app.web.views.consultations.common import problem_message
from survey_app.web.views.results import all_observations

CONSULTATION_ROLES = ("admin",)   # as for every new consultation (consultations.create)


def task_profiles() -> tuple[tuple[tasks.Profile, ...], list]:
    """Every task's profile with its stored classification; and the instruments left out
    because one of their files is damaged."""
    observations, left_out = all_observations(get_store())
    stored = tasks.classifications(get_decision_records().list_records(tasks.RECORD_KIND))
    return tasks.build_profiles(observations, stored), left_out


def _profile(construct: str) -> tuple[tasks.Profile, tuple[tasks.Profile, ...]]:
    found, _left_out = task_profiles()
    profile = next((p for p in found if p.construct == construct), None)
    if profile is None:
        abort(404)
    return profile, found


def classification_labels() -> dict[str, str]:
    return {tasks.CORE: _("Core task of neighbourhood management"),
            tasks.SHARED: _("Shared with other actors"),
            tasks.NOT_OURS: _("Not a task of neighbourhood management")}


def _sources(evidence, lang: str) -> str:
    return ", ".join(dict.fromkeys(localized(e.measure.source_title, lang) for e in evidence))


def _actors(evidence, lang: str) -> str:
    return ", ".join(dict.fromkeys(f"{localized(e.cell.top, lang)} ({localized(e.measure.source_title, lang)})"
                                   for e in evidence))


def flag_text(flag: tasks.Flag, lang: str) -> str:
    """What a flag says, with the numbers it read."""
    first, second = flag.first, flag.second
    if flag.rule == tasks.TIME_ELSEWHERE:
        return _("Staff spend %(share)s of their working time on it (%(source)s), but another actor is named as "
                 "responsible: %(actors)s.", share=percent(first[0].cell.share, lang), source=_sources(first, lang),
                 actors=_actors(second, lang))
    if flag.rule == tasks.LEAD_SPLIT:
        return _("Responsibility disputed: neighbourhood management according to %(own)s, another actor according "
                 "to %(other)s.", own=_sources(first, lang), other=_sources(second, lang))
    if flag.rule == tasks.RATINGS_APART:
        return _("The ratings lie far apart: top 2 %(high)s (%(high_source)s) against %(low)s (%(low_source)s).",
                 high=percent(first[0].cell.share, lang), high_source=_sources(first, lang),
                 low=percent(second[0].cell.share, lang), low_source=_sources(second, lang))
    if flag.rule == tasks.NOT_OURS_BUT_TIME:
        return _("Classified as not a task of neighbourhood management, but staff spend %(share)s of their working "
                 "time on it.", share=percent(first[0].cell.share, lang))
    if flag.rule == tasks.NOT_OURS_BUT_OWN_LEAD:
        return _("Classified as not a task of neighbourhood management, but %(sources)s name neighbourhood "
                 "management as responsible.", sources=_sources(first, lang))
    return _("Classified as a core task, but every source that names someone names another actor: %(actors)s.",
             actors=_actors(second, lang))


def flag_rules(lang: str) -> list[str]:
    """The rules as the pages state them."""
    return [
        _("Much time, another actor named: staff spend at least %(share)s of their working time on the task, "
          "and a questionnaire or the workshop names another actor than neighbourhood management as responsible.",
          share=percent(tasks.TIME_SHARE, lang)),
        _("Responsibility disputed: one source names neighbourhood management as responsible, another source "
          "another actor."),
        _("Ratings apart: the top-2 shares of two instruments' ratings (e.g. the staff's own rating and the "
          "partners' usefulness) differ by %(gap)d percentage points or more.", gap=round(tasks.RATING_GAP * 100)),
        _("Classification against the evidence: classified as not a task of neighbourhood management although "
          "staff spend at least %(share)s of their time on it or a source names neighbourhood management; "
          "classified as a core task although every source that names someone names another actor.",
          share=percent(tasks.TIME_SHARE, lang)),
        _("Only cells that are shown count (each with at least the minimum group size). An answer names "
          "neighbourhood management when its label contains “Quartiersmanagement” or “neighbourhood "
          "management” (the general programme and QFI alike); the most frequent answer of each source counts."),
    ]


def aspect_labels() -> dict[str, str]:
    return {tasks.TIME: _("Share of working time"), tasks.RATING: _("Ratings"),
            tasks.RESPONSIBLE: _("Who should be responsible"), tasks.PRIORITY: _("Priority in the workshop")}


def rounds_from_profiles() -> list[dict]:
    """The consultations whose draft was first made from the task profiles (newest last)."""
    store = get_store()
    return [record for record in store.list_consultations()
            if (store.consultation_versions(record["id"]) or [{}])[0].get("source") == TASK_PROFILES]


def overview():
    lang = select_locale()
    found, left_out = task_profiles()
    return render_template("decisions/profiles.html", profiles=found, left_out=left_out, lang=lang,
                           labels=classification_labels(), flag_text=flag_text, rules=flag_rules(lang),
                           unclassified=tasks.unclassified(found), consultation_roles=CONSULTATION_ROLES,
                           rounds=rounds_from_profiles())


def _render_profile(profile, found, form=None, errors=None, conflict=False, status=200):
    lang = select_locale()
    known_actors = sorted({localized(e.cell.top, lang) for p in found for e in p.evidence
                           if e.shown and e.cell.top and e.aspect == tasks.RESPONSIBLE})
    return render_template("decisions/profile.html", profile=profile, lang=lang, labels=classification_labels(),
                           aspects=aspect_labels(), aspect_order=[a for a, _kinds in tasks.ASPECTS],
                           flag_text=flag_text, rules=flag_rules(lang), form=form, errors=errors or {},
                           conflict=conflict, known_actors=known_actors, max_description=tasks.MAX_DESCRIPTION,
                           max_actors=tasks.MAX_ACTORS), status


def problem_messages() -> dict[str, str]:
    return {tasks.KIND_MISSING: _("Please choose how this task is classified."),
            tasks.ACTORS_MISSING: _("Please name the actors: those it is shared with, or the one it belongs to."),
            tasks.ACTORS_TOO_LONG: _("At most %(n)d characters.", n=tasks.MAX_ACTORS),
            tasks.DESCRIPTION_MISSING: _("Please write a short description: it goes into the draft task description."),
            tasks.DESCRIPTION_TOO_LONG: _("At most %(n)d characters.", n=tasks.MAX_DESCRIPTION)}


def profile(construct: str):
    found_profile, found = _profile(construct)
    if request.method == "GET":
        return _render_profile(found_profile, found)
    form = request.form
    classification, problems = tasks.read_classification(form.get("kind"), form.get("actors"), form.get("description"))
    if problems:
        messages = problem_messages()
        return _render_profile(found_profile, found, form, {k: [messages[v]] for k, v in problems.items()}, status=422)
    raw_version = form.get("version", "")
    expected = int(raw_version) if raw_version.isdigit() else 0
    try:
        get_decision_records().put_record(tasks.RECORD_KIND, construct, classification.record(), expected_version=expected,
                               updated_by=current_user.username)
    except RecordConflict:
        fresh, found = _profile(construct)
        return _render_profile(fresh, found, form, conflict=True, status=409)
    audit.record("decisions.task_classified", construct, classification=classification.kind)
    flash(_("The classification of “%(task)s” was saved.", task=localized(found_profile.label, select_locale())))
    return redirect(url_for(".profile", construct=construct))


def draft_words() -> dict[str, str]:
    return {"title": _("Task description of neighbourhood management (draft)"),
            tasks.CORE: _("Core tasks"), tasks.SHARED: _("Tasks shared with other actors"),
            tasks.NOT_OURS: _("Not tasks of neighbourhood management"),
            "with": _("together with: %s"), "belongs": _("responsible: %s")}


def _draft():
    found, _left_out = task_profiles()
    sections = tasks.draft_sections(found)
    if not sections:
        flash(_("No task is classified yet: classify tasks on their pages first."))
        return None
    return sections


def draft_markdown():
    sections = _draft()
    if sections is None:
        return redirect(url_for(".profiles"))
    return Response(to_markdown(sections, draft_words(), select_locale()), mimetype="text/markdown", headers={
        "Content-Disposition": 'attachment; filename="task-description-draft.md"'})


def draft_docx():
    sections = _draft()
    if sections is None:
        return redirect(url_for(".profiles"))
    facts = [_("Made from the task profiles on %(day)s.", day=dt.date.today().isoformat())]
    return Response(to_docx(sections, draft_words(), select_locale(), facts), headers={
        "Content-Disposition": 'attachment; filename="task-description-draft.docx"'},
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def consultation():
    sections = _draft()
    if sections is None:
        return redirect(url_for(".profiles"))
    lang = select_locale()
    words = draft_words()
    try:
        record = start_consultation(get_store(), consultation_model.new_consultation(words["title"], lang),
                                    {lang: to_markdown(sections, words, lang)}, TASK_PROFILES, current_user.username)
    except DocumentError as error:   # cannot happen with a draft made here; said, never a 500
        flash(" ".join(problem_message(p) for p in error.problems))
        return redirect(url_for(".profiles"))
    audit.record("consultation.created", record["title"], mode=record["mode"])
    flash(_("The consultation was created with the draft from the task profiles. Invite the organisations now."))
    return redirect(url_for("consultations.show", consultation_id=record["id"]))


def register(bp) -> None:
    result_roles = role_required(*RESULT_ROLES)
    bp.add_url_rule("/profiles/", "profiles", result_roles(overview))
    bp.add_url_rule("/profiles/draft.md", "draft_markdown", result_roles(draft_markdown))
    bp.add_url_rule("/profiles/draft.docx", "draft_docx", result_roles(draft_docx))
    bp.add_url_rule("/profiles/consultation", "consultation", role_required(*CONSULTATION_ROLES)(consultation),
                    methods=["POST"])
    bp.add_url_rule("/profiles/<construct>", "profile", result_roles(profile), methods=["GET", "POST"])
