"""Participants (/w): join by code or QR code without an account, wait for the facilitator and
vote.

How a phone follows the room (see docs/workshops.md): where the server can hold open streams
(gunicorn with gevent workers, `flask run`), the page listens to /w/<code>/events (server-sent
events): each change of what phones show arrives as one event with the new screen, rendered
once per worker, state and language (rooms.py keeps it), so a room of 1,000 phones fetches
nothing after a change. Elsewhere, or when a proxy breaks the stream, the page asks
/w/<code>/state.json every few seconds (a bodiless 304 from memory while nothing changed) and
fetches its page when the state moved. Without JavaScript the page says to reload.

Every POST answers with a redirect, also a refused or failed one: what the phone sent and why
it was not taken wait in the session for the page it is sent to. Only a stored vote sent by
workshop.js in the background (fetch, which leaves no page in the history) is answered with the
page at once, which saves a room's phones the second request.
"""
from __future__ import annotations

import json
import time

from flask import (Response, flash, redirect, render_template, request, session, stream_with_context,
                   url_for)
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from survey_app.web import guessing
from survey_app.web.ballots import get_ballot_box
from survey_app.web.db import get_store
from survey_app.web.i18n import select_locale
from survey_app.web.rooms import Snapshot, get_rooms, push_supported
from survey_app.web.unavailable import RETRY_AFTER, message as unavailable_message
from survey_app.web.views.main import storage_failed
from survey_app.web.views.workshops import devices
from survey_app.web.views.workshops.common import field_errors, participate, say
from survey_app.workshops.codes import normalize_join_code
from survey_app.workshops.live import phone_screen
from survey_app.workshops.model import Workshop
from survey_app.workshops.records import workshop_from_record
from survey_app.workshops.voting import form_values, read_vote, vote_refusal

# Workshops a phone confirmed by code in this session (it may then see the join page).
CONFIRMED_KEY = "confirmed_workshops"
# A refused or failed POST: what was sent and why, for the page it is redirected to (once).
PENDING_KEY = "workshop_pending"
# ... only while it keeps the session cookie small (browsers drop cookies over 4 KB, and with it
# the phone's participant id); a larger one (only a full disk with long ideas) is shown at once.
PENDING_LIMIT = 2000
# In shared screens the phone's CSRF token is this; the page or workshop.js puts the token in.
# (Markup: not escaped here, while the same text in a poll's texts would be.)
CSRF_SLOT = Markup("<csrf-token>")

# workshop.js sends its votes with this header: a stored vote is answered with the page itself.
SCRIPT_HEADER = "X-Workshop-Script"

HEARTBEAT_S = 15      # a comment line this often keeps proxies from closing a quiet stream
STREAM_S = 600        # then the stream ends and the browser reconnects (spreads phones over workers)
RETRY_MS = 2000       # how long a browser waits before it reconnects


def _joined(workshop_id: str) -> dict | None:
    return session.get("workshops", {}).get(workshop_id)


def _join_refused(code: str, message: str, status: int) -> Response:
    session[PENDING_KEY] = {"join": code, "errors": {"code": [message]}, "status": status}
    return redirect(url_for(".join", code=code))


def _workshop_for_code(code: str) -> Workshop | Response:
    """The workshop a code sent by POST names. Wrong codes count against the client, and after
    too many within the window every lookup pauses, so codes cannot be found by trying."""
    too_many = gettext("Too many wrong codes from your network. Please wait a few minutes and try again.")
    if guessing.locked_out(guessing.JOIN_CODE):
        return _join_refused(code, too_many, 429)
    normalized = normalize_join_code(code)
    record = get_store().find_workshop_by_code(normalized) if normalized else None
    if record is None:
        if guessing.count_failure(guessing.JOIN_CODE):
            return _join_refused(code, too_many, 429)
        return _join_refused(code, gettext("There is no workshop with this code. Please check it."), 404)
    return workshop_from_record(record)


def _session_snapshot(code: str) -> Snapshot | None:
    """The state of the workshop with this code that this session joined or confirmed (from
    this process's memory while it is unchanged); nothing is looked up by code."""
    normalized = normalize_join_code(code)
    if normalized is None:
        return None
    joined = session.get("workshops", {})
    ids = [session.get(CONFIRMED_KEY, {}).get(normalized)]
    ids += [i for i, me in joined.items() if me.get("code") in (normalized, None)]
    rooms = get_rooms()
    for workshop_id in dict.fromkeys(i for i in ids if i):
        found = rooms.snapshot(workshop_id)
        if found is not None and found.workshop.join_code == normalized:
            return found
    return None


def _confirm_code_page(code: str) -> Response:
    """A link (the QR code's) with a code this session has not confirmed yet: the code form,
    filled in, one tap to go on. A plain GET looks nothing up, so links cannot be used to
    guess codes, and a page elsewhere that makes browsers load such links locks nobody out."""
    return render_template("workshop/join.html", form=FlaskForm(), code=code, error=None, confirm=True)


def _known(code: str) -> Snapshot | Workshop | Response:
    """The workshop for participants who joined or confirmed it; else a POST's code is checked
    (and counted when wrong) and a GET gets the code form."""
    found = _session_snapshot(code)
    if found is not None:
        return found
    if request.method != "POST":
        return _confirm_code_page(code)
    return _workshop_for_code(code)


@participate.route("/", methods=["GET", "POST"])
def join():
    if request.method == "GET":
        code, error, status = request.args.get("code", ""), None, 200
        pending = session.get(PENDING_KEY)
        if pending and "join" in pending:
            session.pop(PENDING_KEY)
            code, error, status = pending["join"], pending["errors"]["code"][0], pending["status"]
        return render_template("workshop/join.html", form=FlaskForm(), code=code, error=error), status
    found = _workshop_for_code(request.form.get("code", ""))
    if isinstance(found, Workshop):
        confirmed = list(session.get(CONFIRMED_KEY, {}).items())[-4:]
        session[CONFIRMED_KEY] = {**dict(confirmed), found.join_code: found.id}
        return redirect(url_for(".live", code=found.join_code))
    return found


@participate.route("/<code>")
def live(code: str):
    found = _known(code)
    if not isinstance(found, Snapshot):
        return found
    if found.workshop.join_code != code:
        return redirect(url_for(".live", code=found.workshop.join_code))
    return _render_live(found)


def _pending_vote(workshop: Workshop, run: str | None) -> dict | None:
    """What this phone sent for the current round and was refused (shown once)."""
    pending = session.get(PENDING_KEY)
    if not pending or pending.get("workshop") != workshop.id or "values" not in pending:
        return None
    session.pop(PENDING_KEY)
    return pending if pending.get("run") == run else None


def _render_live(snapshot: Snapshot, values=None, errors=None, status=200):
    workshop = snapshot.workshop
    me = _joined(workshop.id)
    if me is None:
        pending = session.get(PENDING_KEY)
        refused = bool(pending and pending.get("workshop") == workshop.id and pending.get("join_refused"))
        if refused:
            session.pop(PENDING_KEY)
        return render_template("workshop/join_workshop.html", workshop=workshop, form=FlaskForm(),
                               lang=select_locale(), refused=refused), 429 if refused else status
    screen = phone_screen(workshop)
    run = screen.round.run if screen.round else None
    if run and me.get("voted") == run and request.args.get("change") != "1":
        mine = {"run": run}   # this phone's vote in this round is stored (it said so when it voted)
    else:
        mine = get_store().get_vote(workshop.id, run, me["participant"]) if run else None
    headers = {}
    if values is None:
        pending = _pending_vote(workshop, screen.round.run if screen.round else None)
        if pending and screen.voting:
            values, errors, status = pending["values"], pending["errors"], pending["status"]
            headers = RETRY_AFTER if status == 503 else {}
    editing = values is not None or (bool(mine) and screen.voting and request.args.get("change") == "1")
    lang = select_locale()
    context = _screen_context(snapshot, lang)
    stream_url = url_for(".events", code=workshop.join_code) if push_supported() else None
    if not editing and _may_share():
        # The page of every phone in this state and language that did (not) vote: made once per process.
        key = ("page", lang, bool(mine), request.path, bool(stream_url))
        page = get_rooms().shared(snapshot, key, lambda: render_template(
            "workshop/live.html", **context, mine=mine, editing=False, values={}, errors={}, csrf=CSRF_SLOT,
            stream_url=stream_url))
        return page.replace(CSRF_SLOT, generate_csrf()), status, headers
    if values is None:
        values = form_values(screen.poll, mine["value"]) if screen.poll and mine and editing else {}
    # as submitted form data: field name -> list of strings
    values = {key: [str(v) for v in (value if isinstance(value, list) else [value])]
              for key, value in values.items()}
    return render_template("workshop/live.html", **context, mine=mine, editing=editing, values=values,
                           errors=errors or {}, csrf=generate_csrf(), stream_url=stream_url), status, headers


def _screen_context(snapshot: Snapshot, lang: str) -> dict:
    screen = phone_screen(snapshot.workshop)
    return {"workshop": snapshot.workshop, "poll": screen.poll, "round": screen.round, "voting": screen.voting,
            "view": snapshot.event_id, "lang": lang, "default_lang": snapshot.workshop.languages[0]}


def _may_share() -> bool:
    """Nothing on this request's page is the person's own but the CSRF token: no flashed
    message, no staff account in the header, no query string in the language links."""
    return "_flashes" not in session and not request.query_string and not current_user.is_authenticated


def _screen_event(snapshot: Snapshot, lang: str) -> str:
    """The event that tells a phone the new state, with the screen to show: `html`, or
    `voted_html` for a phone that voted in this round (the page says which, data-voted-run)."""

    def make() -> str:
        context = {**_screen_context(snapshot, lang), "editing": False, "values": {}, "errors": {}, "csrf": CSRF_SLOT}
        fresh = render_template("workshop/_screen.html", **context, mine=None)
        voted = render_template("workshop/_screen.html", **context, mine=True)
        data = {"view": snapshot.event_id, "run": context["round"].run if context["round"] else None,
                "html": fresh, "voted_html": voted, "slot": str(CSRF_SLOT)}
        return f"id: {snapshot.event_id}\nevent: screen\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"

    return get_rooms().shared(snapshot, ("event", lang), make)


@participate.route("/<code>/events")
def events(code: str):
    """Server-sent events: the current state at once when the phone's differs (Last-Event-ID,
    or `seen` from the page), then one event per change, a comment every HEARTBEAT_S seconds."""
    found = _session_snapshot(code)
    if found is None or _joined(found.workshop.id) is None or not push_supported():
        return Response(status=204)   # EventSource gives up; the page asks state.json instead
    rooms, lang, workshop_id = get_rooms(), select_locale(), found.workshop.id
    seen = request.headers.get("Last-Event-ID") or request.args.get("seen")

    def stream():
        yield f"retry: {RETRY_MS}\n\n"
        ends = time.monotonic() + STREAM_S
        with rooms.listening(workshop_id):
            snapshot = rooms.snapshot(workshop_id)
            if snapshot is not None and snapshot.event_id == seen:
                yield f"id: {seen}\nevent: ready\ndata: {{}}\n\n"   # the page sees the stream works
            last = seen
            while True:
                if snapshot is None:
                    yield "event: gone\ndata: {}\n\n"
                    return
                if snapshot.event_id != last:
                    yield _screen_event(snapshot, lang)
                    last = snapshot.event_id
                left = ends - time.monotonic()
                if left <= 0:
                    return
                snapshot = rooms.wait(workshop_id, last, min(HEARTBEAT_S, left))
                if snapshot is not None and snapshot.event_id == last:
                    yield ": ping\n\n"

    return Response(stream_with_context(stream()), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@participate.route("/<code>/join", methods=["POST"])
def join_workshop(code: str):
    found = _known(code)
    if isinstance(found, Response):
        return found
    workshop = found.workshop if isinstance(found, Snapshot) else found
    page = redirect(url_for(".live", code=workshop.join_code))
    if _joined(workshop.id) is not None:
        return page
    me = devices.earlier_participant(workshop.id)   # this phone joined before: the same participant
    if me is None:
        if devices.too_many_joins(workshop.id):
            session[PENDING_KEY] = {"workshop": workshop.id, "join_refused": True}
            return page
        group = request.form.get("group") or None
        if group not in {o.id for o in workshop.organisation_types}:
            group = None
        me = {"participant": get_store().add_participant(workshop.id, group)["id"], "group": group}
        devices.count_join(workshop.id)
    session["workshops"] = {**session.get("workshops", {}), workshop.id: {**me, "code": workshop.join_code}}
    session.permanent = True  # a phone that locks its screen stays joined
    return devices.remember(page, workshop.id, me["participant"], me["group"])


def _refused_vote(snapshot: Snapshot, run: str, form: dict, errors: dict, status: int) -> Response:
    """Back to the page, which shows the vote again with the reasons (a reload then shows the
    form as it is now, and a later page fetch never re-sends the vote)."""
    pending = {"workshop": snapshot.workshop.id, "run": run, "status": status, "errors": errors,
               "values": {k: v for k, v in form.items() if k not in ("csrf_token", "poll", "run")}}
    if len(json.dumps(pending, ensure_ascii=False)) > PENDING_LIMIT:
        values = pending["values"]
        page, status, headers = _render_live(snapshot, values, errors, status)
        return page, status, headers
    session[PENDING_KEY] = pending
    return redirect(url_for(".live", code=snapshot.workshop.join_code))


@participate.route("/<code>/vote", methods=["POST"])
def vote(code: str):
    found = _known(code)
    if isinstance(found, Response):
        return found
    if not isinstance(found, Snapshot):   # the code was sent with the vote: nothing to vote on yet
        return redirect(url_for(".live", code=found.join_code))
    workshop = found.workshop
    me = _joined(workshop.id)
    if me is None:
        return redirect(url_for(".live", code=workshop.join_code))
    poll_id, run = request.form.get("poll", ""), request.form.get("run", "")
    form = request.form.to_dict(flat=False)
    refusal = vote_refusal(workshop, poll_id, run)
    if refusal is not None:
        flash(say(refusal), "error")
        return redirect(url_for(".live", code=workshop.join_code))
    value, errors = read_vote(workshop.poll(poll_id), form)
    if errors:
        return _refused_vote(found, run, form, field_errors(errors), 422)
    try:
        get_ballot_box().put(workshop.id, run, me["participant"], {"value": value, "group": me["group"]})
    except OSError as error:
        if not storage_failed(error):
            raise
        # The phone shows its vote again with a note; sending it again retries.
        return _refused_vote(found, run, form, {"": [unavailable_message("vote", error)]}, 503)
    # The page after it shows "recorded" without reading the vote again (a room votes at once).
    session["workshops"] = {**session.get("workshops", {}), workshop.id: {**me, "voted": run}}
    if request.headers.get(SCRIPT_HEADER) == "1":
        # workshop.js sent it (fetch: no page in the history to send again) and puts in the
        # live part of the answer: that page at once, shared, instead of a redirect to fetch it.
        return _render_live(get_rooms().snapshot(workshop.id) or found)
    return redirect(url_for(".live", code=workshop.join_code, _anchor="recorded"))


@participate.route("/<code>/state.json")
def state(code: str):
    """For phones that cannot keep a stream: the state's id, a bodiless 304 while unchanged
    (from this process's memory: no storage read)."""
    found = _session_snapshot(code)
    if found is None:
        return Response(json.dumps({"view": None}), status=404, mimetype="application/json")
    response = Response(json.dumps({"view": found.event_id}), mimetype="application/json")
    response.cache_control.no_cache = True  # always ask; a matching ETag gets a bodiless 304
    response.set_etag(found.event_id)
    return response.make_conditional(request)
