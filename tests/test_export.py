"""export.py: wide CSV read back with the csv module."""
from __future__ import annotations

import csv
import io

import pytest

from survey_app.output.export import BOM, neutralize, response_table, to_csv
from survey_app.definitions.model import (
    DONT_KNOW,
    Item,
    Option,
    Page,
    Question,
    Questionnaire,
    Scale,
    ScalePoint,
)


def t(s: str) -> dict[str, str]:
    return {"de": s, "en": s}


AGREE = Scale("agree", tuple(ScalePoint(v, t(str(v))) for v in range(1, 6)), dont_know=t("wn"))
QUESTIONS = (
    Question("role", "single_choice", t("Rolle"),
             options=(Option("staff", t("Team")), Option("lead", t("Leitung")))),
    Question("topics", "multiple_choice", t("Themen"),
             options=(Option("net", t("Netz")), Option("admin", t("Verw.")),
                      Option("events", t("Feste")))),
    Question("sat", "scale", t("Zufriedenheit"), scale=AGREE),
    Question("tasks", "matrix", t("Aufgaben"), scale=AGREE,
             items=(Item("networking", t("Netzwerk")), Item("funding", t("Förderung")))),
    Question("hours", "number", t("Stunden")),
    Question("alloc", "allocation", t("Anteile"), total=100,
             items=(Item("a", t("A")), Item("b", t("B")))),
    Question("name", "short_text", t("Name")),
    Question("comment", "long_text", t("Kommentar")),
)
QN = Questionnaire("qn", "qn.yaml", t("T"), t(""), t(""), None, ("de", "en"),
                   (Page("p1", t("1"), QUESTIONS[:3]), Page("p2", t("2"), QUESTIONS[3:])))

EXPECTED_HEADERS = [
    "response_id", "submitted_on", "version", "language",
    "role", "topics.net", "topics.admin", "topics.events", "sat",
    "tasks.networking", "tasks.funding", "hours", "alloc.a", "alloc.b", "name", "comment",
]


def resp(i: int, answers: dict, language: str = "de") -> dict:
    return {"id": f"id-{i}", "survey_id": "s", "questionnaire_id": "qn", "version": "abc123",
            "language": language, "submitted_on": "2026-11-25", "answers": answers}


RESPONSES = [
    resp(1, {"role": "staff", "topics": ["net", "events"], "sat": 4,
             "tasks": {"networking": 5, "funding": DONT_KNOW}, "hours": 12.5,
             "alloc": {"a": 70, "b": 30}, "name": "Jürgen Größe", "comment": "Straße, \"ok\"\nneu"}),
    resp(2, {"role": "lead", "topics": [], "sat": DONT_KNOW, "tasks": {"funding": 2},
             "hours": -5, "name": "=1+1", "comment": "+x"}, language="en"),
    resp(3, {"topics": ["admin", "gone"], "name": "-x", "comment": "@x", "hours": -2.5}),
    resp(4, {"name": "\t=x", "comment": "\r=x", "role": "-5"}),
]


def parse(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM):], newline="")))


@pytest.fixture(scope="module")
def table() -> list[dict[str, str]]:
    rows = parse(to_csv(*response_table(QN, RESPONSES)))
    assert rows[0] == EXPECTED_HEADERS
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_bom_and_line_ends():
    text = to_csv(*response_table(QN, RESPONSES))
    assert text[0] == "\ufeff"
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert text.split("\r\n")[0] == BOM + ",".join(EXPECTED_HEADERS)
    assert not to_csv(["a"], [], bom=False).startswith(BOM)


def test_one_row_per_response(table):
    assert [r["response_id"] for r in table] == ["id-1", "id-2", "id-3", "id-4"]
    assert all(len(r) == len(EXPECTED_HEADERS) for r in table)
    first = table[0]
    assert (first["submitted_on"], first["version"], first["language"]) == (
        "2026-11-25", "abc123", "de")
    assert table[1]["language"] == "en"


def test_values_as_stored(table):
    first = table[0]
    assert first["role"] == "staff"
    assert first["sat"] == "4"
    assert first["tasks.networking"] == "5" and first["tasks.funding"] == DONT_KNOW
    assert first["hours"] == "12.5"
    assert (first["alloc.a"], first["alloc.b"]) == ("70", "30")
    second = table[1]
    assert second["sat"] == "dk"
    assert (second["tasks.networking"], second["tasks.funding"]) == ("", "2")
    assert second["alloc.a"] == "" and second["role"] == "lead"
    assert table[2]["role"] == ""   # not answered -> empty cell


def test_multiple_choice_zero_one_columns(table):
    cols = ["topics.net", "topics.admin", "topics.events"]
    assert [table[0][c] for c in cols] == ["1", "0", "1"]
    assert [table[1][c] for c in cols] == ["", "", ""]   # [] = not answered
    assert [table[2][c] for c in cols] == ["0", "1", "0"]  # unknown "gone" has no column
    assert [table[3][c] for c in cols] == ["", "", ""]   # absent


def test_umlauts_quotes_and_newlines_survive(table):
    assert table[0]["name"] == "Jürgen Größe"
    assert table[0]["comment"] == "Straße, \"ok\"\nneu"


def test_formula_injection_neutralised(table):
    assert table[1]["name"] == "'=1+1"
    assert table[1]["comment"] == "'+x"
    assert table[2]["name"] == "'-x"
    assert table[2]["comment"] == "'@x"
    assert table[3]["name"] == "'\t=x"
    assert table[3]["comment"] == "'\r=x"


def test_plain_numbers_stay_numeric(table):
    assert table[1]["hours"] == "-5"
    assert table[2]["hours"] == "-2.5"
    assert table[3]["role"] == "-5"          # a numeric string too


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+x", "'+x"), ("-x", "'-x"), ("@x", "'@x"), ("\t=x", "'\t=x"),
    ("\r=x", "'\r=x"), ("-5", "-5"), ("-2.5", "-2.5"), ("+3", "+3"), ("-1e5", "-1e5"),
    ("-", "'-"), ("--5", "'--5"), ("-5+A1", "'-5+A1"), ("ok", "ok"), ("a=b", "a=b"),
    (-5, -5), (2.5, 2.5), (None, None),
])
def test_neutralize(value, expected):
    assert neutralize(value) == expected


def test_response_table_for_reuse():
    headers, rows = response_table(QN, RESPONSES[:2])
    assert headers == EXPECTED_HEADERS
    # raw values, unescaped, typed (for an XLSX writer)
    assert rows[0][:5] == ["id-1", "2026-11-25", "abc123", "de", "staff"]
    assert rows[0][headers.index("topics.net")] == 1
    assert rows[0][headers.index("hours")] == 12.5
    assert rows[1][headers.index("name")] == "=1+1"
    assert rows[1][headers.index("topics.net")] is None


def test_malformed_values_do_not_crash():
    weird = [resp(5, {"role": ["staff"], "topics": "net", "tasks": [1], "alloc": 5,
                      "sat": True, "name": {"x": "ü"}}), {"answers": None}, {}]
    rows = parse(to_csv(*response_table(QN, weird)))
    assert len(rows) == 1 + len(weird)
    row = dict(zip(rows[0], rows[1]))
    assert row["role"] == '["staff"]'
    assert row["topics.net"] == "" and row["tasks.networking"] == "" and row["alloc.a"] == ""
    assert row["sat"] == "true"
    assert row["name"] == '{"x": "ü"}'
    assert rows[3][0] == ""


def test_semicolon_delimiter_for_german_excel():
    text = to_csv(["a", "b"], [["x;y", 1]], delimiter=";")
    assert text == BOM + 'a;b\r\n"x;y";1\r\n'


def test_fielding_columns_follow_the_meta_columns_and_are_in_the_codebook():
    from survey_app.output.export import codebook_table

    data = [{**RESPONSES[0], "pseudonym": "MA07K", "invitation": 12}]
    headers, rows = response_table(QN, data, extra=("pseudonym", "invitation"))
    assert headers[4:6] == ["pseudonym", "invitation"] and rows[0][4:6] == ["MA07K", 12]
    codebook_headers, codebook = codebook_table(QN, "de", extra=("pseudonym", "invitation"))
    assert [row[0] for row in codebook] == headers
