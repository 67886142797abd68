"""The sheets of an XLSForm -> our definition: languages, settings, groups as pages,
conditions, and the report. The questions themselves are made in questions.py.

Groups become pages: every top-level group is a page, and so is a group inside a group,
unless it sits in a `field-list` group (one screen in ODK): then it is merged into that page,
its label shown as a note. A group's `relevant` becomes the page's show_if where it only uses
earlier pages, otherwise it is added to the show_if of each of its questions. Questions
outside any group share a page, titled with the form's title.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from survey_app.definitions.imports import (
    ANONYMITY, N_, Conversion, Message, Note, TextFindings, ascii_text, combine, slug, unique,
)
from survey_app.definitions.xlsform.columns import (
    TRANSLATABLE, Cleaned, clean_text, guess_language, language_of, parse_headings,
)
from survey_app.definitions.xlsform.expressions import ExpressionError
from survey_app.definitions.xlsform.relevant import Target, relevant_to_show_if
from survey_app.definitions.xlsform.reading import Sheet, Workbook
from survey_app.definitions.xlsform.types import Kind, classify

SURVEY_ROW = N_("survey row %(row)d")
NAMED_ROW = N_("survey row %(row)d (%(question)s)")
CHOICES_ROW = N_("choices row %(row)d")
SETTINGS = N_("settings")
FORM = N_("form")
TRUE_WORDS = {"yes", "true", "true()", "1"}
FALSE_WORDS = {"no", "false", "false()", "0", ""}
HANDLED_SETTINGS = {"form_title", "set_form_title", "title", "form_id", "set_form_id", "id_string",
                    "default_language"}


@dataclass
class Row:
    number: int
    values: dict[str, str]                      # field -> value
    texts: dict[str, dict[str, str]]            # translatable field -> {our language: raw text}
    unknown: dict[str, str] = field(default_factory=dict)   # heading -> value for columns we do not know
    kind: Kind | None = None
    sheet: str = "survey"

    @property
    def name(self) -> str:
        return self.values.get("name", "").strip()


@dataclass
class Group:
    row: Row
    kind: Kind
    children: list = field(default_factory=list)
    closed: bool = False


@dataclass
class Choice:
    name: str
    value: str
    label: dict[str, str]
    row: int


class Converter:
    def __init__(self, workbook: Workbook, source: str):
        self.book = workbook
        self.source = source
        self.notes: list[Note] = list(workbook.notes)
        self.question_ids: set[str] = set()
        self.page_ids: set[str] = set()
        self.targets: dict[str, Target] = {}
        self.page_of: dict[str, int] = {}
        self.pages: list[dict] = []
        self.page_chains: list[tuple] = []
        self.pending: tuple | None = None
        self.current: int | None = None
        self.scales: dict[str, dict] = {}
        self.count = 0
        self.seen_names: dict[str, int] = {}
        self.unknown_columns: set[str] = set()

    # ---- report
    def note(self, place: str, message: str, kind: str = "dropped", /, **params) -> None:
        self.notes.append(Note(place, message, tuple(params.items()), kind))

    def rnote(self, row: Row, message: str, kind: str = "dropped", /, **params) -> None:
        if row.sheet == "choices":
            self.note(CHOICES_ROW, message, kind, row=row.number, **params)
        elif row.name:
            self.note(NAMED_ROW, message, kind, row=row.number, question=row.name[:60], **params)
        else:
            self.note(SURVEY_ROW, message, kind, row=row.number, **params)

    # ---- the whole form
    def convert(self) -> Conversion:
        sheets = self.book.sheets
        self.settings = self._settings(sheets.get("settings"))
        columns = {key: parse_headings(sheet.headers, key) for key, sheet in sheets.items()}
        if "type" not in {c.field for c in columns["survey"].values()}:
            from survey_app.definitions.xlsform.reading import XLSFormError
            raise XLSFormError(N_("the survey sheet has no column “type” (its columns: %(columns)s)"),
                               columns=", ".join(h[:30] for h in sheets["survey"].headers[:12]) or "—")
        self._languages(columns, sheets)
        rows = self._rows(sheets["survey"], columns["survey"], "survey")
        choice_rows = self._rows(sheets["choices"], columns["choices"], "choices") if "choices" in sheets else []
        from survey_app.definitions.xlsform import choices
        self.choices = choices.choice_lists(self, choice_rows)
        self.all_names = {row.name for row in rows if row.name}
        self.referenced = _referenced_names(rows)
        tree = self._tree(rows)
        self.title = self._title()
        self.pending = ("", self.title, None, ())
        self.walk(tree, (), 0, False)
        self.finish_pages()
        choices.report_unused_lists(self)
        pages = [page for page in self.pages if page["questions"]]
        definition = self._top(pages)
        if pages:
            from survey_app.definitions.xlsform.checks import repair
            repair(self, definition)
        return Conversion(definition if pages else None, self.notes, self.count)

    def _settings(self, sheet: Sheet | None) -> dict[str, str]:
        if sheet is None or not sheet.rows:
            return {}
        columns = parse_headings(sheet.headers, "settings")
        number, record = sheet.rows[0]
        settings = {}
        for heading, value in record.items():
            key = columns[heading].field.lower()
            key = {"title": "form_title", "set_form_title": "form_title", "set_form_id": "form_id",
                   "id_string": "form_id"}.get(key, key)
            settings.setdefault(key, value)
            if key not in HANDLED_SETTINGS and not (key == "style" and value.strip().lower() == "pages"):
                self.note(SETTINGS, N_("the setting “%(setting)s” (%(value)s) has no counterpart here; left out"),
                          setting=heading[:40], value=value[:60])
        for number, _record in sheet.rows[1:]:
            self.note(SETTINGS, N_("row %(row)d: only the first row of settings is read; left out"), row=number)
        return settings

    # ---- languages
    def _languages(self, columns: dict, sheets: dict[str, Sheet]) -> None:
        written: list[str] = []
        plain_texts: list[str] = []
        for key, by_heading in columns.items():
            for column in by_heading.values():
                if column.field in ("label", "hint") and column.language:
                    written.append(column.language)
                elif column.field in ("label", "hint") and key in ("survey", "choices"):
                    plain_texts += [r[column.heading] for _, r in sheets[key].rows if column.heading in r][:200]
        self.code_of: dict[str, str] = {}
        order: list[str] = []
        for text in dict.fromkeys(written):
            code, known = language_of(text)
            if code in order and text not in self.code_of:
                self.note(FORM, N_("the columns for “%(language)s” are read as the language %(code)s, like others "
                                   "before them"), "changed", language=text[:40], code=code)
            elif not known:
                self.note(FORM, N_("the language “%(language)s” is not known by that name; its texts are kept under "
                                   "the code %(code)s: please correct it in “languages”"), "changed",
                          language=text[:40], code=code)
            self.code_of[text] = code
            if code not in order:
                order.append(code)
        stated = self.settings.get("default_language", "").strip()
        if stated:
            default, known = language_of(stated)
            if not known:
                self.note(SETTINGS, N_("default_language “%(language)s” is not known by that name; it is kept under "
                                       "the code %(code)s"), "changed", language=stated[:40], code=default)
            if default not in order and not plain_texts:
                self.note(SETTINGS, N_("default_language “%(language)s” has no columns; %(code)s is the first "
                                       "language instead"), "changed", language=stated[:40],
                          code=order[0] if order else default)
                default = order[0] if order else default
        elif plain_texts:
            guess = guess_language(plain_texts, set(order))
            default = guess or ("en" if "en" not in order else "und")
            self.note(FORM, N_("the form does not say which language its columns without a language (such as "
                               "“label”) are in; they look like %(code)s: please check the first entry of "
                               "“languages”"), "changed", code=default)
        elif order:
            default = order[0]
        else:
            default = "en"
            self.note(FORM, N_("the form has no label column; the names stand in for the texts, in English (en)"),
                      "changed")
        self.default = default
        self.languages = [default] + [code for code in order if code != default]

    def _rows(self, sheet: Sheet, columns: dict, key: str) -> list[Row]:
        rows = []
        unknown_reported = set()
        for number, record in sheet.rows:
            row = Row(number, {}, {}, sheet=key)
            plain: dict[str, str] = {}
            for heading, value in record.items():
                column = columns[heading]
                if column.field in TRANSLATABLE:
                    if column.language is None:
                        plain[column.field] = value
                    else:
                        row.texts.setdefault(column.field, {}).setdefault(self.code_of.get(
                            column.language, language_of(column.language)[0]), value)
                elif column.field in KNOWN_FIELDS[key]:
                    row.values.setdefault(column.field, value)
                else:
                    row.unknown[heading] = value
                    if key == "choices" and heading not in unknown_reported:
                        unknown_reported.add(heading)
                        self.note(N_("choices sheet"), N_("the column “%(column)s” has no counterpart here (used by "
                                                          "choice_filter?); left out"), column=heading[:40])
            for field_name, value in plain.items():
                row.texts.setdefault(field_name, {}).setdefault(self.default, value)
            rows.append(row)
        return rows

    # ---- texts
    def text(self, row: Row, field_name: str) -> dict[str, str]:
        """{language: plain text} of a translatable field, every change reported (once)."""
        result = {}
        merged = Cleaned("", [], TextFindings())
        for code, raw in row.texts.get(field_name, {}).items():
            if code not in self.languages:
                continue
            cleaned = clean_text(raw)
            merged.references += [r for r in cleaned.references if r not in merged.references]
            for flag in ("scripts", "media", "markup"):
                if getattr(cleaned.findings, flag):
                    setattr(merged.findings, flag, True)
            merged.markdown = merged.markdown or cleaned.markdown
            if cleaned.text:
                result[code] = cleaned.text
        self._report_text(row, merged, field_name)
        return result

    def _report_text(self, row: Row, cleaned: Cleaned, field_name: str) -> None:
        if cleaned.references:
            self.rnote(row, N_("the %(field)s refers to %(names)s, which cannot be filled in here; it is marked "
                               "[…] for you to rewrite"), "changed", field=field_name,
                       names=", ".join("${" + r + "}" for r in cleaned.references[:5]))
        if cleaned.findings.scripts:
            self.rnote(row, N_("the %(field)s contained a script, which was removed"), field=field_name)
        if cleaned.findings.media:
            self.rnote(row, N_("the %(field)s contained images or embedded content, which were removed"),
                       field=field_name)
        if cleaned.findings.markup or cleaned.markdown:
            self.rnote(row, N_("the %(field)s contained HTML or Markdown formatting; it is shown as plain text"),
                       "changed", field=field_name)

    def complete(self, text: dict[str, str], fallback: str) -> dict[str, str]:
        if self.default in text:
            return text
        other = next(iter(text.values()), fallback)
        return {self.default: other, **text}

    def standard(self, labels: dict[str, str]) -> dict[str, str]:
        """One of our own texts (e.g. “Other”) in every language we have it in."""
        text = {lang: labels[lang.split("_")[0].split("-")[0]] for lang in self.languages
                if lang.split("_")[0].split("-")[0] in labels}
        return self.complete(text, labels["en"])

    # ---- structure
    def _tree(self, rows: list[Row]) -> list:
        root: list = []
        stack: list[Group] = []
        for row in rows:
            raw_type = row.values.get("type", "").strip()
            if not raw_type:
                if any(row.texts.values()) or row.name:
                    self.rnote(row, N_("row without a type; left out"))
                continue
            row.kind = classify(raw_type)
            if row.kind.kind == "begin":
                group = Group(row, row.kind)
                (stack[-1].children if stack else root).append(group)
                stack.append(group)
            elif row.kind.kind == "end":
                if not stack:
                    self.rnote(row, N_("“%(type)s” closes no group; ignored"), "changed", type=raw_type[:40])
                    continue
                stack.pop().closed = True
            else:
                (stack[-1].children if stack else root).append(row)
        for group in reversed(stack):
            self.rnote(group.row, N_("the group is not closed with “end group”; it is closed at the end of the sheet"),
                       "changed")
        return root

    def walk(self, items: list, chain: tuple, level: int, merged: bool, title: dict | None = None,
             parent: Row | None = None) -> None:
        from survey_app.definitions.xlsform import questions

        for item in questions.find_grids(self, items, parent):
            if not isinstance(item, Group):
                questions.add_item(self, item, chain)
                continue
            group, row = item, item.row
            appearance = row.values.get("appearance", "").lower().split()
            if group.kind.control == "repeat":
                self.rnote(row, N_("repeats are not supported; the questions of this repeat are asked once"),
                           "changed")
            for token in appearance:
                if token not in ("field-list", "table-list"):
                    self.rnote(row, N_("the appearance “%(appearance)s” has no counterpart here; left out"),
                               appearance=token[:40])
            for column in ("repeat_count", "calculation", "read_only", "default", "choice_filter", "trigger"):
                if row.values.get(column):
                    self.rnote(row, N_("“%(column)s” of a group has no counterpart here; left out"), column=column)
            condition = self.condition(row, row.values.get("relevant", ""))
            if condition is False:
                self.rnote(row, N_("the group is never shown (relevant is always false); its questions are left "
                                   "out"))
                self._register_hidden(group.children)
                continue
            inner = chain + ((condition, row),) if isinstance(condition, dict) else chain
            label = self.text(row, "label")
            hint = self.text(row, "hint")
            if not merged:
                name_title = {self.default: row.name or str(len(self.pages) + 1)}
                page_title = self.complete(label, "") if label else (title or name_title)
                if not label and not title:
                    self.rnote(row, N_("the group has no label; its name is the page title"), "changed")
                self.pending = (row.name, page_title, self.complete(hint, "") if hint else None, inner)
                field_list = bool({"field-list", "table-list"} & set(appearance))
                self.walk(group.children, inner, level + 1, field_list, page_title, row)
                if level == 0:
                    self.pending = ("", self.title, None, ())
                else:
                    self.pending = ("", title or self.title, None, chain)
            else:
                # A table-list group that is one grid is a matrix on the page (its label is the
                # matrix's text): nothing to merge, nothing to report.
                found = questions.find_grids(self, group.children, row) if "table-list" in appearance else []
                if not (len(found) == 1 and isinstance(found[0], questions.Grid)):
                    if label or hint:
                        questions.group_note(self, row, label or hint, hint if label else {}, inner)
                    self.rnote(row, N_("a group inside a one-screen group (field-list) is merged into its page"),
                               "changed")
                self.walk(group.children, inner, level + 1, True, title, row)

    def _register_hidden(self, items: list) -> None:
        for item in items:
            if isinstance(item, Group):
                self._register_hidden(item.children)
            elif item.name:
                self.targets[item.name] = Target("none", reason=N_("refers to ${%(name)s}, which is never shown"))

    # ---- pages
    def add_question(self, question: dict, chain: tuple, own: dict | None) -> None:
        """Put a question on the current page (opening the pending one first)."""
        if self.pending is not None or self.current is None:
            name, title, intro, page_chain = self.pending or ("", self.title, None, ())
            page_id = unique(slug(name) if name else f"page_{len(self.pages) + 1}", self.page_ids)
            self.page_ids.add(page_id)
            page = {"id": page_id, "title": title}
            if intro:
                page["intro"] = intro
            page["questions"] = []
            self.pages.append(page)
            self.page_chains.append(page_chain)
            self.current, self.pending = len(self.pages) - 1, None
        question["_chain"] = chain
        question["_own"] = own
        self.pages[self.current]["questions"].append(question)
        self.page_of[question["id"]] = self.current

    def finish_pages(self) -> None:
        """Lift a group's conditions onto its page where they use only earlier pages; the
        rest goes onto each question."""
        for index, page in enumerate(self.pages):
            chain = self.page_chains[index]
            lifted = [condition for condition, _row in chain]
            usable = all(all(self.page_of.get(q, index) < index for q in _questions_in(c)) for c in lifted)
            if lifted and usable and page["questions"]:
                page["show_if"] = combine("all", lifted)
                questions_in_page = page.pop("questions")
                page["questions"] = questions_in_page
            elif lifted and page["questions"]:
                for _condition, row in chain:
                    self.rnote(row, N_("the group's condition uses questions of its own page; it is put on each of "
                                       "its questions"), "changed")
            for question in page["questions"]:
                extra = question.pop("_chain")[len(chain) if usable else 0:]
                own = question.pop("_own")
                parts = [c for c, _ in extra] + ([own] if own else [])
                if parts:
                    question["show_if"] = combine("all", parts)
                    _order_keys(question)

    # ---- conditions
    def resolver(self, page_level: bool = False):
        def resolve(name: str) -> Target:
            target = self.targets.get(name)
            if target is None:
                matches = [t for n, t in self.targets.items() if n.lower() == name.lower()]
                target = matches[0] if matches else None
            if target is None:
                if name in self.all_names:
                    return Target("none", reason=N_("refers to ${%(name)s}, which comes later in the form"))
                return Target("none", reason=N_("refers to ${%(name)s}, which is not a question of this form"))
            return target
        return resolve

    def condition(self, row: Row, expression: str) -> dict | bool | None:
        """A `relevant` as show_if (True: none needed; False: never shown); None, reported,
        when it has no counterpart (the question is then shown always)."""
        if not expression.strip():
            return True
        try:
            condition, changes = relevant_to_show_if(expression, self.resolver())
        except ExpressionError as error:
            self.rnote(row, N_("the condition “%(expression)s” is not carried over (%(reason)s); shown always"),
                       expression=_short(expression), reason=error.message_object())
            return None
        for change in changes:
            self.rnote(row, N_("in the condition, %(change)s"), "changed", change=change)
        return condition

    # ---- top level
    def _title(self) -> dict[str, str]:
        title = self.settings.get("form_title", "").strip()
        if not title:
            title = self.settings.get("form_id", "").strip() or re.sub(r"\.[A-Za-z]+$", "", self.source) or "XLSForm"
            self.note(SETTINGS, N_("the form has no form_title; “%(title)s” stands in"), "changed", title=title[:60])
        cleaned = clean_text(title).text or title
        return {lang: cleaned for lang in self.languages}

    def _top(self, pages: list[dict]) -> dict:
        base = self.settings.get("form_id", "").strip() or self.title[self.default]
        form_id = re.sub(r"[^a-z0-9]+", "-", ascii_text(base).lower()).strip("-")[:60].strip("-") or "xlsform"
        self.note(SETTINGS, N_("XLSForm has no purpose or anonymity statement: the title and a standard statement "
                               "stand in for them; please review them"), "changed")
        definition = {
            "id": form_id,
            "languages": self.languages,
            "title": self.title,
            "intro": dict(self.title),
            "anonymity": {lang: ANONYMITY.get(lang.split("_")[0].split("-")[0], ANONYMITY["en"])
                          for lang in self.languages},
        }
        if self.scales:
            definition["scales"] = self.scales
        definition["pages"] = pages
        return definition


KNOWN_FIELDS = {
    "survey": {"type", "name", "relevant", "required", "constraint", "appearance", "calculation", "read_only",
               "default", "choice_filter", "parameters", "repeat_count", "trigger", "note", "body", "autoplay",
               "rows", "no_app_error_string"},
    "choices": {"list_name", "name"},
}


def _questions_in(condition: dict) -> set[str]:
    found = set()
    stack = [condition]
    while stack:
        item = stack.pop()
        if "question" in item:
            found.add(item["question"])
        for key in ("all", "any"):
            stack.extend(item.get(key, []))
        if "not" in item:
            stack.append(item["not"])
    return found


def _order_keys(question: dict) -> None:
    """show_if after the question's own keys, as in our examples."""
    condition = question.pop("show_if")
    question["show_if"] = condition


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + " …"


def _referenced_names(rows: list[Row]) -> set[str]:
    """Every ${name} used in an expression of the sheet (to keep grid rows that later
    conditions need as questions of their own)."""
    names = set()
    for row in rows:
        for column in ("relevant", "constraint", "calculation", "choice_filter", "required", "repeat_count",
                       "default", "trigger"):
            names.update(m.strip() for m in re.findall(r"\$\{([^}]*)\}", row.values.get(column, "")))
    return names


__all__ = ["Converter", "Row", "Group", "Choice", "Message", "CHOICES_ROW"]
