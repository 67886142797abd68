"""What the room sees now: a participant's phone and the presenter view (pure).

One place for the live state, so that the polling endpoints of today and a push channel can
answer the same: ``phone_screen`` says what a phone shows, ``participant_view`` is the short
text that changes exactly when it must change (phones compare it to know when to reload),
``presenter_state`` is the JSON the presenter view and the facilitator's counts show.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from survey_app.definitions.model import localized
from survey_app.workshops.messages import Message, _
from survey_app.workshops.model import CastVote, Poll, Round, Workshop
from survey_app.workshops.tallies import tally, tally_chart


@dataclass(frozen=True)
class PhoneScreen:
    poll: Poll | None         # the current poll
    round: Round | None       # its current round (None before voting was first opened)
    voting: bool              # the phone shows the vote form (else a waiting page)


def phone_screen(workshop: Workshop) -> PhoneScreen:
    poll = workshop.poll(workshop.current_poll)
    current = workshop.current_round()
    return PhoneScreen(poll, current, bool(poll and current and workshop.voting_open))


def participant_view(workshop: Workshop) -> str:
    """Changes exactly when a participant's screen must change (poll, round or voting open/closed)."""
    current = workshop.current_round()
    return f"{workshop.current_poll or '-'}|{current.run if current else '-'}|{int(workshop.voting_open)}"


def status_line(workshop: Workshop) -> Message:
    current = workshop.current_round()
    if workshop.poll(workshop.current_poll) is None:
        return Message(_("No poll yet."))
    if current is None:
        return Message(_("Voting has not started."))
    if workshop.voting_open:
        return Message(_("Round %(number)d: voting is open."), {"number": current.number})
    return Message(_("Round %(number)d: voting is closed."), {"number": current.number})


def presenter_state(workshop: Workshop, votes: Sequence[CastVote], joined: int, lang: str,
                    translate: Callable[[str], str] = lambda s: s) -> dict:
    """What the presenter view and the facilitator's counts show, JSON-ready: `votes` are those
    of the current round, texts are in `lang` (`translate` translates the app's own)."""
    poll = workshop.poll(workshop.current_poll)
    status = status_line(workshop).render(translate)
    if poll is None:
        return {"joined": joined, "voted": 0, "poll": None, "status": status}
    current = workshop.current_round()
    default = workshop.languages[0]
    result = tally(poll, votes, workshop.hidden_items)
    return {
        "joined": joined,
        "voted": result.n,
        "poll": {"id": poll.id, "text": localized(poll.text, lang, default), "type": poll.type,
                 "number": workshop.poll_index(poll.id) + 1, "count": len(workshop.polls)},
        "round": current.number if current else None,
        "voting_open": workshop.voting_open,
        "results_shown": workshop.results_shown,
        "status": status,
        "chart": tally_chart(result, lang, default, translate("unclear")) if workshop.results_shown else None,
    }
