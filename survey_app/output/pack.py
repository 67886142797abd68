"""The committee pack as files (pure): an editable Word document (python-docx) and a PDF of
the same (fpdf2), with charts drawn on the server as PNG by matplotlib (no browser).

Both files carry the same parts in the same order: a title page, the summary the evaluator
wrote, numbered figures (caption below, alternative text on every image) and tables (caption
above) stating n, source, filter, breakdown and date, the sections of the decision work (task
profiles, staffing), and an appendix with the method and the minimum group size. The Word
captions are SEQ fields, so Word renumbers them when figures are moved or added.

The PDF's font is DejaVu Sans as matplotlib ships it (mpl-data/fonts/ttf): umlauts and ß
without a system font or a download.
"""
from __future__ import annotations

import functools
import io
import textwrap
from collections.abc import Callable
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from fpdf import FPDF
from fpdf.fonts import FontFace

from survey_app.decisions.pack import Chart, Exhibit, Pack, Table
from survey_app.output import formatting
from survey_app.output.charts import OKABE_ITO
from survey_app.text import clean

Gettext = Callable[[str], str]

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
CHART_WIDTH_IN = 6.7           # 17 cm: the text width of an A4 page with 2 cm margins
CHART_DPI = 150
PDF_WIDTH_MM = 170
WIDE_TABLE = 7                # columns from which a table gets a landscape page of its own
MAX_CHART_HEIGHT_IN = 8.5     # with its caption, the chart fits an A4 page


# --------------------------------------------------------------------------- charts

@functools.lru_cache(maxsize=64)   # the same figure for the DOCX and the PDF of a pack: drawn once
def chart_png(chart: Chart, lang: str) -> tuple[bytes, float]:
    """The chart as PNG and its height relative to its width: horizontal bars (one row per
    label, one bar per series), each labelled with its value; a value not shown is drawn as
    no bar and written "–", never as zero. At most MAX_CHART_HEIGHT_IN high (a page)."""
    labels = [textwrap.fill(clean(label), 38) for label in chart.labels]
    series = chart.series
    rows = len(labels)
    legend = 0.3 * ((len(series) + 1) // 2) if len(series) > 1 else 0
    per_row = 0.18 + 0.24 * len(series) + 0.12 * max(label.count("\n") for label in labels or [""])
    height = min(MAX_CHART_HEIGHT_IN, max(1.6, 0.7 + legend + rows * per_row))
    figure = Figure(figsize=(CHART_WIDTH_IN, height), dpi=CHART_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bar = 0.8 / max(1, len(series))
    largest = max([v for _, values in series for v in values if v is not None] + [chart.limit or 0, 1e-9])
    small = 7.5 if len(series) * rows <= 40 else 6
    for index, (name, values) in enumerate(series):
        positions = [row + (index - (len(series) - 1) / 2) * bar for row in range(rows)]
        axes.barh(positions, [v if v is not None else 0 for v in values], height=bar * 0.92,
                  color=OKABE_ITO[index % len(OKABE_ITO)], label=clean(name))
        for position, value in zip(positions, values):
            text = "–" if value is None else (formatting.percent(value, lang) if chart.percent
                                              else formatting.decimal(value, lang))
            axes.text((value or 0) + largest * 0.01, position, text, va="center", fontsize=small)
    axes.set_yticks(range(rows), labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, (chart.limit if chart.limit else largest) * 1.15)
    if chart.percent:
        axes.xaxis.set_major_formatter(lambda value, _pos: formatting.percent(value, lang))
    axes.tick_params(axis="x", labelsize=7.5)
    axes.set_xlabel(clean(chart.axis), fontsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    top = 1.0
    if len(series) > 1:
        figure.legend(loc="upper center", ncol=2, fontsize=7.5, frameon=False)
        top = 1 - (legend + 0.1) / height
    figure.tight_layout(rect=(0, 0, 1, top))
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=CHART_DPI)
    return out.getvalue(), height / CHART_WIDTH_IN


def _caption(label: str, number: int, exhibit_title: str, facts: str) -> str:
    return f"{label} {number}: {exhibit_title} ({facts})"


def numbered(pack: Pack, gettext: Gettext):
    """Figures and tables in the order of the pack, each with its own running number: yields
    (exhibit, figure number or None, table number)."""
    figures = tables = 0
    for exhibit in pack.exhibits:
        figure = None
        if exhibit.chart is not None:
            figures += 1
            figure = figures
        tables += 1
        yield exhibit, figure, tables


def block_tables(pack: Pack, first: int):
    """The decision sections' tables with their numbers, going on from the exhibits'."""
    number = first
    for block in pack.blocks:
        entries = []
        for caption, table, notes in block.tables:
            number += 1
            entries.append((number, caption, table, notes))
        yield block, entries


# --------------------------------------------------------------------------- Word

def _seq_caption(document, label: str, number: int, rest: str):
    """A Caption paragraph "label N: rest" whose N is a SEQ field (Word renumbers it)."""
    paragraph = document.add_paragraph(style="Caption")
    paragraph.add_run(f"{label} ")

    def field_char(kind: str):
        run = paragraph.add_run()
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)

    field_char("begin")
    instruction = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" SEQ {label} \\* ARABIC "
    instruction._r.append(text)
    field_char("separate")
    paragraph.add_run(str(number))
    field_char("end")
    paragraph.add_run(clean(f": {rest}"))
    return paragraph


def _docx_table(document, table: Table) -> None:
    grid = document.add_table(rows=1, cols=len(table.headers))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.headers):
        cell.text = ""
        cell.paragraphs[0].add_run(clean(text)).bold = True
    header = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    for row in table.rows:
        for cell, text in zip(grid.add_row().cells, row):
            cell.text = clean(text)


def _orientation(document, landscape: bool) -> None:
    """A new section (from a new page) in landscape or portrait A4."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Cm(29.7), Cm(21.0)) if landscape else (Cm(21.0), Cm(29.7))


def _docx_captioned_table(document, label: str, number: int, caption: str, table: Table, notes) -> None:
    """Caption above the table, notes below; a wide table on landscape pages of its own."""
    wide = len(table.headers) >= WIDE_TABLE
    if wide:
        _orientation(document, True)
    _seq_caption(document, label, number, caption)
    _docx_table(document, table)
    for note in notes:
        document.add_paragraph(clean(note))
    if wide:
        _orientation(document, False)


def _paragraphs(text: str) -> list[str]:
    return [block.strip() for block in clean(text).split("\n\n") if block.strip()]


def pack_docx(pack: Pack, lang: str, gettext: Gettext) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    document.styles["Normal"].font.size = Pt(10.5)
    properties = document.core_properties
    properties.title, properties.subject, properties.language = clean(pack.title), clean(pack.audience), lang

    document.add_paragraph(clean(pack.title), style="Title")
    document.add_paragraph(clean(pack.audience), style="Subtitle")
    document.add_paragraph(gettext("As of: %(date)s") % {"date": pack.date})
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    document.add_heading(gettext("Summary"), level=1)
    for block in _paragraphs(pack.summary) or [gettext("(no summary written)")]:
        document.add_paragraph(block)

    figure_label, table_label = gettext("Figure"), gettext("Table")
    if pack.exhibits:
        document.add_heading(gettext("Findings"), level=1)
    last_table = 0
    for exhibit, figure, table in numbered(pack, gettext):
        document.add_heading(clean(exhibit.title), level=2)
        if figure is not None:
            png, _ratio = chart_png(exhibit.chart, lang)
            picture = document.add_paragraph().add_run().add_picture(io.BytesIO(png), width=Cm(16))
            picture._inline.docPr.set("descr", clean(exhibit.alt))
            picture._inline.docPr.set("title", clean(f"{figure_label} {figure}"))
            _seq_caption(document, figure_label, figure, f"{exhibit.title} ({exhibit.facts})")
        _docx_captioned_table(document, table_label, table, f"{exhibit.title} ({exhibit.facts})", exhibit.table,
                              exhibit.notes)
        last_table = table
    for block, entries in block_tables(pack, last_table):
        document.add_heading(clean(block.heading), level=1)
        for paragraph in _paragraphs(block.text):
            document.add_paragraph(paragraph)
        for number, caption, table, notes in entries:
            _docx_captioned_table(document, table_label, number, caption, table, notes)

    document.add_heading(gettext("Appendix: method"), level=1)
    for paragraph in pack.method:
        document.add_paragraph(clean(paragraph))
    if pack.left_out:
        document.add_paragraph(gettext("Chosen, but no longer there (left out):"))
        for name in pack.left_out:
            document.add_paragraph(clean(name), style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- PDF

class _PackPDF(FPDF):
    def __init__(self, title: str, page_word: str):
        super().__init__(format="A4")
        self._title, self._page = title, page_word
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=18)
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font("DejaVu", "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))

    def footer(self):
        if self.page_no() == 1:
            return
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 5, f"{self._title} · {self._page} {self.page_no()} / {{nb}}", align="C")


def _write(pdf: FPDF, text: str, size: float = 10, style: str = "", height: float = 5, after: float = 2) -> None:
    pdf.set_font("DejaVu", style, size)
    pdf.multi_cell(0, height, clean(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(after)


def _heading(pdf: FPDF, text: str, level: int) -> None:
    size = {1: 15, 2: 12}[level]
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.start_section(clean(text)[:120], level=level - 1)
    _write(pdf, text, size, "B", height=size * 0.5, after=2)


def _pdf_captioned_table(pdf: FPDF, caption: str, table: Table, notes) -> None:
    """Caption above the table, notes below; a wide table on landscape pages of its own."""
    wide = len(table.headers) >= WIDE_TABLE
    if wide:
        pdf.add_page(orientation="L")
    elif pdf.will_page_break(60):   # the caption stays with the table's first rows
        pdf.add_page()
    _write(pdf, caption, 8.5, "I", height=4.2, after=1)
    _pdf_table(pdf, table)
    for note in notes:
        _write(pdf, note, 8.5, height=4.2)
    if wide:
        pdf.add_page(orientation="P")


def _widths(table: Table) -> list[float]:
    """Column widths after the texts they hold (the square root of the mean length, at least
    the header's longest word), so that long descriptions get room and numbers little."""
    weights = []
    for index, header in enumerate(table.headers):
        cells = [row[index] for row in table.rows if index < len(row)] or [""]
        mean = sum(len(cell) for cell in cells) / len(cells)
        weights.append(max(mean, max((len(word) for word in header.split()), default=1), 4) ** 0.5)
    return weights


def _pdf_table(pdf: FPDF, table: Table) -> None:
    columns = len(table.headers)
    pdf.set_font("DejaVu", "", 8 if columns <= 5 else 7)
    with pdf.table(col_widths=_widths(table), width=pdf.epw, line_height=4.2,
                   headings_style=FontFace(emphasis="BOLD"), text_align="LEFT", repeat_headings=1) as grid:
        for row in (table.headers, *table.rows):
            line = grid.row()
            for text in row:
                line.cell(clean(text))
    pdf.ln(3)


def pack_pdf(pack: Pack, lang: str, gettext: Gettext) -> bytes:
    pdf = _PackPDF(clean(pack.title), gettext("page"))
    pdf.set_title(clean(pack.title))
    pdf.set_subject(clean(pack.audience))
    pdf.set_lang(lang)
    pdf.set_creator("survey_app")
    pdf.add_page()
    pdf.ln(60)
    _write(pdf, pack.title, 22, "B", height=10, after=6)
    _write(pdf, pack.audience, 14, height=7, after=4)
    _write(pdf, gettext("As of: %(date)s") % {"date": pack.date}, 11)

    pdf.add_page()
    _heading(pdf, gettext("Summary"), 1)
    for block in _paragraphs(pack.summary) or [gettext("(no summary written)")]:
        _write(pdf, block)

    figure_label, table_label = gettext("Figure"), gettext("Table")
    if pack.exhibits:
        _heading(pdf, gettext("Findings"), 1)
    last_table = 0
    for exhibit, figure, table in numbered(pack, gettext):
        _heading(pdf, exhibit.title, 2)
        if figure is not None:
            png, ratio = chart_png(exhibit.chart, lang)
            height = PDF_WIDTH_MM * ratio
            if pdf.will_page_break(height + 12):
                pdf.add_page()
            pdf.image(io.BytesIO(png), w=PDF_WIDTH_MM, h=height, alt_text=clean(exhibit.alt),
                      title=f"{figure_label} {figure}")
            _write(pdf, _caption(figure_label, figure, exhibit.title, exhibit.facts), 8.5, "I", height=4.2, after=3)
        _pdf_captioned_table(pdf, _caption(table_label, table, exhibit.title, exhibit.facts), exhibit.table,
                             exhibit.notes)
        last_table = table
    for block, entries in block_tables(pack, last_table):
        _heading(pdf, block.heading, 1)
        for paragraph in _paragraphs(block.text):
            _write(pdf, paragraph)
        for number, caption, table, notes in entries:
            _pdf_captioned_table(pdf, f"{table_label} {number}: {caption}", table, notes)

    _heading(pdf, gettext("Appendix: method"), 1)
    for paragraph in pack.method:
        _write(pdf, paragraph)
    if pack.left_out:
        _write(pdf, gettext("Chosen, but no longer there (left out):"))
        for name in pack.left_out:
            _write(pdf, f"• {name}")
    return bytes(pdf.output())
