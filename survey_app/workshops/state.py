"""What a facilitator does to a workshop: its live state (open, close, show, next, rounds,
reset) and its list of polls (add, change, duplicate, move, delete). Each change is a pure
function from workshop to workshop; a refused one raises WorkshopError with the reason."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace

from survey_app.workshops.messages import WorkshopError, _
from survey_app.workshops.model import Poll, Round, Workshop
from survey_app.workshops.templates import Template


def new_workshop(title: str, date: str, join_code: str, languages: Sequence[str],
                 template: Template | None = None) -> Workshop:
    """A workshop with the template's polls and organisation types, or an empty one."""
    if template is None:
        return Workshop(id="", title=title, date=date, join_code=join_code, languages=tuple(languages))
    return Workshop(id="", title=title, date=date, join_code=join_code, languages=template.languages,
                    organisation_types=template.organisation_types, polls=template.polls,
                    current_poll=template.polls[0].id, template=template.id)


def _new_run() -> str:
    return str(uuid.uuid4())


def _with_round(workshop: Workshop, poll_id: str, rounds: tuple[Round, ...]) -> Workshop:
    return replace(workshop, rounds={**workshop.rounds, poll_id: rounds})


def _require_current(workshop: Workshop) -> Poll:
    poll = workshop.poll(workshop.current_poll)
    if poll is None:
        raise WorkshopError(_("Choose a poll first."))
    return poll


def open_voting(workshop: Workshop, now: str) -> Workshop:
    """Open voting on the current poll (its first round if it has none). Results start hidden."""
    poll = _require_current(workshop)
    rounds = workshop.rounds_of(poll.id) or (Round(1, _new_run()),)
    last = rounds[-1]
    if last.opened_at is None:
        last = replace(last, opened_at=now)
    return replace(_with_round(workshop, poll.id, rounds[:-1] + (last,)), voting_open=True, results_shown=False)


def close_voting(workshop: Workshop, now: str) -> Workshop:
    poll = _require_current(workshop)
    if not workshop.voting_open:
        raise WorkshopError(_("Voting is not open."))
    rounds = workshop.rounds_of(poll.id)
    return replace(_with_round(workshop, poll.id, rounds[:-1] + (replace(rounds[-1], closed_at=now),)),
                   voting_open=False)


def show_results(workshop: Workshop, shown: bool) -> Workshop:
    _require_current(workshop)
    return replace(workshop, results_shown=shown)


def go_to_poll(workshop: Workshop, poll_id: str, now: str) -> Workshop:
    """Make `poll_id` the current poll; voting on the previous one closes, results start hidden."""
    if workshop.poll(poll_id) is None:
        raise WorkshopError(_("This poll does not exist (any more)."))
    if workshop.voting_open:
        workshop = close_voting(workshop, now)
    return replace(workshop, current_poll=poll_id, results_shown=False)


def next_poll(workshop: Workshop, now: str) -> Workshop:
    index = workshop.poll_index(workshop.current_poll)
    following = 0 if index is None else index + 1
    if following >= len(workshop.polls):
        raise WorkshopError(_("This is the last poll."))
    return go_to_poll(workshop, workshop.polls[following].id, now)


def new_round(workshop: Workshop, now: str) -> Workshop:
    """Run the current poll again: a new round with its own votes, voting open, results hidden.
    Earlier rounds are kept, so before and after a discussion can be compared."""
    poll = _require_current(workshop)
    rounds = workshop.rounds_of(poll.id)
    if not rounds:
        raise WorkshopError(_("Open voting first; a new round starts after the first one."))
    if workshop.voting_open:
        rounds = rounds[:-1] + (replace(rounds[-1], closed_at=now),)
    rounds += (Round(rounds[-1].number + 1, _new_run(), opened_at=now),)
    return replace(_with_round(workshop, poll.id, rounds), voting_open=True, results_shown=False)


def reset_round(workshop: Workshop, confirmed: bool) -> Workshop:
    """Discard the votes of the current round (kept on disk, no longer counted); voting closes."""
    poll = _require_current(workshop)
    if not confirmed:
        raise WorkshopError(_("Tick the box to confirm that this round's votes are discarded."))
    rounds = workshop.rounds_of(poll.id)
    if not rounds:
        raise WorkshopError(_("This poll has no votes to reset."))
    last = rounds[-1]
    fresh = Round(last.number, _new_run(), discarded=last.discarded + (last.run,))
    return replace(_with_round(workshop, poll.id, rounds[:-1] + (fresh,)), voting_open=False,
                   results_shown=False)


def set_item_hidden(workshop: Workshop, item_key: str, hidden: bool) -> Workshop:
    items = workshop.hidden_items | {item_key} if hidden else workshop.hidden_items - {item_key}
    return replace(workshop, hidden_items=frozenset(items))


# -- editing the poll list

def _unused_poll_id(workshop: Workshop, wanted: str) -> str:
    taken = {p.id for p in workshop.polls}
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted}_{number}" in taken:
        number += 1
    return f"{wanted}_{number}"


def add_poll(workshop: Workshop, poll: Poll) -> Workshop:
    poll = replace(poll, id=_unused_poll_id(workshop, poll.id))
    return replace(workshop, polls=workshop.polls + (poll,),
                   current_poll=workshop.current_poll or poll.id)


def replace_poll(workshop: Workshop, poll: Poll) -> Workshop:
    """Change a poll that has no votes yet (changed options would make stored votes meaningless)."""
    if workshop.poll(poll.id) is None:
        raise WorkshopError(_("This poll does not exist (any more)."))
    if poll.id in workshop.opened_polls:
        raise WorkshopError(_("This poll has already been opened for voting; duplicate it to change it."))
    return replace(workshop, polls=tuple(poll if p.id == poll.id else p for p in workshop.polls))


def duplicate_poll(workshop: Workshop, poll_id: str) -> Workshop:
    index = workshop.poll_index(poll_id)
    if index is None:
        raise WorkshopError(_("This poll does not exist (any more)."))
    copy = replace(workshop.polls[index], id=_unused_poll_id(workshop, f"{poll_id}_copy"))
    return replace(workshop, polls=workshop.polls[:index + 1] + (copy,) + workshop.polls[index + 1:])


def move_poll(workshop: Workshop, poll_id: str, step: int) -> Workshop:
    index = workshop.poll_index(poll_id)
    if index is None:
        raise WorkshopError(_("This poll does not exist (any more)."))
    target = index + step
    if not 0 <= target < len(workshop.polls):
        raise WorkshopError(_("The poll cannot move further."))
    polls = list(workshop.polls)
    polls[index], polls[target] = polls[target], polls[index]
    return replace(workshop, polls=tuple(polls))


def delete_poll(workshop: Workshop, poll_id: str) -> Workshop:
    if workshop.poll(poll_id) is None:
        raise WorkshopError(_("This poll does not exist (any more)."))
    if poll_id in workshop.opened_polls:
        raise WorkshopError(_("This poll has already been opened for voting; it is kept with its votes."))
    polls = tuple(p for p in workshop.polls if p.id != poll_id)
    current = workshop.current_poll if workshop.current_poll != poll_id else (polls[0].id if polls else None)
    return replace(workshop, polls=polls, current_poll=current)
