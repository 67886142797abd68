"""Staffing in full-time equivalents (decisions/staffing.py): the figures against an
independent computation, the disclosure rules, scenarios and bad input (pure: no app)."""
from __future__ import annotations

import io
import math
import random
from pathlib import Path

import openpyxl
import pytest

from survey_app.analysis.disclosure.plan import ReleasePlan
from survey_app.decisions import staffing
from survey_app.definitions.questionnaire import load_folder

K = 5
TASKS = ("support_initiatives", "events_projects", "new_projects", "everyday_solutions", "contact_person",
         "networking", "navigator", "case_work", "administration", "other")


@pytest.fixture(scope="module")
def questionnaire():
    return load_folder("questionnaires").questionnaires["staff-self-assessment"]


def allocation(rng: random.Random) -> dict[str, int]:
    cuts = sorted(rng.randint(0, 100) for _ in range(len(TASKS) - 1))
    return dict(zip(TASKS, (b - a for a, b in zip([0, *cuts], [*cuts, 100]))))


def staff(programmes: list[str | None], posts: list[float | None] | None = None, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i, programme in enumerate(programmes):
        answers = {"task_time": allocation(rng)}
        if programme:
            answers["programme"] = programme
        if posts and posts[i] is not None:
            answers["post_share"] = posts[i]
        out.append({"id": f"r{i}", "answers": answers})
    return out


def today(questionnaire, responses, settings):
    return staffing.compute_today(questionnaire, responses, ReleasePlan(questionnaire, responses, K), settings)


def mean_share(responses, task):
    return sum(r["answers"]["task_time"][task] for r in responses) / len(responses) / 100


PROGRAMME_POSTS = staffing.Settings(staffing.BASIS_PROGRAMMES, 39.0, {"general": 2.5, "qfi": 3.5})


def test_programme_posts_times_each_programmes_mean_share(questionnaire):
    responses = staff(["general"] * 5 + ["qfi"] * 6)
    result = today(questionnaire, responses, PROGRAMME_POSTS)
    assert not result.problems
    general, qfi = result.units
    assert general.own and qfi.own and (general.n, qfi.n, result.team.n) == (5, 6, 11)
    for task in TASKS:
        expected_general = 2.5 * mean_share(responses[:5], task)
        expected_qfi = 3.5 * mean_share(responses[5:], task)
        assert general.fte[task] == pytest.approx(expected_general)
        assert qfi.fte[task] == pytest.approx(expected_qfi)
        assert result.team.fte[task] == pytest.approx(expected_general + expected_qfi)
    assert result.team.posts == 6.0
    assert math.fsum(result.team.fte.values()) == pytest.approx(6.0)
    assert result.hours(result.team.posts) == pytest.approx(6 * 39)


def test_six_staff_programme_groups_hidden_use_the_teams_shares(questionnaire):
    responses = staff(["general"] * 3 + ["qfi"] * 3)
    result = today(questionnaire, responses, PROGRAMME_POSTS)
    general, qfi = result.units
    assert not general.own and not qfi.own
    for task in TASKS:
        assert general.fte[task] == pytest.approx(2.5 * mean_share(responses, task))
        assert qfi.fte[task] == pytest.approx(3.5 * mean_share(responses, task))
    assert any("team's shares" in note.msgid for note in result.notes)
    # nothing of a group of three is used: the figures are those of any three-three split
    other = today(questionnaire, [*responses[3:], *responses[:3]], PROGRAMME_POSTS)
    assert other.units[0].fte == general.fte


def test_post_share_question_weighs_each_persons_time(questionnaire):
    posts = [1.0, 0.5, 0.75, 1.0, 0.5, 1.0]
    responses = staff(["general"] * 3 + ["qfi"] * 3, posts)
    result = today(questionnaire, responses, staffing.Settings(staffing.BASIS_QUESTION))
    assert not result.problems and result.units == ()
    assert result.team.posts == pytest.approx(sum(posts)) and result.team.n == 6
    for task in TASKS:
        expected = sum(p * r["answers"]["task_time"][task] / 100 for p, r in zip(posts, responses))
        assert result.team.fte[task] == pytest.approx(expected)
    assert any("whole team only" in note.msgid for note in result.notes)


def test_post_shares_of_too_few_or_one_missing_are_not_used(questionnaire):
    # six answered the time, five the post share: the sixth person's time would be team minus the five
    responses = staff(["general"] * 6, [1.0, 1.0, 1.0, 1.0, 1.0, None])
    result = today(questionnaire, responses, staffing.Settings(staffing.BASIS_QUESTION))
    assert result.team is None and result.problems[0].msgid == staffing.WEIGHTS_TOO_FEW.msgid
    few = today(questionnaire, staff(["general"] * 4, [1.0] * 4), staffing.Settings(staffing.BASIS_QUESTION))
    assert few.team is None and few.problems[0].msgid == staffing.TOO_FEW.msgid


def test_post_shares_answered_are_checked_against_the_posts_entered(questionnaire):
    responses = staff(["general"] * 3 + ["qfi"] * 3, [0.5] * 6)
    result = today(questionnaire, responses, PROGRAMME_POSTS)
    [note] = [n for n in result.notes if n.msgid == staffing.POSTS_DIFFER.msgid]
    assert note.params["answered"] == "3" and note.params["entered"] == "6" and note.params["n"] == 6


def test_missing_allocation_or_posts_say_so(questionnaire):
    partners = load_folder("questionnaires").questionnaires["stakeholder-questionnaire"]
    assert staffing.allocation_question(partners) is None
    result = staffing.compute_today(partners, [], ReleasePlan(partners, [], K), PROGRAMME_POSTS)
    assert result.problems == (staffing.ALLOCATION_MISSING,)
    responses = staff(["general"] * 6)
    none = today(questionnaire, responses, staffing.Settings(staffing.BASIS_PROGRAMMES))
    assert none.problems == (staffing.POSTS_MISSING,)
    half = today(questionnaire, responses, staffing.Settings(staffing.BASIS_PROGRAMMES, 39, {"general": 2.5}))
    assert "QFI" in str(half.problems[0])


@pytest.mark.parametrize("form, field, words", [
    ({"posts-general": "-1", "posts-qfi": "3,5"}, "posts-general", "negative"),
    ({"posts-general": "zwei", "posts-qfi": "3,5"}, "posts-general", "number"),
    ({"posts-general": "2,5"}, "posts-qfi", "this programme"),
    ({"posts-general": "", "posts-qfi": ""}, "posts-general", "No posts"),
    ({"posts-general": "5000", "posts-qfi": "1"}, "posts-general", "plausible"),
    ({"posts-general": "1", "posts-qfi": "1", "weekly_hours": "100"}, "weekly_hours", "at most"),
])
def test_bad_settings_get_a_message_at_the_field(questionnaire, form, field, words):
    settings, errors = staffing.read_settings({"basis": "programmes", "weekly_hours": "39", **form}, questionnaire)
    assert field in errors and words in str(errors[field])


def test_settings_read_german_numbers_and_round_trip(questionnaire):
    settings, errors = staffing.read_settings(
        {"basis": "programmes", "weekly_hours": "39,5", "posts-general": "2,5", "posts-qfi": "3.5"}, questionnaire)
    assert not errors and settings.posts == {"general": 2.5, "qfi": 3.5} and settings.weekly_hours == 39.5
    again, errors = staffing.read_settings(staffing.settings_form(settings, "de"), questionnaire)
    assert again == settings and not errors
    assert staffing.settings_from_record(staffing.settings_record(settings), questionnaire) == settings


def scenario_form(**values):
    return {"name": "Netzwerk stärken", **values}


def test_scenario_posts_needed_by_the_formula(questionnaire):
    responses = staff(["general"] * 3 + ["qfi"] * 3)
    now = today(questionnaire, responses, PROGRAMME_POSTS)
    form = scenario_form(**{
        "mode-networking": "share", "value-networking-general": "25", "value-networking-qfi": "30",
        "mode-case_work": "hours", "value-case_work-general": "0", "value-case_work-qfi": "0",
        "label-new-1": "Digitale Beteiligung", "mode-new-1": "hours",
        "value-new-1-general": "10", "value-new-1-qfi": "19,5"})
    scenario, errors = staffing.read_scenario(form, now)
    assert not errors
    result = staffing.compute_scenario(now, scenario)
    for unit, posts, share, new_hours in zip(result.units, (2.5, 3.5), (0.25, 0.30), (10, 19.5)):
        fte = {t: posts * mean_share(responses, t) for t in TASKS}
        kept = sum(v for t, v in fte.items() if t not in ("networking", "case_work"))
        total = (kept + new_hours / 39) / (1 - share)
        assert unit.posts_needed == pytest.approx(total)
        assert unit.difference == pytest.approx(total - posts)
        assert unit.target["networking"] == pytest.approx(share * total)
        assert unit.target["case_work"] == 0 and unit.target["new-1"] == pytest.approx(new_hours / 39)
        assert unit.today["networking"] == pytest.approx(fte["networking"])
    assert result.team.posts_needed == pytest.approx(sum(u.posts_needed for u in result.units))
    table = staffing.staffing_table(now, result, "de")
    assert table.n == 6 and "n = 6" in str(table.caption) and "Netzwerk stärken" in str(table.caption)
    assert table.rows[-1][1:4] == pytest.approx((2.5, result.units[0].posts_needed, result.units[0].difference))
    assert [row[0] for row in table.rows][-2] == "Digitale Beteiligung"
    # saved and read again: the same scenario
    again = staffing.scenario_from_record(staffing.scenario_record(scenario))
    assert again == scenario
    assert staffing.read_scenario(staffing.scenario_form(again, "de"), now) == (scenario, {})


def test_only_shares_adding_up_to_100_keep_todays_posts(questionnaire):
    now = today(questionnaire, staff(["general"] * 6), staffing.Settings(staffing.BASIS_PROGRAMMES, 39, {"general": 2.5, "qfi": 0}))
    form = scenario_form()
    for task in TASKS:
        form[f"mode-{task}"] = "share"
        for unit in ("general", "qfi"):
            form[f"value-{task}-{unit}"] = "10"
    scenario, errors = staffing.read_scenario(form, now)
    assert not errors
    result = staffing.compute_scenario(now, scenario)
    assert result.units[0].posts_needed == pytest.approx(2.5) and result.units[0].target["navigator"] == pytest.approx(0.25)


@pytest.mark.parametrize("values, field, words", [
    ({"mode-networking": "hours", "value-networking-general": "-3", "value-networking-qfi": "1"},
     "value-networking-general", "negative"),
    ({"mode-networking": "hours", "value-networking-general": "1e6", "value-networking-qfi": "1"},
     "value-networking-general", "plausible"),
    ({"mode-networking": "share", "value-networking-general": "120", "value-networking-qfi": "1"},
     "value-networking-general", "at most 100"),
    ({"mode-networking": "share", "value-networking-general": "60", "value-networking-qfi": "1",
      "mode-case_work": "share", "value-case_work-general": "40", "value-case_work-qfi": "1"},
     "value-networking-general", "below 100"),
    ({"mode-networking": "hours", "value-networking-qfi": "1"}, "value-networking-general", "hours a week"),
    ({"mode-new-1": "hours", "value-new-1-general": "5"}, "label-new-1", "name the new task"),
    ({"name": ""}, "name", "name"),
    ({"name": "x" * 81}, "name", "at most 80"),
    ({"mode-networking": "everything"}, "mode-networking", "options"),
])
def test_bad_scenarios_get_a_message_at_the_field(questionnaire, values, field, words):
    now = today(questionnaire, staff(["general"] * 3 + ["qfi"] * 3), PROGRAMME_POSTS)
    _, errors = staffing.read_scenario(scenario_form(**values), now)
    assert field in errors and words in str(errors[field])


def test_scenario_workbook_reads_back(questionnaire):
    now = today(questionnaire, staff(["general"] * 3 + ["qfi"] * 3), PROGRAMME_POSTS)
    scenario, _ = staffing.read_scenario(scenario_form(**{"mode-case_work": "hours", "value-case_work-general": "0",
                                                          "value-case_work-qfi": "0"}), now)
    result = staffing.compute_scenario(now, scenario)
    book = openpyxl.load_workbook(io.BytesIO(staffing.scenario_workbook(now, result, "en", lambda s: s)))
    assert book.sheetnames == ["Scenario", "Today", "Formulas"]
    rows = list(book["Scenario"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Task", "General neighbourhood management today", "General neighbourhood management scenario",
                           "General neighbourhood management difference")
    posts = next(r for r in rows if r[0] == "Posts in total")
    assert posts[1] == 2.5 and posts[2] == pytest.approx(result.units[0].posts_needed)
    case = next(r for r in rows if r[0] and r[0].startswith("Individual case work"))
    assert case[2] == 0 and case[3] == pytest.approx(-result.units[0].today["case_work"])
    assert any("n = 6" in (r[0] or "") for r in rows)


def test_a_number_questions_role_is_checked(tmp_path, questionnaire):
    assert staffing.post_share_question(questionnaire).id == "post_share"
    text = (Path("questionnaires/staff-self-assessment.yaml").read_text(encoding="utf-8")
            .replace("role: post_share", "role: boss"))
    (tmp_path / "staff.yaml").write_text(text, encoding="utf-8")
    catalogue = load_folder(tmp_path)
    assert not catalogue.questionnaires
    assert any('"role" must be one of post_share' in p.message for p in catalogue.problems)
