"""survey_app.workshops: templates, live state, vote validation, tallies (hand-computed and
property-based), group suppression, join codes and downloads."""
from __future__ import annotations

import csv
import io
import math
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.workshops import (codes, definitions, export, live, messages, model, records, state, tallies,
                                  templates, voting)
from survey_app.workshops.model import CastVote, Choice, Poll
from survey_app.workshops.polls.open_text import word_frequencies
from survey_app.workshops.polls.registry import POLL_TYPES
from survey_app.workshops.polls.role_matrix import task_tally

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = ROOT / "questionnaires" / "workshops"


def text(s: str) -> dict:
    return {"de": s, "en": s}


def choices(*ids: str) -> tuple[Choice, ...]:
    return tuple(Choice(i, text(i.upper())) for i in ids)


SINGLE = Poll("single", "single_choice", text("Pick one"), options=choices("a", "b", "c"))
MULTI = Poll("multi", "multiple_choice", text("Pick two"), options=choices("a", "b", "c", "d"), max_choices=2)
SCALE = Poll("scale", "scale", text("Agree?"), labels=tuple(text(str(i)) for i in range(1, 6)))
FIST = Poll("fist", "fist_to_five", text("Support the draft?"))
DOTS = Poll("dots", "dot_voting", text("Goals"), options=choices("a", "b", "c"), points=10, max_per_option=5)
RANKING = Poll("rank", "ranking", text("Order"), options=choices("a", "b", "c"))
ROLES = Poll("roles", "role_matrix", text("Who leads?"), tasks=choices("t1", "t2"),
             actors=choices("qm", "social", "volunteers"), supporting=True)
IDEAS = Poll("ideas", "open_text", text("Start"), max_items=3, max_length=20)
ALL_POLLS = (SINGLE, MULTI, SCALE, FIST, DOTS, RANKING, ROLES, IDEAS)


def votes(*values, groups=None) -> list[CastVote]:
    groups = groups or [None] * len(values)
    return [CastVote(f"v{i}", f"p{i}", value, group) for i, (value, group) in enumerate(zip(values, groups))]


def rendered(errors: dict) -> dict:
    return {key: [m.render() for m in messages] for key, messages in errors.items()}


# -- the shipped template and the loader -------------------------------------------------

def test_shipped_template_loads_in_german_and_english():
    catalogue = templates.load_templates(TEMPLATE_DIR)
    assert catalogue.problems == []
    template = catalogue.templates["neighbourhood-management-workshop"]
    assert template.languages == ("de", "en")
    types = [poll.type for poll in template.polls]
    assert types[:3] == ["dot_voting", "role_matrix", "fist_to_five"]
    assert types[3:6] == ["open_text"] * 3
    # the room's priority per task, on the same task construct keys as the role matrix
    assert types[6:] == ["dot_voting"]
    assert [o.construct for o in template.polls[6].options] == [t.construct for t in template.polls[1].tasks]
    roles = template.polls[1]
    # the DOMAIN.md task catalogue with the questionnaires' construct keys, and its actors
    assert [t.construct for t in roles.tasks][:2] == ["task.support_initiatives", "task.events_projects"]
    assert "case_work" in [t.id for t in roles.tasks]
    assert len(roles.actors) == 7 and len(template.organisation_types) == 8
    for poll in template.polls:
        assert set(poll.text) == {"de", "en"}


def test_template_problems_name_file_and_poll(tmp_path):
    data = {
        "id": "bad", "languages": ["de"], "title": {"de": "T"},
        "polls": [
            {"id": "goals", "type": "dot_voting", "text": {"de": "Ziele"},
             "options": [{"id": "a", "label": {"de": "A"}}, {"id": "b", "label": {"de": "B"}}],
             "points": 5, "max_per_option": 9},
            {"id": "roles", "type": "role_matrix", "text": {"de": "Wer?"}, "tasks": [],
             "actors": [{"id": "unclear", "label": {"de": "X"}}, {"id": "qm", "label": {"de": "QM"}}]},
            {"id": "mood", "type": "smiley", "text": {"de": "?"}},
            {"id": "goals", "type": "fist_to_five", "text": {"de": "Ok?"}, "colour": "red"},
        ],
    }
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (tmp_path / "good.yaml").write_text(yaml.safe_dump({**data, "id": "good", "polls": [
        {"id": "ok", "type": "fist_to_five", "text": {"de": "Ok?"}}]}), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("id: [unclosed", encoding="utf-8")
    catalogue = templates.load_templates(tmp_path)
    assert list(catalogue.templates) == ["good"]
    problems = [str(p) for p in catalogue.problems]
    assert any(p.startswith("bad.yaml: poll \"goals\"") and "max_per_option" in p and "at most 5" in p for p in problems)
    # the editor's message for the same rule (one message per rule), after the key and with the count given
    assert any('poll "roles"' in p and '"tasks": Enter between 1 and 20 entries. (got 0)' in p for p in problems)
    assert any('poll "roles"' in p and '"unclear" is reserved' in p for p in problems)
    assert any('poll "mood"' in p and "unknown poll type 'smiley'" in p for p in problems)
    assert any('unknown key "colour"' in p for p in problems)
    assert any('duplicate poll id "goals"' in p for p in problems)
    assert any(p.startswith("broken.yaml: line 1") for p in problems)


POLL_KEYS = ["id", "type", "text", "help", "construct", "options", "max_choices", "labels", "points",
             "max_per_option", "tasks", "actors", "supporting", "max_items", "max_length", "colour"]
ANY_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 200) | st.text(max_size=6)
    | st.sampled_from(tuple(POLL_TYPES)) | st.just({"de": "Text", "en": "Text"}),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["id", "label", "de", "construct"]),
                                                                inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(POLL_KEYS), ANY_VALUE, max_size=8))
def test_any_poll_mapping_gives_a_poll_or_problems_never_an_exception(data):
    poll, problems = definitions.poll_problems(data, ["de", "en"])
    assert (poll is None) == bool(problems)
    if poll is not None:
        assert definitions.poll_problems(definitions.poll_dict(poll), ["de", "en"]) == (poll, [])


@pytest.mark.parametrize("poll", ALL_POLLS, ids=lambda p: p.type)
def test_poll_survives_its_stored_form(poll):
    parsed, problems = definitions.poll_problems(definitions.poll_dict(poll), ["de", "en"])
    assert problems == []
    assert parsed == poll


def test_workshop_record_round_trip_keeps_state():
    template = templates.load_templates(TEMPLATE_DIR).templates["neighbourhood-management-workshop"]
    workshop = state.new_workshop("Workshop", "2025-05-20", "ABCDEF", ["de"], template)
    workshop = state.open_voting(replace(workshop, id="w1"), "2025-05-20T10:00:00")
    workshop = state.set_item_hidden(workshop, "x:0", True)
    assert records.workshop_from_record(records.workshop_record(workshop)) == workshop


# -- join codes ----------------------------------------------------------------------------

@given(st.integers(min_value=0, max_value=2**32))
def test_join_codes_avoid_ambiguous_characters(seed):
    import random

    code = codes.new_join_code(random.Random(seed).randrange)
    assert len(code) == 6
    assert not set(code) & set("0O1IL")
    assert codes.normalize_join_code(f" {code[:3].lower()}-{code[3:]} ") == code


@pytest.mark.parametrize("typed", ["", "ABC", "ABCDEFG", "ABCDE0", "abcde1", "ABCDEL"])
def test_join_code_rejects_impossible_input(typed):
    assert codes.normalize_join_code(typed) is None


# -- live state ------------------------------------------------------------------------------

NOW = "2025-05-20T10:00:00+00:00"
LATER = "2025-05-20T10:05:00+00:00"


def fresh(*polls) -> model.Workshop:
    workshop = model.Workshop(id="w", title="T", date="2025-05-20", join_code="ABCDEF", languages=("de", "en"))
    for poll in polls:
        workshop = state.add_poll(workshop, poll)
    return workshop


def test_open_close_show_next_and_rounds():
    workshop = fresh(SINGLE, DOTS)
    assert workshop.current_poll == "single" and not workshop.voting_open
    workshop = state.show_results(state.open_voting(workshop, NOW), True)
    assert workshop.voting_open and workshop.results_shown
    first = workshop.current_round()
    assert first.number == 1 and first.opened_at == NOW
    # reopening keeps the round and its opening time; results hide again while voting
    workshop = state.open_voting(state.close_voting(workshop, LATER), LATER)
    assert workshop.current_round() == replace(first, closed_at=LATER) and not workshop.results_shown
    workshop = state.new_round(workshop, LATER)
    rounds = workshop.rounds_of("single")
    assert [r.number for r in rounds] == [1, 2] and rounds[0].run != rounds[1].run
    assert workshop.voting_open and rounds[1].opened_at == LATER
    workshop = state.next_poll(workshop, LATER)
    assert workshop.current_poll == "dots" and not workshop.voting_open
    assert workshop.rounds_of("single")[-1].closed_at == LATER
    with pytest.raises(messages.WorkshopError, match="last poll"):
        state.next_poll(workshop, LATER)


def test_reset_needs_confirmation_and_starts_a_new_run():
    workshop = state.open_voting(fresh(SINGLE), NOW)
    run = workshop.current_round().run
    with pytest.raises(messages.WorkshopError, match="confirm"):
        state.reset_round(workshop, confirmed=False)
    reset = state.reset_round(workshop, confirmed=True)
    assert reset.current_round().number == 1
    assert reset.current_round().run != run and reset.current_round().discarded == (run,)
    assert not reset.voting_open


def test_polls_with_votes_are_kept_unchanged():
    workshop = state.open_voting(fresh(SINGLE, MULTI), NOW)
    with pytest.raises(messages.WorkshopError, match="duplicate it"):
        state.replace_poll(workshop, replace(SINGLE, text=text("changed")))
    with pytest.raises(messages.WorkshopError):
        state.delete_poll(workshop, "single")
    workshop = state.duplicate_poll(workshop, "single")
    assert [p.id for p in workshop.polls] == ["single", "single_copy", "multi"]
    workshop = state.move_poll(workshop, "multi", -1)
    assert [p.id for p in workshop.polls] == ["single", "multi", "single_copy"]
    with pytest.raises(messages.WorkshopError):
        state.move_poll(workshop, "single", -1)
    workshop = state.delete_poll(state.replace_poll(workshop, replace(MULTI, max_choices=1)), "single_copy")
    assert [p.id for p in workshop.polls] == ["single", "multi"] and workshop.polls[1].max_choices == 1


def test_participant_view_changes_only_with_what_a_phone_shows():
    workshop = state.open_voting(fresh(SINGLE, MULTI), NOW)
    view = live.participant_view(workshop)
    assert live.participant_view(state.show_results(workshop, True)) == view
    assert live.participant_view(state.close_voting(workshop, NOW)) != view
    assert live.participant_view(state.new_round(workshop, NOW)) != view
    assert live.participant_view(state.next_poll(workshop, NOW)) != view


def test_vote_refusals():
    workshop = fresh(SINGLE, MULTI)
    assert voting.vote_refusal(workshop, "single", "r").render() == "Voting on this poll is closed."
    workshop = state.open_voting(workshop, NOW)
    run = workshop.current_round().run
    assert voting.vote_refusal(workshop, "single", run) is None
    assert "moved on" in voting.vote_refusal(workshop, "multi", run).render()
    assert "new round" in voting.vote_refusal(state.new_round(workshop, NOW), "single", run).render()
    assert "closed" in voting.vote_refusal(state.close_voting(workshop, NOW), "single", run).render()


# -- vote validation -------------------------------------------------------------------------

@pytest.mark.parametrize("poll, form, expected", [
    (SINGLE, {"choice": ["b"]}, "b"),
    (MULTI, {"choice": ["a", "c"]}, ["a", "c"]),
    (SCALE, {"value": ["4"]}, 4),
    (FIST, {"value": ["0"]}, 0),
    (DOTS, {"points-a": ["5"], "points-b": [""], "points-c": ["2"]}, {"a": 5, "c": 2}),
    (RANKING, {"rank-a": ["2"], "rank-b": ["3"], "rank-c": ["1"]}, ["c", "a", "b"]),
    (ROLES, {"lead-t1": ["qm"], "support-t1": ["social", "volunteers"], "lead-t2": [""]},
     {"t1": {"lead": "qm", "support": ["social", "volunteers"]}}),
    (IDEAS, {"idea-1": [" Mehr Zeit "], "idea-2": [""], "idea-3": ["Cafe"]}, ["Mehr Zeit", "Cafe"]),
])
def test_read_vote_accepts_valid_forms(poll, form, expected):
    value, errors = voting.read_vote(poll, form)
    assert errors == {}
    assert value == expected
    assert voting.form_values(poll, value)  # and it can be shown again in the form


@pytest.mark.parametrize("poll, form, field, message", [
    (SINGLE, {}, "choice", "Please choose an option."),
    (SINGLE, {"choice": ["zz"]}, "choice", "This option does not exist: zz."),
    (MULTI, {"choice": ["a", "b", "c"]}, "choice", "Choose at most 2 options."),
    (SCALE, {"value": ["6"]}, "value", "Choose a whole number from 1 to 5."),
    (FIST, {"value": ["x"]}, "value", "Choose a whole number from 0 to 5."),
    (DOTS, {"points-a": ["5"], "points-b": ["5"], "points-c": ["1"]}, "",
     "You gave 11 points but have only 10. Please take some away."),
    (DOTS, {"points-a": ["6"]}, "points-a", "At most 5 points per option."),
    (DOTS, {"points-a": ["-1"]}, "points-a", "Please enter a whole number of points (0 or more)."),
    (DOTS, {"points-a": ["zwei"]}, "points-a", "Please enter a whole number of points (0 or more)."),
    (DOTS, {}, "", "Please give at least one point."),
    (RANKING, {"rank-a": ["1"], "rank-b": ["1"], "rank-c": ["2"]}, "",
     "Give each option a different rank from 1 to 3."),
    (RANKING, {"rank-a": ["1"], "rank-b": ["4"], "rank-c": ["2"]}, "rank-b", "Choose a rank from 1 to 3."),
    (ROLES, {}, "", "Please choose who should lead at least one task."),
    (ROLES, {"lead-t1": ["qm"], "support-t1": ["qm"]}, "support-t1", "The lead cannot also be a supporting actor."),
    (ROLES, {"lead-t1": ["mayor"]}, "lead-t1", "Please choose who should lead this task."),
    (ROLES, {"support-t2": ["qm"]}, "lead-t2", "Please choose who should lead this task."),
    (ROLES, {"lead-t1": ["unclear"], "support-t1": ["qm"]}, "support-t1",
     "Name supporting actors only together with a lead."),
    (IDEAS, {"idea-1": ["  "]}, "idea-1", "Please write at least one idea."),
    (IDEAS, {"idea-2": ["x" * 21]}, "idea-1", "At most 20 characters per idea."),
])
def test_read_vote_refuses_with_a_message_at_the_field(poll, form, field, message):
    _value, errors = voting.read_vote(poll, form)
    assert message in rendered(errors).get(field, []), rendered(errors)


def test_supporting_actors_only_when_the_poll_asks_for_them():
    lead_only = replace(ROLES, supporting=False)
    errors = voting.validate_vote(lead_only, {"t1": {"lead": "qm", "support": ["social"]}})
    assert rendered(errors) == {"support-t1": ["This poll asks only for the lead."]}


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 200) | st.text(max_size=8) | st.sampled_from(
        ["a", "b", "c", "t1", "qm", "unclear", "lead", "support"]),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
        st.sampled_from(["a", "b", "c", "t1", "t2", "lead", "support", "x"]), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ALL_POLLS), JSONISH)
def test_any_stored_value_is_validated_without_raising_and_valid_ones_tally(poll, value):
    errors = voting.validate_vote(poll, value)
    result = tallies.tally(poll, [CastVote("v", "p", value)])
    assert result.n == (0 if errors else 1)
    assert result.invalid == (1 if errors else 0)


@st.composite
def dot_votes(draw, poll=DOTS):
    value = {}
    budget = poll.points
    for option in poll.options:
        points = draw(st.integers(0, min(poll.max_per_option, budget)))
        budget -= points
        if points:
            value[option.id] = points
    if not value:
        value[poll.options[0].id] = 1
    return value


@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(0, 12), min_size=1))
def test_dot_budget_is_checked_on_the_server(value):
    errors = voting.validate_vote(DOTS, value)
    total = sum(value.values())
    over = total > DOTS.points or any(v > DOTS.max_per_option for v in value.values()) or total == 0
    assert bool(errors) == over


# -- tallies: hand-computed ----------------------------------------------------------------

def test_choice_tallies():
    single = tallies.tally(SINGLE, votes("a", "a", "b", "zz"))
    assert (single.n, single.invalid) == (3, 1)
    assert [(o.value, o.count, round(o.share, 4)) for o in single.options] == [
        ("a", 2, 0.6667), ("b", 1, 0.3333), ("c", 0, 0.0)]
    multi = tallies.tally(MULTI, votes(["a", "b"], ["a"], ["a", "d"], ["a", "b", "c"]))
    assert multi.n == 3  # three options is over the limit of two
    assert [(o.value, o.count) for o in multi.options] == [("a", 3), ("b", 1), ("c", 0), ("d", 1)]
    assert multi.options[0].share == 1.0  # shares are of voters, so they add up to more than 1


def test_scale_and_fist_to_five_tallies():
    scale = tallies.tally(SCALE, votes(1, 2, 2, 5))
    assert [p.count for p in scale.points] == [1, 2, 0, 0, 1]
    assert scale.mean == 2.5 and scale.sd == pytest.approx(math.sqrt(3))  # (2.25+.25+.25+6.25)/3
    assert scale.objections is None
    fist = tallies.tally(FIST, votes(0, 1, 3, 4, 5))
    assert fist.objections == 2 and fist.objection_share == 0.4
    assert [p.value for p in fist.points] == [0, 1, 2, 3, 4, 5]
    assert fist.mean == 2.6
    assert tallies.tally(FIST, votes(3)).sd is None


def test_dot_tally_orders_by_points():
    result = tallies.tally(DOTS, votes({"a": 2, "b": 5}, {"b": 3, "c": 3}, {"c": 1}))
    assert [(o.value, o.points, o.voters) for o in result.options] == [("b", 8, 2), ("c", 4, 2), ("a", 2, 1)]
    assert result.total == 14 and result.options[0].share == pytest.approx(8 / 14)
    tie = tallies.tally(DOTS, votes({"c": 2, "a": 2}))
    assert [o.value for o in tie.options] == ["a", "c", "b"]  # ties keep the poll's order


def test_ranking_tally_mean_rank_borda_and_kendalls_w():
    result = tallies.tally(RANKING, votes(["a", "b", "c"], ["a", "c", "b"], ["b", "a", "c"]))
    # Borda with k=3: first 2, second 1, third 0
    assert [(o.value, o.borda, round(o.mean_rank, 3), o.first) for o in result.options] == [
        ("a", 5, 1.333, 2), ("b", 3, 2.0, 1), ("c", 1, 2.667, 0)]
    # rank sums 4, 6, 8; mean 6; S = 8; W = 12*8 / (9 * 24)
    assert result.agreement == pytest.approx(12 * 8 / (9 * 24))
    unanimous = tallies.tally(RANKING, votes(["c", "b", "a"], ["c", "b", "a"]))
    assert unanimous.agreement == pytest.approx(1.0)


def role(lead, *support):
    return {"lead": lead, "support": list(support)}


def test_role_matrix_consensus_and_flags():
    t1 = [role("qm")] * 6 + [role("social")] * 3 + [role("unclear")]
    result = task_tally(Choice("t1", text("T1")), ROLES.actors, t1)
    assert result.n == 10 and result.lead.id == "qm" and result.consensus == 0.6
    assert (result.no_clear_lead, result.contested, result.gap) == (False, False, False)
    # 4 vs 3 of 10: top under 50 %, the two within 10 points
    t2 = [role("qm")] * 4 + [role("social")] * 3 + [role("unclear")] * 3
    result = task_tally(Choice("t2", text("T2")), ROLES.actors, t2)
    assert (result.no_clear_lead, result.contested, result.gap) == (True, True, False)
    # exactly 10 points apart counts as contested; exactly 50 % is a clear lead
    t3 = [role("qm")] * 5 + [role("social")] * 4 + [role("volunteers")]
    result = task_tally(Choice("t3", text("T3")), ROLES.actors, t3)
    assert (result.no_clear_lead, result.contested) == (False, True)
    t4 = [role("unclear")] * 5 + [role("qm")] * 3 + [role("social")] * 2
    result = task_tally(Choice("t4", text("T4")), ROLES.actors, t4)
    assert result.gap and result.no_clear_lead and result.unclear_share == 0.5
    assert result.consensus == 0.3


def test_role_matrix_tally_counts_support_and_skipped_tasks():
    result = tallies.tally(ROLES, votes(
        {"t1": role("qm", "social")},
        {"t1": role("social", "qm", "volunteers"), "t2": role("unclear")},
        {"t2": role("volunteers")},
    ))
    t1, t2 = result.tasks
    assert result.n == 3 and t1.n == 2 and t2.n == 2
    qm, social, volunteers = t1.actors
    assert (qm.lead, qm.support, social.lead, social.support, volunteers.support) == (1, 1, 1, 1, 1)
    assert qm.lead_share == 0.5 and t1.contested and not t1.no_clear_lead
    assert t2.unclear == 1 and t2.gap


def test_open_text_items_words_and_hidden_items():
    result = tallies.tally(IDEAS, votes(["Mehr Netzwerk", "Netzwerk und Café"], ["more network time"]),
                      hidden=frozenset({"v0:0"}))
    assert [(i.key, i.text, i.hidden) for i in result.items] == [
        ("v0:0", "Mehr Netzwerk", True), ("v0:1", "Netzwerk und Café", False), ("v1:0", "more network time", False)]
    words = dict(result.words)
    assert words == {"netzwerk": 1, "café": 1, "network": 1, "time": 1}  # "mehr", "und", "more" are stop words


def test_word_frequencies_most_frequent_first():
    assert word_frequencies(["Netzwerk Netzwerk Zeit", "Zeit, Netzwerk! die der"]) == (
        ("netzwerk", 3), ("zeit", 2))


# -- tallies: properties -------------------------------------------------------------------

@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=40))
def test_single_choice_counts_add_up(values):
    result = tallies.tally(SINGLE, votes(*values))
    assert sum(o.count for o in result.options) == result.n == len(values)
    if values:
        assert sum(o.share for o in result.options) == pytest.approx(1)


@given(st.lists(dot_votes(), max_size=30))
def test_dot_totals_equal_points_given_and_are_ordered(values):
    result = tallies.tally(DOTS, votes(*values))
    assert result.total == sum(sum(v.values()) for v in values)
    assert [o.points for o in result.options] == sorted((o.points for o in result.options), reverse=True)


@given(st.lists(st.permutations(["a", "b", "c"]), max_size=30))
def test_borda_and_mean_ranks_are_consistent(rankings):
    result = tallies.tally(RANKING, votes(*[list(r) for r in rankings]))
    n = len(rankings)
    assert sum(o.borda for o in result.options) == n * 3  # k(k-1)/2 points per participant
    if n:
        assert sum(o.mean_rank for o in result.options) == pytest.approx(6)  # 1 + 2 + 3
        assert 0 <= result.agreement <= 1 + 1e-9


@given(st.lists(st.sampled_from(["qm", "social", "volunteers", "unclear"]), max_size=40))
def test_role_matrix_flags_follow_their_definitions(leads):
    result = task_tally(Choice("t", text("T")), ROLES.actors, [role(lead) for lead in leads])
    n = len(leads)
    assert sum(a.lead for a in result.actors) + result.unclear == n
    if not n:
        assert result.consensus is None and not (result.no_clear_lead or result.contested or result.gap)
        return
    shares = sorted((a.lead_share for a in result.actors), reverse=True)
    assert result.consensus == pytest.approx(shares[0])
    assert result.no_clear_lead == (shares[0] < 0.5 - 1e-12)
    assert result.contested == (shares[1] > 0 and shares[0] - shares[1] <= 0.1 + 1e-12)
    assert result.gap == (result.unclear > 0 and result.unclear_share >= shares[0] - 1e-12)


# -- groups ------------------------------------------------------------------------------------

ORGS = choices("qm", "welfare", "volunteers")


def test_split_by_group_suppresses_small_groups_and_the_next_smallest():
    values = ["a"] * 6 + ["b"] * 5 + ["a"] * 2 + ["c"] * 4
    groups = ["qm"] * 6 + ["welfare"] * 5 + ["volunteers"] * 2 + [None] * 4
    result = {g.group.id if g.group else None: g for g in tallies.split_by_group(SINGLE, votes(*values, groups=groups), ORGS, 5)}
    assert result["qm"].tally.n == 6 and result["welfare"].tally.n == 5
    # volunteers (2) is below 5; alone it could be derived from the total, so "not given" (4) goes too
    assert result["volunteers"].tally is None and result[None].tally is None


@given(st.lists(st.sampled_from(["qm", "welfare", "volunteers", None, "unknown"]), max_size=40),
       st.integers(1, 6))
def test_every_shown_group_reaches_the_minimum(groups, minimum):
    result = tallies.split_by_group(SINGLE, votes(*["a"] * len(groups), groups=groups), ORGS, minimum)
    assert sum(g.size for g in result) == len(groups)
    hidden = sum(g.size for g in result if g.tally is None)
    assert hidden == 0 or hidden >= minimum or all(g.tally is None for g in result)
    assert all(g.size >= minimum for g in result if g.tally is not None)


# -- downloads --------------------------------------------------------------------------------

def parse(csv_text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"))))


def test_downloads_hold_votes_tallies_and_the_record():
    workshop = replace(fresh(DOTS, FIST), organisation_types=ORGS)
    workshop = state.open_voting(workshop, NOW)
    run = workshop.current_round().run
    workshop = state.close_voting(workshop, LATER)
    dot_values = [{"a": 5, "b": 5}, {"a": 3}, {"c": 2, "a": 1}, {"b": 1}, {"a": 4}, {"a": 1},
                  {"=cmd": 1}] + [{"b": 2}] * 5
    groups = ["qm"] * 6 + ["welfare"] + [None] * 5
    run_votes = {run: votes(*dot_values, groups=groups)}

    raw = parse(export.table_csv(export.votes_table(workshop, run_votes, minimum=5)))
    assert len(raw) == 12 and {r["poll_id"] for r in raw} == {"dots"}
    assert set(raw[0]) == {"poll_id", "method", "round", "participant", "group", "vote", "hidden_ideas"}
    # a group of one is not named next to single votes (and so the next smallest group is not
    # either, or the one could be derived); the invalid vote is kept as it came
    by_participant = {r["participant"]: r for r in raw}
    assert by_participant["p6"]["group"] == "" and by_participant["p0"]["group"] == "qm"
    assert by_participant["p6"]["vote"] == '{"=cmd": 1}'

    tallies = parse(export.table_csv(export.tallies_table(workshop, run_votes, minimum=5)))
    points = {r["option"]: int(r["value"]) for r in tallies if r["group"] == "all" and r["measure"] == "points"}
    assert points == {"a": 14, "b": 16, "c": 2}
    assert {r["n"] for r in tallies if r["group"] == "all"} == {"11"}
    assert {r["n"] for r in tallies if r["group"] == "qm"} == {"6"}
    assert [r["measure"] for r in tallies if r["group"] in ("welfare", "not_given")] == ["suppressed"] * 2

    record = parse(export.table_csv(export.record_table(workshop, run_votes, joined=14, lang="en")))
    assert len(record) == 1  # the fist-to-five poll was never opened
    row = record[0]
    assert (row["method"], row["round"], row["opened_at"], row["closed_at"]) == ("dot_voting", "1", NOW, LATER)
    assert (row["joined"], row["voted"]) == ("14", "11")
    assert row["result"] == "B: 16 of 32 points (50.0 %)" and row["dispersion_measure"] == "normalised entropy"
