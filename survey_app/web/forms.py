"""WTForms built at run time from one questionnaire page, and the mapping between
form fields and stored answers (see docs/questionnaire-format.md for answer values).

Each question type builds its own fields and reads its own answer (survey_app/questions/:
fields, field_names, check, answer, form_input); this module puts a page together. Field
names: a question's id, or "<question>-<item>" where a type has a field per item or option.

Questions hidden by a show_if condition (given the stored answers and what was posted
on the page) are neither checked nor stored: see PageFormBase.hidden.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field
from werkzeug.datastructures import MultiDict

from survey_app.definitions.conditions import visibility
from survey_app.fieldings.navigation import visible_pages
from survey_app.definitions.model import Question, Questionnaire


class PageFormBase(FlaskForm):
    """Adds per-question errors (a type's `check`, e.g. of numbers that must add up) to the
    per-field errors of WTForms, and leaves out the questions that show_if conditions hide."""

    questionnaire: Questionnaire
    page_index: int

    class Meta:
        # The page template carries the token; CSRFProtect checks it on every POST, so a
        # page can also be checked again from the stored draft, where no token is.
        csrf = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.question_errors: dict[str, list[str]] = {}
        self.hidden: frozenset[str] = frozenset()   # ids of this page's hidden questions

    @property
    def page(self):
        return self.questionnaire.pages[self.page_index]

    def validate(self, extra_validators=None) -> bool:
        self.question_errors = {}
        super().validate(extra_validators)
        for question in self.page.questions:
            if question.id in self.hidden:
                for name in field_names(question):
                    self[name].errors = []
                continue
            message = question.kind.check(self, question)
            if message:
                self.question_errors[question.id] = [message]
        self._errors = None   # WTForms caches the errors dict; fields were changed above
        return not self.question_errors and not any(field.errors for field in self)

    def visible_question_ids(self) -> list[str]:
        return [q.id for q in self.page.questions if q.id not in self.hidden]

    def errors_for(self, question: Question) -> list[str]:
        """Every error of a question, for the summary at the top of the page."""
        messages = list(self.question_errors.get(question.id, []))
        for name in field_names(question):
            messages.extend(self[name].errors)
        return messages


def field_names(question: Question) -> list[str]:
    return question.kind.field_names(question)


def page_form(questionnaire: Questionnaire, page_index: int, lang: str, answers: dict,
              formdata=None, entered: dict | None = None) -> PageFormBase:
    """The form for one page: from the posted formdata, or else from the draft: the input as
    typed (`entered`, see draft_changes) where there is some, else the stored answers.

    Its `hidden` questions follow from the stored answers together with what was posted on
    this page, so a condition on an earlier question of the same page counts as answered now.
    """
    page = questionnaire.pages[page_index]
    fields: dict[str, Field] = {}
    for question in page.questions:
        fields.update(question.kind.fields(question, lang, questionnaire.default_language))
    form_class = type("PageForm", (PageFormBase,), {
        "questionnaire": questionnaire, "page_index": page_index, **fields})
    if formdata is None:
        formdata = draft_formdata(page, answers, entered or {})
    # Posted data alone decides; mixing in stored answers would resurrect cleared ones.
    form = form_class(formdata=formdata)
    answers = {**answers, **{q.id: q.kind.answer(form, q) for q in page.questions if q.has_answer}}
    on_page = {q.id for q in page.questions}
    form.hidden = visibility(questionnaire, answers).hidden_questions & on_page
    return form


def draft_formdata(page, answers: dict, entered: dict) -> MultiDict:
    """A page's fields as a browser would send them again: what the respondent typed
    (`entered`), else the stored answer written as form input."""
    data = MultiDict()
    for question in page.questions:
        if not question.has_answer:
            continue
        typed = entered.get(question.id)
        fields = typed if isinstance(typed, dict) else question.kind.form_input(question, answers.get(question.id))
        names = set(field_names(question))
        for name, values in fields.items():
            if name in names and isinstance(values, list):
                for value in values:
                    data.add(name, str(value))
    return data


def draft_changes(form: PageFormBase) -> tuple[dict, dict]:
    """What a posted page changes in the draft (call after form.validate()), as
    (answers, entered): per question the answer when it passes every check, else None
    (which deletes it), and the input exactly as typed, complete or not, valid or not, so
    that the page shows it again after "Back", "Save" or resuming on another device.
    Hidden questions keep neither."""
    answers: dict = {}
    entered: dict = {}
    for question in form.page.questions:
        if not question.has_answer:
            continue
        hidden = question.id in form.hidden
        valid = not hidden and not form.errors_for(question)
        answers[question.id] = question.kind.answer(form, question) if valid else None
        typed = {} if hidden else {name: list(form[name].raw_data) for name in field_names(question)
                                   if form[name].raw_data}
        entered[question.id] = typed or None
    return answers, entered


def check_draft(questionnaire: Questionnaire, lang: str, draft: dict) -> tuple[int | None, dict]:
    """Every page the draft's answers show, checked again from the draft exactly as "Next"
    checks it: (index of the first page with a problem or None, the answers of the pages
    checked). A response is built only from answers that passed this."""
    answers = {k: v for k, v in (draft.get("answers") or {}).items() if v is not None}
    entered = draft.get("entered") or {}
    checked: set[int] = set()
    while True:  # an answer may show a further page; check until none is left
        pending = [i for i in visible_pages(questionnaire, answers) if i not in checked]
        if not pending:
            return None, answers
        form = page_form(questionnaire, pending[0], lang, answers, entered=entered)
        if not form.validate():
            return pending[0], answers
        for question_id, value in answers_from_form(form).items():
            if value is None:
                answers.pop(question_id, None)
            else:
                answers[question_id] = value
        checked.add(pending[0])


def answers_from_form(form: PageFormBase) -> dict:
    """Stored answers for the page's questions; None marks an unanswered question, and
    hidden questions are marked unanswered too, so that nothing is kept for them."""
    return {question.id: None if question.id in form.hidden else question.kind.answer(form, question)
            for question in form.page.questions if question.has_answer}
