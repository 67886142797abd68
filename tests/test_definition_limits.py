"""Hostile YAML definitions (questionnaires and workshop templates) are refused with a clear
message, and reading them stays bounded: aliases of aliases ("billion laughs"), a loop of
aliases, nesting too deep for the reader, a file too large. Ordinary files with anchors
(docs/questionnaire-format.md shows them) keep working."""
from __future__ import annotations

import signal
from contextlib import contextmanager

import pytest

from survey_app import PROJECT_ROOT
from survey_app.definitions.loader import MAX_DEFINITION_BYTES, MAX_DEPTH, MAX_VALUES
from survey_app.definitions.questionnaire import load_bytes, load_file
from survey_app.workshops.templates import load_template_file


def laughs(levels: int = 9, width: int = 9, head: str = "id: laughs\nlanguages: [de]\ntitle: {de: x}\n") -> str:
    """The classic: each level a list of `width` aliases of the level below (0.4 KiB for 9 x 9,
    expanding to 9**9 texts)."""
    names = "abcdefghijklmnop"
    text = head + f"{names[0]}: &{names[0]} [" + ", ".join(['"lol"'] * width) + "]\n"
    for below, level in zip(names, names[1:levels]):
        text += f"{level}: &{level} [" + ", ".join([f"*{below}"] * width) + "]\n"
    return text + f"pages: *{names[levels - 1]}\n"


@contextmanager
def bounded(seconds: int = 60):
    """Only a guard, so that the old code fails instead of hanging the suite: the checks below
    are about the message, and the files are read in milliseconds."""
    def give_up(*_):
        raise AssertionError(f"still reading the file after {seconds} s")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def messages(problems) -> list[str]:
    return [f"{p.location}: {p.message}" for p in problems]


def test_billion_laughs_is_refused_with_a_message():
    text = laughs()
    assert len(text.encode()) < 700
    with bounded():
        questionnaire, problems = load_bytes(text.encode(), "laughs.yaml")
    assert questionnaire is None
    assert len(problems) == 1
    assert f"holds more than {MAX_VALUES:,} values" in problems[0].message
    assert "an alias such as *name counts everything it names" in problems[0].message
    assert problems[0].location.startswith("line ")


def test_a_smaller_expansion_beyond_the_limit_is_refused_too():
    # 6 levels of 9: about 600,000 texts, which the old reader took many seconds to walk
    with bounded():
        _questionnaire, problems = load_bytes(laughs(levels=6).encode(), "laughs.yaml")
    assert any(f"more than {MAX_VALUES:,} values" in m for m in messages(problems))


def test_merge_keys_count_what_they_merge():
    text = "a: &a {" + ", ".join(f"k{i}: v" for i in range(9)) + "}\n"
    for below, level in zip("abcdefg", "bcdefgh"):
        text += f"{level}: &{level} [" + ", ".join(f"{{<<: *{below}, x{i}: 1}}" for i in range(9)) + "]\n"
    with bounded():
        _questionnaire, problems = load_bytes(text.encode(), "merge.yaml")
    assert any(f"more than {MAX_VALUES:,} values" in m for m in messages(problems))


def test_an_alias_inside_what_it_names_is_refused():
    for text in ("id: loop\npages: &p [1, *p]\n", "id: loop\npages: &p {a: *p}\n"):
        with bounded():
            _questionnaire, problems = load_bytes(text.encode(), "loop.yaml")
        assert messages(problems) == ["line 2: the alias *p is used inside the list or mapping it names (a loop)"]


@pytest.mark.parametrize("text", [
    "id: deep\npages: " + "[" * 2000 + "]" * 2000 + "\n",
    "id: deep\npages: " + "{a: " * 400 + "1" + "}" * 400 + "\n",
])
def test_deep_nesting_is_a_problem_not_a_crash(text):
    with bounded():
        _questionnaire, problems = load_bytes(text.encode(), "deep.yaml")  # was: RecursionError (a 500)
    assert messages(problems) == [f"line 2: lists and mappings are nested more than {MAX_DEPTH} levels deep "
                                  "(aliases included)"]


def test_aliases_count_for_the_depth():
    text = "a: &a " + "[" * 30 + "1" + "]" * 30 + "\nb: &b " + "[" * 25 + "*a" + "]" * 25 + "\n"
    _questionnaire, problems = load_bytes(text.encode(), "deep.yaml")
    assert any(f"nested more than {MAX_DEPTH} levels deep" in m for m in messages(problems))


def test_a_file_beyond_the_size_limit_is_refused_before_it_is_read():
    text = "id: big\ntitle: {de: '" + "x" * MAX_DEFINITION_BYTES + "'}\n"
    _questionnaire, problems = load_bytes(text.encode(), "big.yaml")
    assert messages(problems) == [f"file: the file has {len(text):,} bytes; a definition may have at most "
                                  f"{MAX_DEFINITION_BYTES:,} bytes (2 MiB)"]


def test_shipped_files_with_anchors_still_load():
    for name in ("staff-self-assessment.yaml", "stakeholder-questionnaire.yaml"):
        raw = (PROJECT_ROOT / "questionnaires" / name).read_bytes()
        assert b"*networking" in raw or b"&" in raw  # they use anchors and aliases
        questionnaire, problems = load_file(PROJECT_ROOT / "questionnaires" / name)
        assert questionnaire is not None, messages(problems)


def test_a_workshop_template_gets_the_same_bounds(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs(head="id: laughs\nlanguages: [de]\ntitle: {de: x}\n").replace("pages:", "polls:"))
    with bounded():
        template, problems = load_template_file(path)
    assert template is None
    assert any(f"more than {MAX_VALUES:,} values" in m for m in messages(problems))
    assert load_template_file(PROJECT_ROOT / "questionnaires" / "workshops" /
                              "neighbourhood-management-workshop.yaml")[0] is not None
