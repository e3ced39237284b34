"""The topic query grammar: valid queries, their DNF, and precise errors with positions."""

from __future__ import annotations

import pytest

from newsradar.errors import UserError
from newsradar.topics import MAX_CLAUSES, MAX_DEPTH, TopicQueryError, compile_query


def dnf(query: str) -> list[list[str]]:
    return [
        [("NOT " if t.negated else "") + t.source_text for t in c] for c in compile_query(query).clauses()
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("peace", [["peace"]]),
        ("peace talks", [["peace", "talks"]]),  # implicit AND
        ("peace AND talks", [["peace", "talks"]]),
        ("peace OR talks", [["peace"], ["talks"]]),
        ('"peace talks"', [['"peace talks"']]),
        ("«мирные переговоры»", [["«мирные переговоры»"]]),
        ("“peace talks”", [["“peace talks”"]]),
        ("a b OR c", [["a", "b"], ["c"]]),  # AND binds tighter than OR
        ("a OR b c", [["a"], ["b", "c"]]),
        ("a AND (b OR c)", [["a", "b"], ["a", "c"]]),
        ("(a OR b) (c OR d)", [["a", "c"], ["a", "d"], ["b", "c"], ["b", "d"]]),
        ("talks AND NOT trade", [["talks", "NOT trade"]]),
        ("talks NOT trade", [["talks", "NOT trade"]]),  # implicit AND NOT
        ("talks AND NOT (trade OR tariff*)", [["talks", "NOT trade", "NOT tariff*"]]),
        ("talks AND NOT (trade AND deal)", [["talks", "NOT trade"], ["talks", "NOT deal"]]),
        ("talks AND NOT NOT peace", [["talks", "peace"]]),
        ("peace OR peace", [["peace"]]),
        ("peace OR (peace AND talks)", [["peace"]]),  # subsumed clause dropped
        ("peace AND Peace", [["peace"]]),  # same pattern (case-insensitive)
        ("(a AND NOT a) OR b", [["b"]]),  # contradictory clause dropped
        ("((((peace))))", [["peace"]]),
        ("переговор* OR мирн*", [["переговор*"], ["мирн*"]]),
        ("  peace\n\tOR  talks  ", [["peace"], ["talks"]]),
        ('"AND" OR "not"', [['"AND"'], ['"not"']]),  # operators quoted are words
        ("and", [["and"]]),  # lowercase is a word (with a warning)
        ("U.S. sanctions", [["U.S.", "sanctions"]]),
        ("COVID-19", [["COVID-19"]]),
        ('"\'); drop table articles; --"', [['"\'); drop table articles; --"']]),
        ("a(b)", [["a", "b"]]),
        ('peace"talks"', [["peace", '"talks"']]),
    ],
)
def test_valid_queries(query: str, expected: list[list[str]]) -> None:
    assert dnf(query) == expected


@pytest.mark.parametrize(
    ("query", "position", "fragment"),
    [
        ("", 0, "empty query"),
        ("   ", 0, "empty query"),
        ("peace AND", 6, "dangling operator: AND"),
        ("peace OR", 6, "dangling operator: OR"),
        ("peace AND NOT", 10, "dangling operator: NOT"),
        ("AND peace", 0, "AND needs a term before it"),
        ("OR peace", 0, "OR needs a term before it"),
        ("peace OR OR talks", 9, "expected a term after OR, found OR"),
        ("peace AND OR talks", 10, "expected a term after AND, found OR"),
        ("(peace OR talks", 0, "unclosed '('"),
        ("a OR (b AND (c OR d)", 5, "unclosed '('"),
        ("peace)", 5, "unexpected ')'"),
        ("(peace) talks)", 13, "unexpected ')'"),
        (")", 0, "unexpected ')'"),
        ("peace ()", 6, "empty parentheses"),
        ("(peace OR)", 9, "expected a term after OR, found ')'"),
        ('peace "talks', 6, "unterminated quote"),
        ("«мирные переговоры", 0, "unterminated quote"),
        ("мирные»", 6, "closing quote"),
        ("*", 0, "lone '*'"),
        ("peace OR *", 9, "lone '*'"),
        ("pe*ce", 2, "only allowed at the end"),
        ("peace**", 5, "only allowed at the end"),
        ("*peace", 0, "only allowed at the end"),
        ("a*", 1, "at least 2 letters"),
        ('"peace t*"', 8, "at least 2 letters"),
        ("U.S.*", 4, "must follow a letter"),
        ('""', 0, "empty phrase"),
        ('"   "', 0, "empty phrase"),
        ('";;"', 0, "no letter or digit"),
        ("--", 0, "no letter or digit"),
        ("NOT peace", 0, "NOT needs a positive term"),
        ("peace OR NOT war", 9, "NOT needs a positive term"),
        ("NOT (a OR b)", 0, "NOT needs a positive term"),
        ("peace AND NOT peace", 0, "can never match"),
        ("peace\x00", 5, "control"),
        ("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1), MAX_DEPTH, "nested too deeply"),
        ("NOT " * (MAX_DEPTH + 1) + "a", 4 * MAX_DEPTH, "nested too deeply"),
    ],
)
def test_invalid_queries(query: str, position: int, fragment: str) -> None:
    with pytest.raises(TopicQueryError) as info:
        compile_query(query)
    err = info.value
    assert fragment in err.message
    assert err.position == position
    assert err.query == query


def test_dnf_explosion_is_refused_with_position() -> None:
    group = "(" + " OR ".join(f"w{i}x" for i in range(4)) + ")"
    query = " AND ".join([group] * 5)  # 4**5 = 1024 alternatives
    assert 4**5 > MAX_CLAUSES
    with pytest.raises(TopicQueryError, match="too complex") as info:
        compile_query(query)
    assert info.value.position == 0


def test_error_shows_caret_under_position() -> None:
    with pytest.raises(TopicQueryError) as info:
        compile_query('peace AND "talks')
    text = str(info.value)
    lines = text.splitlines()
    assert lines[0].startswith('unterminated quote: " has no closing "')
    assert lines[1] == '    peace AND "talks'
    assert lines[2] == "    " + " " * 10 + "^"
    assert isinstance(info.value, UserError)


def test_caret_on_the_right_line_of_a_multiline_query() -> None:
    with pytest.raises(TopicQueryError) as info:
        compile_query("peace OR\ntalks AND")
    lines = str(info.value).splitlines()
    assert lines[1] == "    talks AND"
    assert lines[2] == "          ^"


def test_lowercase_operator_words_warn() -> None:
    assert compile_query("peace and talks").warnings
    assert not compile_query('peace AND "and"').warnings


def test_too_long_query() -> None:
    with pytest.raises(TopicQueryError, match="longer than"):
        compile_query("a" * 30_000)
