"""What the consultation pages share: loading, the minimum group size, and the words for the
domain's codes (positions, decisions, problems) in the user's language."""
from __future__ import annotations

from flask import abort
from flask_babel import gettext as _, lazy_gettext as _l
from markupsafe import Markup

from survey_app.consultations import document as doc
from survey_app.consultations.document import Block
from survey_app.consultations.model import AGREE, DISAGREE, NO_COMMENT, WITH_CHANGES, is_named
from survey_app.consultations.review import ACCEPTED, NOT_ACCEPTED, NOTED, PARTLY
from survey_app.consultations.versions import documents
from survey_app.web.db import get_store
from survey_app.web.minimum import minimum_group_size

POSITION_LABELS = {AGREE: _l("Agree"), WITH_CHANGES: _l("Agree with changes"), DISAGREE: _l("Disagree"),
                   NO_COMMENT: _l("No comment")}
DECISION_LABELS = {ACCEPTED: _l("Accepted"), PARTLY: _l("Partly accepted"), NOT_ACCEPTED: _l("Not accepted"),
                   NOTED: _l("Noted")}


def load(consultation_id: str) -> dict:
    record = get_store().get_consultation(consultation_id)
    if record is None:
        abort(404)
    return record


def load_versions(consultation_id: str) -> tuple[list[dict], list[doc.Document]]:
    records = get_store().consultation_versions(consultation_id)
    if not records:
        abort(404)
    return records, documents(records)


def minimum(record: dict) -> int:
    """The minimum group size of an anonymous round (the app's, raised by the consultation's)."""
    return minimum_group_size(record.get("min_group_size"))


def block_html(block: Block, language: str | None = None) -> Markup:
    return Markup(doc.render_block(block, language))


def words() -> dict[str, str]:
    """The synopsis' labels (review.synopsis_rows) in the user's language."""
    return {**{k: str(v) for k, v in POSITION_LABELS.items()}, **{k: str(v) for k, v in DECISION_LABELS.items()},
            "section": _("Section"), "removed": _("removed in version"), "none": _("No comments."),
            "general": _("General statement"), "proposal": _("Proposed wording"), "position": _("Position")}


def mode_label(record: dict) -> str:
    return _("Named per organisation") if is_named(record) else _("Anonymous")


def problem_message(problem: doc.Problem) -> str:
    """A draft's problem as the person who uploaded it reads it."""
    where = _(" (line %(line)d)", line=problem.line) if problem.line else ""
    kind = problem.kind
    if kind == doc.TOO_LARGE:
        return _("The file has %(size)s MB; a draft may have at most %(limit)d KB. Please upload the text "
                 "without images or attachments.", size=problem.detail, limit=doc.MAX_BYTES // 1024)
    if kind == doc.NOT_TEXT:
        return _("This is not a text file in UTF-8. Please save the draft as Markdown (.md) or plain text (.txt).")
    if kind == doc.EMPTY:
        return _("The draft is empty.")
    if kind == doc.NO_HEADING:
        text = _("The draft has no heading. Start it with a title line such as “# Task description” and "
                 "mark its chapters with “## ”, so that it can be divided into sections.")
        return text if not problem.detail else _("The translation (%(lang)s) has no heading.", lang=problem.detail)
    if kind == doc.TOO_MANY:
        return _("The draft has more than %(n)s sections%(where)s. Please split it into several drafts.",
                 n=problem.detail, where=where)
    if kind == doc.TRANSLATION:
        return _("The translation (%(lang)s) does not have the same headings and sections as the draft; the first "
                 "difference is at line %(line)d of the translation.", lang=problem.detail, line=problem.line)
    if kind == "no_sections":
        return _("The draft would have no section left.")
    return kind
