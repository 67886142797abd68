"""Aggregates -> plotly figures (pure: no Flask, no storage): the shared look of every chart,
and the entry points; each question type draws its own figure (``question.kind.figure``) with
these helpers.

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

from survey_app.analysis.summaries import QuestionSummary
from survey_app.analysis.breakdown import Breakdown
from survey_app.definitions.model import Text, localized
from survey_app.output import formatting

Gettext = Callable[[str], str]

# Okabe & Ito (2008), colour-blind safe categorical palette.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
             "#F0E442", "#000000")
BAR_COLOR = OKABE_ITO[0]
NEUTRAL_COLOR = "#BDBDBD"   # the middle point of an odd ordered scale
# Sizes in CSS px: a chart printed at its own size (the report draws charts 170 mm wide, so
# A4 needs no scaling) shows 1 px as 0.75 pt, so 12 px is the least for 9 pt on paper.
FONT = dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=14,
            color="#222222")
TITLE_SIZE = 17
SUB_SIZE = 13               # the lines under the title: n, missing answers, filter, version
MIN_TEXT = 12               # smallest text anywhere on a chart (bar texts are hidden below it)
TITLE_LINE = 23             # px per title line
SUB_LINE = 18               # px per line under the title
TITLE_PAD = 24              # px above the title (plotly sets the first line's baseline about here)

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

def esc(text: str) -> str:
    """Definition texts are plain text; plotly renders a subset of HTML."""
    return html.escape(text, quote=False)


def wrap(text: str, width: int) -> str:
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    return "<br>".join(lines) or text


def percents(shares: list, lang: str, whole: bool = True) -> list[str]:
    """Shares as the tables write them (output/formatting.py: one rule, 12,5 % in German,
    shares of a whole adding up to 100 %); a share not known as an empty text."""
    return formatting.percents(shares, lang, whole)


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


def sub_line(text: str) -> str:
    """A line under the title (already escaped), smaller but never below MIN_TEXT."""
    return f'<br><span style="font-size:{SUB_SIZE}px">{text}</span>'


def title(question_text: Text, lang: str, n: int | None, gettext: Gettext, note: str | None = None) -> dict:
    """The question (wrapped) with n under it (None: a matrix, whose lines have their own n, or
    an n the release plan hides) and a note, anchored to the top of the figure: the plot starts
    below the space `layout` keeps for all its lines, so nothing overlaps a bar."""
    sub = " · ".join(part for part in (gettext("n = %(n)d") % {"n": n} if n is not None else "", note) if part)
    text = wrap(esc(localized(question_text, lang)), TITLE_WIDTH)
    return dict(text=text + sub_line(sub), x=0, xanchor="left", xref="container",
                y=1, yanchor="top", yref="container", pad=dict(t=TITLE_PAD, l=8), font=dict(size=TITLE_SIZE))


def title_height(text: str) -> int:
    """The space the title's lines need from the top of the figure down to the plot."""
    sub_lines = text.count('<span style="font-size:')
    main_lines = text.split("<br><span style=")[0].count("<br>") + 1
    return TITLE_PAD + TITLE_LINE * main_lines + SUB_LINE * sub_lines + 14


def layout(fig: go.Figure, labels: list[str], legend: list[str] | None = None) -> None:
    """Fixed height from the number of rows, the lines per row label, the title lines and
    the estimated legend rows (at ~600 px width)."""
    label_lines = max((label.count("<br>") + 1 for label in labels), default=1)
    row_height = max(ROW_HEIGHT, 22 * label_lines + 16)
    top = title_height(fig.layout.title.text)
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
        uniformtext=dict(minsize=MIN_TEXT, mode="hide"),
    )
    if legend:
        fig.update_layout(legend=dict(
            orientation="h", x=0, xanchor="left", xref="container",
            y=0.01, yanchor="bottom", yref="container",
            traceorder="normal", itemclick=False, itemdoubleclick=False))
    fig.update_yaxes(automargin=True, autorange="reversed", showgrid=False, ticks="")
    fig.update_xaxes(automargin=True, zeroline=False, gridcolor="#E5E5E5")


def empty(fig: go.Figure, gettext: Gettext) -> go.Figure:
    fig.add_annotation(text=gettext("No answers yet"), showarrow=False, x=0.5, y=0.5,
                       xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def percent_axis(largest: float, symmetric: bool) -> dict:
    """x axis in percent up to the largest value (at most 100) with a few round ticks,
    symmetric around 0 for diverging bars; tick labels without minus signs."""
    max_ticks = 3 if symmetric else 5          # per side
    step = next(s for s in (10, 20, 25, 50) if math.ceil(largest / s - 1e-9) <= max_ticks)
    limit = min(100, max(step, math.ceil(largest / step - 1e-9) * step))
    values = list(range(-limit if symmetric else 0, limit + 1, step))
    return dict(range=[-limit if symmetric else 0, limit], tickvals=values,
                ticktext=[f"{abs(v)} %" for v in values])


# --------------------------------------------------------------------------- shared figures

def bar_figure(summary: QuestionSummary, labels: list[str], values: list[float], texts: list[str],
               axis_title: str, lang: str, gettext: Gettext, *, note: str | None = None,
               axis: dict | None = None, margin_right: int | None = None, hover: bool = True) -> go.Figure:
    """One horizontal bar per row (label), its text beside it; the title states n."""
    fig = go.Figure(layout=dict(title=title(summary.question.text, lang, summary.n, gettext, note)))
    layout(fig, labels)
    if summary.n == 0:
        return empty(fig, gettext)
    fig.add_trace(go.Bar(
        y=labels, x=values, orientation="h", marker_color=BAR_COLOR, text=texts,
        textposition="outside", cliponaxis=False,
        **(dict(hovertext=texts, hoverinfo="y+text") if hover else {}),
    ))
    fig.update_xaxes(title_text=axis_title, **(axis or {"rangemode": "tozero"}))
    if margin_right:
        fig.update_layout(margin_r=margin_right)
    return fig


def row_labels(parts, lang: str) -> list[str]:
    """Wrapped, escaped labels of options or items (anything with a `label` text)."""
    return [wrap(esc(localized(part.label, lang)), LABEL_WIDTH) for part in parts]


def breakdown_title(result: Breakdown, shown: list, lang: str, gettext: Gettext) -> go.Figure:
    """An empty figure titled with the question, the groups' n and what it is broken down by."""
    by = esc(localized(result.by.text, lang))
    return go.Figure(layout=dict(title=title(result.question.text, lang, sum(r.summary.n or 0 for r in shown),
                                             gettext, gettext("by %(question)s") % {"question": by})))


def group_names(shown: list, lang: str, gettext: Gettext) -> list[str]:
    """Legend names: the group and its size, the same n as the group's heading in the table."""
    return [f"{group_label(r, lang, gettext)} (n={r.group.size})" for r in shown]


def group_colors(shown: list) -> list[str]:
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(shown))]


def grouped_bars(result: Breakdown, shown: list, labels: list[str], values: list[list[float]], axis_title: str,
                 lang: str, gettext: Gettext) -> go.Figure:
    """Bars per row (option or item), one colour per group; `values` has a row of values per group."""
    fig = breakdown_title(result, shown, lang, gettext)
    names = group_names(shown, lang, gettext)
    layout(fig, labels, legend=names)
    fig.layout.height += 12 * len(labels) * (len(shown) - 1)
    for name, color, row in zip(names, group_colors(shown), values):
        fig.add_trace(go.Bar(y=labels, x=row, orientation="h", name=name, marker_color=color,
                             hovertemplate="%{y}: %{x:.1f}<extra>" + name + "</extra>"))
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text=axis_title, rangemode="tozero")
    return fig


def add_caption(fig: go.Figure, caption: str) -> go.Figure:
    """Lines under the title saying what the chart shows (missing answers, filter,
    questionnaire version), so that a chart copied into a paper still says it."""
    lines = textwrap.wrap(caption, int(TITLE_WIDTH * TITLE_SIZE / SUB_SIZE), break_long_words=False) or [caption]
    fig.layout.title.text += "".join(sub_line(esc(line)) for line in lines)
    fig.layout.height += SUB_LINE * len(lines)
    fig.layout.margin.t += SUB_LINE * len(lines)
    return fig


def group_label(result, lang: str, gettext: Gettext) -> str:
    label = (localized(result.group.label, lang) if result.group.label is not None
             else gettext("no answer"))
    return esc(label)


def breakdown_figure(result: Breakdown, lang: str, gettext: Gettext = _identity) -> go.Figure | None:
    """One question compared across the groups of a breakdown question; suppressed groups
    are left out of the figure entirely (the page and the legend title say so)."""
    shown = [r for r in result.groups if not r.suppressed]
    if not shown:
        return None
    return finished(result.question.kind.breakdown_figure(result, shown, lang, gettext), result.question, lang)


def figure_for(summary: QuestionSummary, lang: str,
               gettext: Gettext = _identity) -> go.Figure | None:
    """The chart for one question summary; None for a type without one (free texts)."""
    return finished(summary.question.kind.figure(summary, lang, gettext), summary.question, lang)


def finished(fig: go.Figure | None, question, lang: str) -> go.Figure | None:
    """What every chart shares at the end: the question's number before the title, as on the
    page and in the tables, and the language's decimal and thousands separators for the
    numbers plotly writes itself (hover texts of grouped bars)."""
    if fig is None:
        return None
    if question.number and fig.layout.title.text:
        fig.layout.title.text = f"{question.number}. {fig.layout.title.text}"
    fig.update_layout(separators=formatting.separators(lang))
    return fig


def figure_json(fig: go.Figure) -> str:
    """JSON for Plotly.newPlot(el, data, layout, CONFIG), safe inside a
    <script type="application/json"> element ("</" would end it early)."""
    return fig.to_json().replace("</", "<\\/")
