"""Aggregates (analysis.py) -> plotly figures (pure: no Flask, no storage).

UI strings go through the ``gettext`` passed in (Flask-Babel's in the web layer), always
called with a literal so pybabel can extract it, and %-formatted after translation.
Definition texts come from the questionnaire via ``localized``.

Figures carry aggregates only (shares, counts, quartiles), never single raw answers.
Colours: Okabe-Ito for categories and single bars, ColorBrewer PuOr for ordered scales
(both colour-blind safe). Every title states n.
"""
from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Callable

import plotly.colors
import plotly.graph_objects as go

from survey_app.analysis.summaries import (
    AllocationSummary,
    ChoiceSummary,
    DateSummary,
    ItemScale,
    NumberSummary,
    QuestionSummary,
    RankingSummary,
    ScaleSummary,
    TextSummary,
)
from survey_app.analysis.breakdown import Breakdown
from survey_app.definitions.model import Item, Text, localized

Gettext = Callable[[str], str]

# Okabe & Ito (2008), colour-blind safe categorical palette.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
             "#F0E442", "#000000")
BAR_COLOR = OKABE_ITO[0]
NEUTRAL_COLOR = "#BDBDBD"   # the middle point of an odd ordered scale
FONT = dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=14,
            color="#222222")

ROW_HEIGHT = 44             # px per bar row
LABEL_WIDTH = 32            # characters per line of a row label
TITLE_WIDTH = 60            # characters per line of a title

# Pass as `config` to Plotly.newPlot / fig.to_html(config=CONFIG).
CONFIG = {
    "responsive": True,
    "displaylogo": False,
    "modeBarButtonsToRemove": ["zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d",
                               "zoomOut2d", "autoScale2d", "resetScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def _identity(s: str) -> str:
    return s


# --------------------------------------------------------------------------- helpers

def _esc(text: str) -> str:
    """Definition texts are plain text; plotly renders a subset of HTML."""
    return html.escape(text, quote=False)


def _wrap(text: str, width: int) -> str:
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    return "<br>".join(lines) or text


def _pct(share: float) -> str:
    """A share (0..1) as a whole percent, rounded half up."""
    return str(math.floor(share * 100 + 0.5))


def diverging_colors(k: int) -> list[str]:
    """k colours from ColorBrewer PuOr (orange = low, purple = high); the middle of an
    odd k is a neutral grey."""
    if k == 1:
        return [NEUTRAL_COLOR]
    positions = [0.08 + 0.84 * i / (k - 1) for i in range(k)]
    colors = plotly.colors.sample_colorscale(plotly.colors.diverging.PuOr, positions)
    if k % 2:
        colors[k // 2] = NEUTRAL_COLOR
    return colors


def _title(question_text: Text, lang: str, n: int, gettext: Gettext,
           note: str | None = None) -> dict:
    sub = gettext("n = %(n)d") % {"n": n}
    if note:
        sub = f"{sub} · {note}"
    text = _wrap(_esc(localized(question_text, lang)), TITLE_WIDTH)
    return dict(text=f"{text}<br><sup>{sub}</sup>", x=0, xanchor="left", xref="container",
                y=1, yanchor="bottom", yref="paper", pad=dict(b=18, l=8), font=dict(size=17))


def _layout(fig: go.Figure, labels: list[str], legend: list[str] | None = None) -> None:
    """Fixed height from the number of rows, the lines per row label, the title lines and
    the estimated legend rows (at ~600 px width)."""
    title_lines = fig.layout.title.text.count("<br>") + 1
    label_lines = max((label.count("<br>") + 1 for label in labels), default=1)
    row_height = max(ROW_HEIGHT, 22 * label_lines + 16)
    top = 40 + 22 * title_lines
    bottom = 60
    if legend:
        # plotly wraps a horizontal legend at the plot width (~300 px beside long labels)
        width = sum(40 + 8 * len(name) for name in legend)
        bottom += 20 * math.ceil(width / 300) + 16
    fig.update_layout(
        template="none",
        font=FONT,
        height=top + bottom + row_height * max(1, len(labels)),
        margin=dict(l=10, r=30, t=top, b=bottom, autoexpand=True),
        showlegend=bool(legend),
        plot_bgcolor="white",
        paper_bgcolor="white",
        bargap=0.25,
        uniformtext=dict(minsize=11, mode="hide"),
    )
    if legend:
        fig.update_layout(legend=dict(
            orientation="h", x=0, xanchor="left", xref="container",
            y=0.01, yanchor="bottom", yref="container",
            traceorder="normal", itemclick=False, itemdoubleclick=False))
    fig.update_yaxes(automargin=True, autorange="reversed", showgrid=False, ticks="")
    fig.update_xaxes(automargin=True, zeroline=False, gridcolor="#E5E5E5")


def _empty(fig: go.Figure, gettext: Gettext) -> go.Figure:
    fig.add_annotation(text=gettext("No answers yet"), showarrow=False, x=0.5, y=0.5,
                       xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _percent_axis(largest: float, symmetric: bool) -> dict:
    """x axis in percent up to the largest value (at most 100) with a few round ticks,
    symmetric around 0 for diverging bars; tick labels without minus signs."""
    max_ticks = 3 if symmetric else 5          # per side
    step = next(s for s in (10, 20, 25, 50) if math.ceil(largest / s - 1e-9) <= max_ticks)
    limit = min(100, max(step, math.ceil(largest / step - 1e-9) * step))
    values = list(range(-limit if symmetric else 0, limit + 1, step))
    return dict(range=[-limit if symmetric else 0, limit], tickvals=values,
                ticktext=[f"{abs(v)} %" for v in values])


# --------------------------------------------------------------------------- per type

def choice_figure(summary: ChoiceSummary, lang: str, gettext: Gettext = _identity) -> go.Figure:
    note = (gettext("multiple answers possible, shares of respondents")
            if summary.multiple else None)
    fig = go.Figure(layout=dict(title=_title(summary.question.text, lang, summary.n, gettext,
                                             note)))
    labels = [_wrap(_esc(localized(o.label, lang)), LABEL_WIDTH) for o in summary.options]
    _layout(fig, labels)
    if summary.n == 0:
        return _empty(fig, gettext)
    texts = [gettext("%(percent)s %% (n=%(count)d)") % {"percent": _pct(o.share),
                                                        "count": o.count}
             for o in summary.options]
    fig.add_trace(go.Bar(
        y=labels, x=[o.share * 100 for o in summary.options], orientation="h",
        marker_color=BAR_COLOR, text=texts, textposition="outside", cliponaxis=False,
        hovertext=texts, hoverinfo="y+text",
    ))
    fig.update_xaxes(title_text=gettext("Share of respondents (%)"),
                     **_percent_axis(100, symmetric=False))
    fig.update_layout(margin_r=110)
    return fig


def _row_label(label: str | None, n: int, dk: int, dk_offered: bool, gettext: Gettext) -> str:
    """Row label (wrapped) with a line for its n and don't know count; label None for a
    plain scale question (one row)."""
    values = {"n": n, "dk": dk}
    counts = (gettext("n=%(n)d, dk %(dk)d") if dk_offered else gettext("n=%(n)d")) % values
    return counts if label is None else f"{_wrap(label, LABEL_WIDTH)}<br>{counts}"


def scale_figure(summary: ScaleSummary, lang: str, gettext: Gettext = _identity) -> go.Figure:
    """Ordered scale: diverging stacked bars (low points to the left of 0, high points to
    the right, an odd middle point split half/half). Nominal: stacked 100 % bars.
    x is the percent of valid answers ("don't know" excluded) of each row; the row labels
    carry n and the don't know count. Each trace has ``meta`` = its point value."""
    scale = summary.scale
    dk_offered = scale.dont_know is not None
    labels = [_row_label(_esc(localized(row.item.label, lang)) if row.item else None,
                         row.n, row.dk, dk_offered, gettext)
              for row in summary.items]
    fig = go.Figure(layout=dict(title=_title(summary.question.text, lang, summary.n, gettext)))
    _layout(fig, labels, legend=[localized(p.label, lang) for p in scale.points])
    if summary.n == 0:
        return _empty(fig, gettext)

    # share (percent) and count per row and point value
    share = [{p.value: p.share * 100 for p in row.points} for row in summary.items]
    count = [{p.value: p.count for p in row.points} for row in summary.items]
    points = sorted(scale.points, key=lambda p: p.value) if scale.ordered else list(scale.points)
    k = len(points)
    colors = (diverging_colors(k) if scale.ordered
              else [OKABE_ITO[i % len(OKABE_ITO)] for i in range(k)])

    def bar(i: int, sign: int, part: float, *, text: bool, legend: bool) -> go.Bar:
        p = points[i]
        name = _esc(localized(p.label, lang)) or str(p.value)
        hover = [gettext("%(point)s: %(percent)s %% (%(count)d of %(base)d)")
                 % {"point": name, "percent": _pct(s[p.value] / 100), "count": c[p.value],
                    "base": row.n_valid}
                 for s, c, row in zip(share, count, summary.items)]
        return go.Bar(
            y=labels, x=[sign * part * s[p.value] for s in share], orientation="h",
            name=name, meta=p.value, legendrank=i, showlegend=legend,
            marker=dict(color=colors[i], line=dict(color="white", width=1)),
            text=[f"{_pct(s[p.value] / 100)} %" if text and s[p.value] else "" for s in share],
            textposition="inside", insidetextanchor="middle", textangle=0,
            hovertext=hover, hoverinfo="text",
        )

    if not scale.ordered:
        for i in range(k):
            fig.add_trace(bar(i, 1, 1.0, text=True, legend=True))
        fig.update_layout(barmode="stack")
        fig.update_xaxes(**_percent_axis(100, symmetric=False))
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
                         **_percent_axis(largest, symmetric=True))
    fig.update_xaxes(title_text=gettext("Valid answers in % (without don't know)")
                     if dk_offered else gettext("Valid answers in %"))
    return fig


def role_heatmap(summary: ScaleSummary, lang: str, gettext: Gettext = _identity) -> go.Figure:
    """Who is named for which task: share of valid answers per task (rows) and actor
    (columns), the usual picture of a role matrix."""
    scale = summary.scale
    dk_offered = scale.dont_know is not None
    rows = [_row_label(_esc(localized(row.item.label, lang)), row.n, row.dk, dk_offered, gettext)
            for row in summary.items]
    columns = [_wrap(_esc(localized(p.label, lang)), 14) for p in scale.points]
    fig = go.Figure(layout=dict(title=_title(summary.question.text, lang, summary.n, gettext)))
    _layout(fig, rows)
    fig.layout.height += 60  # room for the wrapped actor names under the grid
    if summary.n == 0:
        return _empty(fig, gettext)
    shares = [[p.share * 100 for p in row.points] for row in summary.items]
    texts = [[f"{_pct(p.share)} %" for p in row.points] for row in summary.items]
    fig.add_trace(go.Heatmap(
        z=shares, x=columns, y=rows, text=texts, texttemplate="%{text}", zmin=0, zmax=100,
        colorscale="Blues", colorbar=dict(title=dict(text="%"), thickness=12),
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>", xgap=2, ygap=2,
    ))
    fig.update_xaxes(side="bottom", tickangle=0, showgrid=False)
    return fig


def number_figure(summary: NumberSummary, lang: str, gettext: Gettext = _identity) -> go.Figure:
    """A box from precomputed quartiles (whiskers = min and max), so that no single raw
    value is embedded in the figure."""
    fig = go.Figure(layout=dict(title=_title(summary.question.text, lang, summary.n, gettext)))
    _layout(fig, ["", ""])
    if summary.n == 0:
        return _empty(fig, gettext)
    fig.add_trace(go.Box(
        y=[""], q1=[summary.q1], median=[summary.median], q3=[summary.q3],
        lowerfence=[summary.min], upperfence=[summary.max], mean=[summary.mean],
        orientation="h", boxpoints=False, marker_color=BAR_COLOR, name="",
    ))
    unit = localized(summary.question.unit, lang)
    fig.update_xaxes(title_text=_esc(unit) if unit else None)
    return fig


def allocation_figure(summary: AllocationSummary, lang: str,
                      gettext: Gettext = _identity) -> go.Figure:
    """Bars of the mean share of the total per item."""
    fig = go.Figure(layout=dict(title=_title(summary.question.text, lang, summary.n, gettext)))
    labels = [_wrap(_esc(localized(i.item.label, lang)), LABEL_WIDTH) for i in summary.items]
    _layout(fig, labels)
    if summary.n == 0:
        return _empty(fig, gettext)
    shares = [(i.share or 0.0) * 100 for i in summary.items]
    texts = [gettext("%(percent)s %%") % {"percent": _pct(s / 100)} for s in shares]
    fig.add_trace(go.Bar(
        y=labels, x=shares, orientation="h", marker_color=BAR_COLOR, text=texts,
        textposition="outside", cliponaxis=False, hovertext=texts, hoverinfo="y+text",
    ))
    fig.update_xaxes(title_text=gettext("Mean share of the total (%)"),
                     **_percent_axis(max(shares, default=0), symmetric=False))
    fig.update_layout(margin_r=60)
    return fig


def ranking_figure(summary: RankingSummary, lang: str, gettext: Gettext = _identity) -> go.Figure:
    """Options ordered from most to least preferred: bars of the mean Borda points per
    respondent (k-1 for a first place, 0 for the last), mean rank in the label."""
    fig = go.Figure(layout=dict(title=_title(summary.question.text, lang, summary.n, gettext)))
    labels = [_wrap(_esc(localized(o.label, lang)), LABEL_WIDTH) for o in summary.options]
    _layout(fig, labels)
    if summary.n == 0:
        return _empty(fig, gettext)
    points = [o.borda / summary.n for o in summary.options]
    texts = [gettext("mean rank %(rank)s") % {"rank": f"{o.mean_rank:.1f}" if o.mean_rank else "–"}
             for o in summary.options]
    fig.add_trace(go.Bar(y=labels, x=points, orientation="h", marker_color=BAR_COLOR, text=texts,
                         textposition="outside", cliponaxis=False, hovertext=texts, hoverinfo="y+text"))
    fig.update_xaxes(title_text=gettext("Mean points (Borda count)"), rangemode="tozero")
    fig.update_layout(margin_r=110)
    return fig


def date_figure(summary: DateSummary, lang: str, gettext: Gettext = _identity) -> go.Figure:
    """Answers per month."""
    fig = go.Figure(layout=dict(title=_title(summary.question.text, lang, summary.n, gettext)))
    months = [month for month, _ in summary.by_month]
    _layout(fig, months)
    if summary.n == 0:
        return _empty(fig, gettext)
    fig.add_trace(go.Bar(y=months, x=[count for _, count in summary.by_month], orientation="h",
                         marker_color=BAR_COLOR, text=[str(count) for _, count in summary.by_month],
                         textposition="outside", cliponaxis=False))
    fig.update_xaxes(title_text=gettext("Answers"), rangemode="tozero")
    return fig


def add_caption(fig: go.Figure, caption: str) -> go.Figure:
    """A line under the title saying what the chart shows (missing answers, filter,
    questionnaire version), so that a chart copied into a paper still says it."""
    fig.layout.title.text = f"{fig.layout.title.text}<br><sup>{_esc(caption)}</sup>"
    fig.layout.height += 22
    fig.layout.margin.t += 22
    return fig


def _group_label(result, lang: str, gettext: Gettext) -> str:
    label = (localized(result.group.label, lang) if result.group.label is not None
             else gettext("no answer"))
    return _esc(label)


def breakdown_figure(result: Breakdown, lang: str, gettext: Gettext = _identity) -> go.Figure | None:
    """One question compared across the groups of a breakdown question; suppressed groups
    are left out of the figure entirely (the page and the legend title say so)."""
    shown = [r for r in result.groups if not r.suppressed]
    by = _esc(localized(result.by.text, lang))
    if not shown:
        return None
    first = shown[0].summary
    if isinstance(first, ScaleSummary):
        # one diverging row per group (per item and group for a matrix)
        rows = []
        for item_index, item in enumerate(first.items):
            for r in shown:
                row = r.summary.items[item_index]
                name = _group_label(r, lang, gettext)
                if item.item is not None:
                    name = f"{localized(item.item.label, lang)} – {name}"
                rows.append(ItemScale(Item(f"row{len(rows)}", {lang: name}), row.n, row.missing, row.invalid,
                                      row.dk, row.points, row.mean, row.median, row.sd, row.top2, row.bottom2))
        n = sum(r.summary.n for r in shown)
        return scale_figure(ScaleSummary(result.question, n, 0, 0, tuple(rows)), lang, gettext)

    fig = go.Figure(layout=dict(title=_title(result.question.text, lang, sum(r.summary.n for r in shown),
                                             gettext, gettext("by %(question)s") % {"question": by})))
    names = [f"{_group_label(r, lang, gettext)} (n={r.summary.n})" for r in shown]
    colors = [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(shown))]
    if isinstance(first, NumberSummary):
        _layout(fig, names)
        for name, color, r in zip(names, colors, shown):
            s = r.summary
            fig.add_trace(go.Box(y=[name], q1=[s.q1], median=[s.median], q3=[s.q3], lowerfence=[s.min],
                                 upperfence=[s.max], mean=[s.mean], orientation="h", boxpoints=False,
                                 marker_color=color, name=name))
        fig.update_layout(showlegend=False)
        return fig
    if isinstance(first, ChoiceSummary):
        labels = [_wrap(_esc(localized(o.label, lang)), LABEL_WIDTH) for o in first.options]
        values = [[o.share * 100 for o in r.summary.options] for r in shown]
        axis = gettext("Share of respondents (%)")
    elif isinstance(first, AllocationSummary):
        labels = [_wrap(_esc(localized(i.item.label, lang)), LABEL_WIDTH) for i in first.items]
        values = [[(i.share or 0) * 100 for i in r.summary.items] for r in shown]
        axis = gettext("Mean share of the total (%)")
    elif isinstance(first, RankingSummary):
        order = [o.value for o in first.options]
        labels = [_wrap(_esc(localized(o.label, lang)), LABEL_WIDTH) for o in first.options]
        values = [[next(o.borda for o in r.summary.options if o.value == v) / max(r.summary.n, 1)
                   for v in order] for r in shown]
        axis = gettext("Mean points (Borda count)")
    else:
        return None
    _layout(fig, labels, legend=names)
    fig.layout.height += 12 * len(labels) * (len(shown) - 1)
    for name, color, row in zip(names, colors, values):
        fig.add_trace(go.Bar(y=labels, x=row, orientation="h", name=name, marker_color=color,
                             hovertemplate="%{y}: %{x:.1f}<extra>" + name + "</extra>"))
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text=axis, rangemode="tozero")
    return fig


def figure_for(summary: QuestionSummary, lang: str,
               gettext: Gettext = _identity) -> go.Figure | None:
    """The chart for one question summary; None for text questions."""
    if isinstance(summary, ChoiceSummary):
        return choice_figure(summary, lang, gettext)
    if isinstance(summary, ScaleSummary):
        if not summary.scale.ordered and len(summary.items) > 1:
            return role_heatmap(summary, lang, gettext)
        return scale_figure(summary, lang, gettext)
    if isinstance(summary, NumberSummary):
        return number_figure(summary, lang, gettext)
    if isinstance(summary, AllocationSummary):
        return allocation_figure(summary, lang, gettext)
    if isinstance(summary, RankingSummary):
        return ranking_figure(summary, lang, gettext)
    if isinstance(summary, DateSummary):
        return date_figure(summary, lang, gettext)
    if isinstance(summary, TextSummary):
        return None
    raise TypeError(f"no chart for {type(summary).__name__}")


def figure_json(fig: go.Figure) -> str:
    """JSON for Plotly.newPlot(el, data, layout, CONFIG), safe inside a
    <script type="application/json"> element ("</" would end it early)."""
    return fig.to_json().replace("</", "<\\/")
