"""What the room sees now (workshops/live.py): a phone's screen, the short view text phones
compare, and the presenter's state, as the polling endpoints (and a push channel) answer them."""
from __future__ import annotations

from support.workshops import LATER, NOW, entries, parsed, text, votes
from survey_app.workshops import live, state
from survey_app.workshops.model import Workshop

GOALS = parsed({"id": "goals", "type": "dot_voting", "text": {"de": "Ziele", "en": "Goals"},
                "options": entries("a", "b"), "points": 3})
MOOD = parsed({"id": "mood", "type": "fist_to_five", "text": text("Mood")})


def workshop() -> Workshop:
    empty = Workshop(id="w", title="T", date="2025-05-20", join_code="ABCDEF", languages=("de", "en"))
    return state.add_poll(state.add_poll(empty, GOALS), MOOD)


def test_a_phone_waits_until_voting_opens_and_after_it_closes():
    before = workshop()
    assert live.phone_screen(before) == live.PhoneScreen(GOALS, None, False)
    opened = state.open_voting(before, NOW)
    screen = live.phone_screen(opened)
    assert screen.poll == GOALS and screen.voting and screen.round == opened.current_round()
    assert not live.phone_screen(state.close_voting(opened, LATER)).voting
    assert live.phone_screen(Workshop(id="w", title="T", date="", join_code="ABCDEF", languages=("de",))) == \
        live.PhoneScreen(None, None, False)


def test_the_view_text_changes_exactly_when_the_phone_must_reload():
    opened = state.open_voting(workshop(), NOW)
    view = live.participant_view(opened)
    assert live.participant_view(state.show_results(opened, True)) == view      # the presenter's business
    assert live.participant_view(state.set_item_hidden(opened, "x:0", True)) == view
    changed = [state.close_voting(opened, LATER), state.new_round(opened, LATER),
               state.reset_round(opened, True), state.next_poll(opened, LATER)]
    assert len({view, *map(live.participant_view, changed)}) == 5


def test_the_presenter_state_shows_the_chart_only_once_results_are_shown():
    translated = {"Round %(number)d: voting is open.": "Runde %(number)d: Abstimmung läuft.", "unclear": "unklar"}
    opened = state.open_voting(workshop(), NOW)
    cast = votes({"a": 2}, {"a": 1, "b": 2}, {"zz": 1})
    hidden = live.presenter_state(opened, cast, joined=4, lang="en", translate=lambda s: translated.get(s, s))
    assert hidden == {"joined": 4, "voted": 2, "round": 1, "voting_open": True, "results_shown": False,
                      "status": "Runde 1: Abstimmung läuft.", "chart": None,
                      "poll": {"id": "goals", "text": "Goals", "type": "dot_voting", "number": 1, "count": 2}}
    shown = live.presenter_state(state.show_results(opened, True), cast, joined=4, lang="de")
    assert shown["chart"]["values"] == [3, 2] and shown["poll"]["text"] == "Ziele"


def test_the_presenter_state_before_any_poll_and_before_voting():
    empty = Workshop(id="w", title="T", date="", join_code="ABCDEF", languages=("de",))
    assert live.presenter_state(empty, [], joined=0, lang="de") == {
        "joined": 0, "voted": 0, "poll": None, "status": "No poll yet."}
    assert live.presenter_state(workshop(), [], joined=2, lang="de")["status"] == "Voting has not started."
    closed = state.close_voting(state.open_voting(workshop(), NOW), LATER)
    assert live.presenter_state(closed, [], joined=2, lang="de")["status"] == "Round 1: voting is closed."
