"""Repeated joins: one participant per phone and workshop, and a brake per network address.

* A phone that joins gets a signed cookie (PHONE_COOKIE, a year, only for /w/) naming its
  participant in each of its last workshops. A phone that lost its session (a staff login on
  it, a cleared session) and joins again gets the same participant back, so its vote replaces
  the earlier one instead of counting twice.
* A phone that drops every cookie is a new phone to the server. So new participants of one
  workshop are counted per network address (IPv4 address or IPv6 /64, keyed hashes in the
  brake store, never the address): after JOIN_BRAKE's limit within its window, that address
  gets "too many joins" until the window has passed. Phones in a room on one local network
  have their own addresses; a room behind one shared internet address (venue Wi-Fi with NAT)
  needs a higher limit (SURVEY_APP_WORKSHOP_JOIN_LIMIT, see docs/workshops.md).
* What remains possible (several browsers on one phone, many addresses) shows on the
  facilitator's page as "Joined" growing beyond the room and beyond "Voted".
"""
from __future__ import annotations

import os

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from survey_app.web import guessing

PHONE_COOKIE = "survey_app_phone"
PHONE_MAX_AGE = 365 * 24 * 3600
KEEP_WORKSHOPS = 8      # the cookie names the participant of this many workshops, the newest
DEFAULT_JOIN_LIMIT = 10  # new participants per workshop and network address within 10 minutes


def _join_limit() -> int:
    setting = os.environ.get("SURVEY_APP_WORKSHOP_JOIN_LIMIT", "")
    return int(setting) if setting.isdigit() and int(setting) > 0 else DEFAULT_JOIN_LIMIT


# The app config WORKSHOP_JOIN_LIMIT, else the environment's SURVEY_APP_WORKSHOP_JOIN_LIMIT.
JOIN_BRAKE = guessing.Brake("workshop_join", "WORKSHOP_JOIN_LIMIT", _join_limit(), 600)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="workshop-phone")


def _cookie() -> dict:
    raw = request.cookies.get(PHONE_COOKIE)
    if not raw:
        return {}
    try:
        data = _serializer().loads(raw, max_age=PHONE_MAX_AGE)
    except BadSignature:
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("joined"), dict) else {}


def earlier_participant(workshop_id: str) -> dict | None:
    """{"participant", "group"} of this phone in the workshop, when it joined it before."""
    found = _cookie().get("joined", {}).get(workshop_id)
    if isinstance(found, list) and len(found) == 2 and isinstance(found[0], str):
        return {"participant": found[0], "group": found[1] if isinstance(found[1], str) else None}
    return None


def _address_subject(workshop_id: str) -> str:
    return f"{workshop_id}\0{guessing.network_of(request.remote_addr)}"


def too_many_joins(workshop_id: str) -> bool:
    """This network address has added as many participants to the workshop as it may lately."""
    return guessing.locked_out(JOIN_BRAKE, _address_subject(workshop_id))


def count_join(workshop_id: str) -> None:
    guessing.count_failure(JOIN_BRAKE, _address_subject(workshop_id))


def remember(response: Response, workshop_id: str, participant_id: str, group: str | None) -> Response:
    """Put the phone's participant of this workshop into its cookie (the newest KEEP_WORKSHOPS)."""
    data = _cookie()
    joined = {key: value for key, value in data.get("joined", {}).items() if key != workshop_id}
    joined = dict(list(joined.items())[-(KEEP_WORKSHOPS - 1):])
    joined[workshop_id] = [participant_id, group]
    value = _serializer().dumps({"joined": joined})
    response.set_cookie(PHONE_COOKIE, value, max_age=PHONE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False), path="/w/")
    return response
