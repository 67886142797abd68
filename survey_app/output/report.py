"""The self-contained HTML report: opens offline (plotly.js embedded once), prints cleanly
(pure: Jinja2 without Flask; the caller passes the translation function)."""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from pathlib import Path

import plotly
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from survey_app.output import formatting
from survey_app.analysis.findings import Findings
from survey_app.definitions.model import localized
from survey_app.fieldings.model import Fielding

TEMPLATES = Path(__file__).parent.parent / "templates"
TRIANGULATION_PART = 6   # columns per part of the triangulation: what a landscape A4 page holds readably
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@functools.lru_cache(maxsize=8)
def _environment(lang: str, gettext: Callable[..., str]) -> Environment:
    """One environment per language and translation function (the web layer always passes the
    same one), so that its templates are compiled once, not for every report."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(gettext, lambda s, p, n: gettext(s if n == 1 else p), newstyle=True)
    env.filters.update(
        localized=localized,
        percent=lambda share: formatting.percent(share, lang),
        percents=lambda shares, whole=True: formatting.percents(list(shares), lang, whole),
        decimal=lambda value: formatting.decimal(value, lang),
        number=formatting.number,
        paragraphs=formatting.paragraphs,
        css_string=css_string,
    )
    return env


def css_string(text: str) -> Markup:
    """Text for a CSS string inside <style> (the printed footer): every character but letters,
    digits and spaces as a CSS escape, so that neither a quote nor "</style>" ends it."""
    return Markup("".join(ch if ch.isalnum() and ch.isascii() or ch == " " else f"\\{ord(ch):06x}"
                          for ch in str(text)))


def report_html(findings: Findings, lang: str, gettext: Callable[..., str], charts: Mapping[str, str | None],
                survey: Fielding, triangulation=None, filter_label: str | None = None,
                completion=None, today: dt.date | None = None, excluded: int = 0, demo: int = 0) -> str:
    """`charts` maps question ids to plotly figure JSON (already safe for a script element);
    `filter_label` says in words which respondents a filtered report covers; `excluded` and
    `demo` are how many responses an admin left out and how many of those counted are demo data."""
    template = _environment(lang, gettext).get_template("report/report.html")
    return template.render(
        findings=findings,
        questionnaire=findings.questionnaire,
        survey=survey,
        charts=charts,
        lang=lang,
        default_lang=findings.questionnaire.default_language,
        today=(today or dt.date.today()).isoformat(),
        footer_title=" · ".join(filter(None, (localized(findings.questionnaire.title, lang), getattr(survey, "label", None)))),
        triangulation_part=TRIANGULATION_PART,
        triangulation=triangulation,
        filter_label=filter_label,
        completion=completion,
        excluded=excluded,
        demo=demo,
        plotly_js=PLOTLY_JS.read_text(encoding="utf-8").replace("</script", "<\\/script"),
    )
