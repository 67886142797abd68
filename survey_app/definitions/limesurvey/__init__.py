"""LimeSurvey survey structure files (.lss) -> our questionnaire definition.

Pure: no Flask, no storage. The result is a plain definition (the structure of a YAML file,
see docs/questionnaire-format.md) plus a report, question by question, of everything that
was changed or could not be carried over -- nothing is dropped silently. docs/imports.md
lists every mapping.

The package: reading.py reads the file (bounded) and its texts, questions.py maps the
question types, conditions.py turns relevance equations and the old conditions table into
show_if (with the expression toolkit of definitions/expressions.py), convert.py puts the
survey together and writes the report.

Both layouts of the file are read: before LimeSurvey 4 (DBVersion below about 400) texts sit
in the rows of <questions>, <groups> and <answers>, one row per language; from LimeSurvey 4
on they sit in <question_l10ns>, <group_l10ns> and <answer_l10ns>.

The file is untrusted: it is parsed with defusedxml (no document type, no entities, no
external references), its size, nesting and number of elements are bounded, HTML is reduced
to text, and scripts and ExpressionScript code ({...}) never reach the definition. Relevance
equations are read by a small expression parser with a depth limit and become show_if
conditions where they have a counterpart; the others are reported and the question is shown
unconditionally.

Messages are English msgids marked with N_() and formatted with named parameters, so a
caller can show them in the admin's language: Note.render(gettext).
"""
from __future__ import annotations

from survey_app.definitions.imports import N_, TextFindings as _Findings, language_code
from survey_app.definitions.limesurvey.conditions import (
    ExpressionError, Target, conditions_to_equation, equation_to_show_if, parse_expression,
)
from survey_app.definitions.limesurvey.convert import ORIGIN, convert_lss
from survey_app.definitions.limesurvey.reading import MAX_BYTES, LimeSurveyError, plain_text, read_document

__all__ = ["MAX_BYTES", "N_", "ORIGIN", "ExpressionError", "LimeSurveyError", "Target", "_Findings",
           "conditions_to_equation", "convert_lss", "equation_to_show_if", "language_code", "parse_expression",
           "plain_text", "read_document"]
