"""The conversion of a LimeSurvey survey: languages, texts, groups as pages, relevance as
show_if, and the report (a Note per change or loss, by survey, group and question). The
question types are mapped in questions.py, equations read in conditions.py.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import replace

from survey_app.definitions.imports import (
    ANONYMITY, N_, Conversion, Message, Note, TextFindings as _Findings, ascii_text, language_code, slug, unique,
)
from survey_app.definitions.limesurvey.conditions import (
    ExpressionError, Target, conditions_to_equation, equation_to_show_if,
)
from survey_app.definitions.limesurvey.questions import BUILDERS, QUESTION, UNSUPPORTED, Context
from survey_app.definitions.limesurvey.reading import MARK, Document, as_int, plain_text, read_document

SURVEY = N_("survey")
GROUP = N_("group %(group)s")
ORIGIN = "a LimeSurvey survey (.lss)"   # for to_yaml's header


def convert_lss(data: bytes, source: str = "survey.lss") -> Conversion:
    """Convert the bytes of a LimeSurvey survey structure file. LimeSurveyError when it is not one."""
    return Converter(read_document(data), source).convert()


class Converter:
    def __init__(self, document: Document, source: str):
        self.doc = document
        self.source = source
        self.notes: list[Note] = []
        self.tables = document.tables
        self.survey = (self.tables.get("surveys") or [{}])[0]
        self.question_ids: set[str] = set()
        self.targets: dict[str, Target] = {}
        self.all_names: set[str] = set()
        self.scales: dict[str, dict] = {}
        self.count = 0

    # ---- notes
    def note(self, place: str, message: str, kind: str = "dropped", /, **params) -> None:
        self.notes.append(Note(place, message, tuple(params.items()), kind))

    def qnote(self, question: str, message: str, kind: str = "dropped", /, **params) -> None:
        self.note(QUESTION, message, kind, question=question, **params)

    # ---- languages and texts
    def _languages(self) -> None:
        listed = [self.survey.get("language", "").strip()] + (self.survey.get("additional_languages") or "").split()
        listed = [code for code in listed if code] or self.doc.languages
        for code in self.doc.languages:
            if code not in listed:
                listed.append(code)
        self.ls_languages: list[str] = []
        self.lang_of: dict[str, str] = {}
        for code in listed:
            ours = language_code(code)
            if ours is None:
                self.note(SURVEY, N_("language “%(code)s” is not a language code; its texts are left out"),
                          code=code[:20])
                continue
            if ours in self.lang_of.values():
                continue
            if ours != code:
                self.note(SURVEY, N_("language “%(code)s” is written “%(ours)s” here"), "changed", code=code, ours=ours)
            self.ls_languages.append(code)
            self.lang_of[code] = ours
        if not self.ls_languages:
            self.ls_languages, self.lang_of = ["de"], {"de": "de"}
        self.languages = [self.lang_of[code] for code in self.ls_languages]
        self.default = self.languages[0]

    def text(self, by_language: Mapping[str, str], findings: _Findings) -> dict[str, str]:
        """{our language: plain text} from {LimeSurvey language: HTML}, empty texts left out."""
        result = {}
        for code, value in by_language.items():
            ours = self.lang_of.get(code)
            if ours and ours not in result:
                plain = plain_text(value, findings)
                if plain:
                    result[ours] = plain
        return result

    def complete(self, text: dict[str, str], fallback: str) -> dict[str, str]:
        """A text that has the default language (taken from another language, else `fallback`)."""
        if self.default in text:
            return text
        other = next(iter(text.values()), fallback)
        return {self.default: other, **text}

    def standard(self, labels: Mapping[str, str]) -> dict[str, str]:
        """One of our own labels (e.g. “Other”) in every language we have it in."""
        text = {lang: labels[lang.split("_")[0].split("-")[0]] for lang in self.languages
                if lang.split("_")[0].split("-")[0] in labels}
        return self.complete(text, labels["en"])

    # ---- indexes over the tables
    def _index(self) -> None:
        t = self.tables
        rows = t.get("questions", []) + t.get("subquestions", [])
        self.question_rows: dict[str, dict] = {}
        self.qtexts: dict[str, dict[str, dict]] = defaultdict(dict)
        for row in rows:
            qid = row.get("qid", "")
            language = row.get("language") or self.ls_languages[0]
            if qid not in self.question_rows or language == self.ls_languages[0]:
                self.question_rows[qid] = row
            if "question" in row or "help" in row:
                self.qtexts[qid].setdefault(language, row)
        for row in t.get("question_l10ns", []):
            self.qtexts[row.get("qid", "")][row.get("language", "")] = row
        self.children: dict[str, list[dict]] = defaultdict(list)
        for qid, row in self.question_rows.items():
            parent = row.get("parent_qid", "0") or "0"
            if parent != "0":
                self.children[parent].append(row)
        for items in self.children.values():
            items.sort(key=lambda r: (as_int(r.get("scale_id")), as_int(r.get("question_order")), as_int(r.get("qid"))))
        self.answers: dict[str, list[dict]] = defaultdict(list)
        by_aid: dict[str, dict] = {}
        seen: dict[tuple, dict] = {}
        for row in t.get("answers", []):
            key = (row.get("qid", ""), as_int(row.get("scale_id")), row.get("code", ""))
            entry = seen.get(key)
            if entry is None:
                entry = {"code": row.get("code", ""), "scale": key[1], "order": as_int(row.get("sortorder")), "texts": {}}
                seen[key] = entry
                self.answers[key[0]].append(entry)
            if "answer" in row:
                entry["texts"].setdefault(row.get("language", self.ls_languages[0]), row["answer"])
            if row.get("aid"):
                by_aid[row["aid"]] = entry
        for row in t.get("answer_l10ns", []):
            entry = by_aid.get(row.get("aid", ""))
            if entry is None and row.get("qid"):
                entry = seen.get((row["qid"], as_int(row.get("scale_id")), row.get("code", "")))
            if entry is not None:
                entry["texts"][row.get("language", "")] = row.get("answer", "")
        for items in self.answers.values():
            items.sort(key=lambda e: (e["scale"], e["order"]))
        self.attributes: dict[str, dict[str, str]] = defaultdict(dict)
        self.localized_attributes: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
        for row in t.get("question_attributes", []):
            qid, name, value = row.get("qid", ""), row.get("attribute", ""), row.get("value", "")
            if row.get("language"):
                self.localized_attributes[qid][name][row["language"]] = value
            else:
                self.attributes[qid][name] = value
        self.conditions: dict[str, list[dict]] = defaultdict(list)
        for row in t.get("conditions", []):
            self.conditions[row.get("qid", "")].append(row)
        self.defaults = {row.get("qid", "") for row in t.get("defaultvalues", [])}
        self.groups: dict[str, dict] = {}
        self.gtexts: dict[str, dict[str, dict]] = defaultdict(dict)
        for row in t.get("groups", []):
            gid = row.get("gid", "")
            if gid not in self.groups or row.get("language") == self.ls_languages[0]:
                self.groups[gid] = row
            if "group_name" in row:
                self.gtexts[gid].setdefault(row.get("language", self.ls_languages[0]), row)
        for row in t.get("group_l10ns", []):
            gid = row.get("gid", "")
            self.gtexts[gid][row.get("language", "")] = row
            self.groups.setdefault(gid, row)

    def attribute(self, qid: str, name: str) -> str:
        value = self.attributes[qid].get(name)
        if value is None:
            localized = self.localized_attributes[qid].get(name, {})
            value = next((localized[c] for c in self.ls_languages if localized.get(c)), "")
        return (value or "").strip()

    def attribute_text(self, qid: str, name: str, findings: _Findings) -> dict[str, str]:
        localized = dict(self.localized_attributes[qid].get(name, {}))
        if not localized and self.attributes[qid].get(name):
            localized = {self.ls_languages[0]: self.attributes[qid][name]}
        return self.text(localized, findings)

    # ---- the survey
    def convert(self) -> Conversion:
        self._languages()
        self._index()
        self._names()
        pages = []
        groups = sorted(self.groups.values(), key=lambda g: (as_int(g.get("group_order")), as_int(g.get("gid"))))
        top = [row for row in self.question_rows.values() if (row.get("parent_qid", "0") or "0") == "0"]
        by_group: dict[str, list[dict]] = defaultdict(list)
        for row in top:
            by_group[row.get("gid", "")].append(row)
        orphans = [row for gid, rows in by_group.items() if gid not in self.groups for row in rows]
        for row in orphans:
            self.qnote(row.get("title", "?"), N_("belongs to no group of the file; left out"))
        for index, group in enumerate(groups):
            page = self._page(group, index, sorted(by_group.get(group.get("gid", ""), []),
                                                    key=lambda r: (as_int(r.get("question_order")), as_int(r.get("qid")))))
            if page is not None:
                page["id"] = f"page_{len(pages) + 1}"
                pages.append(page)
        definition = self._top(pages)
        return Conversion(definition if pages else None, self.notes, self.count)

    def _names(self) -> None:
        """Every variable name of the file, to tell a later question from an unknown one."""
        sid = self.survey.get("sid", "")
        for qid, row in self.question_rows.items():
            parent = self.question_rows.get(row.get("parent_qid", "0") or "0")
            code = row.get("title", "")
            if parent is not None:
                self.all_names.add(f"{parent.get('title', '')}_{code}")
                self.all_names.add(f"{row.get('sid', sid)}X{parent.get('gid', '')}X{parent.get('qid', '')}{code}")
            else:
                self.all_names.add(code)
                self.all_names.add(f"{row.get('sid', sid)}X{row.get('gid', '')}X{qid}")
                for suffix in ("other", "comment"):
                    self.all_names.add(f"{code}_{suffix}")

    def _top(self, pages: list[dict]) -> dict:
        settings = {row.get("surveyls_language", ""): row for row in self.tables.get("surveys_languagesettings", [])}
        findings = _Findings()
        title = self.text({c: r.get("surveyls_title", "") for c, r in settings.items()}, findings)
        fallback_title = self.source.rsplit(".", 1)[0]
        if not title:
            self.note(SURVEY, N_("the survey has no title; the file name stands in"), "changed")
        title = self.complete(title, fallback_title)
        intro = {}
        for code, row in settings.items():
            parts = [plain_text(row.get(key, ""), findings) for key in ("surveyls_description", "surveyls_welcometext")]
            text = "\n\n".join(p for p in parts if p)
            if text and self.lang_of.get(code):
                intro.setdefault(self.lang_of[code], text)
        if not intro:
            self.note(SURVEY, N_("the survey has no description or welcome text; the title stands in as the "
                                 "purpose shown on the start page"), "changed")
        intro = self.complete(intro, title[self.default]) if intro else dict(title)
        if any(plain_text(row.get("surveyls_endtext", "")) for row in settings.values()):
            self.note(SURVEY, N_("the end text has no counterpart here; respondents see the app's thank-you page"))
        self._report_findings(SURVEY, {}, findings)
        anonymity = {lang: ANONYMITY.get(lang.split("_")[0].split("-")[0], ANONYMITY["en"]) for lang in self.languages}
        self.note(SURVEY, N_("LimeSurvey files have no anonymity statement: a standard statement stands in; "
                             "please review it"), "changed")
        if self.survey.get("anonymized", "").upper() == "N":
            self.note(SURVEY, N_("the LimeSurvey survey kept answers linked to participants; here answers are "
                                 "stored without names"), "changed")
        if self.survey.get("format", "").upper() in ("S", "A"):
            self.note(SURVEY, N_("LimeSurvey showed this survey %(format)s; here each question group is one page"),
                      "changed", format=Message({"S": N_("question by question"), "A": N_("all on one page")}[
                          self.survey["format"].upper()]))
        for table, message in (("assessments", N_("assessments are not carried over")),
                               ("quota", N_("quotas are not carried over"))):
            if self.tables.get(table):
                self.note(SURVEY, message)
        base = _ascii_slug(title[self.default]) or f"limesurvey-{self.survey.get('sid', '') or 'survey'}"
        definition = {
            "id": base[:60].strip("-") or "limesurvey",
            "languages": self.languages,
            "title": title,
            "intro": intro,
            "anonymity": anonymity,
        }
        if self.scales:
            definition["scales"] = self.scales
        definition["pages"] = pages
        return definition

    # ---- groups
    def _page(self, group: dict, index: int, rows: list[dict]) -> dict | None:
        gid = group.get("gid", "")
        findings = _Findings()
        texts = self.gtexts.get(gid, {})
        title = self.text({c: r.get("group_name", "") for c, r in texts.items()}, findings)
        name = title.get(self.default) or next(iter(title.values()), "") or str(index + 1)
        place = dict(group=f"{index + 1} ({name[:40]})")
        intro = self.text({c: r.get("description", "") for c, r in texts.items()}, findings)
        page: dict = {"id": "", "title": self.complete(title, str(index + 1))}
        if intro:
            page["intro"] = self.complete(intro, "")
        relevance = (group.get("grelevance") or "").strip()
        if relevance not in ("", "1"):
            condition = self._condition(relevance, index, page_level=True, place=(GROUP, place))
            if condition is False:
                self.note(GROUP, N_("the group's relevance is always false (never shown); left out"), **place)
                return None
            if isinstance(condition, dict):
                page["show_if"] = condition
        if (group.get("randomization_group") or "").strip():
            self.note(GROUP, N_("randomization group “%(name)s” is not carried over; the group keeps its place"),
                      "changed", name=group["randomization_group"][:40], **place)
        self._report_findings(GROUP, place, findings)
        questions = []
        for row in rows:
            questions.extend(self._question(row, index))
        if not questions:
            self.note(GROUP, N_("no question of this group could be carried over; the group is left out"), **place)
            return None
        page["questions"] = questions
        return page

    # ---- conditions
    def _resolver(self, group_index: int, page_level: bool) -> Callable[[str], Target]:
        def resolve(name: str) -> Target:
            target = self.targets.get(name)
            if target is None:
                lowered = {key.lower(): value for key, value in self.targets.items()}
                target = lowered.get(name.lower())
            if target is None:
                if name in self.all_names or name.lower() in {n.lower() for n in self.all_names}:
                    reason = N_("refers to “%(name)s”, which comes later or was not carried over")
                else:
                    reason = N_("refers to “%(name)s”, which is not a question of this survey")
                return Target("none", reason=reason)
            if page_level and target.kind != "none" and target.page >= group_index:
                return Target("none", reason=N_("refers to “%(name)s” on the same page; a page can only depend on "
                                                "earlier pages"))
            return target
        return resolve

    def _condition(self, equation: str, group_index: int, page_level: bool, place: tuple) -> dict | bool:
        try:
            return equation_to_show_if(equation, self._resolver(group_index, page_level))
        except ExpressionError as error:
            where, params = place
            self.note(where, N_("relevance equation “%(equation)s” not carried over (%(reason)s); shown always"),
                      equation=_short(equation), reason=Message(error.message, tuple(error.params.items())),
                      **params)
            return True

    def _relevance(self, row: dict) -> str:
        relevance = (row.get("relevance") or "").strip()
        if relevance in ("", "1") and self.conditions.get(row.get("qid", "")):
            types = {qid: r.get("type", "") for qid, r in self.question_rows.items()}
            relevance = conditions_to_equation(self.conditions[row["qid"]], types)
        return relevance

    # ---- questions
    def _question(self, row: dict, group_index: int) -> list[dict]:
        qid, code, kind = row.get("qid", ""), row.get("title", "") or f"q{row.get('qid', '')}", row.get("type", "")
        builder = BUILDERS.get(kind)
        place = dict(question=code)
        if builder is None:
            self.qnote(code, UNSUPPORTED.get(kind, N_("question type “%(type)s” is not supported; left out")),
                       type=kind[:5])
            self._register_none(row, group_index, N_("“%(name)s” was not carried over"))
            return []
        if self.attribute(qid, "hidden") == "1":
            self.qnote(code, N_("hidden in LimeSurvey (always hidden, e.g. filled from the link); left out"))
            self._register_none(row, group_index, N_("“%(name)s” was not carried over"))
            return []
        relevance = self._relevance(row)
        condition = True
        if relevance not in ("", "1"):
            condition = self._condition(relevance, group_index, page_level=False, place=(QUESTION, place))
            if condition is False:
                self.qnote(code, N_("relevance is always false (never shown); left out"))
                self._register_none(row, group_index, N_("“%(name)s” was not carried over"))
                return []
        findings = _Findings()
        texts = self.qtexts.get(qid, {})
        scripts = any((r.get("script") or "").strip() for r in texts.values())
        findings.scripts = scripts
        text = self.text({c: r.get("question", "") for c, r in texts.items()}, findings)
        if not text and kind != "X":
            self.qnote(code, N_("the question has no text; its code stands in"), "changed")
        context = Context(row=row, qid=qid, code=code, group=group_index, findings=findings, has_text=bool(text),
                           text=self.complete(text, code),
                           help=self.text({c: r.get("help", "") for c, r in texts.items()}, findings),
                           show_if=condition if isinstance(condition, dict) else None)
        questions = builder(self, context)
        self._report_findings(QUESTION, place, findings)
        if questions:
            mandatory = (row.get("mandatory") or "").upper()
            if mandatory == "S":
                self.qnote(code, N_("soft mandatory (a reminder in LimeSurvey) becomes optional"), "changed")
            if qid in self.defaults:
                self.qnote(code, N_("default answers are not carried over"))
            for name in ("array_filter", "array_filter_exclude", "em_validation_q", "em_validation_sq",
                         "exclude_all_others", "min_num_value", "max_num_value", "random_order", "time_limit"):
                if self.attribute(qid, name) not in ("", "0") and name not in context.used:
                    self.qnote(code, N_("the setting %(setting)s is not carried over"), setting=name)
            if (row.get("preg") or "").strip():
                self.qnote(code, N_("the input check (regular expression) is not carried over"))
            self.count += sum(1 for q in questions if q["type"] != "note")
        return questions

    def _register_none(self, row: dict, group_index: int, reason: str) -> None:
        code, qid = row.get("title", ""), row.get("qid", "")
        none = Target("none", page=group_index, reason=reason)
        for name in self._root_names(row):
            self.targets[name] = none
        for child in self.children.get(qid, []):
            for name in self._child_names(row, child):
                self.targets[name] = none
        for suffix in ("other", "comment"):
            self.targets[f"{code}_{suffix}"] = none

    def _root_names(self, row: dict) -> list[str]:
        sid = row.get("sid", self.survey.get("sid", ""))
        return [row.get("title", ""), f"{sid}X{row.get('gid', '')}X{row.get('qid', '')}"]

    def _child_names(self, row: dict, child: dict) -> list[str]:
        sid = row.get("sid", self.survey.get("sid", ""))
        code = child.get("title", "")
        return [f"{row.get('title', '')}_{code}", f"{sid}X{row.get('gid', '')}X{row.get('qid', '')}{code}"]

    def register(self, context: Context, target: Target, child: dict | None = None, suffix: str = "") -> None:
        target = replace(target, page=context.group)
        if child is not None:
            names = self._child_names(context.row, child)
        elif suffix:
            names = [f"{context.code}_{suffix}"]
            sid = context.row.get("sid", self.survey.get("sid", ""))
            names.append(f"{sid}X{context.row.get('gid', '')}X{context.qid}{suffix}")
        else:
            names = self._root_names(context.row)
        for name in names:
            self.targets[name] = target

    def new_id(self, candidate: str) -> str:
        result = unique(slug(candidate), self.question_ids)
        self.question_ids.add(result)
        return result

    def _report_findings(self, place: str, params: dict, findings: _Findings) -> None:
        if findings.scripts:
            self.note(place, N_("JavaScript was removed"), **params)
        if findings.expressions:
            self.note(place, N_("ExpressionScript code was removed from the text and marked %(mark)s: %(codes)s"),
                      "changed", mark=MARK, codes=", ".join(findings.expressions[:5])
                      + (" …" if len(findings.expressions) > 5 else ""), **params)
        if findings.media:
            self.note(place, N_("images, videos and embedded content were removed; only the text is kept"), **params)


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + " …"


def _ascii_slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ascii_text(text).lower()).strip("-")
