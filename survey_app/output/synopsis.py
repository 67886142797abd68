"""The consultation synopsis as files (pure): a Word table in the layout administrations use
(section text | organisation | comment and proposed wording | response and decision), and the
same table as a spreadsheet (formula-safe through output.export)."""
from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from survey_app.consultations.review import SynopsisRow
from survey_app.output.export import to_xlsx
from survey_app.text import clean


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _clean(text: str) -> str:
    # XML 1.0 has no place for most control characters; a comment stored with one still goes in.
    return clean(text or "")


def to_docx(title: str, facts: Sequence[str], headers: Sequence[str], rows: Sequence[SynopsisRow]) -> bytes:
    """A landscape A4 document: the title, a few facts (dates, n), and the synopsis table, whose
    header row repeats on every page; a section's rows share one cell for its text."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.styles["Normal"].font.size = Pt(9.5)
    document.add_heading(_clean(title), level=1)
    for fact in facts:
        document.add_paragraph(_clean(fact))
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = ""
        cell.paragraphs[0].add_run(_clean(text)).bold = True
    _repeat_header(table.rows[0])
    first_cell = None
    for row in rows:
        cells = table.add_row().cells
        if row.first:
            first_cell = cells[0]
            paragraph = first_cell.paragraphs[0]
            paragraph.add_run(_clean(row.section)).bold = True
            if row.text:
                first_cell.add_paragraph(_clean(row.text))
        else:
            first_cell = first_cell.merge(cells[0])
        cells[1].text = _clean(row.organisation)
        cells[2].text = _clean(row.comment)
        cells[3].text = _clean(row.response)
    widths = (Cm(8.5), Cm(4), Cm(7.6), Cm(6.6))
    for table_row in table.rows:
        for cell, width in zip(table_row.cells, widths):
            cell.width = width
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def synopsis_xlsx(sheet: str, headers: Sequence[str], rows: Sequence[SynopsisRow]) -> bytes:
    """One sheet, one row per comment, the section's text repeated on each of its rows."""
    table = [[row.section + ("\n" + row.text if row.text else ""), row.organisation, row.comment, row.response]
             for row in rows]
    return to_xlsx([(sheet, list(headers), table)])
