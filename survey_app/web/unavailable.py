"""What a person reads when the storage cannot take or give data just now (answered 503 with
Retry-After): why (the server's storage is full, or its database cannot be reached) and what
happens to what they entered, for each place that says it. One table, so that every page, form
and JSON answer gives the same reason in the person's language."""
from __future__ import annotations

from flask import Response, jsonify, render_template, request
from flask_babel import gettext, lazy_gettext as _l

from survey_app.storage.interface import storage_full

RETRY_AFTER = {"Retry-After": "60"}   # seconds; sent with every "could not store" answer
FULL, UNREACHABLE = "full", "unreachable"

# (what was refused, why) -> the message
MESSAGES = {
    ("page", FULL): _l("This page cannot be shown just now because the server's storage is full. Please try "
                       "again in a few minutes."),
    ("page", UNREACHABLE): _l("This page cannot be shown just now because the database cannot be reached. "
                              "Please try again in a few minutes."),
    ("sent", FULL): _l("What you sent could not be saved just now because the server's storage is full. Nothing is "
                       "lost: go back with your browser's back button, where your entries are still filled in, and "
                       "send them again in a few minutes."),
    ("sent", UNREACHABLE): _l("What you sent could not be saved just now because the database cannot be reached. "
                              "Nothing is lost: go back with your browser's back button, where your entries are "
                              "still filled in, and send them again in a few minutes."),
    ("answers", FULL): _l("The server's storage is full. Your answers are still in this form, as you entered them: "
                          "please leave this page open and press the button again in a few minutes."),
    ("answers", UNREACHABLE): _l("The database cannot be reached just now. Your answers are still in this form, as "
                                 "you entered them: please leave this page open and press the button again in a "
                                 "few minutes."),
    ("statement", FULL): _l("Your statement could not be saved just now because the server's storage is full. "
                            "Everything you typed is still in this form: press the button again in a few minutes."),
    ("statement", UNREACHABLE): _l("Your statement could not be saved just now because the database cannot be "
                                   "reached. Everything you typed is still in this form: press the button again in "
                                   "a few minutes."),
    ("vote", FULL): _l("Your vote could not be saved just now because the server's storage is full. Please send it "
                       "again in a minute."),
    ("vote", UNREACHABLE): _l("Your vote could not be saved just now because the database cannot be reached. Please "
                              "send it again in a minute."),
}


def why(error: BaseException | None) -> str:
    """FULL when the storage has no room, UNREACHABLE when its database cannot be reached (also
    None: the app could not open its database at all)."""
    return FULL if error is not None and storage_full(error) else UNREACHABLE


def message(what: str, error: BaseException | None) -> str:
    return str(MESSAGES[(what, why(error))])


def wants_json() -> bool:
    """The request is one of the JSON endpoints (live workshop state) or asks for JSON only."""
    best = request.accept_mimetypes.best
    return request.path.endswith(".json") or request.is_json or best == "application/json"


def unavailable_response(error: BaseException | None, sent: bool | None = None) -> Response:
    """The 503 answer to a request the storage could not serve: JSON for JSON requests, else a
    page that needs nothing stored (not even the logged-in account, which may be what could not
    be read). `sent`: the request wanted to store something (default: any method but GET/HEAD)."""
    if sent is None:
        sent = request.method not in ("GET", "HEAD")
    text = message("sent" if sent else "page", error)
    title = gettext("Not saved") if sent else gettext("Temporarily not available")
    if wants_json():
        response = jsonify(error=text, reason=why(error), retry_after=int(RETRY_AFTER["Retry-After"]))
    else:
        response = Response(render_template("unavailable.html", title=title, message=text), mimetype="text/html")
    response.status_code = 503
    response.headers.update(RETRY_AFTER)
    response.cache_control.no_store = True
    return response
