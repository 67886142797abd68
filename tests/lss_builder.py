"""Writes LimeSurvey survey structure files (.lss) the way LimeSurvey's exporter does.

`build_lss(survey, layout)` turns a compact description into the XML of a real export:
each table is <name><fields><fieldname>…</fields><rows><row><column><![CDATA[…]]></column>…
Layout "old" (LimeSurvey 1.92 to 3.x, DBVersion below 400) writes one row per language into
<groups>, <questions>, <subquestions> and <answers>; layout "new" (LimeSurvey 4 to 6) writes the
texts into <group_l10ns>, <question_l10ns> and <answer_l10ns>, answers keyed by aid.

A survey is a dict: {"sid", "languages": [...], "title": {lang: text}, "description", "welcome",
"endtext", "anonymized", "format", "groups": [group]}; a group: {"name": {lang: text},
"description", "relevance", "questions": [question]}; a question: {"code", "type", "text":
{lang: text}, "help", "mandatory", "relevance", "other", "preg", "script", "attributes": {name:
value or {lang: value}}, "subquestions": [(code, {lang: text}) or (code, texts, relevance)],
"answers": [(code, {lang: text}) or (code, texts, scale_id)], "conditions": [rows]}.
"""
from __future__ import annotations

import re
from xml.sax.saxutils import escape

# What LimeSurvey's exporter removes from every value: characters XML cannot hold.
INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

OLD_DB_VERSION = 355
NEW_DB_VERSION = 624


def _value(value) -> str:
    if value is None or value == "":
        return ""
    text = INVALID_XML.sub("", str(value)).replace("]]>", "]] >")
    return f"<![CDATA[{text}]]>"


def _table(name: str, fields: list[str], rows: list[dict]) -> str:
    if not rows:
        return ""
    out = [f" <{name}>", "  <fields>"]
    out += [f"   <fieldname>{escape(field)}</fieldname>" for field in fields]
    out += ["  </fields>", "  <rows>"]
    for row in rows:
        out.append("   <row>")
        for field in fields:
            if field in row and row[field] is not None:
                value = _value(row[field])
                out.append(f"    <{field}>{value}</{field}>" if value else f"    <{field}/>")
        out.append("   </row>")
    out += ["  </rows>", f" </{name}>"]
    return "\n".join(out)


def build_lss(survey: dict, layout: str = "new", db_version: int | None = None) -> bytes:
    old = layout == "old"
    version = db_version or (OLD_DB_VERSION if old else NEW_DB_VERSION)
    sid = survey.get("sid", 123456)
    languages = survey.get("languages", ["de"])
    base = languages[0]
    tables = {name: [] for name in ("answers", "answer_l10ns", "conditions", "defaultvalues", "groups",
                                    "group_l10ns", "questions", "subquestions", "question_l10ns",
                                    "question_attributes", "surveys", "surveys_languagesettings")}
    ids = {"qid": 100, "gid": 10, "aid": 1000, "l10n": 1}

    def next_id(kind):
        ids[kind] += 1
        return ids[kind]

    def text_of(texts, lang):
        if isinstance(texts, dict):
            return texts.get(lang, "")
        return texts if lang == base else ""

    for order, group in enumerate(survey.get("groups", []), start=1):
        gid = group.get("gid") or next_id("gid")
        common = {"gid": gid, "sid": sid, "group_order": order, "randomization_group": group.get("randomization", ""),
                  "grelevance": group.get("relevance", "")}
        if old:
            for lang in languages:
                tables["groups"].append({**common, "group_name": text_of(group.get("name", f"Gruppe {order}"), lang),
                                         "description": text_of(group.get("description", ""), lang), "language": lang})
        else:
            tables["groups"].append(common)
            for lang in languages:
                tables["group_l10ns"].append({"id": next_id("l10n"), "gid": gid,
                                              "group_name": text_of(group.get("name", f"Gruppe {order}"), lang),
                                              "description": text_of(group.get("description", ""), lang),
                                              "language": lang})
        for qorder, question in enumerate(group.get("questions", []), start=1):
            qid = question.get("qid") or next_id("qid")
            row = {"qid": qid, "parent_qid": 0, "sid": sid, "gid": gid, "type": question["type"],
                   "title": question["code"], "preg": question.get("preg", ""), "other": question.get("other", "N"),
                   "mandatory": question.get("mandatory", "N"), "question_order": qorder, "scale_id": 0,
                   "same_default": 0, "relevance": question.get("relevance", "1")}
            _texts(tables, "questions", row, question, languages, old, next_id, text_of)
            for sorder, sub in enumerate(question.get("subquestions", []), start=1):
                code, texts = sub[0], sub[1]
                relevance = sub[2] if len(sub) > 2 else "1"
                sqid = next_id("qid")
                sub_row = {"qid": sqid, "parent_qid": qid, "sid": sid, "gid": gid, "type": question["type"],
                           "title": code, "other": "N", "mandatory": "", "question_order": sorder, "scale_id": 0,
                           "same_default": 0, "relevance": relevance}
                _texts(tables, "subquestions", sub_row, {"text": texts}, languages, old, next_id, text_of)
            for sorder, answer in enumerate(question.get("answers", []), start=1):
                code, texts = answer[0], answer[1]
                scale = answer[2] if len(answer) > 2 else 0
                if old:
                    for lang in languages:
                        tables["answers"].append({"qid": qid, "code": code, "answer": text_of(texts, lang),
                                                  "sortorder": sorder, "assessment_value": 0, "language": lang,
                                                  "scale_id": scale})
                else:
                    aid = next_id("aid")
                    tables["answers"].append({"aid": aid, "qid": qid, "code": code, "sortorder": sorder,
                                              "assessment_value": 0, "scale_id": scale})
                    for lang in languages:
                        if text_of(texts, lang):
                            tables["answer_l10ns"].append({"id": next_id("l10n"), "aid": aid,
                                                           "answer": text_of(texts, lang), "language": lang})
            for name, value in question.get("attributes", {}).items():
                if isinstance(value, dict):
                    for lang, text in value.items():
                        tables["question_attributes"].append({"qid": qid, "attribute": name, "value": text,
                                                              "language": lang})
                else:
                    tables["question_attributes"].append({"qid": qid, "attribute": name, "value": value})
            for cid, condition in enumerate(question.get("conditions", []), start=len(tables["conditions"]) + 1):
                tables["conditions"].append({"cid": cid, "qid": qid, "scenario": 1, **condition})
            if question.get("default"):
                tables["defaultvalues"].append({"qid": qid, "scale_id": 0, "sqid": 0, "language": base,
                                                "specialtype": "", "defaultvalue": question["default"]})
    tables["surveys"].append({"sid": sid, "admin": "Administrator", "adminemail": "admin@example.org",
                              "anonymized": survey.get("anonymized", "Y"), "format": survey.get("format", "G"),
                              "language": base, "additional_languages": " ".join(languages[1:]),
                              "allowsave": "Y", "showprogress": "Y"})
    for lang in languages:
        tables["surveys_languagesettings"].append({
            "surveyls_survey_id": sid, "surveyls_language": lang,
            "surveyls_title": text_of(survey.get("title", "Befragung"), lang),
            "surveyls_description": text_of(survey.get("description", ""), lang),
            "surveyls_welcometext": text_of(survey.get("welcome", ""), lang),
            "surveyls_endtext": text_of(survey.get("endtext", ""), lang),
            "surveyls_email_invite": "Dear {FIRSTNAME},<br />you have been invited: {SURVEYURL}",
            "surveyls_dateformat": 1})
    fields = {
        "answers": (["qid", "code", "answer", "sortorder", "assessment_value", "language", "scale_id"] if old else
                    ["aid", "qid", "code", "sortorder", "assessment_value", "scale_id"]),
        "answer_l10ns": ["id", "aid", "answer", "language"],
        "conditions": ["cid", "qid", "cqid", "cfieldname", "method", "value", "scenario"],
        "defaultvalues": ["qid", "scale_id", "sqid", "language", "specialtype", "defaultvalue"],
        "groups": (["gid", "sid", "group_name", "group_order", "description", "language", "randomization_group",
                    "grelevance"] if old else ["gid", "sid", "group_order", "randomization_group", "grelevance"]),
        "group_l10ns": ["id", "gid", "group_name", "description", "language"],
        "questions": (["qid", "parent_qid", "sid", "gid", "type", "title", "question", "preg", "help", "other",
                       "mandatory", "question_order", "language", "scale_id", "same_default", "relevance"] if old else
                      ["qid", "parent_qid", "sid", "gid", "type", "title", "preg", "other", "mandatory",
                       "encrypted", "question_order", "scale_id", "same_default", "relevance", "modulename"]),
        "question_l10ns": ["id", "qid", "question", "help", "script", "language"],
        "question_attributes": ["qid", "attribute", "value", "language"],
        "surveys": ["sid", "admin", "adminemail", "anonymized", "format", "language", "additional_languages",
                    "allowsave", "showprogress"],
        "surveys_languagesettings": ["surveyls_survey_id", "surveyls_language", "surveyls_title",
                                     "surveyls_description", "surveyls_welcometext", "surveyls_endtext",
                                     "surveyls_email_invite", "surveyls_dateformat"],
    }
    fields["subquestions"] = fields["questions"]
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<document>", " <LimeSurveyDocType>Survey</LimeSurveyDocType>",
             f" <DBVersion>{version}</DBVersion>", " <languages>"]
    parts += [f"  <language>{lang}</language>" for lang in languages]
    parts.append(" </languages>")
    for name in ("answers", "answer_l10ns", "conditions", "defaultvalues", "groups", "group_l10ns", "questions",
                 "subquestions", "question_l10ns", "question_attributes", "surveys", "surveys_languagesettings"):
        table = _table(name, fields[name], tables[name])
        if table:
            parts.append(table)
    parts.append("</document>")
    return ("\n".join(parts) + "\n").encode("utf-8")


def _texts(tables, table, row, question, languages, old, next_id, text_of):
    if old:
        for lang in languages:
            tables[table].append({**row, "question": text_of(question.get("text", ""), lang),
                                  "help": text_of(question.get("help", ""), lang), "language": lang})
    else:
        tables[table].append({**row, "encrypted": "N", "modulename": ""})
        for lang in languages:
            tables["question_l10ns"].append({"id": next_id("l10n"), "qid": row["qid"],
                                             "question": text_of(question.get("text", ""), lang),
                                             "help": text_of(question.get("help", ""), lang),
                                             "script": question.get("script", "") if lang == languages[0] else "",
                                             "language": lang})
