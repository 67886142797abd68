"""Reading a LimeSurvey survey structure file (.lss), bounded, and its texts.

The file is untrusted: it is parsed with defusedxml (no document type, no entities, no
external references), its size, nesting and number of elements are bounded; HTML is reduced
to text and ExpressionScript code ({...}) is replaced by MARK and recorded.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from survey_app.definitions.expressions import MAX_LENGTH as MAX_EXPRESSION_LENGTH
from survey_app.definitions.imports import N_, ImportFailure, TextFindings as _Findings, html_to_text

MAX_BYTES = 10 * 1024 * 1024        # a survey structure export with many languages stays well below
MAX_XML_DEPTH = 16                  # document > table > rows > row > column is 5; theme options 6
MAX_ELEMENTS = 1_000_000
MARK = "[…]"   # stands where ExpressionScript code was removed from a text


class LimeSurveyError(ImportFailure):
    """The file is not a LimeSurvey survey structure that can be read at all."""



@dataclass
class Document:
    doc_type: str
    db_version: int
    languages: list[str]
    tables: dict[str, list[dict[str, str]]]


def read_document(data: bytes) -> Document:
    """The tables of a LimeSurvey XML export: {table name: [row {column: text}]}.

    Refuses what no LimeSurvey export contains: a document type or entity declarations,
    external references, more than MAX_BYTES, deeper nesting than MAX_XML_DEPTH, more than
    MAX_ELEMENTS elements."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    if len(data) > MAX_BYTES:
        raise LimeSurveyError(N_("the file is larger than %(limit)d MB; a survey structure export is far smaller"),
                              limit=MAX_BYTES // (1024 * 1024))
    tables: dict[str, list[dict[str, str]]] = {}
    simple: dict[str, str] = {}
    languages: list[str] = []
    depth = count = 0
    path: list[str] = []
    row: dict[str, str] | None = None
    root_tag = None
    try:
        for event, element in iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                depth += 1
                count += 1
                if depth > MAX_XML_DEPTH:
                    raise LimeSurveyError(N_("the file is nested more deeply than a LimeSurvey export "
                                             "(more than %(limit)d levels)"), limit=MAX_XML_DEPTH)
                if count > MAX_ELEMENTS:
                    raise LimeSurveyError(N_("the file has more than %(limit)d elements"), limit=MAX_ELEMENTS)
                path.append(element.tag)
                if depth == 1:
                    root_tag = element.tag
                elif depth == 4 and path[2] == "rows" and element.tag == "row":
                    row = {}
                continue
            depth -= 1
            tag = path.pop()
            if depth == 4 and row is not None and len(path) == 4:
                row[tag] = element.text or ""
            elif depth == 3 and tag == "row" and row is not None and path[1:] == [path[1], "rows"]:
                tables.setdefault(path[1], []).append(row)
                row = None
                element.clear()
            elif depth == 2 and path[1:] == ["languages"] and tag == "language":
                languages.append((element.text or "").strip())
            elif depth == 1:
                if len(element) == 0:
                    simple[tag] = (element.text or "").strip()
                element.clear()
    except LimeSurveyError:
        raise
    except DefusedXmlException:
        raise LimeSurveyError(N_("the file declares a document type, entities or external references, which a "
                                 "LimeSurvey export never does; it is refused for safety")) from None
    except ParseError as error:
        line = getattr(error, "position", (0, 0))[0]
        raise LimeSurveyError(N_("the file is not well-formed XML (line %(line)d)"), line=line) from None
    if root_tag != "document" or "LimeSurveyDocType" not in simple:
        raise LimeSurveyError(N_("this is not a LimeSurvey export (no <LimeSurveyDocType>)"))
    doc_type = simple["LimeSurveyDocType"]
    if doc_type != "Survey":
        raise LimeSurveyError(N_("this is a LimeSurvey export of type “%(type)s”, not a whole survey; please "
                                 "export the survey structure (.lss)"), type=doc_type[:40])
    try:
        db_version = int(simple.get("DBVersion", "0") or 0)
    except ValueError:
        db_version = 0
    return Document(doc_type, db_version, [lang for lang in languages if lang], tables)


# --------------------------------------------------------------------------- texts

def _remove_expressions(text: str, findings: _Findings) -> str:
    """Replace ExpressionScript code -- `{` not followed by white space, up to its matching `}` --
    by MARK. Quotes inside the braces are respected; an unmatched `{` stays as it is."""
    out, i, n = [], 0, len(text)
    while i < n:
        char = text[i]
        if char == "{" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != "}":
            end = matching_brace(text, i)
            if end is not None and not text[end - 1].isspace():
                findings.add_expression(text[i:end + 1][:80])
                out.append(MARK)
                i = end + 1
                continue
        out.append(char)
        i += 1
    return "".join(out)


def matching_brace(text: str, start: int) -> int | None:
    depth, quote, i = 0, None, start
    limit = min(len(text), start + MAX_EXPRESSION_LENGTH)
    while i < limit:
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def plain_text(source: str | None, findings: _Findings | None = None) -> str:
    """HTML as plain text: tags dropped, entities decoded, scripts, styles and ExpressionScript
    code removed (and recorded in `findings`), white space tidied."""
    findings = findings if findings is not None else _Findings()
    return html_to_text(source, findings, prepare=lambda text: _remove_expressions(text, findings))



def as_int(value, default: int = 0) -> int:
    """A LimeSurvey column as a whole number (orders, ids, scales); `default` when it is none."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default
