"""Answers on a scale: scale (one question) and matrix (one scale answer per item, e.g. a
grid of statements). Ordered scales get means, medians, top and bottom shares and diverging
bars; "don't know" is an answer of its own, counted apart from the scale points."""
from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from wtforms import SelectChoice

from survey_app.analysis.distributions import Indicator, PointCount
from survey_app.analysis.stats import is_int, median_of_counts, share
from survey_app.analysis.summaries import INVALID, MISSING, QuestionSummary, is_empty, raw_answer
from survey_app.definitions.conditions import EQUALITY, BadValue, ORDER, describe, number_value
from survey_app.definitions.loader import Collector
from survey_app.definitions.model import DONT_KNOW, Item, Question, Scale, localized
from survey_app.output import charts
from survey_app.questions.base import Context, KeyNumber, QuestionType, ValueCodes, labelled
from survey_app.questions.parts import REQUIRED_ITEM_MESSAGE, PerItem, item_field_name, parse_items, parse_scale_ref, radio


@dataclass(frozen=True)
class ItemScale:
    """Distribution and statistics of one scale question or one matrix item."""
    item: Item | None     # None for a plain scale question
    n: int                # answered, don't know included
    missing: int
    invalid: int
    dk: int               # "don't know" answers
    points: tuple[PointCount, ...]   # in the scale's definition order
    mean: float | None    # ordered scales only, None when n_valid == 0
    median: float | None  # ordered scales only, None when n_valid == 0
    sd: float | None      # sample SD (n-1); ordered scales only, None when n_valid < 2
    top2: float | None = None     # share of the two highest points; ordered scales of 4+ points
    bottom2: float | None = None  # share of the two lowest points; ordered scales of 4+ points

    @property
    def n_valid(self) -> int:
        """Answers on the scale itself: the base of shares, mean, median and SD."""
        return self.n - self.dk


@dataclass(frozen=True)
class ScaleSummary(QuestionSummary):
    """A scale question (one entry in ``items``) or a matrix question (one per item).

    For a matrix, ``n`` counts respondents with at least one valid item answer
    (don't know included); each item has its own n, dk and missing.
    """
    items: tuple[ItemScale, ...]

    @property
    def scale(self) -> Scale:
        assert self.question.scale is not None
        return self.question.scale


class _ScaleReader:
    """Classifies stored scale answers; built once per question because it runs for every
    answer of every respondent (the hot loop of a large survey)."""

    def __init__(self, scale: Scale):
        self.points = frozenset(scale.values)
        self.dk_allowed = scale.dont_know is not None

    def __call__(self, value: Any) -> Any:
        """A valid scale answer (int point or DONT_KNOW), or MISSING / INVALID."""
        if value.__class__ is int:        # the common case; excludes bool
            return value if value in self.points else INVALID
        if value is None or value == "" or value == [] or value == {}:
            return MISSING
        if value == DONT_KNOW:
            return DONT_KNOW if self.dk_allowed else INVALID
        if isinstance(value, str) and not value.strip():
            return MISSING
        if is_int(value) and value in self.points:
            return value
        return INVALID


class _ScaleTally:
    """Counts of one scale question or matrix item, fed one stored value at a time."""

    def __init__(self, scale: Scale, read: _ScaleReader):
        self.scale = scale
        self.read = read
        self.counts = {v: 0 for v in scale.values}
        self.dk = self.missing = self.invalid = 0

    def add(self, raw: Any) -> bool:
        """Count one value; True when it is an answer (a point or don't know)."""
        v = self.read(raw)
        if v is MISSING or v is INVALID:
            self.missing += 1
            self.invalid += v is INVALID
            return False
        if v == DONT_KNOW:
            self.dk += 1
        else:
            self.counts[v] += 1
        return True

    def result(self, item: Item | None) -> ItemScale:
        scale, counts = self.scale, self.counts
        n_valid = sum(counts.values())
        points = tuple(PointCount(p.value, p.label, counts[p.value], share(counts[p.value], n_valid))
                       for p in scale.points)
        mean = median = sd = top2 = bottom2 = None
        if scale.ordered and n_valid:
            # from the counts per point: exact, and independent of the number of respondents
            mean = sum(v * c for v, c in counts.items()) / n_valid
            median = median_of_counts(counts, n_valid)
            if n_valid >= 2:
                sd = math.sqrt(sum(c * (v - mean) ** 2 for v, c in counts.items()) / (n_valid - 1))
            if len(points) >= 4:
                top2 = points[-1].share + points[-2].share
                bottom2 = points[0].share + points[1].share
        return ItemScale(item=item, n=n_valid + self.dk, missing=self.missing, invalid=self.invalid,
                         dk=self.dk, points=points, mean=mean, median=median, sd=sd, top2=top2,
                         bottom2=bottom2)


def scale_distribution(scale: Scale, values: Iterable[Any], item: Item | None = None) -> ItemScale:
    """The shared helper for scale questions and matrix items: raw stored values in
    (one per respondent, None when not answered), distribution and statistics out."""
    tally = _ScaleTally(scale, _ScaleReader(scale))
    for raw in values:
        tally.add(raw)
    return tally.result(item)


def _point(raw: str | None):
    """The stored point (or "dk"); None for no or an unknown choice, which validation reports."""
    if raw == DONT_KNOW:
        return raw
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


class ScaleType(QuestionType):
    """One answer on a scale defined under "scales"."""
    name = "scale"
    required_keys = ("scale",)
    template = "questions/scale.html"
    reader = "point"

    def parse(self, c: Collector, data: dict, loc: str, ctx: Context) -> dict:
        return {"scale": parse_scale_ref(c, data.get("scale"), loc, ctx)}

    def condition_operators(self, question: Question) -> tuple[str, ...]:
        ordered = question.scale is None or question.scale.ordered
        return (*EQUALITY, *(ORDER if ordered else ()), "answered")

    def condition_value(self, question: Question, operator: str, raw: object):
        if operator not in EQUALITY:
            return number_value(question, operator, raw)
        scale = question.scale
        if scale is None:
            return raw      # the broken scale is reported where it is defined
        allowed = [*scale.values, *([DONT_KNOW] if scale.dont_know else [])]
        if isinstance(raw, bool) or raw not in allowed:
            raise BadValue(f'question "{question.id}" has no scale point {describe(raw)} '
                           f"(points: {', '.join(str(v) for v in allowed)})")
        return raw

    def choices(self, question: Question, lang: str, default: str) -> list[SelectChoice]:
        choices = [SelectChoice(str(p.value), localized(p.label, lang, default)) for p in question.scale.points]
        if question.scale.dont_know:
            choices.append(SelectChoice(DONT_KNOW, localized(question.scale.dont_know, lang, default)))
        return choices

    def fields(self, question: Question, lang: str, default: str) -> dict:
        return {question.id: radio(localized(question.text, lang, default), self.choices(question, lang, default),
                                   question.required)}

    def answer(self, form, question: Question):
        return _point(form[question.id].data)

    def summarize(self, question: Question, responses: Sequence[Mapping]) -> ScaleSummary:
        if question.scale is None:
            raise ValueError(f"question {question.id!r} has no scale")
        item = scale_distribution(question.scale, (raw_answer(r, question.id) for r in responses))
        return ScaleSummary(question, item.n, item.missing, item.invalid, (item,))

    def key_numbers(self, summary: ScaleSummary) -> list[KeyNumber]:
        numbers = []
        for row in summary.items:
            item = row.item.id if row.item else None
            label = row.item.label if row.item else None
            if summary.question.scale.ordered:
                numbers.append(KeyNumber(("item", item), label, None, "mean", row.mean))
            else:
                numbers += [KeyNumber(("point", item, p.value), label, p.label, "share", p.share) for p in row.points]
        return numbers

    def row_construct(self, question: Question, row: ItemScale) -> str | None:
        return question.construct

    def indicators(self, question: Question, summary: ScaleSummary) -> list[Indicator]:
        """Per row with a construct: on an ordered scale the mean and the top-2 share, on a
        nominal one the point chosen most often, with its share."""
        found = []
        for row in summary.items:
            construct = self.row_construct(question, row)
            if not construct:
                continue
            label = row.item.label if row.item else question.text
            if summary.scale.ordered:
                found.append(Indicator(construct, label, "rating", row.n_valid, mean=row.mean, share=row.top2))
            else:
                top = max(row.points, key=lambda p: p.count)
                found.append(Indicator(construct, label, "nominal", row.n_valid, share=top.share, top=top.label))
        return found

    def figure(self, summary: ScaleSummary, lang: str, gettext):
        if not summary.scale.ordered and len(summary.items) > 1:
            return role_heatmap(summary, lang, gettext)
        return scale_figure(summary, lang, gettext)

    def breakdown_figure(self, result, shown: list, lang: str, gettext):
        """One diverging row per group (per item and group for a matrix)."""
        # Groups may show different lines (each line is its own release): match lines by item,
        # in the question's order, never by position.
        rows = []
        order = [None] if not result.question.items else [i.id for i in result.question.items]
        for item_id in order:
            for r in shown:
                row = next((x for x in r.summary.items if (x.item.id if x.item else None) == item_id), None)
                if row is None:
                    continue
                name = charts.group_label(r, lang, gettext)
                if row.item is not None:
                    name = f"{localized(row.item.label, lang)} – {name}"
                rows.append(ItemScale(Item(f"row{len(rows)}", {lang: name}), row.n, row.missing, row.invalid,
                                      row.dk, row.points, row.mean, row.median, row.sd, row.top2, row.bottom2))
        n = None if any(r.summary.n is None for r in shown) else sum(r.summary.n for r in shown)
        return scale_figure(ScaleSummary(result.question, n, 0, 0, tuple(rows)), lang, gettext)

    def value_labels(self, question: Question, lang: str) -> str:
        pairs = [(str(p.value), p.label) for p in question.scale.points]
        if question.scale.dont_know:
            pairs.append((DONT_KNOW, question.scale.dont_know))
        return "; ".join(f"{value} = {localized(label, lang)}" for value, label in pairs)

    def value_codes(self, question: Question) -> ValueCodes:
        scale = question.scale
        labels = tuple((p.value, p.label) for p in scale.points)
        if scale.dont_know:
            labels += ((DONT_KNOW, scale.dont_know),)
        return ValueCodes(labels, (DONT_KNOW,) if scale.dont_know else (),
                          "ordinal" if scale.ordered else "nominal")

    def summary_record(self, summary: ScaleSummary, lang: str) -> dict:
        question = summary.question
        return {"items": [{
            "item": row.item.id if row.item else None,
            "label": localized(row.item.label, lang) if row.item else None,
            "construct": (row.item.construct if row.item else None) or question.construct,
            "n": row.n, "dont_know": row.dk, "mean": row.mean, "median": row.median, "sd": row.sd,
            "top2": row.top2, "bottom2": row.bottom2,
            "points": [{**labelled(p.value, p.label, lang), "count": p.count, "share": p.share}
                       for p in row.points],
        } for row in summary.items]}

    def random_point(self, question: Question, rng: random.Random):
        if question.scale.dont_know and rng.random() < 0.1:
            return DONT_KNOW
        return rng.choice(question.scale.points).value

    def random_answer(self, question: Question, rng: random.Random):
        return self.random_point(question, rng)


class Matrix(PerItem, ScaleType):
    """One scale answer per item; each item counts on its own (n, don't know, minimum group size)."""
    name = "matrix"
    required_keys = ("scale", "items")
    reader = "points"
    items_counted_apart = True
    errors_at_items = True

    def parse(self, c: Collector, data: dict, loc: str, ctx: Context) -> dict:
        return {**super().parse(c, data, loc, ctx), "items": parse_items(c, data.get("items"), loc, ctx)}

    def condition_operators(self, question: Question) -> tuple[str, ...]:
        return ("answered",)

    def fields(self, question: Question, lang: str, default: str) -> dict:
        choices = self.choices(question, lang, default)
        return {item_field_name(question, item.id): radio(localized(item.label, lang, default), choices,
                                                          question.required, REQUIRED_ITEM_MESSAGE)
                for item in question.items}

    def answer(self, form, question: Question):
        values = {item.id: _point(form[item_field_name(question, item.id)].data) for item in question.items}
        return {k: v for k, v in values.items() if v is not None} or None

    def summarize(self, question: Question, responses: Sequence[Mapping]) -> ScaleSummary:
        read = _ScaleReader(question.scale)
        tallies = [(it, _ScaleTally(question.scale, read)) for it in question.items]
        n = missing = invalid = 0
        for response in responses:
            raw = raw_answer(response, question.id)
            row = raw if isinstance(raw, Mapping) else {}
            answered = False
            for it, tally in tallies:
                answered = tally.add(row.get(it.id)) or answered
            if answered:
                n += 1
            else:
                missing += 1
                # invalid: something was stored, but no item holds a valid answer
                if isinstance(raw, Mapping):
                    invalid += any(not is_empty(v) for v in raw.values())
                else:
                    invalid += not is_empty(raw)
        return ScaleSummary(question, n, missing, invalid, tuple(tally.result(it) for it, tally in tallies))

    def row_construct(self, question: Question, row: ItemScale) -> str | None:
        return row.item.construct if row.item else None

    def random_answer(self, question: Question, rng: random.Random):
        return {item.id: self.random_point(question, rng) for item in question.items}


# ------------------------------------------------------------------ figures

def _row_label(label: str | None, n: int, dk: int, dk_offered: bool, gettext) -> str:
    """Row label (wrapped) with a line for its n and don't know count; label None for a
    plain scale question (one row)."""
    values = {"n": n, "dk": dk}
    counts = (gettext("n=%(n)d, dk %(dk)d") if dk_offered else gettext("n=%(n)d")) % values
    return counts if label is None else f"{charts.wrap(label, charts.LABEL_WIDTH)}<br>{counts}"


def scale_figure(summary: ScaleSummary, lang: str, gettext) -> go.Figure:
    """Ordered scale: diverging stacked bars (low points to the left of 0, high points to
    the right, an odd middle point split half/half). Nominal: stacked 100 % bars.
    x is the percent of valid answers ("don't know" excluded) of each row; the row labels
    carry n and the don't know count. Each trace has ``meta`` = its point value."""
    scale = summary.scale
    dk_offered = scale.dont_know is not None
    labels = [_row_label(charts.esc(localized(row.item.label, lang)) if row.item else None,
                         row.n, row.dk, dk_offered, gettext)
              for row in summary.items]
    fig = go.Figure(layout=dict(title=charts.title(summary.question.text, lang, summary.n, gettext)))
    charts.layout(fig, labels, legend=[localized(p.label, lang) for p in scale.points])
    if summary.n == 0:
        return charts.empty(fig, gettext)

    # share (percent) and count per row and point value
    share_of = [{p.value: p.share * 100 for p in row.points} for row in summary.items]
    shown = [dict(zip((p.value for p in row.points), charts.percents([p.share for p in row.points], lang)))
             for row in summary.items]   # as the table writes them, adding up to 100 %
    count = [{p.value: p.count for p in row.points} for row in summary.items]
    points = sorted(scale.points, key=lambda p: p.value) if scale.ordered else list(scale.points)
    k = len(points)
    colors = (charts.diverging_colors(k) if scale.ordered
              else [charts.OKABE_ITO[i % len(charts.OKABE_ITO)] for i in range(k)])

    def bar(i: int, sign: int, part: float, *, text: bool, legend: bool) -> go.Bar:
        p = points[i]
        name = charts.esc(localized(p.label, lang)) or str(p.value)
        hover = [gettext("%(point)s: %(percent)s (%(count)d of %(base)d)")
                 % {"point": name, "percent": t[p.value], "count": c[p.value], "base": row.n_valid}
                 for t, c, row in zip(shown, count, summary.items)]
        return go.Bar(
            y=labels, x=[sign * part * s[p.value] for s in share_of], orientation="h",
            name=name, meta=p.value, legendrank=i, showlegend=legend,
            marker=dict(color=colors[i], line=dict(color="white", width=1)),
            text=[t[p.value] if text and s[p.value] else "" for s, t in zip(share_of, shown)],
            textposition="inside", insidetextanchor="middle", textangle=0,
            hovertext=hover, hoverinfo="text",
        )

    if not scale.ordered:
        for i in range(k):
            fig.add_trace(bar(i, 1, 1.0, text=True, legend=True))
        fig.update_layout(barmode="stack")
        fig.update_xaxes(**charts.percent_axis(100, symmetric=False))
    else:
        mid = (k - 1) / 2
        middle = k // 2 if k % 2 else None
        # relative stacking: per sign, the first trace lies next to zero
        if middle is not None:
            fig.add_trace(bar(middle, -1, 0.5, text=False, legend=True))
        for i in reversed([i for i in range(k) if i < mid]):
            fig.add_trace(bar(i, -1, 1.0, text=True, legend=True))
        if middle is not None:
            fig.add_trace(bar(middle, 1, 0.5, text=True, legend=False))
        for i in [i for i in range(k) if i > mid]:
            fig.add_trace(bar(i, 1, 1.0, text=True, legend=True))
        fig.update_layout(barmode="relative")
        rows = range(len(labels))
        largest = max(max(sum(-tr.x[r] for tr in fig.data if tr.x[r] < 0),
                          sum(tr.x[r] for tr in fig.data if tr.x[r] > 0)) for r in rows)
        fig.update_xaxes(zeroline=True, zerolinecolor="#555555", zerolinewidth=1,
                         **charts.percent_axis(largest, symmetric=True))
    fig.update_xaxes(title_text=gettext("Valid answers in % (without don't know)")
                     if dk_offered else gettext("Valid answers in %"))
    return fig


def role_heatmap(summary: ScaleSummary, lang: str, gettext) -> go.Figure:
    """Who is named for which task: share of valid answers per task (rows) and actor
    (columns), the usual picture of a role matrix."""
    scale = summary.scale
    dk_offered = scale.dont_know is not None
    rows = [_row_label(charts.esc(localized(row.item.label, lang)), row.n, row.dk, dk_offered, gettext)
            for row in summary.items]
    columns = [charts.wrap(charts.esc(localized(p.label, lang)), 14) for p in scale.points]
    fig = go.Figure(layout=dict(title=charts.title(summary.question.text, lang, summary.n, gettext)))
    charts.layout(fig, rows)
    fig.layout.height += 60  # room for the wrapped actor names under the grid
    if summary.n == 0:
        return charts.empty(fig, gettext)
    shares = [[p.share * 100 for p in row.points] for row in summary.items]
    texts = [charts.percents([p.share for p in row.points], lang) for row in summary.items]
    fig.add_trace(go.Heatmap(
        z=shares, x=columns, y=rows, text=texts, texttemplate="%{text}", zmin=0, zmax=100,
        colorscale="Blues", colorbar=dict(title=dict(text="%"), thickness=12),
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>", xgap=2, ygap=2,
    ))
    fig.update_xaxes(side="bottom", tickangle=0, showgrid=False)
    return fig
