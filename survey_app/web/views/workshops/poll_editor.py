"""The poll editor: a form per poll type, built from the type's editor fields (polls/). The form
builds the same mapping a template file holds and the poll type's own parser checks it, so the
editor, template files and stored workshops follow one set of rules; its refusals are shown at
the editor's fields."""
from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from survey_app.definitions.model import localized
from survey_app.web.views.workshops.common import change, facilitate, load, runs_workshop
from survey_app.web.views.workshops.lines import choices_from_lines, lines_text, show_problems
from survey_app.workshops import state
from survey_app.workshops.definitions import check_poll, choice_dict
from survey_app.workshops.model import Poll, Workshop
from survey_app.workshops.polls.base import Flag, Lines, Number, PollType
from survey_app.workshops.polls.checks import Refusal
from survey_app.workshops.polls.registry import POLL_TYPES

WHOLE_NUMBER = re.compile(r"[+-]?\d{1,9}")


def _form_class(kind: PollType, languages: tuple[str, ...]):
    attrs = {"construct": StringField(_l("Construct key (optional, e.g. task.networking)"),
                                      validators=[Optional(), Length(max=200)])}
    for lang in languages:
        attrs[f"text_{lang}"] = StringField(gettext("Question (%(language)s)", language=lang),
                                            validators=[Length(max=300)])
        attrs[f"help_{lang}"] = TextAreaField(gettext("Explanation (%(language)s, optional)", language=lang),
                                              validators=[Optional(), Length(max=1000)])
        for field in kind.editor:
            if isinstance(field, Lines):
                attrs[f"{field.key}_{lang}"] = TextAreaField(gettext(field.label, language=lang),
                                                             validators=[Length(max=5000)])
    for field in kind.editor:
        if isinstance(field, Number):
            attrs[field.key] = StringField(gettext(field.label), validators=[Length(max=20)])
        elif isinstance(field, Flag):
            attrs[field.key] = BooleanField(gettext(field.label))
    return type("PollForm", (FlaskForm,), attrs)


def _poll_form(kind: PollType, workshop: Workshop, poll: Poll | None, formdata=None):
    form_class = _form_class(kind, workshop.languages)
    if formdata is not None:
        return form_class(formdata=formdata)
    values = {}
    for field in kind.editor:
        if isinstance(field, (Number, Flag)):
            value = getattr(poll, field.key) if poll is not None else field.default
            values[field.key] = "" if value is None else value if isinstance(field, Flag) else str(value)
    if poll is not None:
        values["construct"] = poll.construct
        for lang in workshop.languages:
            values[f"text_{lang}"] = localized(poll.text, lang)
            values[f"help_{lang}"] = localized(poll.help, lang)
            for field in kind.editor:
                if isinstance(field, Lines):
                    values[f"{field.key}_{lang}"] = lines_text(getattr(poll, field.key), lang)
    return form_class(formdata=None, **values)


def _mapping(form, kind: PollType, workshop: Workshop, existing: Poll | None) -> dict | None:
    """The poll mapping the form gives (None when its text areas cannot be read as lists)."""
    languages = workshop.languages
    data = {"id": existing.id if existing else kind.name, "type": kind.name,
            "text": {lang: text for lang in languages if (text := (form[f"text_{lang}"].data or "").strip())}}
    helps = {lang: (form[f"help_{lang}"].data or "").strip() for lang in languages}
    if any(helps.values()):  # an explanation in one language stands in for the others
        data["help"] = {lang: helps[lang] or next(h for h in helps.values() if h) for lang in languages}
    if (form.construct.data or "").strip():
        data["construct"] = form.construct.data.strip()
    readable = True
    for field in kind.editor:
        if isinstance(field, Lines):
            previous = () if field.plain or existing is None else getattr(existing, field.key)
            entries = choices_from_lines(form, field.key, languages, previous)
            if entries is None:
                readable = False
            else:
                data[field.key] = [dict(e.label) if field.plain else choice_dict(e) for e in entries]
        elif isinstance(field, Number):
            typed = (form[field.key].data or "").strip()
            if typed:  # anything but a whole number goes to the parser as typed, which refuses it
                data[field.key] = int(typed) if WHOLE_NUMBER.fullmatch(typed) else typed
        else:
            data[field.key] = bool(form[field.key].data)
    return data if readable else None


def _checked_poll(form, kind: PollType, workshop: Workshop, existing: Poll | None) -> tuple[Poll | None, list[str]]:
    """The poll the form gives, checked by its type's parser: refusals go to their fields, the
    rest is returned."""
    valid = form.validate()
    data = _mapping(form, kind, workshop, existing)
    if data is None:
        return None, []
    poll, problems, refusals = check_poll(data, workshop.languages)
    languages = workshop.languages
    lists = {field.key for field in kind.editor if isinstance(field, Lines)} | {"text", "help"}

    def field_of(refusal: Refusal) -> str:
        return f"{refusal.key}_{refusal.language or languages[0]}" if refusal.key in lists else refusal.key

    general = show_problems(form, problems, refusals, field_of)
    return (poll if valid else None), general


def _render(workshop: Workshop, kind: PollType, form, poll: Poll | None = None, general=(), status: int = 200):
    return render_template(
        "workshop/poll_form.html", workshop=workshop, kind=kind, form=form, poll=poll, general=general,
        line_keys=[f.key for f in kind.editor if isinstance(f, Lines)],
        numbers=[f.key for f in kind.editor if isinstance(f, Number)],
        flags=[f.key for f in kind.editor if isinstance(f, Flag)]), status


@facilitate.route("/<workshop_id>/polls/new", methods=["GET", "POST"])
@runs_workshop
def new_poll(workshop_id: str):
    workshop = load(workshop_id)
    kind = POLL_TYPES.get(request.values.get("type", ""))
    if kind is None:
        abort(404)
    if request.method == "GET":
        return _render(workshop, kind, _poll_form(kind, workshop, None))
    form = _poll_form(kind, workshop, None, request.form)
    poll, general = _checked_poll(form, kind, workshop, None)
    if poll is None:
        return _render(workshop, kind, form, general=general, status=422)
    change(workshop_id, lambda w: state.add_poll(w, poll))
    flash(gettext("Poll added."))
    return redirect(url_for(".control", workshop_id=workshop_id, _anchor="polls"))


@facilitate.route("/<workshop_id>/polls/<poll_id>/edit", methods=["GET", "POST"])
@runs_workshop
def edit_poll(workshop_id: str, poll_id: str):
    workshop = load(workshop_id)
    poll = workshop.poll(poll_id)
    if poll is None:
        abort(404)
    if poll.id in workshop.opened_polls:
        flash(gettext("This poll has already been opened for voting; duplicate it to change it."), "error")
        return redirect(url_for(".control", workshop_id=workshop_id, _anchor="polls"))
    kind = POLL_TYPES[poll.type]
    if request.method == "GET":
        return _render(workshop, kind, _poll_form(kind, workshop, poll), poll)
    form = _poll_form(kind, workshop, poll, request.form)
    changed, general = _checked_poll(form, kind, workshop, poll)
    if changed is None:
        return _render(workshop, kind, form, poll, general, 422)
    if change(workshop_id, lambda w: state.replace_poll(w, changed)) is not None:
        flash(gettext("Poll saved."))
    return redirect(url_for(".control", workshop_id=workshop_id, _anchor="polls"))


@facilitate.route("/<workshop_id>/polls/<poll_id>/<operation>", methods=["POST"])
@runs_workshop
def change_poll(workshop_id: str, poll_id: str, operation: str):
    operations = {
        "duplicate": (lambda w: state.duplicate_poll(w, poll_id), _l("Poll duplicated.")),
        "up": (lambda w: state.move_poll(w, poll_id, -1), _l("Poll moved up.")),
        "down": (lambda w: state.move_poll(w, poll_id, 1), _l("Poll moved down.")),
        "delete": (lambda w: state.delete_poll(w, poll_id), _l("Poll deleted.")),
    }
    if operation not in operations:
        abort(404)
    apply, message = operations[operation]
    if change(workshop_id, apply) is not None:
        flash(str(message))
    return redirect(url_for(".control", workshop_id=workshop_id, _anchor="polls"))
