"""Participants (/w): join by code or QR code without an account, wait for the facilitator and
vote. Phones ask a small JSON endpoint about once a second (answered with 304 while nothing
changed) and fetch their page again when the poll, round or voting state changes."""
from __future__ import annotations

from flask import Response, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_wtf import FlaskForm

from survey_app.web import guessing
from survey_app.web.db import get_store
from survey_app.web.i18n import select_locale
from survey_app.web.views.main import RETRY_AFTER, storage_failed
from survey_app.web.views.workshops.common import conditional_json, field_errors, participate, say
from survey_app.workshops.codes import normalize_join_code
from survey_app.workshops.live import participant_view, phone_screen
from survey_app.workshops.model import Workshop
from survey_app.workshops.records import workshop_from_record
from survey_app.workshops.voting import form_values, read_vote, vote_refusal

# Workshops a phone confirmed by code in this session (it may then see the join page).
CONFIRMED_KEY = "confirmed_workshops"


def _joined(workshop_id: str) -> dict | None:
    return session.get("workshops", {}).get(workshop_id)


def _too_many_failures() -> Response:
    message = gettext("Too many wrong codes from your network. Please wait a few minutes and try again.")
    return render_template("workshop/join.html", form=FlaskForm(), code="", error=message), 429


def _workshop_for_code(code: str) -> Workshop | Response:
    """The workshop a code sent by POST names. Wrong codes count against the client, and after
    too many within the window every lookup pauses, so codes cannot be found by trying."""
    if guessing.locked_out(guessing.JOIN_CODE):
        return _too_many_failures()
    normalized = normalize_join_code(code)
    record = get_store().find_workshop_by_code(normalized) if normalized else None
    if record is None:
        if guessing.count_failure(guessing.JOIN_CODE):
            return _too_many_failures()
        message = gettext("There is no workshop with this code. Please check it.")
        return render_template("workshop/join.html", form=FlaskForm(), code=code, error=message), 404
    return workshop_from_record(record)


def _session_workshop(code: str) -> Workshop | None:
    """The workshop with this code that this session joined or confirmed; nothing is looked up
    by code."""
    normalized = normalize_join_code(code)
    if normalized is None:
        return None
    joined = session.get("workshops", {})
    ids = [session.get(CONFIRMED_KEY, {}).get(normalized)]
    ids += [i for i, me in joined.items() if me.get("code") in (normalized, None)]
    for workshop_id in dict.fromkeys(i for i in ids if i):
        record = get_store().get_workshop(workshop_id)
        if record is not None and record["join_code"] == normalized:
            return workshop_from_record(record)
    return None


def _confirm_code_page(code: str) -> Response:
    """A link (the QR code's) with a code this session has not confirmed yet: the code form,
    filled in, one tap to go on. A plain GET looks nothing up, so links cannot be used to
    guess codes, and a page elsewhere that makes browsers load such links locks nobody out."""
    return render_template("workshop/join.html", form=FlaskForm(), code=code, error=None, confirm=True)


def _known_workshop(code: str) -> Workshop | Response:
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
    if isinstance(found, Workshop):
        confirmed = list(session.get(CONFIRMED_KEY, {}).items())[-4:]
        session[CONFIRMED_KEY] = {**dict(confirmed), found.join_code: found.id}
        return redirect(url_for(".live", code=found.join_code))
    return found


@participate.route("/<code>")
def live(code: str):
    found = _known_workshop(code)
    if not isinstance(found, Workshop):
        return found
    if found.join_code != code:
        return redirect(url_for(".live", code=found.join_code))
    return _render_live(found)


def _render_live(workshop: Workshop, values=None, errors=None, status=200):
    me = _joined(workshop.id)
    if me is None:
        return render_template("workshop/join_workshop.html", workshop=workshop, form=FlaskForm(),
                               lang=select_locale()), status
    screen = phone_screen(workshop)
    mine = get_store().get_vote(workshop.id, screen.round.run, me["participant"]) if screen.round else None
    if values is None:
        values = form_values(screen.poll, mine["value"]) if screen.poll and mine else {}
    # as submitted form data: field name -> list of strings
    values = {key: [str(v) for v in (value if isinstance(value, list) else [value])]
              for key, value in values.items()}
    return render_template(
        "workshop/live.html", workshop=workshop, poll=screen.poll, round=screen.round, voting=screen.voting,
        mine=mine, values=values, errors=errors or {}, view=participant_view(workshop),
        lang=select_locale(), default_lang=workshop.languages[0],
    ), status


@participate.route("/<code>/join", methods=["POST"])
def join_workshop(code: str):
    found = _known_workshop(code)
    if not isinstance(found, Workshop):
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
    if not isinstance(found, Workshop):
        return found
    me = _joined(found.id)
    if me is None:
        return redirect(url_for(".live", code=found.join_code))
    poll_id, run = request.form.get("poll", ""), request.form.get("run", "")
    form = request.form.to_dict(flat=False)
    refusal = vote_refusal(found, poll_id, run)
    if refusal is not None:
        flash(say(refusal), "error")
        return redirect(url_for(".live", code=found.join_code))
    poll = found.poll(poll_id)
    value, errors = read_vote(poll, form)
    if errors:
        return _render_live(found, form, field_errors(errors), 422)
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
    return conditional_json({"view": participant_view(found)})

