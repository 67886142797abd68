"""The committee pack (pure: no Flask, no storage): what goes in for which audience, and the
pack's content as numbered exhibits that output/pack.py writes as DOCX and PDF.

A selection (one per audience, stored as the DecisionRecords kind "committee_pack" under the
audience's key) names the paper's title and summary, the survey questions (each with an optional
breakdown and filter) and workshop polls in their order, and whether the task profiles and the
staffing table go in. Every number of an exhibit comes from a summary as the release plan
shows it (analysis/findings.py for questions, the poll's tally with the workshop's minimum
group size for polls): what the results pages hide, the pack hides too, and says so.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from survey_app.analysis.disclosure.plan import PROTECTS, TOO_FEW
from survey_app.analysis.findings import Findings, Section
from survey_app.analysis.summaries import options_of
from survey_app.definitions.model import Question, Questionnaire, Text, localized
from survey_app.messages import Message, _l
from survey_app.output import formatting
from survey_app.output.export import summary_record
from survey_app.workshops.model import Poll

KIND = "committee_pack"
AUDIENCES = ("social_committee", "personnel_committee")   # one saved selection, one download each
QUESTION, POLL = "question", "poll"
CHARTED_POLLS = ("single_choice", "multiple_choice", "scale", "fist_to_five", "dot_voting", "ranking",
                 "role_matrix")   # not open_text: no free ideas in a paper
MAX_ITEMS = 60
MAX_TITLE = 200
MAX_SUMMARY = 20_000
MAX_ORDER = 999

Gettext = Callable[[str], str]


# --------------------------------------------------------------------------- the selection

@dataclass(frozen=True)
class Item:
    """One question (with breakdown and filter) or poll in the pack."""
    kind: str                     # QUESTION or POLL
    source: str                   # survey id or workshop id
    item: str                     # question id or poll id
    by: str | None = None         # breakdown question id
    filter: str | None = None     # "question:value"

    @property
    def ref(self) -> str:
        return ref(self.kind, self.source, self.item)


def ref(kind: str, source: str, item: str) -> str:
    """The form's name of a candidate (stable while the survey or workshop exists)."""
    return f"{kind[0]}~{source}~{item}"


@dataclass(frozen=True)
class Selection:
    audience: str
    title: str = ""
    summary: str = ""
    items: tuple[Item, ...] = ()
    profiles: bool = True         # the task profiles' section, where there are classified profiles
    staffing: bool = True         # the staffing table, where there is a saved scenario

    def value(self) -> dict:
        """The stored form (DecisionRecords value)."""
        return {"title": self.title, "summary": self.summary, "profiles": self.profiles,
                "staffing": self.staffing,
                "items": [{"kind": i.kind, "source": i.source, "item": i.item, "by": i.by, "filter": i.filter}
                          for i in self.items]}


def selection_from_value(audience: str, value: Mapping | None) -> Selection:
    """A stored selection read back; parts that are not what they should be are left out."""
    value = value if isinstance(value, Mapping) else {}
    items = []
    for entry in value.get("items") or ():
        if isinstance(entry, Mapping) and entry.get("kind") in (QUESTION, POLL) \
                and isinstance(entry.get("source"), str) and isinstance(entry.get("item"), str):
            items.append(Item(entry["kind"], entry["source"], entry["item"],
                              entry.get("by") if isinstance(entry.get("by"), str) else None,
                              entry.get("filter") if isinstance(entry.get("filter"), str) else None))
    text = lambda key: value.get(key) if isinstance(value.get(key), str) else ""   # noqa: E731
    return Selection(audience, text("title"), text("summary"), tuple(items),
                     value.get("profiles", True) is not False, value.get("staffing", True) is not False)


@dataclass(frozen=True)
class Candidate:
    """A question or poll that may go into a pack, with the breakdowns and filters it allows."""
    kind: str
    source: str
    item: str
    source_title: Text
    text: Text
    number: int | None = None
    breakdowns: tuple[tuple[str, Text], ...] = ()   # (question id, its text)
    filters: tuple[tuple[str, Text, Text], ...] = ()   # ("question:value", question text, option label)

    @property
    def ref(self) -> str:
        return ref(self.kind, self.source, self.item)


def charted_question(question: Question) -> bool:
    """Questions a pack shows: aggregates with a table, never free texts, dates or times
    (earliest and latest are single answers)."""
    return question.has_answer and question.type in (
        "single_choice", "multiple_choice", "yes_no", "scale", "matrix", "allocation", "ranking", "number")


def survey_candidates(survey_id: str, source_title: Text, questionnaire: Questionnaire,
                      breakdowns: Sequence[Question]) -> list[Candidate]:
    filters = tuple((f"{q.id}:{o.value}", q.text, o.label) for q in questionnaire.questions()
                    if q.kind.can_filter for o in options_of(q))
    by = tuple((q.id, q.text) for q in breakdowns)
    return [Candidate(QUESTION, survey_id, q.id, source_title, q.text, q.number,
                      tuple(b for b in by if b[0] != q.id), filters)
            for q in questionnaire.questions() if charted_question(q)]


def poll_candidates(workshop_id: str, title: Text, polls: Sequence[Poll]) -> list[Candidate]:
    return [Candidate(POLL, workshop_id, p.id, title, p.text) for p in polls if p.type in CHARTED_POLLS]


Errors = dict[str, list[Message]]


def read_selection(audience: str, form: Mapping[str, str], candidates: Sequence[Candidate]) -> tuple[Selection, Errors]:
    """The selection as the evaluator submitted it (field names: title, summary, profiles,
    staffing; per candidate `use-<ref>`, `order-<ref>`, `by-<ref>`, `filter-<ref>`), with a
    message at each field that is not right. Items are ordered by their position, equal
    positions in the order of the list."""
    errors: Errors = {}
    title = (form.get("title") or "").strip()
    summary = (form.get("summary") or "").replace("\r\n", "\n").strip()
    if not title:
        errors["title"] = [_l("Please give the paper a title.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_l("Please keep the title under %(n)d characters.", n=MAX_TITLE)]
    if len(summary) > MAX_SUMMARY:
        errors["summary"] = [_l("Please keep the summary under %(n)d characters.", n=MAX_SUMMARY)]
    chosen = []
    for index, candidate in enumerate(candidates):
        name = candidate.ref
        if not form.get(f"use-{name}"):
            continue
        position = _whole_number((form.get(f"order-{name}") or "").strip())
        if position is None or not 1 <= position <= MAX_ORDER:
            errors[f"order-{name}"] = [_l("Please enter a position from 1 to %(n)d.", n=MAX_ORDER)]
            position = MAX_ORDER
        by = (form.get(f"by-{name}") or "").strip() or None
        if by is not None and by not in {b for b, _ in candidate.breakdowns}:
            errors[f"by-{name}"] = [_l("This breakdown is not offered for this question.")]
        chosen_filter = (form.get(f"filter-{name}") or "").strip() or None
        if chosen_filter is not None and chosen_filter not in {f for f, _, _ in candidate.filters}:
            errors[f"filter-{name}"] = [_l("This filter is not offered for this question.")]
        if by and chosen_filter and chosen_filter.partition(":")[0] == by:
            errors[f"by-{name}"] = [_l("A breakdown by the filter's own question shows one group only: "
                                       "please choose another.")]
        chosen.append((position, index, Item(candidate.kind, candidate.source, candidate.item, by, chosen_filter)))
    if not chosen:
        errors["items"] = [_l("Please choose at least one question or poll.")]
    elif len(chosen) > MAX_ITEMS:
        errors["items"] = [_l("A pack holds at most %(n)d questions and polls.", n=MAX_ITEMS)]
    items = tuple(item for _, _, item in sorted(chosen, key=lambda entry: entry[:2]))
    return Selection(audience, title, summary, items, bool(form.get("profiles")), bool(form.get("staffing"))), errors


def _whole_number(text: str) -> int | None:
    return int(text) if re.fullmatch(r"\d{1,6}", text) else None


# --------------------------------------------------------------------------- exhibits

@dataclass(frozen=True)
class Chart:
    """What a figure draws: one bar per label, one series per group (shares 0..1 or means)."""
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    axis: str                     # the value axis' title
    percent: bool = True          # values are shares
    limit: float | None = None    # the largest value the axis needs (a scale's last point)


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Exhibit:
    """One question or poll: a figure (when it has a chart) and a table, both with captions
    that the writer numbers; `facts` states n, source, filter, breakdown and date."""
    title: str
    facts: str
    table: Table
    chart: Chart | None = None
    alt: str = ""
    notes: tuple[str, ...] = ()   # what is hidden and why


@dataclass(frozen=True)
class Block:
    """A section of tables from the decision work (task profiles, staffing)."""
    heading: str
    text: str
    tables: tuple[tuple[str, Table, tuple[str, ...]], ...]   # (caption, table, notes)


@dataclass(frozen=True)
class Pack:
    title: str
    audience: str                 # the audience's name, translated
    date: str                     # the day the pack was made (ISO)
    summary: str
    exhibits: tuple[Exhibit, ...]
    blocks: tuple[Block, ...] = ()
    method: tuple[str, ...] = ()  # the appendix: method paragraphs, the minimum group size
    left_out: tuple[str, ...] = field(default_factory=tuple)   # selected items that no longer exist


@dataclass(frozen=True)
class Context:
    """What a caption says besides n: the source, the filter and breakdown, the date."""
    source: str
    date: str
    filter: str | None = None
    by: str | None = None


def hidden_reason(reason: str | None, minimum: int, gettext: Gettext) -> str:
    """Why something is not shown, as the results pages say it."""
    if reason == TOO_FEW:
        return gettext("fewer than %(n)d people") % {"n": minimum}
    if reason == PROTECTS:
        return gettext("hidden to protect other groups")
    return gettext("not shown")


def facts_line(n: int | None, context: Context, gettext: Gettext, n_text: str | None = None) -> str:
    parts = [n_text or (f"n = {n}" if n is not None else gettext("n not shown"))]
    parts.append(gettext("Source: %(source)s") % {"source": context.source})
    if context.filter:
        parts.append(gettext("Filter: %(filter)s") % {"filter": context.filter})
    if context.by:
        parts.append(gettext("Broken down by: %(question)s") % {"question": context.by})
    parts.append(gettext("As of: %(date)s") % {"date": context.date})
    return "; ".join(parts)


@dataclass(frozen=True)
class _Lines:
    """A summary reduced to one value per line: what a table column and a chart series hold."""
    labels: tuple[str, ...]
    values: tuple[float | None, ...]
    texts: tuple[str, ...]        # the values as the table writes them (with counts where known)
    n: int | None
    axis: str
    percent: bool
    limit: float | None = None


def _lines(summary, lang: str, gettext: Gettext) -> _Lines | None:
    """One question's summary as lines, the numbers as the results page writes them."""
    question = summary.question
    record = summary_record(summary, lang)
    loc = lang
    if record.get("options") and "share" in record["options"][0]:
        options = record["options"]
        shares = [o["share"] for o in options]
        written = formatting.percents(shares, loc, whole=question.type != "multiple_choice")
        return _Lines(tuple(o["label"] for o in options), tuple(shares),
                      tuple(w if o["count"] is None else f"{w} ({o['count']})" if w else str(o["count"])
                            for w, o in zip(written, options)) if written else (),
                      record.get("n"), gettext("Share of respondents") if question.type == "multiple_choice"
                      else gettext("Share"), True)
    if record.get("options"):   # a ranking: mean ranks
        options = record["options"]
        ranks = [o.get("mean_rank") for o in options]
        return _Lines(tuple(o["label"] for o in options), tuple(ranks),
                      tuple(formatting.decimal(r, loc) for r in ranks), record.get("n"),
                      gettext("Mean rank (1 = first)"), False, float(len(options)))
    items = record.get("items") or []
    if items and "points" in items[0] and items[0]["item"] is None:   # one scale: its points
        item = items[0]
        shares = [p["share"] for p in item["points"]]
        written = formatting.percents(shares, loc)
        return _Lines(tuple(p["label"] for p in item["points"]), tuple(shares),
                      tuple(f"{w} ({p['count']})" for w, p in zip(written, item["points"])),
                      item.get("n"), gettext("Share"), True)
    if items and "points" in items[0] and not question.scale.ordered:   # who is named: the top answer per item
        tops = [max(i["points"], key=lambda p: p["count"] or 0) if i.get("n") else None for i in items]
        return _Lines(tuple(i["label"] for i in items), tuple(t["share"] if t else None for t in tops),
                      tuple(f"{t['label']}: {formatting.percent(t['share'], loc)} (n = {i.get('n')})" if t else "–"
                            for t, i in zip(tops, items)),
                      None, gettext("Share of the answer given most often"), True)
    if items and "points" in items[0]:   # a matrix: the mean of each item
        means = [i.get("mean") for i in items]
        top = max((float(p["value"]) for p in items[0]["points"] if _numeric(p["value"])), default=None)
        return _Lines(tuple(i["label"] for i in items), tuple(means),
                      tuple(f"{formatting.decimal(i.get('mean'), loc)} (n = {i.get('n')})" for i in items),
                      None, gettext("Mean"), False, top)
    if items:   # an allocation: the mean share of the total per item
        shares = [i.get("share") for i in items]
        return _Lines(tuple(i["label"] for i in items), tuple(shares), tuple(formatting.percents(shares, loc)),
                      record.get("n"), gettext("Share of the total"), True)
    if question.type == "number":
        labels = (gettext("Mean"), gettext("Median"), gettext("SD"))
        values = (record.get("mean"), record.get("median"), record.get("sd"))
        return _Lines(labels, values, tuple(formatting.decimal(v, loc) for v in values), record.get("n"),
                      gettext("Value"), False)
    return None


def _numeric(value) -> bool:
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def question_exhibit(findings: Findings, section: Section, context: Context, lang: str,
                     gettext: Gettext) -> Exhibit:
    """One question as the findings (the release plan) show it, in the group of the filter,
    broken down when findings.by is set."""
    question = section.question
    title = localized(question.text, lang)
    if findings.blocked or section.suppressed:
        reason = hidden_reason(findings.reason if findings.blocked else section.reason, findings.minimum, gettext)
        note = gettext("Not shown: %(reason)s.") % {"reason": reason}
        return Exhibit(title, facts_line(None, context, gettext), Table((gettext("Answer"),), ((note,),)),
                       notes=(note,))
    total = _lines(section.summary, lang, gettext)
    if total is None:
        note = gettext("Not shown: %(reason)s.") % {"reason": gettext("not shown")}
        return Exhibit(title, facts_line(None, context, gettext), Table((gettext("Answer"),), ((note,),)), notes=(note,))
    n = total.n if total.n is not None else findings.n
    everybody = gettext("All") if not findings.response_filter else gettext("Filtered group")
    columns = [(f"{everybody} (n = {n})" if n is not None else everybody, total)]
    notes = []
    if section.hidden_items:
        notes.append(gettext("%(n)d items not shown: fewer than %(k)d answers, or hidden to protect other groups.")
                     % {"n": section.hidden_items, "k": findings.minimum})
    if section.breakdown is not None:
        for result in section.breakdown.groups:
            name = localized(result.group.label, lang) if result.group.label else gettext("no answer")
            lines = None if result.suppressed or result.summary is None else _lines(result.summary, lang, gettext)
            if lines is None or result.group.size_hidden:
                notes.append(gettext("%(group)s: not shown (%(reason)s).")
                             % {"group": name, "reason": hidden_reason(result.reason or result.group.reason,
                                                                       findings.minimum, gettext)})
                continue
            size = result.group.size
            columns.append((f"{name} (n = {size})", _aligned(lines, total.labels)))
    headers = (gettext("Answer"), *(name for name, _ in columns))
    rows = tuple((label, *(lines.texts[i] or "–" for _, lines in columns)) for i, label in enumerate(total.labels))
    table = Table(headers, rows)
    chart = None
    drawn = [(name, lines) for name, lines in columns if any(v is not None for v in lines.values)]
    if question.type != "number" and drawn:   # a group whose shares are hidden is in the table only
        chart = Chart(total.labels, tuple((name, lines.values) for name, lines in drawn), total.axis,
                      total.percent, total.limit)
    alt = chart_alt(title, chart, [lines.texts for _, lines in drawn], gettext) if chart else ""
    return Exhibit(title, facts_line(n, context, gettext), table, chart, alt, tuple(notes))


def _aligned(lines: _Lines, labels: tuple[str, ...]) -> _Lines:
    """A group's lines in the order of the total's labels (a group may lack an item)."""
    index = {label: i for i, label in enumerate(lines.labels)}
    pick = [index.get(label) for label in labels]
    return _Lines(labels, tuple(None if i is None else lines.values[i] for i in pick),
                  tuple("–" if i is None else lines.texts[i] for i in pick), lines.n, lines.axis, lines.percent,
                  lines.limit)


def chart_alt(title: str, chart: Chart, texts: Sequence[Sequence[str]], gettext: Gettext) -> str:
    """The alternative text of a figure: what it shows, with every number it draws."""
    parts = [_sentence(gettext("Bar chart: %(title)s") % {"title": title}), _sentence(chart.axis)]
    for (name, _values), written in zip(chart.series, texts):
        pairs = "; ".join(f"{label}: {text or '–'}" for label, text in zip(chart.labels, written))
        parts.append(f"{name}: {pairs}." if len(chart.series) > 1 else f"{pairs}.")
    return " ".join(parts)


def _sentence(text: str) -> str:
    return text if text.rstrip().endswith((".", "?", "!")) else f"{text}."


def poll_exhibit(poll: Poll, chart_data: Mapping | None, minimum: int, context: Context, lang: str,
                 gettext: Gettext) -> Exhibit:
    """A poll's latest round for the whole room (the tally's chart data, as the workshop's
    results page draws it); hidden below the workshop's minimum group size."""
    title = localized(poll.text, lang)
    n = chart_data.get("n") if chart_data else None
    if not chart_data or n is None or n < minimum:
        reason = hidden_reason(TOO_FEW if n else None, minimum, gettext) if n else gettext("no votes")
        note = gettext("Not shown: %(reason)s.") % {"reason": reason}
        return Exhibit(title, facts_line(None, context, gettext), Table((gettext("Answer"),), ((note,),)), notes=(note,))
    facts = facts_line(n, context, gettext)
    if chart_data.get("kind") == "heatmap":   # role matrix: the share naming each actor as lead
        columns = list(chart_data["columns"])
        rows = []
        for task, shares, task_n in zip(chart_data["rows"], chart_data["shares"], chart_data["task_n"]):
            written = formatting.percents(list(shares), lang) if task_n else ["–"] * len(shares)
            rows.append((task, *written, str(task_n)))
        table = Table((gettext("Task"), *columns, "n"), tuple(rows))
        lead = [max(range(len(shares)), key=lambda i: shares[i]) if task_n else None
                for shares, task_n in zip(chart_data["shares"], chart_data["task_n"])]
        chart = Chart(tuple(chart_data["rows"]),
                      ((gettext("Share naming the lead named most often"),
                        tuple(shares[i] if i is not None else None for shares, i in zip(chart_data["shares"], lead))),),
                      gettext("Consensus on the lead"), True)
        texts = [[f"{columns[i]} {formatting.percent(shares[i], lang)}" if i is not None else "–"
                  for shares, i in zip(chart_data["shares"], lead)]]
        return Exhibit(title, facts, table, chart, chart_alt(title, chart, texts, gettext))
    labels = tuple(chart_data["labels"])
    if chart_data.get("unit") == "borda":   # ranking: mean rank, Borda points
        ranks = tuple(chart_data["mean_ranks"])
        table = Table((gettext("Option"), gettext("Mean rank (1 = first)"), gettext("Borda points")),
                      tuple((label, formatting.decimal(r, lang), str(b))
                            for label, r, b in zip(labels, ranks, chart_data["values"])))
        chart = Chart(labels, ((gettext("Mean rank (1 = first)"), ranks),), gettext("Mean rank (1 = first)"), False,
                      float(len(labels)))
        return Exhibit(title, facts, table, chart,
                       chart_alt(title, chart, [[formatting.decimal(r, lang) for r in ranks]], gettext))
    shares = list(chart_data["shares"])
    written = formatting.percents(shares, lang, whole=poll.type != "multiple_choice")
    unit = gettext("points") if chart_data.get("unit") == "points" else gettext("votes")
    table = Table((gettext("Option"), gettext("Share"), unit),
                  tuple((label, w, str(v)) for label, w, v in zip(labels, written, chart_data["values"])))
    axis = gettext("Share of all points") if chart_data.get("unit") == "points" else gettext("Share")
    chart = Chart(labels, ((axis, tuple(shares)),), axis, True)
    extra = ()
    if chart_data.get("mean") is not None:
        extra = (gettext("Mean: %(mean)s") % {"mean": formatting.decimal(chart_data["mean"], lang)},)
    return Exhibit(title, facts, table, chart,
                   chart_alt(title, chart, [[f"{w} ({v})" for w, v in zip(written, chart_data["values"])]], gettext),
                   extra)


def method_text(minimum: int, gettext: Gettext) -> tuple[str, ...]:
    """The appendix: how the numbers were made and protected."""
    return (
        gettext("The figures and tables show aggregates of the questionnaires and workshop polls chosen for "
                "this paper, computed by survey_app from the responses that count (test runs and excluded "
                "responses are left out)."),
        gettext("Minimum group size: %(n)d. A group of fewer people is not shown, and neither is a group from "
                "which, together with other figures, a smaller group could be worked out (\"hidden to protect "
                "other groups\"). Means, medians and standard deviations need at least this many answers; no "
                "single person's value (minimum, maximum, a free text) is shown.") % {"n": minimum},
        gettext("Shares are in percent with one decimal, rounded half up; shares of one whole add up to 100 %. "
                "Scale shares are of answers on the scale; \"don't know\" is counted apart. Workshop polls show "
                "the latest round of each poll for the whole room. A dash (–) marks a number that is not shown."),
    )


def demo_selection(candidates: Sequence[Candidate]) -> Selection:
    """The social committee's pack `flask demo` saves: the tasks as staff, partners and the
    workshop see them, the partners' view broken down by kind of organisation."""
    wanted = [("task_time", None), ("task_quality", None), ("task_usefulness", None),
              ("task_usefulness", "organisation_type"), ("task_responsibility", None), ("agree_role_clear", None),
              ("goals", None), ("task_priority", None), ("roles", None), ("draft_task_description", None)]
    items, seen = [], set()
    for item_id, by in wanted:
        for candidate in candidates:
            if candidate.item == item_id and (candidate.ref, by) not in seen \
                    and (by is None or by in {b for b, _ in candidate.breakdowns}):
                seen.add((candidate.ref, by))
                items.append(Item(candidate.kind, candidate.source, candidate.item, by))
                if by is not None:
                    break
    return Selection("social_committee", "Quartiersmanagement: Aufgaben und Rollen (Demo)",
                     "Diese Vorlage fasst die Befragung der Mitarbeitenden, die Befragung der Partner und den "
                     "Workshop zusammen (Demo-Daten).\n\nDie Abbildungen zeigen, wie viel Arbeitszeit auf die "
                     "Aufgaben entfällt, wie nützlich die Partner sie finden und wen sie als zuständig sehen.",
                     tuple(items[:MAX_ITEMS]))


def staffing_block_table(table, date: str, lang: str, gettext: Gettext) -> tuple[str, Table, tuple[str, ...]]:
    """A decisions.staffing StaffingTable (caption, headers and rows of texts, numbers and
    Messages) as the pack's (caption with the date, table, notes) of texts."""
    def text(value) -> str:
        if isinstance(value, Message):
            return value.render(gettext)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return formatting.decimal(value, lang)
        return "–" if value is None else str(value)

    caption = f"{text(table.caption)}; {gettext('As of: %(date)s') % {'date': date}}"
    return (caption, Table(tuple(text(h) for h in table.headers), tuple(tuple(text(c) for c in row) for row in table.rows)),
            tuple(text(note) for note in table.notes))
