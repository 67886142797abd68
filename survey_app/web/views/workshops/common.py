"""What the workshop views share: the two blueprints, who may do what, loading and changing a
workshop under its lock, and the template helpers for polls."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import wraps
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, jsonify, request, url_for
from flask_babel import gettext
from flask_login import current_user

from survey_app.web.auth import role_required
from survey_app.web.db import get_store
from survey_app.web.i18n import select_locale
from survey_app.web.minimum import minimum_group_size
from survey_app.workshops.messages import Errors, Message, WorkshopError
from survey_app.workshops.model import CastVote, Poll, Workshop, cast_votes
from survey_app.workshops.polls.base import PollType, Tally
from survey_app.workshops.polls.registry import POLL_TYPES
from survey_app.workshops.records import workshop_from_record, workshop_record
from survey_app.workshops.tallies import tally_chart
from survey_app.workshops.templates import TemplateCatalogue, load_templates

facilitate = Blueprint("workshops", __name__, url_prefix="/workshops")
participate = Blueprint("participate", __name__, url_prefix="/w")

FACILITATOR_ROLES = ("admin", "facilitator")
# Workshop results are votes of a room, not questionnaire responses: evaluators may read them too.
RESULT_ROLES = ("admin", "facilitator", "evaluator")


def stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(timezone.utc)).isoformat(timespec="seconds")


def say(message: Message) -> str:
    return message.render(gettext)


def field_errors(errors: Errors) -> dict[str, list[str]]:
    return {key: [say(m) for m in found] for key, found in errors.items()}


def workshop_templates() -> TemplateCatalogue:
    # Workshop templates live in a subfolder, which the questionnaire loader does not read.
    return load_templates(Path(current_app.config["QUESTIONNAIRE_DIR"]) / "workshops")


def load(workshop_id: str) -> Workshop:
    record = get_store().get_workshop(workshop_id)
    if record is None:
        abort(404)
    return workshop_from_record(record)


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


def change(workshop_id: str, apply) -> Workshop | None:
    """Apply a pure change under the workshop's lock; its refusal is flashed and nothing is saved."""
    try:
        record = get_store().change_workshop(
            workshop_id, lambda stored: workshop_record(apply(workshop_from_record(stored))))
    except WorkshopError as error:
        flash(say(error.message), "error")
        return None
    if record is None:
        abort(404)
    return workshop_from_record(record)


def minimum(workshop: Workshop) -> int:
    return minimum_group_size(workshop.min_group_size)


def votes_by_run(workshop: Workshop) -> dict[str, list[CastVote]]:
    store = get_store()
    return {r.run: cast_votes(store.votes(workshop.id, r.run))
            for rounds in workshop.rounds.values() for r in rounds}


def join_url(workshop: Workshop) -> str:
    """The join link phones in the room can open (addresses.py)."""
    from survey_app.web.views.workshops.addresses import join_address

    return join_address(workshop.join_code).url


def chart(result: Tally, workshop: Workshop) -> dict:
    return tally_chart(result, select_locale(), workshop.languages[0], gettext("unclear"))


def conditional_json(data: dict) -> Response:
    response = jsonify(data)
    response.cache_control.no_cache = True  # always ask; a matching ETag gets a bodiless 304
    response.add_etag()
    return response.make_conditional(request)


def embeddable(data) -> str:
    # Inside <script type="application/json">, "</" would end the element early.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


# --------------------------------------------------------------------------- in templates

@facilitate.app_template_global("poll_kind")
def poll_kind(poll: Poll | str) -> PollType:
    """The poll type of a poll (or of a type name): its partial, labels and settings."""
    return POLL_TYPES[poll if isinstance(poll, str) else poll.type]


@facilitate.app_template_filter("poll_type")
def poll_type_filter(poll_type: str) -> str:
    """The translated name of a poll type."""
    kind = POLL_TYPES.get(poll_type)
    return gettext(kind.label) if kind else poll_type
