"""Staffing: full-time equivalents (FTE) per task and programme today, from the staff
questionnaire's working-time allocation and the post shares, and scenarios of the posts a
target needs (pure: no Flask, no storage).

The formulas (the staffing page and docs/findings.md state them the same way):

* today, with the posts of each programme known: FTE(u, t) = posts(u) x mean share(u, t), the
  mean share of working time the programme's respondents give task t (the team's mean share
  where the programme's own answers may not be shown);
* today, with a post-share question (a number question with ``role: post_share``):
  FTE(u, t) = sum over the respondents i of u of post(i) x share(i, t);
* hours per week = FTE x W, W the weekly hours of a full-time post;
* a scenario gives each task of each unit a target: kept as today, hours per week, or a share
  of the unit's working time. H(u) = the FTE of the tasks kept or set in hours, S(u) = the sum
  of the target shares; the working time needed is T(u) = H(u) / (1 - S(u)) (with only shares
  adding up to 100 %: today's posts), a task set as share s gets s x T(u); posts needed = T(u),
  the difference = T(u) - posts(u) today.

Disclosure: every share used is the allocation question's result as the release plan shows it
(findings.shown_summary), for the team and for each programme group; a group it hides is never
computed on (programmes then use the team's shares, which is said). Sums weighted with the
post-share question are shown only for at least k people, and only where everyone who answered
the one question answered the other or those who did not are k or more (otherwise the two
released results would give the left-out people's answers).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from survey_app.analysis.disclosure.groups import group_members
from survey_app.analysis.disclosure.plan import ReleasePlan
from survey_app.analysis.findings import shown_summary
from survey_app.analysis.summaries import INVALID, MISSING, Response, options_of, raw_answer, summarize_question
from survey_app.definitions.model import Option, Question, Questionnaire, Text, localized
from survey_app.messages import Message, _l
from survey_app.output.formatting import decimal
from survey_app.output.xlsx import Sheet, workbook
from survey_app.questions.base import format_number
from survey_app.questions.number import read_number

# Where the evaluator's work is kept (storage DecisionRecords): one settings record per survey,
# one record per named scenario.
SETTINGS_KIND = "staffing_settings"
SCENARIO_KIND = "staffing_scenario"

PROGRAMME_CONSTRUCT = "context.programme"   # the single-choice question whose options are programmes
POST_SHARE_ROLE = "post_share"              # a number question: the respondent's share of a full-time post
TASK_PREFIX = "task."                       # the allocation question whose items are tasks

BASIS_PROGRAMMES = "programmes"   # posts per programme entered by the evaluator
BASIS_QUESTION = "question"       # each respondent's post share from the questionnaire
BASES = (BASIS_PROGRAMMES, BASIS_QUESTION)
TEAM = "team"                     # the key of the whole team (and of the posts without programmes)

KEEP, HOURS, SHARE = "keep", "hours", "share"
MODES = (KEEP, HOURS, SHARE)

DEFAULT_WEEKLY_HOURS = 39.0       # a full-time post in the municipal service (TVöD)
MAX_WEEKLY_HOURS = 60.0
MAX_POSTS = 1000.0                # posts of one programme, or needed by a scenario: more is a slip
MAX_TASK_HOURS = 10_000.0         # hours per week of one task in one unit
MAX_NAME = 80
MAX_NOTE = 1000
NEW_TASKS = 3                     # rows for tasks that do not exist today
SUM_TOLERANCE = 0.05              # posts: answered post shares and entered posts "agree" within this

ALLOCATION_MISSING = _l("This questionnaire has no working-time allocation question with tasks "
                        "(an allocation question whose items carry task.* construct keys), so no "
                        "full-time equivalents can be computed.")
POSTS_MISSING = _l("No posts are entered yet: enter the posts of each programme below (e.g. 2,5 and 3,5), "
                   "or choose the post-share question as the basis.")
POSTS_INCOMPLETE = _l("Posts are missing for %(programmes)s: enter the posts of every programme (0 if it has none).")
POST_QUESTION_MISSING = _l("The questionnaire has no post-share question (a number question with "
                           "role: post_share): enter the posts per programme instead.")
TOO_FEW = _l("The working-time allocation may not be shown (fewer than %(k)d answers, or it would "
             "reveal a smaller group), so no full-time equivalents can be shown.")
WEIGHTS_TOO_FEW = _l("Working time and post share together can only be used when at least %(k)d "
                     "people answered both, and the people who answered only one of the two are "
                     "none or at least %(k)d: enter the posts per programme instead.")
SHARES_ASSUMED = _l("%(programme)s: its own answers may not be shown (fewer than %(k)d, or they would "
                    "reveal a smaller group); its posts are divided by the team's shares.")
POSTS_DIFFER = _l("The post shares given in the questionnaire add up to %(answered)s posts (n = %(n)d); "
                  "the posts entered add up to %(entered)s.")
WITHOUT_POST_SHARE = _l("%(n)d respondents gave their working time but no post share: their time is "
                        "not in the full-time equivalents.")
PROGRAMMES_NOT_SHOWN = _l("Programme groups may not be shown with the post-share basis here: the "
                          "figures are for the whole team only.")


# ------------------------------------------------------------------- the questions

def allocation_question(questionnaire: Questionnaire) -> Question | None:
    """The working-time allocation: the first allocation question with task items."""
    for question in questionnaire.questions():
        if question.type == "allocation" and any(
                (item.construct or "").startswith(TASK_PREFIX) for item in question.items):
            return question
    return None


def programme_question(questionnaire: Questionnaire) -> Question | None:
    return next((q for q in questionnaire.questions()
                 if q.construct == PROGRAMME_CONSTRUCT and q.kind.can_break_down), None)


def post_share_question(questionnaire: Questionnaire) -> Question | None:
    return next((q for q in questionnaire.questions() if q.role == POST_SHARE_ROLE), None)


def has_staffing(questionnaire: Questionnaire) -> bool:
    return allocation_question(questionnaire) is not None


def programmes(questionnaire: Questionnaire) -> tuple[Option, ...]:
    question = programme_question(questionnaire)
    return options_of(question) if question is not None else ()


# ------------------------------------------------------------------- settings

@dataclass(frozen=True)
class Settings:
    basis: str = BASIS_PROGRAMMES
    weekly_hours: float = DEFAULT_WEEKLY_HOURS
    posts: Mapping[str, float] = field(default_factory=dict)   # programme value (or TEAM) -> posts today


def post_keys(questionnaire: Questionnaire) -> tuple[str, ...]:
    """The keys posts are entered under: the programmes, or TEAM without a programme question."""
    return tuple(o.value for o in programmes(questionnaire)) or (TEAM,)


def _number(form: Mapping[str, str], name: str, errors: dict, *, low: float, high: float,
            too_high: Message, negative: Message | None = None, required: Message | None = None) -> float | None:
    """A number typed into field `name` (2,5 or 2.5), or None; a problem goes to errors[name]."""
    try:
        value = read_number(str(form.get(name, "")))
    except ValueError as problem:
        errors[name] = problem.args[0]
        return None
    if value is None:
        if required is not None:
            errors[name] = required
        return None
    if value < 0 and negative is not None:
        errors[name] = negative
    elif value < low:
        errors[name] = _l("Please enter at least %(min)s.", min=decimal(low, "en"))
    elif value > high:
        errors[name] = too_high
    else:
        return float(value)
    return None


def read_settings(form: Mapping[str, str], questionnaire: Questionnaire) -> tuple[Settings, dict[str, Message]]:
    """The settings typed into the form (fields basis, weekly_hours, posts-<programme>) and a
    message per field that is wrong."""
    errors: dict[str, Message] = {}
    basis = form.get("basis", BASIS_PROGRAMMES)
    if basis not in BASES:
        errors["basis"] = _l("Please choose one of the options.")
    if basis == BASIS_QUESTION and post_share_question(questionnaire) is None:
        errors["basis"] = POST_QUESTION_MISSING
    hours = _number(form, "weekly_hours", errors, low=1, high=MAX_WEEKLY_HOURS,
                    too_high=_l("A full-time post has at most %(max)s hours a week.", max=decimal(MAX_WEEKLY_HOURS, "en")),
                    required=_l("Please enter the weekly hours of a full-time post (e.g. 39)."))
    posts = {}
    for key in post_keys(questionnaire):
        value = _number(form, f"posts-{key}", errors, low=0, high=MAX_POSTS,
                        negative=_l("Posts cannot be negative."),
                        too_high=_l("More than %(max)s posts are not plausible here.", max=decimal(MAX_POSTS, "en")))
        if value is not None:
            posts[key] = value
    if basis == BASIS_PROGRAMMES:
        keys = post_keys(questionnaire)
        wrong = [key for key in keys if f"posts-{key}" in errors]
        missing = [key for key in keys if key not in posts and key not in wrong]
        if not wrong and (len(missing) == len(keys) or not any(posts.values())):
            errors[f"posts-{keys[0]}"] = POSTS_MISSING
        else:
            for key in missing:
                errors[f"posts-{key}"] = _l("Please enter the posts of this programme (0 if it has none).")
    return Settings(basis, hours if hours is not None else DEFAULT_WEEKLY_HOURS, posts), errors


def settings_form(settings: Settings, lang: str = "de") -> dict[str, str]:
    """Stored settings as form input."""
    return {"basis": settings.basis, "weekly_hours": typed(settings.weekly_hours, lang),
            **{f"posts-{k}": typed(v, lang) for k, v in settings.posts.items()}}


def settings_record(settings: Settings) -> dict:
    return {"basis": settings.basis, "weekly_hours": settings.weekly_hours, "posts": dict(settings.posts)}


def settings_from_record(record: Mapping | None, questionnaire: Questionnaire) -> Settings:
    """The stored settings, or the default: programmes basis, or the post-share question when
    the questionnaire has one and no posts were entered."""
    if not record:
        basis = BASIS_QUESTION if post_share_question(questionnaire) is not None else BASIS_PROGRAMMES
        return Settings(basis=basis)
    posts = {str(k): float(v) for k, v in (record.get("posts") or {}).items()
             if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}
    hours = record.get("weekly_hours")
    return Settings(record.get("basis") if record.get("basis") in BASES else BASIS_PROGRAMMES,
                    float(hours) if isinstance(hours, (int, float)) and 1 <= hours <= MAX_WEEKLY_HOURS
                    else DEFAULT_WEEKLY_HOURS, posts)


# ------------------------------------------------------------------- today

@dataclass(frozen=True)
class Task:
    id: str                 # the allocation item's id, or new-1 ... for a task that does not exist today
    label: Text
    construct: str | None = None


@dataclass(frozen=True)
class Unit:
    """A programme (or the whole team) today."""
    key: str                            # programme option value, or TEAM
    label: Text | None                  # None: the whole team
    posts: float | None                 # posts today; None when it may not be shown
    n: int | None                       # respondents behind its shares
    fte: Mapping[str, float] | None     # task id -> FTE today; None when it may not be shown
    own: bool = True                    # False: the team's shares divide its posts


@dataclass(frozen=True)
class Today:
    title: Text                         # the questionnaire's
    tasks: tuple[Task, ...]
    team: Unit | None                   # None: nothing may be shown (see problems)
    units: tuple[Unit, ...]             # per programme; empty without programmes
    settings: Settings
    minimum: int
    lang: str = "de"                    # of the programme names in problems and notes
    problems: tuple[Message, ...] = ()  # why no figures are shown
    notes: tuple[Message, ...] = ()     # what the reader should know about them

    @property
    def scenario_units(self) -> tuple[Unit, ...]:
        """The units a scenario sets targets for: every programme when each has its figures,
        else the team."""
        if self.units and all(u.fte is not None for u in self.units):
            return self.units
        return (self.team,) if self.team is not None and self.team.fte is not None else ()

    def hours(self, fte: float | None) -> float | None:
        return None if fte is None else fte * self.settings.weekly_hours


def _shares(plan: ReleasePlan, question: Question, responses: Sequence[Response],
            by: tuple[str, str] | None) -> tuple[dict[str, float] | None, int | None]:
    """Mean share of the total per item, as the plan shows the question in the group; None when hidden."""
    shown = shown_summary(plan, summarize_question(question, responses), None, by).summary
    if shown is None or not shown.n or any(i.share is None for i in shown.items):
        return None, None
    return {i.item.id: i.share for i in shown.items}, shown.n


def compute_today(questionnaire: Questionnaire, responses: Sequence[Response], plan: ReleasePlan,
                  settings: Settings, lang: str = "de") -> Today:
    """FTE per task today, for the team and each programme, as far as the plan allows."""
    question = allocation_question(questionnaire)
    base = dict(title=questionnaire.title, settings=settings, minimum=plan.minimum, lang=lang)
    if question is None:
        return Today(tasks=(), team=None, units=(), problems=(ALLOCATION_MISSING,), **base)
    tasks = tuple(Task(item.id, item.label, item.construct) for item in question.items)
    base["tasks"] = tasks
    if settings.basis == BASIS_QUESTION:
        return _today_weighted(questionnaire, responses, plan, question, base)
    return _today_programmes(questionnaire, responses, plan, question, base)


def _today_programmes(questionnaire, responses, plan, question, base) -> Today:
    settings: Settings = base["settings"]
    keys = post_keys(questionnaire)
    missing = [k for k in keys if k not in settings.posts]
    if len(missing) == len(keys) or not any(settings.posts.get(k) for k in keys):
        return Today(team=None, units=(), problems=(POSTS_MISSING,), **base)
    if missing:
        names = ", ".join(localized(o.label, base["lang"]) for o in programmes(questionnaire) if o.value in missing)
        return Today(team=None, units=(), problems=(_l(POSTS_INCOMPLETE.msgid, programmes=names),), **base)
    team_shares, n = _shares(plan, question, responses, None)
    if team_shares is None:
        return Today(team=None, units=(), problems=(_l(TOO_FEW.msgid, k=plan.minimum),), **base)
    notes = []
    units = []
    programme = programme_question(questionnaire)
    for option in programmes(questionnaire):
        by = (programme.id, option.value)
        shares, own_n = _shares(plan, question, group_members(questionnaire, responses, by), by)
        own = shares is not None
        if not own:
            notes.append(_l(SHARES_ASSUMED.msgid, programme=localized(option.label, base["lang"]), k=plan.minimum))
        posts = settings.posts[option.value]
        units.append(Unit(option.value, option.label, posts, own_n if own else n,
                          {t: posts * s for t, s in (shares if own else team_shares).items()}, own))
    total = math.fsum(settings.posts[k] for k in keys)
    if units:
        fte = {t.id: math.fsum(u.fte[t.id] for u in units) for t in base["tasks"]}
    else:
        fte = {t: total * s for t, s in team_shares.items()}
    team = Unit(TEAM, None, total, n, fte, all(u.own for u in units))
    notes += _answered_posts(questionnaire, responses, plan, total, base["lang"])
    return Today(team=team, units=tuple(units), notes=tuple(notes), **base)


def _answered_posts(questionnaire, responses, plan, entered: float, lang: str) -> list[Message]:
    """A note when the post shares answered (where they may be shown) do not add up to the posts entered."""
    post = post_share_question(questionnaire)
    if post is None or not plan.answers(post.id).shown:
        return []
    values = [v for v in (post.kind.read(post, raw_answer(r, post.id)) for r in responses)
              if v is not MISSING and v is not INVALID]
    if len(values) < plan.minimum:
        return []
    answered = math.fsum(values)
    if abs(answered - entered) <= SUM_TOLERANCE:
        return []
    return [_l(POSTS_DIFFER.msgid, answered=decimal(answered, lang), n=len(values),
               entered=decimal(entered, lang))]


def _weighted(question: Question, post: Question, responses: Sequence[Response]):
    """(post, {task: share}) of each respondent who answered both; how many answered each."""
    both, n_allocation, n_post = [], 0, 0
    for response in responses:
        allocation = question.kind.read(question, raw_answer(response, question.id))
        share = post.kind.read(post, raw_answer(response, post.id))
        valid_allocation = allocation is not MISSING and allocation is not INVALID
        valid_post = share is not MISSING and share is not INVALID
        n_allocation += valid_allocation
        n_post += valid_post
        if valid_allocation and valid_post:
            both.append((share, {k: v / question.total for k, v in allocation.items()}))
    return both, n_allocation, n_post


def _weighted_unit(key, label, both, tasks) -> Unit:
    posts = math.fsum(p for p, _ in both)
    return Unit(key, label, posts, len(both), {t.id: math.fsum(p * s[t.id] for p, s in both) for t in tasks})


def _today_weighted(questionnaire, responses, plan, question, base) -> Today:
    post = post_share_question(questionnaire)
    if post is None:
        return Today(team=None, units=(), problems=(POST_QUESTION_MISSING,), **base)
    k = plan.minimum
    if not plan.answers(question.id).shown or not plan.answers(post.id).shown:
        return Today(team=None, units=(), problems=(_l(TOO_FEW.msgid, k=k),), **base)
    both, n_allocation, n_post = _weighted(question, post, responses)
    if len(both) < k or 0 < n_allocation - len(both) < k or 0 < n_post - len(both) < k:
        return Today(team=None, units=(), problems=(_l(WEIGHTS_TOO_FEW.msgid, k=k),), **base)
    tasks = base["tasks"]
    team = _weighted_unit(TEAM, None, both, tasks)
    notes = []
    if n_allocation > len(both):
        notes.append(_l(WITHOUT_POST_SHARE.msgid, n=n_allocation - len(both)))
    units = []
    programme = programme_question(questionnaire)
    # Programme groups only when the weighted sets are the plan's own (everyone answered both)
    # and every group, "no answer" included, may be shown.
    if programme is not None and n_allocation == n_post == len(both):
        groups = [*((o.value, o.label) for o in options_of(programme)), (None, None)]
        for value, label in groups:
            by = (programme.id, value)
            members = group_members(questionnaire, responses, by)
            if value is None and not members:
                continue
            if not plan.answers(question.id, by=by).shown or value is None:
                units = []
                break
            units.append(_weighted_unit(value, label, _weighted(question, post, members)[0], tasks))
    if programme is not None and not units:
        notes.append(PROGRAMMES_NOT_SHOWN)
    return Today(team=team, units=tuple(units), notes=tuple(notes), **base)


# ------------------------------------------------------------------- scenarios

@dataclass(frozen=True)
class Target:
    task: str                        # a task id of today's, or new-1 ...
    mode: str                        # KEEP, HOURS or SHARE
    values: Mapping[str, float] = field(default_factory=dict)   # unit key -> hours a week, or percent
    label: str = ""                  # a new task's name


@dataclass(frozen=True)
class Scenario:
    name: str
    targets: tuple[Target, ...]
    note: str = ""

    def target(self, task: str) -> Target:
        return next((t for t in self.targets if t.task == task), Target(task, KEEP))


@dataclass(frozen=True)
class UnitResult:
    key: str
    label: Text | None
    posts_today: float
    posts_needed: float
    today: Mapping[str, float]       # task id -> FTE today (new tasks: 0)
    target: Mapping[str, float]      # task id -> FTE in the scenario

    @property
    def difference(self) -> float:
        return self.posts_needed - self.posts_today


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    tasks: tuple[Task, ...]          # today's and the new ones
    units: tuple[UnitResult, ...]    # the scenario units
    team: UnitResult


def new_task_ids() -> tuple[str, ...]:
    return tuple(f"new-{i}" for i in range(1, NEW_TASKS + 1))


def _clean_text(text: str) -> str:
    return " ".join("".join(ch for ch in str(text) if ch.isprintable() or ch.isspace()).split())


def read_scenario(form: Mapping[str, str], today: Today) -> tuple[Scenario, dict[str, Message]]:
    """The scenario typed into the form and a message per wrong field. Fields: name, note;
    mode-<task> (keep, hours, share) and value-<task>-<unit> for each task; for new tasks
    label-new-<i>, mode-new-<i>, value-new-<i>-<unit>."""
    errors: dict[str, Message] = {}
    name = _clean_text(form.get("name", ""))
    if not name:
        errors["name"] = _l("Please give the scenario a name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _l("Please use at most %(max)d characters.", max=MAX_NAME)
    note = str(form.get("note", "")).strip()
    if len(note) > MAX_NOTE:
        errors["note"] = _l("Please use at most %(max)d characters.", max=MAX_NOTE)
    units = today.scenario_units
    targets = []
    for task_id in (*(t.id for t in today.tasks), *new_task_ids()):
        new = task_id.startswith("new-")
        label = _clean_text(form.get(f"label-{task_id}", "")) if new else ""
        mode = form.get(f"mode-{task_id}", KEEP)
        typed = [str(form.get(f"value-{task_id}-{u.key}", "")).strip() for u in units]
        if new and not label:
            if mode != KEEP and any(typed):
                errors[f"label-{task_id}"] = _l("Please name the new task.")
            continue
        if mode not in MODES:
            errors[f"mode-{task_id}"] = _l("Please choose one of the options.")
            continue
        if new and mode == KEEP:
            errors[f"mode-{task_id}"] = _l("A new task needs hours or a share.")
            continue
        if new and len(label) > MAX_NAME:
            errors[f"label-{task_id}"] = _l("Please use at most %(max)d characters.", max=MAX_NAME)
        values = {}
        if mode != KEEP:
            for unit in units:
                name_ = f"value-{task_id}-{unit.key}"
                if mode == HOURS:
                    value = _number(form, name_, errors, low=0, high=MAX_TASK_HOURS,
                                    negative=_l("Hours cannot be negative."),
                                    too_high=_l("More than %(max)s hours a week are not plausible.",
                                                max=decimal(MAX_TASK_HOURS, "en")),
                                    required=_l("Please enter the hours a week (0 for none)."))
                else:
                    value = _number(form, name_, errors, low=0, high=100,
                                    negative=_l("A share cannot be negative."),
                                    too_high=_l("A share is at most 100 %."),
                                    required=_l("Please enter the share in percent (0 for none)."))
                if value is not None:
                    values[unit.key] = value
        targets.append(Target(task_id, mode, values, label))
    scenario = Scenario(name, tuple(targets), note)
    if not errors:
        errors.update(_sum_problems(today, scenario))
    return scenario, errors


def _sum_problems(today: Today, scenario: Scenario) -> dict[str, Message]:
    """Target shares of a unit must leave room for the hours of its other tasks."""
    errors = {}
    for unit in today.scenario_units:
        shares = [t for t in scenario.targets if t.mode == SHARE]
        total_share = math.fsum(t.values.get(unit.key, 0) for t in shares)
        fixed = _fixed_fte(today, scenario, unit)
        first = f"value-{shares[0].task}-{unit.key}" if shares else None
        if first and (total_share > 100 + 1e-9 or (total_share >= 100 - 1e-9 and fixed > 0)):
            errors[first] = _l("The target shares add up to %(sum)s %%; together with tasks kept or set in "
                               "hours they must stay below 100 %%.", sum=decimal(total_share, "en"))
        elif first and total_share < 100 - 1e-9 and fixed / (1 - total_share / 100) > MAX_POSTS:
            errors[first] = _l("These shares would need more than %(max)s posts: please check them.",
                               max=decimal(MAX_POSTS, "en"))
    return errors


def _fixed_fte(today: Today, scenario: Scenario, unit: Unit) -> float:
    """H(u): FTE of the tasks kept (today's) or set in hours."""
    fixed = 0.0
    for task in today.tasks:
        target = scenario.target(task.id)
        if target.mode == KEEP:
            fixed += unit.fte[task.id]
        elif target.mode == HOURS:
            fixed += target.values.get(unit.key, 0) / today.settings.weekly_hours
    for target in scenario.targets:
        if target.task.startswith("new-") and target.mode == HOURS:
            fixed += target.values.get(unit.key, 0) / today.settings.weekly_hours
    return fixed


def compute_scenario(today: Today, scenario: Scenario) -> ScenarioResult:
    """Posts needed per unit, by the formulas above (the scenario is valid: read_scenario)."""
    new = [t for t in scenario.targets if t.task.startswith("new-")]
    tasks = (*today.tasks, *(Task(t.task, {"de": t.label, "en": t.label}) for t in new))
    results = []
    for unit in today.scenario_units:
        fixed = _fixed_fte(today, scenario, unit)
        total_share = math.fsum(t.values.get(unit.key, 0) for t in scenario.targets if t.mode == SHARE) / 100
        if total_share >= 1 - 1e-9:
            total = unit.posts           # only shares: today's working time, divided anew
        else:
            total = fixed / (1 - total_share)
        target_fte = {}
        for task in tasks:
            wanted = scenario.target(task.id)
            if wanted.mode == KEEP:
                target_fte[task.id] = unit.fte.get(task.id, 0.0)
            elif wanted.mode == HOURS:
                target_fte[task.id] = wanted.values.get(unit.key, 0) / today.settings.weekly_hours
            else:
                target_fte[task.id] = wanted.values.get(unit.key, 0) / 100 * total
        results.append(UnitResult(unit.key, unit.label, unit.posts, math.fsum(target_fte.values()),
                                  {t.id: unit.fte.get(t.id, 0.0) for t in tasks}, target_fte))
    if len(results) == 1 and results[0].key == TEAM:
        team = results[0]
    else:
        team = UnitResult(TEAM, None, math.fsum(r.posts_today for r in results),
                          math.fsum(r.posts_needed for r in results),
                          {t.id: math.fsum(r.today[t.id] for r in results) for t in tasks},
                          {t.id: math.fsum(r.target[t.id] for r in results) for t in tasks})
    return ScenarioResult(scenario, tasks, tuple(results), team)


def scenario_record(scenario: Scenario) -> dict:
    return {"name": scenario.name, "note": scenario.note,
            "targets": [{"task": t.task, "mode": t.mode, "values": dict(t.values), "label": t.label}
                        for t in scenario.targets]}


def scenario_from_record(record: Mapping) -> Scenario:
    targets = []
    for entry in record.get("targets") or ():
        if not isinstance(entry, Mapping) or entry.get("mode") not in MODES:
            continue
        values = {str(k): float(v) for k, v in (entry.get("values") or {}).items()
                  if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}
        targets.append(Target(str(entry.get("task", "")), entry["mode"], values, str(entry.get("label") or "")))
    return Scenario(str(record.get("name", "")), tuple(targets), str(record.get("note") or ""))


def typed(value: float, lang: str) -> str:
    """A number as the evaluator would type it again (2,5 in German; no thousands separators,
    which read_number would take for a decimal point)."""
    text = format_number(round(value, 6))
    return text.replace(".", ",") if lang == "de" else text


def scenario_form(scenario: Scenario, lang: str = "de") -> dict[str, str]:
    """A saved scenario as form input (to edit it again)."""
    data = {"name": scenario.name, "note": scenario.note}
    for target in scenario.targets:
        data[f"mode-{target.task}"] = target.mode
        if target.label:
            data[f"label-{target.task}"] = target.label
        for key, value in target.values.items():
            data[f"value-{target.task}-{key}"] = typed(value, lang)
    return data


def scenario_key(survey_id: str, name: str) -> str:
    """The DecisionRecords key of a named scenario of a survey."""
    return f"{survey_id}:{name}"


# ------------------------------------------------------------------- the table (page, XLSX, committee pack)

@dataclass(frozen=True)
class StaffingTable:
    """The staffing figures as one table: `headers` and `rows` are texts and numbers (FTE,
    posts), Messages translate when shown (str() in a request, or .render(gettext))."""
    caption: Message
    headers: tuple[Message | str, ...]
    rows: tuple[tuple, ...]          # (task label, number or None, ...); the last row: posts in total
    n: int | None                    # respondents behind the figures
    notes: tuple[Message, ...]


def _unit_name(unit_label: Text | None, lang: str) -> Message | str:
    return localized(unit_label, lang) if unit_label else _l("Team")


def staffing_table(today: Today, result: ScenarioResult | None = None, lang: str = "de") -> StaffingTable | None:
    """FTE per task and unit today (and with `result`: in the scenario and the difference),
    with a caption that states n, the source, the basis and the minimum group size. None when
    nothing may be shown (today.problems says why). For the committee pack and the XLSX."""
    if today.team is None:
        return None
    source = localized(today.title, lang)
    basis = _l("posts per programme") if today.settings.basis == BASIS_PROGRAMMES else _l("post shares answered")
    if result is None:
        units = [*today.units, today.team] if today.units else [today.team]
        headers = (_l("Task"), *(_unit_name(u.label, lang) for u in units))
        rows = [(localized(t.label, lang), *(u.fte[t.id] if u.fte else None for u in units)) for t in today.tasks]
        rows.append((_l("Posts in total"), *(u.posts for u in units)))
        caption = _l("Full-time equivalents per task today (n = %(n)d, source: %(source)s, basis: %(basis)s, "
                     "minimum group size %(k)d)", n=today.team.n or 0, source=source, basis=basis, k=today.minimum)
    else:
        units = [*result.units, result.team] if len(result.units) > 1 or result.units[0].key != TEAM else [result.team]
        headers = [_l("Task")]
        for u in units:
            name = _unit_name(u.label, lang)
            headers += [_l("%(unit)s today", unit=name), _l("%(unit)s scenario", unit=name),
                        _l("%(unit)s difference", unit=name)]
        rows = [(localized(t.label, lang), *(x for u in units for x in (
                 u.today[t.id], u.target[t.id], u.target[t.id] - u.today[t.id]))) for t in result.tasks]
        rows.append((_l("Posts in total"), *(x for u in units for x in (u.posts_today, u.posts_needed, u.difference))))
        caption = _l("Posts needed in the scenario “%(name)s” against today, in full-time equivalents (n = %(n)d, "
                     "source: %(source)s, basis: %(basis)s, minimum group size %(k)d)",
                     name=result.scenario.name, n=today.team.n or 0, source=source, basis=basis, k=today.minimum)
    return StaffingTable(caption, tuple(headers), tuple(rows), today.team.n, today.notes)


FORMULAS = (
    _l("Today, posts per programme known: FTE(programme, task) = posts(programme) × mean share of working "
       "time(programme, task); where a programme's own answers may not be shown, the team's mean share is used."),
    _l("Today, post shares answered: FTE(task) = sum over respondents of post share × share of working time(task)."),
    _l("Hours per week = FTE × weekly hours of a full-time post."),
    _l("Scenario: H = FTE of the tasks kept or set in hours (hours ÷ weekly hours), S = sum of the target shares; "
       "working time needed T = H ÷ (1 − S) (only shares adding up to 100 %: today's posts); a task set as "
       "share s gets s × T; posts needed = T; difference = T − posts today."),
)


def scenario_workbook(today: Today, result: ScenarioResult, lang: str, gettext: Callable[[str], str]) -> bytes:
    """The scenario as XLSX: the scenario table, today's table, and the formulas and settings."""
    def text(value):
        return value.render(gettext) if isinstance(value, Message) else value

    sheets = []
    for title, table in ((gettext("Scenario"), staffing_table(today, result, lang)),
                         (gettext("Today"), staffing_table(today, None, lang))):
        rows = [[text(cell) for cell in row] for row in table.rows]
        sheets.append(Sheet(title, [text(h) for h in table.headers],
                            [*rows, [], [text(table.caption)], *([text(n)] for n in table.notes)]))
    settings = today.settings
    about = [[gettext("Scenario"), result.scenario.name], [gettext("Note"), result.scenario.note],
             [gettext("Weekly hours of a full-time post"), settings.weekly_hours],
             [gettext("Basis"), text(_l("posts per programme") if settings.basis == BASIS_PROGRAMMES
                                     else _l("post shares answered"))],
             [gettext("Minimum group size"), today.minimum], [],
             *([text(f)] for f in FORMULAS)]
    sheets.append(Sheet(gettext("Formulas"), [gettext("What"), gettext("Value")], about))
    return workbook(sheets)
