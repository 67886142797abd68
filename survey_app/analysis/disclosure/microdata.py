"""Response-level files for evaluators: k-anonymous on the grouping questions (pure).

A response-level file (CSV, long CSV, the XLSX response sheet) shows each person's row. So that
nobody can be picked out by what colleagues know about them (programme, quarter, the options
they chose ...), every combination of grouping answers in the file is shared by at least
`minimum` rows (k-anonymity), reached by local suppression as statistical offices do it:

1. a grouping answer given by fewer than `minimum` people is blanked everywhere (it could never
   be shared by enough rows);
2. while some rows have a combination shared by fewer than `minimum` rows, each such row loses
   the one grouping answer that is rarest in the file (ties: questionnaire order). A blank is a
   value of its own: rows match only when their blanks match too;
3. if the rows with everything blank are fewer than `minimum`, rows of the largest combination
   (or a whole smallest combination) are blanked as well.

The result depends only on the data. The questionnaire version counts as a grouping answer
(versions answered by fewer than `minimum` are pooled first, rules.pooled_versions). The rows
carry no response id, no dates, no draft key: a row number per file, in random order, so that
rows of two files cannot be matched. Never filter a microdata file: a filter labels its rows.
"""
from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from survey_app.analysis.disclosure.groups import _chosen
from survey_app.analysis.disclosure.rules import OTHER_VERSION, pooled_versions
from survey_app.analysis.summaries import Response, answers_of, options_of, raw_answer
from survey_app.definitions.model import Questionnaire
from survey_app.messages import Message, _l

BLANK = "(blank)"          # a blanked grouping answer, as the quasi-identifier value


@dataclass(frozen=True)
class MicrodataRow:
    number: int                      # 1 .. rows, per file
    version: str                     # pooled: OTHER_VERSION for versions of fewer than minimum
    answers: dict                    # grouping answers blanked where needed (see `blanked`)
    blanked: frozenset[str]          # question ids, or "question.option" for a multiple-choice option


@dataclass(frozen=True)
class Microdata:
    rows: tuple[MicrodataRow, ...]
    blanked: dict[str, int]          # per column ("question" or "question.option"): cells blanked
    minimum: int

    @property
    def note(self) -> dict[str, int]:
        """For the file's note: which grouping answers were blanked how often."""
        return {column: count for column, count in self.blanked.items() if count}


def _columns(questionnaire: Questionnaire) -> list[tuple[str, str, str | None]]:
    """(column, question id, option) of every grouping answer in a row."""
    out = []
    for question in questionnaire.questions():
        if question.kind.can_break_down:
            out.append((question.id, question.id, None))
        elif question.kind.chooses == "several":
            out += [(f"{question.id}.{o.value}", question.id, o.value) for o in question.options]
    return out


def _value(questionnaire: Questionnaire, response: Response, question_id: str, option: str | None):
    question = questionnaire.question(question_id)
    raw = raw_answer(response, question_id)
    if option is None:
        known = [o.value for o in options_of(question)]
        return raw if isinstance(raw, str) and raw in known else None
    return option in _chosen(question, raw)


def k_anonymous(questionnaire: Questionnaire, responses: Sequence[Response], minimum: int, *,
                include_texts: bool = False, rng: random.Random | None = None) -> Microdata:
    """The rows of a response-level file for evaluators. Free texts are left out unless asked
    for; `rng` only decides the order of the rows (default: a fresh random order each time)."""
    responses = list(responses)
    if len(responses) < minimum:
        return Microdata((), {}, minimum)
    columns = _columns(questionnaire)
    version_counts = Counter(str(r.get("version", "")) for r in responses)
    shown_versions = pooled_versions(version_counts, minimum)

    def version_of(response) -> str:
        version = str(response.get("version", ""))
        return version if version in shown_versions and version != OTHER_VERSION else OTHER_VERSION

    names = [c for c, _, _ in columns] + ["version"]
    table = [[_value(questionnaire, r, q, o) for _, q, o in columns] + [version_of(r)] for r in responses]
    blanked = {name: 0 for name in names}

    def blank(row: list, index: int) -> None:
        if row[index] != BLANK:
            row[index] = BLANK
            blanked[names[index]] += 1

    # 1. values too rare to be shared by enough rows
    for index in range(len(names)):
        frequency = Counter(row[index] for row in table)
        for row in table:
            if frequency[row[index]] < minimum:
                blank(row, index)
    # 2. rows whose combination is too rare lose their rarest value, all such rows at once
    while True:
        combos = Counter(tuple(row) for row in table)
        rare = [row for row in table if combos[tuple(row)] < minimum and any(v != BLANK for v in row)]
        if not rare:
            break
        frequency = [Counter(row[index] for row in table) for index in range(len(names))]
        for row in rare:
            index = min((i for i, v in enumerate(row) if v != BLANK), key=lambda i: (frequency[i][row[i]], i))
            blank(row, index)
    # 3. too few rows with everything blank
    empty = [row for row in table if all(v == BLANK for v in row)]
    if 0 < len(empty) < minimum:
        needed = minimum - len(empty)
        groups: dict[tuple, list[int]] = {}
        for position, row in enumerate(table):
            if any(v != BLANK for v in row):
                groups.setdefault(tuple(row), []).append(position)
        largest = max(groups.values(), key=lambda g: (len(g), repr(table[g[0]])), default=[])
        if len(largest) >= minimum + needed:
            chosen = sorted(largest, key=lambda p: _content_key(responses[p]))[:needed]
        else:
            chosen = min(groups.values(), key=lambda g: (len(g), repr(table[g[0]])), default=[])
        for position in chosen:
            for index in range(len(names)):
                blank(table[position], index)

    rows = []
    for response, row in zip(responses, table):
        answers = dict(answers_of(response))
        gone: set[str] = set()
        for index, (column, question_id, option) in enumerate(columns):
            if row[index] != BLANK:
                continue
            gone.add(column)
            if option is None:
                answers.pop(question_id, None)
            elif isinstance(answers.get(question_id), list):
                answers[question_id] = [v for v in answers[question_id] if v != option]
        if not include_texts:
            for question in questionnaire.questions():
                if question.kind.is_free_text:
                    answers.pop(question.id, None)
        version = row[-1]
        if version == BLANK:
            gone.add("version")
        rows.append((answers, version, frozenset(gone)))
    (rng or random.Random()).shuffle(rows)
    return Microdata(tuple(MicrodataRow(i + 1, "" if version == BLANK else version, answers, gone)
                           for i, (answers, version, gone) in enumerate(rows)), blanked, minimum)


def _content_key(response: Response) -> str:
    return json.dumps(answers_of(response), sort_keys=True, default=str)


def quasi_identifiers(questionnaire: Questionnaire, row: MicrodataRow) -> tuple:
    """The grouping answers of a file row as a reader sees them (blanks included)."""
    out = []
    for column, question_id, option in _columns(questionnaire):
        if column in row.blanked:
            out.append(BLANK)
        elif option is None:
            out.append(_value(questionnaire, {"answers": row.answers}, question_id, None))
        else:
            out.append(option in _chosen(questionnaire.question(question_id), row.answers.get(question_id)))
    out.append(BLANK if "version" in row.blanked else row.version)
    return tuple(out)


def blanking_note(blanked: dict[str, int], minimum: int) -> Message:
    """What a response-level file (and the page) says about its k-anonymity: how many values
    were blanked, per column (a grouping question, "question.option", "version")."""
    total = sum(blanked.values())
    if not total:
        return _l("k-anonymity: every combination of answers to the filter and breakdown questions and "
                  "the questionnaire version is shared by at least %(min)d rows; no value had to be blanked.",
                  min=minimum)
    columns = ", ".join(f"{column} {count}" for column, count in blanked.items() if count)
    return _l("k-anonymity: so that every combination of answers to the filter and breakdown questions and "
              "the questionnaire version is shared by at least %(min)d rows, %(n)d values were blanked "
              "(per column: %(columns)s).", min=minimum, n=total, columns=columns)


# --------------------------------------------------------------------------- the files

EVALUATOR_META = ("row", "version")                                   # a row number, the pooled version
UNTOUCHED_META = ("response_id", "submitted_on", "version", "language")  # admins' untouched file


@dataclass(frozen=True)
class ResponseFile:
    """Which rows and columns a response-level file holds, for every writer (CSV, long CSV,
    XLSX and any other format): `meta` are the columns before the questions' columns, each
    row is a response-like mapping ("id" is the row number in a microdata file), free-text
    questions are in the file only when `texts` lists them."""
    meta: tuple[str, ...]
    rows: tuple[dict, ...]
    texts: frozenset[str]          # free-text questions whose answers are written
    untouched: bool
    blanked: dict[str, int]        # microdata: grouping answers blanked per column

    @property
    def include_texts(self) -> bool:
        return bool(self.texts)


def response_rows(questionnaire: Questionnaire, responses: Sequence[Response], minimum: int, *,
                  untouched: bool = False, texts: frozenset[str] = frozenset(),
                  hidden_texts=None, extra: Sequence[str] = (),
                  rng: random.Random | None = None) -> ResponseFile:
    """The one decision which rows and columns a response-level download holds.

    * For evaluators (`untouched` False): microdata, k-anonymous on the grouping questions
      (k_anonymous), a row number per file instead of the response id, random order, no dates,
      no language, no pseudonym or invitation number, never filtered. Free texts only of the
      questions in `texts` (the caller passes those the evaluator asked for and the release
      plan shows for everybody); hidden free texts never.
    * For admins after a confirmation (`untouched` True): every counted response as stored,
      with its id, day, language and the fielding's `extra` columns (hidden texts still left out).
    """
    hidden = {question_id: set(ids) for question_id, ids in (hidden_texts or {}).items()}
    free_texts = {q.id for q in questionnaire.questions() if q.kind.is_free_text}

    def without_hidden(response: Response) -> dict:
        answers = {question_id: value for question_id, value in answers_of(response).items()
                   if not (question_id in free_texts and
                           (question_id not in texts or response.get("id") in hidden.get(question_id, ())))}
        return {**response, "answers": answers}

    if untouched:
        return ResponseFile((*UNTOUCHED_META, *extra), tuple(without_hidden(r) for r in responses),
                            frozenset(texts), True, {})
    data = k_anonymous(questionnaire, [without_hidden(r) for r in responses], minimum,
                       include_texts=bool(texts), rng=rng)
    rows = tuple({"id": row.number, "version": row.version, "answers": row.answers} for row in data.rows)
    return ResponseFile(EVALUATOR_META, rows, frozenset(texts), False, data.note)
