"""The audit log: who did what, when, to what. Append-only, in `audit.log` in the data folder.

To record an event, call one function from any view (inside a request):

    from .. import audit
    audit.record("fielding.closed", survey.slug)
    audit.record("download.raw", survey.slug, file="responses.csv")

`action` is a dotted name from ACTIONS (add new ones there, with a label for the page);
`target` names what was acted on (a user name, a survey slug, a workshop title ...); keyword
details are short facts (a role, a file name, a count). Never pass answer content, free texts,
votes, invitation tokens, resume codes or passwords: the log is read by admins and kept for long.

Each event is one JSON line {"at", "actor", "role", "action", "target", "address", ...details},
written with fsync before the request goes on. The actor is the logged-in user (empty for
anonymous requests, such as failed logins). Admins read it on /admin/audit, filter it and
download it as CSV.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey_app.web.db import get_store

ACTIONS = {
    "login": _l("Logged in"),
    "login.failed": _l("Failed login"),
    "login.refused": _l("Login to a disabled account"),
    "logout": _l("Logged out"),
    "password.changed": _l("Changed own password"),
    "account.created": _l("Account created"),
    "account.disabled": _l("Account disabled"),
    "account.enabled": _l("Account enabled again"),
    "account.deleted": _l("Account deleted"),
    "account.role_changed": _l("Role changed"),
    "account.one_time_password": _l("One-time password set"),
    "questionnaire.uploaded": _l("Questionnaire uploaded as a draft"),
    "questionnaire.draft_changed": _l("Questionnaire draft corrected"),
    "questionnaire.published": _l("Questionnaire published"),
    "questionnaire.discarded": _l("Questionnaire draft discarded"),
    "fielding.created": _l("Fielding created"),
    "fielding.changed": _l("Fielding settings changed"),
    "fielding.opened": _l("Fielding opened"),
    "fielding.closed": _l("Fielding closed"),
    "invitations.created": _l("Personal invitations created"),
    "download.raw": _l("Raw data downloaded"),
    "download.untouched": _l("Untouched response file downloaded (admin)"),
    "response.excluded": _l("Response excluded"),
    "response.included": _l("Response included again"),
    "workshop.created": _l("Workshop created"),
    "workshop.reset": _l("Workshop round reset"),
    "workshop.facilitator_added": _l("Workshop facilitator added"),
    "workshop.facilitator_removed": _l("Workshop facilitator removed"),
    "consultation.created": _l("Consultation created"),
    "consultation.changed": _l("Consultation settings changed"),
    "consultation.invited": _l("Organisation invited to a consultation"),
    "consultation.version_added": _l("New version of a consultation draft"),
    "consultation.decision": _l("Comment in a consultation answered"),
    "consultation.revised": _l("Revised draft of a consultation stored"),
    "consultation.downloaded": _l("Consultation synopsis downloaded"),
    "decisions.task_classified": _l("Task profile classified"),
    "committee_pack.saved": _l("Committee pack selection saved"),
}

COLUMNS = ("at", "actor", "role", "action", "target", "address", "details")
PAGE_EVENTS = 500


def record(action: str, target: str = "", **details) -> None:
    """Append one event to the audit log (see the module docstring for what may go in)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to audit.ACTIONS")
    actor = current_user if has_request_context() and current_user.is_authenticated else None
    event = {
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "actor": actor.username if actor else "",
        "role": actor.role if actor else "",
        "action": action,
        "target": str(target),
        "address": (request.remote_addr or "") if has_request_context() else "",
    }
    event.update({key: value for key, value in details.items() if key not in event})
    get_store().append_audit_event(event)


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    since: str = ""      # ISO day, inclusive
    until: str = ""      # ISO day, inclusive

    def matches(self, event: dict) -> bool:
        day = str(event.get("at", ""))[:10]
        return ((not self.actor or str(event.get("actor", "")).casefold() == self.actor.casefold())
                and (not self.action or event.get("action") == self.action
                     or str(event.get("action", "")).startswith(self.action + "."))
                and (not self.since or day >= self.since)
                and (not self.until or day <= self.until))


@dataclass(frozen=True)
class AuditSelection:
    events: tuple[dict, ...]      # newest first
    matching: int                 # all events that match, even beyond `events`
    unreadable: int               # lines that could not be read


def events(selected: AuditFilter, limit: int | None = PAGE_EVENTS) -> AuditSelection:
    """The newest `limit` events that match (all of them with limit=None), newest first."""
    kept: deque = deque(maxlen=limit)
    matching = unreadable = 0
    for event in get_store().audit_events():
        if event is None:
            unreadable += 1
        elif selected.matches(event):
            matching += 1
            kept.append(event)
    return AuditSelection(tuple(reversed(kept)), matching, unreadable)


def table(found: Iterable[dict]) -> tuple[list[str], list[list]]:
    """Header and rows for the CSV download: the fixed columns, further details as key=value."""
    rows = []
    for event in found:
        extra = "; ".join(f"{k}={v}" for k, v in event.items() if k not in COLUMNS)
        rows.append([event.get(column, "") for column in COLUMNS[:-1]] + [extra])
    return list(COLUMNS), rows
