"""Facilitators: the list of workshops, a new workshop, and running the room (the control page)."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from survey_app.definitions.model import localized
from survey_app.storage.interface import DuplicateError
from survey_app.web import audit
from survey_app.web.auth import role_required
from survey_app.web.db import get_store
from survey_app.web.i18n import select_locale
from survey_app.web.views.workshops.addresses import join_address
from survey_app.web.views.workshops.common import (FACILITATOR_ROLES, RESULT_ROLES, change, facilitate,
                                                   load, may_run, runs_workshop, stamp, workshop_templates)
from survey_app.workshops import state
from survey_app.workshops.codes import new_join_code
from survey_app.workshops.polls.registry import POLL_TYPES
from survey_app.workshops.records import workshop_record

LANGUAGE_CHOICES = [SelectChoice("de", "Deutsch"), SelectChoice("en", "English"),
                    SelectChoice("de,en", "Deutsch + English")]


class NewWorkshopForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    date = DateField(_l("Date"), validators=[InputRequired(message=_l("Please enter a date."))])
    source = SelectField(_l("Template"), choices=[])
    languages = SelectField(_l("Languages of the polls (from scratch)"), choices=LANGUAGE_CHOICES)


def _new_workshop_form(formdata=None) -> NewWorkshopForm:
    form = NewWorkshopForm(formdata=formdata) if formdata is not None else NewWorkshopForm(
        formdata=None, date=date.today(), languages=select_locale())
    found = workshop_templates().templates
    form.source.choices = [SelectChoice("", gettext("Start from scratch"))] + [
        SelectChoice(t.id, gettext("Template: %(title)s", title=localized(t.title, select_locale(), t.languages[0])))
        for t in found.values()]
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
                           problems=workshop_templates().problems), status


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
    template = workshop_templates().templates.get(form.source.data) if form.source.data else None
    store = get_store()
    for _attempt in range(10):  # a fresh code is free in all but astronomically rare cases
        workshop = state.new_workshop(form.title.data.strip(), form.date.data.isoformat(), new_join_code(),
                                      form.languages.data.split(","), template)
        try:
            record = store.add_workshop({**workshop_record(workshop), "created_by": current_user.username,
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
    workshop = load(workshop_id)
    store = get_store()
    current = workshop.current_round()
    address = join_address(workshop.join_code)
    return render_template(
        "workshop/control.html", workshop=workshop, poll=workshop.poll(workshop.current_poll), round=current,
        joined=store.count_participants(workshop.id),
        voted=store.count_votes(workshop.id, current.run) if current else 0,
        join_url=address.url, loopback=address.loopback,
        poll_types={name: gettext(kind.label) for name, kind in POLL_TYPES.items()},
        lang=select_locale(),
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
    now = stamp()
    changes = {
        "open": lambda w: state.open_voting(w, now),
        "close": lambda w: state.close_voting(w, now),
        "show": lambda w: state.show_results(w, True),
        "hide": lambda w: state.show_results(w, False),
        "next": lambda w: state.next_poll(w, now),
        "goto": lambda w: state.go_to_poll(w, request.form.get("poll", ""), now),
        "new_round": lambda w: state.new_round(w, now),
        "reset": lambda w: state.reset_round(w, request.form.get("confirm") == "yes"),
    }
    if action not in changes:
        abort(400)
    changed = change(workshop_id, changes[action])
    if changed is not None:
        if action == "reset":
            audit.record("workshop.reset", changed.title, workshop=changed.id, poll=changed.current_poll)
        flash(str(CONTROL_MESSAGES[action]))
    return redirect(url_for(".control", workshop_id=workshop_id))


@facilitate.route("/<workshop_id>/ideas", methods=["POST"])
@runs_workshop
def hide_idea(workshop_id: str):
    key = request.form.get("item", "")
    hidden = request.form.get("hidden") == "1"
    if change(workshop_id, lambda w: state.set_item_hidden(w, key, hidden)) is not None:
        flash(gettext("The idea is hidden.") if hidden else gettext("The idea is shown again."))
    back = ".results" if request.form.get("back") == "results" else ".control"
    return redirect(url_for(back, workshop_id=workshop_id))
