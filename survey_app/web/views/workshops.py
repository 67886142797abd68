"""Live workshops, two audiences:

* ``workshops`` (/workshops): facilitators (and admins) prepare polls, run the room and show the
  presenter view; evaluators may read results and download them. Facilitators see workshop
  votes only, never questionnaire responses.
* ``participate`` (/w): participants join by code or QR code without an account and vote.

All live state is in storage, so any number of worker processes can serve a room: phones ask
a small JSON endpoint about once a second (answered with 304 while nothing changed) and fetch
their page again when the poll, round or voting state changes; the presenter asks its own
endpoint once a second, so updates come in batches however fast votes arrive.
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timezone
from functools import wraps
from pathlib import Path

import segno
from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from survey_app.web import audit, guessing
from survey_app.workshops import workshop as ws
from survey_app.web.auth import AccountError, normalize_username, role_required
from survey_app.web.db import get_store
from survey_app.web.minimum import app_minimum, minimum_group_size
from survey_app.web.i18n import select_locale
from survey_app.definitions.loader import CONSTRUCT
from survey_app.definitions.model import localized
from survey_app.storage.interface import DuplicateError
from survey_app.web.views.main import RETRY_AFTER, storage_failed

facilitate = Blueprint("workshops", __name__, url_prefix="/workshops")
participate = Blueprint("participate", __name__, url_prefix="/w")

FACILITATOR_ROLES = ("admin", "facilitator")
# Workshop results are votes of a room, not questionnaire responses: evaluators may read them too.
RESULT_ROLES = ("admin", "facilitator", "evaluator")
# Workshops a phone confirmed by code in this session (it may then see the join page).
CONFIRMED_KEY = "confirmed_workshops"

POLL_TYPE_LABELS = {
    "single_choice": _l("Single choice"),
    "multiple_choice": _l("Multiple choice"),
    "scale": _l("Scale 1 to 5"),
    "fist_to_five": _l("Fist to five"),
    "dot_voting": _l("Dot voting"),
    "ranking": _l("Ranking"),
    "role_matrix": _l("Role matrix"),
    "open_text": _l("Open text (ideas)"),
}
FIST_TO_FIVE_LABELS = {
    0: _l("Fist: I object"),
    1: _l("I have serious concerns (objection)"),
    2: _l("I have concerns we should discuss"),
    3: _l("I can live with it"),
    4: _l("I agree"),
    5: _l("I fully support it"),
}
LANGUAGE_CHOICES = [SelectChoice("de", "Deutsch"), SelectChoice("en", "English"),
                    SelectChoice("de,en", "Deutsch + English")]



def _now() -> datetime:
    return datetime.now(timezone.utc)


def _stamp(moment: datetime | None = None) -> str:
    return (moment or _now()).isoformat(timespec="seconds")


def _say(message: ws.Message) -> str:
    return message.render(gettext)


def _field_errors(errors: ws.Errors) -> dict[str, list[str]]:
    return {key: [_say(m) for m in messages] for key, messages in errors.items()}


# --------------------------------------------------------------------------- shared helpers

def _templates() -> ws.TemplateCatalogue:
    # Workshop templates live in a subfolder, which the questionnaire loader does not read.
    return ws.load_templates(Path(current_app.config["QUESTIONNAIRE_DIR"]) / "workshops")


def _load(workshop_id: str) -> ws.Workshop:
    record = get_store().get_workshop(workshop_id)
    if record is None:
        abort(404)
    return ws.workshop_from_record(record)


# --------------------------------------------------------------------------- who may do what
# A workshop belongs to its facilitators: the one who created it and those they added. Admins
# may run every workshop; evaluators read the results of every workshop and nothing else.

def facilitator_ids(record: dict) -> list[str]:
    """Account ids of the workshop's facilitators (older workshops name only their creator)."""
    if record.get("facilitators") is not None:
        return list(record["facilitators"])
    creator = get_store().find_user(record["created_by"]) if record.get("created_by") else None
    return [creator["id"]] if creator else []


def may_run(record: dict) -> bool:
    return current_user.has_role("admin") or (
        current_user.has_role("facilitator") and current_user.id in facilitator_ids(record))


def may_read_results(record: dict) -> bool:
    return current_user.has_role("admin", "evaluator") or may_run(record)


def _guarded(roles: tuple[str, ...], allowed):
    """Route decorator: the user has one of `roles` and allowed(workshop record) holds (else 403)."""

    def decorator(view):
        @wraps(view)
        @role_required(*roles)
        def wrapped(workshop_id: str, **kwargs):
            record = get_store().get_workshop(workshop_id)
            if record is None:
                abort(404)
            if not allowed(record):
                abort(403, description=gettext("This workshop belongs to other facilitators. Ask one of them "
                                               "to add you on its settings page."))
            return view(workshop_id, **kwargs)

        return wrapped

    return decorator


runs_workshop = _guarded(FACILITATOR_ROLES, may_run)
reads_results = _guarded(RESULT_ROLES, may_read_results)


def _change(workshop_id: str, change) -> ws.Workshop | None:
    """Apply a pure change under the workshop's lock; its refusal is flashed and nothing is saved."""
    try:
        record = get_store().change_workshop(
            workshop_id, lambda stored: ws.workshop_record(change(ws.workshop_from_record(stored))))
    except ws.WorkshopError as error:
        flash(_say(error.message), "error")
        return None
    if record is None:
        abort(404)
    return ws.workshop_from_record(record)


def _minimum(workshop: ws.Workshop) -> int:
    return minimum_group_size(workshop.min_group_size)


def _votes_by_run(workshop: ws.Workshop) -> dict[str, list[ws.CastVote]]:
    store = get_store()
    return {r.run: ws.cast_votes(store.votes(workshop.id, r.run))
            for rounds in workshop.rounds.values() for r in rounds}


def _text(workshop: ws.Workshop, text) -> str:
    return localized(text, select_locale(), workshop.languages[0])


def _join_url(workshop: ws.Workshop) -> str:
    return url_for("participate.live", code=workshop.join_code, _external=True)


def _qr_svg(url: str) -> str:
    # Inline SVG scales with the page and needs no image route; segno output is trusted markup.
    return segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True, dark="#000", light="#fff")


def _chart(result: ws.Tally, workshop: ws.Workshop) -> dict:
    return ws.tally_chart(result, select_locale(), workshop.languages[0], gettext("unclear"))


def _embeddable(data) -> str:
    # Inside <script type="application/json">, "</" would end the element early.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


@facilitate.app_template_filter("poll_type")
def poll_type_filter(poll_type: str) -> str:
    return str(POLL_TYPE_LABELS.get(poll_type, poll_type))


@facilitate.app_template_filter("fist_label")
def fist_label_filter(value: int) -> str:
    return str(FIST_TO_FIVE_LABELS[value])


# --------------------------------------------------------------------------- facilitator: workshops

class NewWorkshopForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    date = DateField(_l("Date"), validators=[InputRequired(message=_l("Please enter a date."))])
    source = SelectField(_l("Template"), choices=[])
    languages = SelectField(_l("Languages of the polls (from scratch)"), choices=LANGUAGE_CHOICES)


def _new_workshop_form(formdata=None) -> NewWorkshopForm:
    form = NewWorkshopForm(formdata=formdata) if formdata is not None else NewWorkshopForm(
        formdata=None, date=date.today(), languages=select_locale())
    templates = _templates().templates
    form.source.choices = [SelectChoice("", gettext("Start from scratch"))] + [
        SelectChoice(t.id, gettext("Template: %(title)s", title=localized(t.title, select_locale(), t.languages[0])))
        for t in templates.values()]
    return form


def _render_index(form: NewWorkshopForm, status: int = 200):
    store = get_store()
    rows = []
    for entry in store.list_workshops():
        # Index entries of older workshops lack the facilitators: their document has the creator.
        record = entry if "facilitators" in entry else (store.get_workshop(entry["id"]) or entry)
        if may_run(record):
            rows.append({**entry, "may_run": True})
        elif current_user.has_role("admin", "evaluator"):
            rows.append({**entry, "may_run": False, "join_code": None})  # results only, no code
    return render_template("workshop/index.html", workshops=rows, form=form,
                           problems=_templates().problems), status


@facilitate.route("/")
@role_required(*RESULT_ROLES)
def index():
    return _render_index(_new_workshop_form())


@facilitate.route("/", methods=["POST"])
@role_required(*FACILITATOR_ROLES)
def create():
    form = _new_workshop_form(request.form)
    if not form.validate():
        return _render_index(form, 422)
    template = _templates().templates.get(form.source.data) if form.source.data else None
    store = get_store()
    for _attempt in range(10):  # a fresh code is free in all but astronomically rare cases
        workshop = ws.new_workshop(form.title.data.strip(), form.date.data.isoformat(), ws.new_join_code(),
                                   form.languages.data.split(","), template)
        try:
            record = store.add_workshop({**ws.workshop_record(workshop), "created_by": current_user.username,
                                         "facilitators": [current_user.id]})
        except DuplicateError:
            continue
        audit.record("workshop.created", record["title"], workshop=record["id"])
        flash(gettext("Workshop created. Participants join with the code %(code)s.", code=record["join_code"]))
        return redirect(url_for(".control", workshop_id=record["id"]))
    abort(503)


@facilitate.route("/<workshop_id>")
@runs_workshop
def control(workshop_id: str):
    workshop = _load(workshop_id)
    store = get_store()
    current = workshop.current_round()
    return render_template(
        "workshop/control.html", workshop=workshop, poll=workshop.poll(workshop.current_poll), round=current,
        joined=store.count_participants(workshop.id),
        voted=store.count_votes(workshop.id, current.run) if current else 0,
        join_url=_join_url(workshop), poll_types=POLL_TYPE_LABELS, lang=select_locale(),
    )


CONTROL_MESSAGES = {
    "open": _l("Voting is open."),
    "close": _l("Voting is closed."),
    "show": _l("Results are shown on the presenter view."),
    "hide": _l("Results are hidden on the presenter view."),
    "next": _l("Moved to the next poll."),
    "goto": _l("Moved to the chosen poll."),
    "new_round": _l("A new round has started; voting is open."),
    "reset": _l("The votes of this round were discarded."),
}


@facilitate.route("/<workshop_id>/control", methods=["POST"])
@runs_workshop
def act(workshop_id: str):
    action = request.form.get("action", "")
    now = _stamp()
    changes = {
        "open": lambda w: ws.open_voting(w, now),
        "close": lambda w: ws.close_voting(w, now),
        "show": lambda w: ws.show_results(w, True),
        "hide": lambda w: ws.show_results(w, False),
        "next": lambda w: ws.next_poll(w, now),
        "goto": lambda w: ws.go_to_poll(w, request.form.get("poll", ""), now),
        "new_round": lambda w: ws.new_round(w, now),
        "reset": lambda w: ws.reset_round(w, request.form.get("confirm") == "yes"),
    }
    if action not in changes:
        abort(400)
    changed = _change(workshop_id, changes[action])
    if changed is not None:
        if action == "reset":
            audit.record("workshop.reset", changed.title, workshop=changed.id, poll=changed.current_poll)
        flash(str(CONTROL_MESSAGES[action]))
    return redirect(url_for(".control", workshop_id=workshop_id))


class SettingsForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    date = DateField(_l("Date"), validators=[InputRequired(message=_l("Please enter a date."))])
    min_group_size = IntegerField(_l("Minimum group size for results by organisation type"),
                                  validators=[Optional()])


def _settings_form(workshop: ws.Workshop, formdata=None) -> FlaskForm:
    attrs = {}
    for lang in workshop.languages:
        attrs[f"organisation_types_{lang}"] = TextAreaField(
            gettext("Organisation types (%(language)s), one per line", language=lang),
            validators=[Optional(), Length(max=3000)])
    form_class = type("WorkshopSettingsForm", (SettingsForm,), attrs)
    if formdata is not None:
        form = form_class(formdata=formdata)
        # A workshop may raise the app's minimum for its own results, never lower it.
        form.min_group_size.validators.append(NumberRange(min=app_minimum(), max=1000))
        return form
    lines = {f"organisation_types_{lang}": "\n".join(localized(o.label, lang) for o in workshop.organisation_types)
             for lang in workshop.languages}
    return form_class(formdata=None, title=workshop.title, date=date.fromisoformat(workshop.date),
                      min_group_size=workshop.min_group_size, **lines)


@facilitate.route("/<workshop_id>/settings", methods=["GET", "POST"])
@runs_workshop
def settings(workshop_id: str):
    workshop = _load(workshop_id)
    form = _settings_form(workshop, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        organisation_types = _choices_from_lines(form, "organisation_types", workshop.languages,
                                                 workshop.organisation_types, 0, ws.MAX_OPTIONS)
        if organisation_types is not None:
            def apply(w: ws.Workshop) -> ws.Workshop:
                return replace(w, title=form.title.data.strip(), date=form.date.data.isoformat(),
                               min_group_size=form.min_group_size.data, organisation_types=organisation_types)

            if _change(workshop_id, apply) is not None:
                flash(gettext("Settings saved."))
                return redirect(url_for(".control", workshop_id=workshop_id))
    status = 422 if form.errors else 200
    return _render_settings(workshop, form, FacilitatorForm(formdata=None), status)


def _render_settings(workshop: ws.Workshop, form, facilitator_form, status: int = 200):
    store = get_store()
    ids = facilitator_ids(store.get_workshop(workshop.id))
    accounts = {u["id"]: u for u in store.list_users()}
    facilitators = [{"id": i, "username": accounts[i]["username"] if i in accounts else gettext("(deleted account)")}
                    for i in ids]
    return render_template("workshop/settings.html", workshop=workshop, form=form, facilitators=facilitators,
                           facilitator_form=facilitator_form), status


class FacilitatorForm(FlaskForm):
    username = StringField(_l("User name of a facilitator"), validators=[InputRequired(), Length(max=200)])


def _set_facilitators(workshop_id: str, ids: list[str]) -> None:
    get_store().change_workshop(workshop_id, lambda stored: {**stored, "facilitators": ids})


@facilitate.route("/<workshop_id>/facilitators", methods=["POST"])
@runs_workshop
def add_facilitator(workshop_id: str):
    workshop = _load(workshop_id)
    form = FacilitatorForm()
    if form.validate_on_submit():
        store = get_store()
        try:
            account = store.find_user(normalize_username(form.username.data))
        except AccountError:
            account = None
        ids = facilitator_ids(store.get_workshop(workshop_id))
        if account is None or account["role"] != "facilitator" or account.get("disabled"):
            form.username.errors.append(gettext("There is no active facilitator account with this user name."))
        elif account["id"] in ids:
            form.username.errors.append(gettext("%(name)s already runs this workshop.", name=account["username"]))
        else:
            _set_facilitators(workshop_id, [*ids, account["id"]])
            audit.record("workshop.facilitator_added", workshop.title, workshop=workshop.id,
                         facilitator=account["username"])
            flash(gettext("%(name)s may now run this workshop.", name=account["username"]))
            return redirect(url_for(".settings", workshop_id=workshop_id, _anchor="facilitators-heading"))
    return _render_settings(workshop, _settings_form(workshop), form, 422)


@facilitate.route("/<workshop_id>/facilitators/<user_id>/remove", methods=["POST"])
@runs_workshop
def remove_facilitator(workshop_id: str, user_id: str):
    workshop = _load(workshop_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    ids = facilitator_ids(get_store().get_workshop(workshop_id))
    if user_id not in ids:
        abort(404)
    if len(ids) == 1:
        flash(gettext("A workshop keeps at least one facilitator; add another one first."), "error")
    else:
        _set_facilitators(workshop_id, [i for i in ids if i != user_id])
        account = get_store().get_user(user_id)
        audit.record("workshop.facilitator_removed", workshop.title, workshop=workshop.id,
                     facilitator=account["username"] if account else user_id)
        flash(gettext("The facilitator is removed from this workshop."))
    if user_id == current_user.id and not current_user.has_role("admin"):
        return redirect(url_for(".index"))
    return redirect(url_for(".settings", workshop_id=workshop_id, _anchor="facilitators-heading"))


# --------------------------------------------------------------------------- facilitator: polls

# Line fields of the poll editor: poll key -> poll types that have it.
LINE_KEYS = {
    "options": ("single_choice", "multiple_choice", "dot_voting", "ranking"),
    "labels": ("scale",),
    "tasks": ("role_matrix",),
    "actors": ("role_matrix",),
}
LINE_LABELS = {
    "options": _l("Options (%(language)s), one per line"),
    "labels": _l("Labels of the points 1 to 5 (%(language)s), one per line"),
    "tasks": _l("Tasks, the rows (%(language)s), one per line"),
    "actors": _l("Actors, the columns (%(language)s), one per line"),
}
LINE_LIMITS = {
    "options": (2, ws.MAX_OPTIONS),
    "labels": (5, 5),
    "tasks": (1, ws.MAX_TASKS),
    "actors": (2, ws.MAX_ACTORS),
}


def _poll_form_class(poll_type: str, languages: tuple[str, ...]):
    attrs = {
        "construct": StringField(_l("Construct key (optional, e.g. task.networking)"),
                                 validators=[Optional(), Regexp(f"^{CONSTRUCT.pattern}$", message=_l(
                                     "Use lower-case letters, digits and _, parts separated by dots."))]),
    }
    for lang in languages:
        attrs[f"text_{lang}"] = StringField(gettext("Question (%(language)s)", language=lang),
                                            validators=[InputRequired(), Length(max=300)])
        attrs[f"help_{lang}"] = TextAreaField(gettext("Explanation (%(language)s, optional)", language=lang),
                                              validators=[Optional(), Length(max=1000)])
        for key, types in LINE_KEYS.items():
            if poll_type in types:
                attrs[f"{key}_{lang}"] = TextAreaField(LINE_LABELS[key] % {"language": lang},
                                                       validators=[Length(max=5000)])
    if poll_type == "multiple_choice":
        attrs["max_choices"] = IntegerField(_l("At most this many choices (optional)"),
                                            validators=[Optional(), NumberRange(min=1, max=ws.MAX_OPTIONS)])
    if poll_type == "dot_voting":
        attrs["points"] = IntegerField(_l("Points per participant"),
                                       validators=[InputRequired(), NumberRange(min=1, max=ws.MAX_POINTS)])
        attrs["max_per_option"] = IntegerField(_l("At most this many points on one option (optional)"),
                                               validators=[Optional(), NumberRange(min=1, max=ws.MAX_POINTS)])
    if poll_type == "role_matrix":
        attrs["supporting"] = BooleanField(_l("Participants may also name supporting actors"))
    if poll_type == "open_text":
        attrs["max_items"] = IntegerField(_l("Ideas per participant"),
                                          validators=[InputRequired(), NumberRange(min=1, max=ws.MAX_IDEAS)])
        attrs["max_length"] = IntegerField(_l("Characters per idea"),
                                           validators=[InputRequired(), NumberRange(min=10, max=ws.MAX_IDEA_LENGTH)])
    return type("PollForm", (FlaskForm,), attrs)


def _poll_form(poll_type: str, workshop: ws.Workshop, poll: ws.Poll | None, formdata=None):
    form_class = _poll_form_class(poll_type, workshop.languages)
    if formdata is not None:
        return form_class(formdata=formdata)
    values = {"max_items": ws.DEFAULT_IDEAS, "max_length": ws.DEFAULT_IDEA_LENGTH, "points": 10, "supporting": True}
    if poll is not None:
        values.update({key: getattr(poll, key) for key in
                       ("construct", "max_choices", "points", "max_per_option", "supporting", "max_items",
                        "max_length")})
        for lang in workshop.languages:
            values[f"text_{lang}"] = localized(poll.text, lang)
            values[f"help_{lang}"] = localized(poll.help, lang)
            for key in LINE_KEYS:
                entries = poll.labels if key == "labels" else getattr(poll, key)
                values[f"{key}_{lang}"] = "\n".join(localized(e if key == "labels" else e.label, lang)
                                                    for e in entries)
    return form_class(formdata=None, **values)


def _lines(form, key: str, lang: str) -> list[str]:
    return [line.strip() for line in (form[f"{key}_{lang}"].data or "").splitlines() if line.strip()]


def _choices_from_lines(form, key, languages, existing, minimum, maximum) -> tuple[ws.Choice, ...] | None:
    """Choices from one textarea per language (line i = entry i). Entries keep the id and construct
    of the entry at the same position, so a template's keys survive editing its texts."""
    per_language = {lang: _lines(form, key, lang) for lang in languages}
    counts = {len(lines) for lines in per_language.values()}
    ok = True
    for lang, lines in per_language.items():
        if len(counts) > 1:
            form[f"{key}_{lang}"].errors.append(gettext("Enter the same number of lines in every language."))
            ok = False
        elif not minimum <= len(lines) <= maximum:
            form[f"{key}_{lang}"].errors.append(
                gettext("Enter between %(min)d and %(max)d lines.", min=minimum, max=maximum))
            ok = False
    if not ok:
        return None
    count = counts.pop() if counts else 0
    taken = {c.id for c in existing[:count]}
    choices, number = [], 1
    for i in range(count):
        if i < len(existing):
            choice_id, construct = existing[i].id, existing[i].construct
        else:
            while f"{key[:-1]}_{number}" in taken:
                number += 1
            choice_id, construct = f"{key[:-1]}_{number}", None
            taken.add(choice_id)
        choices.append(ws.Choice(choice_id, {lang: per_language[lang][i] for lang in languages}, construct))
    return tuple(choices)


def _poll_from_form(form, poll_type: str, workshop: ws.Workshop, existing: ws.Poll | None) -> ws.Poll | None:
    languages = workshop.languages
    data = {"id": existing.id if existing else poll_type, "type": poll_type,
            "text": {lang: form[f"text_{lang}"].data.strip() for lang in languages}}
    helps = {lang: (form[f"help_{lang}"].data or "").strip() for lang in languages}
    if any(helps.values()):
        data["help"] = {lang: helps[lang] or next(h for h in helps.values() if h) for lang in languages}
    if form.construct.data:
        data["construct"] = form.construct.data
    ok = True
    for key, types in LINE_KEYS.items():
        if poll_type not in types:
            continue
        minimum, maximum = LINE_LIMITS[key]
        if poll_type == "ranking":
            maximum = ws.MAX_RANKING_OPTIONS
        previous = getattr(existing, key) if existing and key != "labels" else ()
        choices = _choices_from_lines(form, key, languages, previous, minimum, maximum)
        if choices is None:
            ok = False
        elif key == "labels":
            data["labels"] = [dict(c.label) for c in choices]
        else:
            data[key] = [{"id": c.id, "label": dict(c.label), **({"construct": c.construct} if c.construct else {})}
                         for c in choices]
    for key in ("max_choices", "points", "max_per_option", "max_items", "max_length"):
        if key in form and form[key].data is not None:
            data[key] = form[key].data
    if poll_type == "role_matrix":
        data["supporting"] = bool(form.supporting.data)
    if poll_type == "multiple_choice" and ok and data.get("max_choices", 0) > len(data["options"]):
        form.max_choices.errors.append(gettext("This is more than there are options."))
        ok = False
    if poll_type == "dot_voting" and data.get("max_per_option", 0) > data.get("points", 0):
        form.max_per_option.errors.append(gettext("This is more than the points per participant."))
        ok = False
    if not ok:
        return None
    poll, problems = ws.poll_problems(data, languages)
    for problem in problems:  # the form checks the same rules; this is the last guard
        form.construct.errors.append(problem.message)
    return poll


def _render_poll_form(workshop, poll_type, form, poll=None, status=200):
    return render_template("workshop/poll_form.html", workshop=workshop, poll_type=poll_type, form=form, poll=poll,
                           line_keys=[k for k, types in LINE_KEYS.items() if poll_type in types]), status


@facilitate.route("/<workshop_id>/polls/new", methods=["GET", "POST"])
@runs_workshop
def new_poll(workshop_id: str):
    workshop = _load(workshop_id)
    poll_type = request.values.get("type", "")
    if poll_type not in ws.POLL_TYPES:
        abort(404)
    if request.method == "GET":
        return _render_poll_form(workshop, poll_type, _poll_form(poll_type, workshop, None))
    form = _poll_form(poll_type, workshop, None, request.form)
    poll = _poll_from_form(form, poll_type, workshop, None) if form.validate() else None
    if poll is None or form.errors:
        return _render_poll_form(workshop, poll_type, form, status=422)
    _change(workshop_id, lambda w: ws.add_poll(w, poll))
    flash(gettext("Poll added."))
    return redirect(url_for(".control", workshop_id=workshop_id, _anchor="polls"))


@facilitate.route("/<workshop_id>/polls/<poll_id>/edit", methods=["GET", "POST"])
@runs_workshop
def edit_poll(workshop_id: str, poll_id: str):
    workshop = _load(workshop_id)
    poll = workshop.poll(poll_id)
    if poll is None:
        abort(404)
    if poll.id in workshop.opened_polls:
        flash(gettext("This poll has already been opened for voting; duplicate it to change it."), "error")
        return redirect(url_for(".control", workshop_id=workshop_id, _anchor="polls"))
    if request.method == "GET":
        return _render_poll_form(workshop, poll.type, _poll_form(poll.type, workshop, poll), poll)
    form = _poll_form(poll.type, workshop, poll, request.form)
    changed = _poll_from_form(form, poll.type, workshop, poll) if form.validate() else None
    if changed is None or form.errors:
        return _render_poll_form(workshop, poll.type, form, poll, 422)
    if _change(workshop_id, lambda w: ws.replace_poll(w, changed)) is not None:
        flash(gettext("Poll saved."))
    return redirect(url_for(".control", workshop_id=workshop_id, _anchor="polls"))


@facilitate.route("/<workshop_id>/polls/<poll_id>/<operation>", methods=["POST"])
@runs_workshop
def change_poll(workshop_id: str, poll_id: str, operation: str):
    operations = {
        "duplicate": (lambda w: ws.duplicate_poll(w, poll_id), _l("Poll duplicated.")),
        "up": (lambda w: ws.move_poll(w, poll_id, -1), _l("Poll moved up.")),
        "down": (lambda w: ws.move_poll(w, poll_id, 1), _l("Poll moved down.")),
        "delete": (lambda w: ws.delete_poll(w, poll_id), _l("Poll deleted.")),
    }
    if operation not in operations:
        abort(404)
    change, message = operations[operation]
    if _change(workshop_id, change) is not None:
        flash(str(message))
    return redirect(url_for(".control", workshop_id=workshop_id, _anchor="polls"))


@facilitate.route("/<workshop_id>/ideas", methods=["POST"])
@runs_workshop
def hide_idea(workshop_id: str):
    key = request.form.get("item", "")
    hidden = request.form.get("hidden") == "1"
    if _change(workshop_id, lambda w: ws.set_item_hidden(w, key, hidden)) is not None:
        flash(gettext("The idea is hidden.") if hidden else gettext("The idea is shown again."))
    back = ".results" if request.form.get("back") == "results" else ".control"
    return redirect(url_for(back, workshop_id=workshop_id))


# --------------------------------------------------------------------------- presenter

def _live_state(workshop: ws.Workshop) -> dict:
    """What the presenter view and the facilitator's counts show, as JSON."""
    store = get_store()
    poll = workshop.poll(workshop.current_poll)
    current = workshop.current_round()
    joined = store.count_participants(workshop.id)
    state = {"joined": joined, "voted": 0, "poll": None}
    if poll is None:
        state["status"] = gettext("No poll yet.")
        return state
    votes = ws.cast_votes(store.votes(workshop.id, current.run)) if current else []
    result = ws.tally(poll, votes, workshop.hidden_items)
    state.update({
        "voted": result.n,
        "poll": {"id": poll.id, "text": _text(workshop, poll.text), "type": poll.type,
                 "number": workshop.poll_index(poll.id) + 1, "count": len(workshop.polls)},
        "round": current.number if current else None,
        "voting_open": workshop.voting_open,
        "results_shown": workshop.results_shown,
        "status": _status_line(workshop, current),
        "chart": _chart(result, workshop) if workshop.results_shown else None,
    })
    return state


def _status_line(workshop: ws.Workshop, current: ws.Round | None) -> str:
    if current is None:
        return gettext("Voting has not started.")
    if workshop.voting_open:
        return gettext("Round %(number)d: voting is open.", number=current.number)
    return gettext("Round %(number)d: voting is closed.", number=current.number)


def _conditional_json(data: dict) -> Response:
    response = jsonify(data)
    response.cache_control.no_cache = True  # always ask; a matching ETag gets a bodiless 304
    response.add_etag()
    return response.make_conditional(request)


@facilitate.route("/<workshop_id>/present")
@runs_workshop
def present(workshop_id: str):
    workshop = _load(workshop_id)
    join_url = _join_url(workshop)
    return render_template("workshop/present.html", workshop=workshop, state=_live_state(workshop),
                           join_url=join_url, short_join_url=url_for("participate.join", _external=True),
                           qr_svg=_qr_svg(join_url))


@facilitate.route("/<workshop_id>/live.json")
@runs_workshop
def live_state(workshop_id: str):
    return _conditional_json(_live_state(_load(workshop_id)))


# --------------------------------------------------------------------------- results and downloads

@facilitate.route("/<workshop_id>/results")
@reads_results
def results(workshop_id: str):
    workshop = _load(workshop_id)
    votes = _votes_by_run(workshop)
    minimum = _minimum(workshop)
    sections = []
    for poll in workshop.polls:
        rounds = []
        for r in workshop.rounds_of(poll.id):
            run_votes = votes.get(r.run, [])
            result = ws.tally(poll, run_votes, workshop.hidden_items)
            groups = ws.split_by_group(poll, run_votes, workshop.organisation_types, minimum, workshop.hidden_items)
            rounds.append({"round": r, "result": result, "chart": _embeddable(_chart(result, workshop)),
                           "groups": groups if workshop.organisation_types else ()})
        sections.append({"poll": poll, "rounds": rounds})
    return render_template("workshop/results.html", workshop=workshop, sections=sections, minimum=minimum,
                           joined=get_store().count_participants(workshop.id), lang=select_locale(),
                           can_hide=current_user.has_role(*FACILITATOR_ROLES))


DOWNLOADS = {"votes": ws.votes_table, "tallies": ws.tallies_table}


@facilitate.route("/<workshop_id>/<kind>.csv")
@reads_results
def download(workshop_id: str, kind: str):
    workshop = _load(workshop_id)
    votes = _votes_by_run(workshop)
    if kind == "record":
        table = ws.record_table(workshop, votes, get_store().count_participants(workshop.id), select_locale())
    elif kind in DOWNLOADS:
        table = DOWNLOADS[kind](workshop, votes, _minimum(workshop))
    else:
        abort(404)
    filename = f"workshop-{workshop.date}-{workshop.id[:8]}-{kind}.csv"  # no join code: evaluators never see it
    return Response(ws.table_csv(table).encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --------------------------------------------------------------------------- participants

def _joined(workshop_id: str) -> dict | None:
    return session.get("workshops", {}).get(workshop_id)


def _too_many_failures() -> Response:
    message = gettext("Too many wrong codes from your network. Please wait a few minutes and try again.")
    return render_template("workshop/join.html", form=FlaskForm(), code="", error=message), 429


def _workshop_for_code(code: str) -> ws.Workshop | Response:
    """The workshop a code sent by POST names. Wrong codes count against the client, and after
    too many within the window every lookup pauses, so codes cannot be found by trying."""
    if guessing.locked_out(guessing.JOIN_CODE):
        return _too_many_failures()
    normalized = ws.normalize_join_code(code)
    record = get_store().find_workshop_by_code(normalized) if normalized else None
    if record is None:
        if guessing.count_failure(guessing.JOIN_CODE):
            return _too_many_failures()
        message = gettext("There is no workshop with this code. Please check it.")
        return render_template("workshop/join.html", form=FlaskForm(), code=code, error=message), 404
    return ws.workshop_from_record(record)


def _session_workshop(code: str) -> ws.Workshop | None:
    """The workshop with this code that this session joined or confirmed; nothing is looked up
    by code."""
    normalized = ws.normalize_join_code(code)
    if normalized is None:
        return None
    joined = session.get("workshops", {})
    ids = [session.get(CONFIRMED_KEY, {}).get(normalized)]
    ids += [i for i, me in joined.items() if me.get("code") in (normalized, None)]
    for workshop_id in dict.fromkeys(i for i in ids if i):
        record = get_store().get_workshop(workshop_id)
        if record is not None and record["join_code"] == normalized:
            return ws.workshop_from_record(record)
    return None


def _confirm_code_page(code: str) -> Response:
    """A link (the QR code's) with a code this session has not confirmed yet: the code form,
    filled in, one tap to go on. A plain GET looks nothing up, so links cannot be used to
    guess codes, and a page elsewhere that makes browsers load such links locks nobody out."""
    return render_template("workshop/join.html", form=FlaskForm(), code=code, error=None, confirm=True)


def _known_workshop(code: str) -> ws.Workshop | Response:
    """The workshop for participants who joined or confirmed it; else a POST's code is checked
    (and counted when wrong) and a GET gets the code form."""
    found = _session_workshop(code)
    if found is not None:
        return found
    if request.method != "POST":
        return _confirm_code_page(code)
    return _workshop_for_code(code)


@participate.route("/", methods=["GET", "POST"])
def join():
    if request.method == "GET":
        return render_template("workshop/join.html", form=FlaskForm(), code=request.args.get("code", ""), error=None)
    found = _workshop_for_code(request.form.get("code", ""))
    if isinstance(found, ws.Workshop):
        confirmed = list(session.get(CONFIRMED_KEY, {}).items())[-4:]
        session[CONFIRMED_KEY] = {**dict(confirmed), found.join_code: found.id}
        return redirect(url_for(".live", code=found.join_code))
    return found


@participate.route("/<code>")
def live(code: str):
    found = _known_workshop(code)
    if not isinstance(found, ws.Workshop):
        return found
    if found.join_code != code:
        return redirect(url_for(".live", code=found.join_code))
    return _render_live(found)


def _render_live(workshop: ws.Workshop, form_values=None, errors=None, status=200):
    me = _joined(workshop.id)
    if me is None:
        return render_template("workshop/join_workshop.html", workshop=workshop, form=FlaskForm(),
                               lang=select_locale()), status
    poll = workshop.poll(workshop.current_poll)
    current = workshop.current_round()
    mine = get_store().get_vote(workshop.id, current.run, me["participant"]) if current else None
    if form_values is None:
        form_values = ws.form_values(poll, mine["value"]) if poll and mine else {}
    # as submitted form data: field name -> list of strings
    form_values = {key: [str(v) for v in (value if isinstance(value, list) else [value])]
                   for key, value in form_values.items()}
    return render_template(
        "workshop/live.html", workshop=workshop, poll=poll, round=current, voting=bool(poll and current and
                                                                                      workshop.voting_open),
        mine=mine, values=form_values, errors=errors or {}, view=ws.participant_view(workshop),
        lang=select_locale(), default_lang=workshop.languages[0], unclear=ws.UNCLEAR,
    ), status


@participate.route("/<code>/join", methods=["POST"])
def join_workshop(code: str):
    found = _known_workshop(code)
    if not isinstance(found, ws.Workshop):
        return found
    if _joined(found.id) is None:
        group = request.form.get("group") or None
        if group not in {o.id for o in found.organisation_types}:
            group = None
        participant = get_store().add_participant(found.id, group)
        session["workshops"] = {**session.get("workshops", {}),
                                found.id: {"participant": participant["id"], "group": group, "code": found.join_code}}
        session.permanent = True  # a phone that locks its screen stays joined
    return redirect(url_for(".live", code=found.join_code))


@participate.route("/<code>/vote", methods=["POST"])
def vote(code: str):
    found = _known_workshop(code)
    if not isinstance(found, ws.Workshop):
        return found
    me = _joined(found.id)
    if me is None:
        return redirect(url_for(".live", code=found.join_code))
    poll_id, run = request.form.get("poll", ""), request.form.get("run", "")
    form = request.form.to_dict(flat=False)
    refusal = ws.vote_refusal(found, poll_id, run)
    if refusal is not None:
        flash(_say(refusal), "error")
        return redirect(url_for(".live", code=found.join_code))
    poll = found.poll(poll_id)
    value, errors = ws.read_vote(poll, form)
    if errors:
        return _render_live(found, form, _field_errors(errors), 422)
    try:
        get_store().put_vote(found.id, run, me["participant"], {"value": value, "group": me["group"]})
    except OSError as error:
        if not storage_failed(error):
            raise
        # The phone shows its vote again with a note; sending it again retries.
        message = gettext("Your vote could not be saved just now because the server's storage is full. "
                          "Please send it again in a minute.")
        page, status = _render_live(found, form, {"": [message]}, 503)
        return page, status, RETRY_AFTER
    return redirect(url_for(".live", code=found.join_code, _anchor="recorded"))


@participate.route("/<code>/state.json")
def state(code: str):
    found = _session_workshop(code)
    if found is None:
        return jsonify({"view": None}), 404
    return _conditional_json({"view": ws.participant_view(found)})

