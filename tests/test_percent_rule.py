"""One rounding rule for every share in tables and charts (output/formatting.py): one decimal,
half up, German "12,5 %"; shares of one whole add up to 100 % (largest remainder). And the
charts' look on paper: subtitles never overlap the plot, text at least 9 pt, the version said
as a date instead of a hash."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_charts import Q, QN, resp
from survey_app.analysis.findings import build_findings
from survey_app.analysis.summaries import summarize
from survey_app.output import formatting
from survey_app.output.charts import MIN_TEXT, add_caption, figure_for, title_height
from survey_app.output.report import report_html


@pytest.mark.parametrize("share, de, en", [
    (0.0625, "6,3 %", "6.3 %"),      # half up, not half to even (6,2 %)
    (0.125, "12,5 %", "12.5 %"),
    (0.1245, "12,5 %", "12.5 %"),    # 12.45 -> 12.5: the share as written, not its binary neighbour
    (1 / 3, "33,3 %", "33.3 %"),
    (0.0, "0,0 %", "0.0 %"),
    (1.0, "100,0 %", "100.0 %"),
    (12.345, "1.234,5 %", "1,234.5 %"),
])
def test_a_share_is_rounded_half_up_to_one_decimal(share, de, en):
    assert formatting.percent(share, "de") == de
    assert formatting.percent(share, "en") == en
    assert formatting.percent(share, "de-x-easy") == de


@pytest.mark.parametrize("shares, shown", [
    ([1 / 3] * 3, ["33,4 %", "33,3 %", "33,3 %"]),
    ([0.0625, 0.0625, 0.875], ["6,3 %", "6,2 %", "87,5 %"]),          # half up alone: 100,1 %
    ([1 / 7] * 7, ["14,3 %"] * 6 + ["14,2 %"]),                        # half up alone: 100,1 %
    ([0.125, 0.125, 0.75], ["12,5 %", "12,5 %", "75,0 %"]),            # exact: as half up
    ([0.0, 0.0], ["0,0 %", "0,0 %"]),                                   # nobody: no whole
])
def test_shares_of_one_whole_add_up_to_100(shares, shown):
    assert formatting.percents(shares, "de") == shown


def test_shares_of_several_answers_are_rounded_each_alone():
    assert formatting.percents([0.0625, 0.0625, 0.875], "de", whole=False) == ["6,3 %", "6,3 %", "87,5 %"]
    assert formatting.percents([0.5, None, 0.5], "de") == ["50,0 %", "", "50,0 %"]


@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(lambda c: sum(c) > 0))
def test_largest_remainder_sums_to_100_and_moves_no_share_by_a_tenth_or_more(counts):
    shares = [c / sum(counts) for c in counts]
    rounded = formatting.rounded_percents(shares)
    assert sum(rounded) == 100
    for share, value in zip(shares, rounded):
        assert abs(Decimal(repr(share)) * 100 - value) < Decimal("0.1")


def _response(i, role, sat):
    return resp(i, {"role": role, "sat": sat})


# 7 responses: 1/7 shares of a five-point scale, and a single choice 3 : 3 : 1 of 7
RESPONSES = [_response(1, "staff", 1), _response(2, "staff", 2), _response(3, "staff", 3),
             _response(4, "lead", 4), _response(5, "lead", 5), _response(6, "lead", 5), _response(7, "staff", 5)]


def test_tables_and_charts_show_the_same_shares_adding_up_to_100():
    summaries = {s.question.id: s for s in summarize(QN, RESPONSES)}
    chart = figure_for(summaries["sat"], "de", lambda s: s)
    in_chart = sorted(t for trace in chart.data for t in trace.text if t)
    findings = build_findings(QN, RESPONSES, 3)
    html = report_html(findings, "de", lambda s: s, {}, _fielding())
    section = re.search(r'<section class="result" id="result-sat".*?</section>', html, re.S).group(0)
    in_table = re.findall(r'<td class="num">(\d+,\d %) \(\d+\)</td>', section)
    assert in_table == ["14,3 %", "14,3 %", "14,3 %", "14,3 %", "42,8 %"]   # each alone: 42,9 %, 100,1 % in all
    assert sum(Decimal(v[:-2].replace(",", ".")) for v in in_table) == 100
    assert set(in_chart) <= set(in_table) and "42,8 %" in in_chart
    role = figure_for(summaries["role"], "de", lambda s: s).data[0].text
    assert list(role) == ["57,1 % (n=4)", "42,9 % (n=3)"]


def _fielding():
    from survey_app.fieldings.model import Fielding
    return Fielding.new("qn", "qn", created_at="2026-11-25")


def _sizes(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "size" and isinstance(value, (int, float)):
                found.append(value)
            _sizes(value, found)
    elif isinstance(node, list):
        for value in node:
            _sizes(value, found)
    return found


@pytest.mark.parametrize("qid", ["role", "topics", "sat", "tasks", "actor", "hours", "alloc"])
def test_the_title_and_its_lines_sit_above_the_plot_and_no_text_is_below_9_pt(qid):
    summaries = {s.question.id: s for s in summarize(QN, RESPONSES)}
    fig = figure_for(summaries[qid], "de", lambda s: s)
    before = fig.layout.margin.t
    add_caption(fig, "ohne Antwort: 3 · Filter: eine lange Beschreibung der Befragten, die hier gemeint sind · "
                     "Fassung vom 25.11.2026")
    layout = fig.layout
    # anchored to the top of the figure, the plot begins below all lines of the title
    assert (layout.title.yref, layout.title.yanchor, layout.title.y) == ("container", "top", 1)
    assert layout.margin.t >= title_height(layout.title.text) and layout.margin.t > before
    assert layout.title.text.count("<br>") >= 3 and "<sup>" not in layout.title.text
    sizes = _sizes(fig.to_plotly_json(), []) + [int(s) for s in re.findall(r"font-size:(\d+)px", layout.title.text)]
    assert min(sizes) >= MIN_TEXT >= 12   # 12 CSS px print as 9 pt
    assert layout.uniformtext.minsize >= MIN_TEXT
