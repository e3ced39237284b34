"""Matching semantics: the Python reference evaluator, RE2 in DuckDB and RE2 in pyarrow agree.

``Query.matches`` walks the parsed expression with a hand-written scanner; the SQL side evaluates
the DNF of RE2 patterns. Every case here is checked three ways, plus random queries over random
texts, plus the data-driven DNF in DuckDB (``match_articles``).
"""

from __future__ import annotations

import random

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from newsradar.topics import (
    Topic,
    TopicQueryError,
    compile_query,
    match_articles,
    match_patterns,
    topic_terms_table,
)
from newsradar.topics.language import required_literal


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    yield c
    c.close()


def duckdb_dnf(con, query, text: str) -> bool:
    hits = {}
    for clause in query.clauses():
        for t in clause:
            if t.pattern not in hits:
                # the pattern is a bound parameter; lower() is DuckDB's own
                hits[t.pattern] = con.execute(
                    "select regexp_matches(lower($1), $2)", [text, t.pattern]
                ).fetchall()[0][0]
    return any(all(hits[t.pattern] != t.negated for t in clause) for clause in query.clauses())


def arrow_dnf(query, texts: list[str], hits: dict | None = None) -> list[bool]:
    """RE2 via pyarrow; ``hits`` caches pattern results for the same ``texts``."""
    lowered = pc.utf8_lower(pa.array(texts, pa.string()))
    hits = {} if hits is None else hits
    for clause in query.clauses():
        for t in clause:
            if t.pattern not in hits:
                hits[t.pattern] = pc.match_substring_regex(lowered, t.pattern).to_pylist()
    return [
        any(all(hits[t.pattern][i] != t.negated for t in clause) for clause in query.clauses())
        for i in range(len(texts))
    ]


CASES = [
    # word boundaries: peace is not peaceful unless peace*
    ("peace", "Peace is near", True),
    ("peace", "a peaceful protest", False),
    ("peace*", "a peaceful protest", True),
    ("peace", "peace", True),
    ("peace", "…for peace.", True),
    ("peace", "un-peace", True),
    ("peace", "peace_talks", False),  # underscore is a word character
    ("peace", "peace2", False),
    ("peace", "2peace", False),
    ("peace", "peace\u0301", False),  # a combining mark continues the word
    ("peace", "🕊peace🕊", True),
    ("peace", "\npeace\n", True),
    ("Zelensky", "Zelensky's visit", True),
    # phrases: any run of whitespace or hyphens between the words, nothing else
    ('"peace talks"', "peace  talks", True),
    ('"peace talks"', "peace\ttalks", True),
    ('"peace talks"', "peace\n\ntalks", True),
    ('"peace talks"', "peace\u00a0talks", True),  # no-break space
    ('"peace talks"', "peace\u2009talks", True),  # thin space
    ('"peace talks"', "peace-talks", True),
    ('"peace talks"', "peace\u2011talks", True),  # non-breaking hyphen
    ('"peace talks"', "peace, talks", False),
    ('"peace talks"', "peace — talks", False),  # an em dash separates clauses
    ('"peace talks"', "peacetalks", False),
    ('"peace talks"', "peace talkshow", False),
    ('"peace talk*"', "peace talkshow", True),
    ("front-line", "the front line", True),
    ("front-line", "the frontline", False),
    ("COVID-19", "covid 19", True),
    ("COVID-19", "covid19", False),
    # Russian inflections with suffix wildcards, case-insensitive Cyrillic
    ("переговор*", "ПЕРЕГОВОРАХ", True),
    ("переговор*", "Переговоры", True),
    ("переговор*", "переговорщик", True),
    ("переговор*", "непереговорный", False),
    ("переговоры", "переговорах", False),
    ('"мирн* переговор*"', "О мирных переговорах", True),
    ('"мирн* переговор*"', "мирные переговоры", True),
    ('"мирн* переговор*"', "мирных\u00a0переговоров", True),
    ('"мирн* переговор*"', "мирные, переговоры", False),
    ('"мирн* переговор*"', "мирные жители", False),
    ("мир", "мира", False),
    ("мир*", "мира", True),
    ("мир", "«мир»", True),
    ("Зеленск*", "Зеленскому", True),
    ("Зеленск*", "Зеленским", True),
    # ё and е are the same letter for matching
    ("ёлка", "Елка", True),
    ("елка", "Ёлка", True),
    ('"Объединенных Наций"', "Объединённых Наций", True),
    # punctuation is literal text, never regex syntax
    ("U.S.", "the U.S. said", True),
    ("U.S.", "the US said", False),
    ('"a.b"', "axb", False),
    ('"f(x)"', "f(x) = 1", True),
    ('"c++"', "c++ code", True),
    ('"c++"', "c code", False),
    ('"$100"', "costs $100 now", True),
    ('"[x]"', "see [x]", True),
    ('"[x]"', "see x", False),
    ("a|b", "a|b", True),
    ("a|b", "a", False),
    ('"a\\b"', "a\\b", True),
    ('"^start"', "^start", True),
    ('"^start"', "start", False),
    ('"\'); drop table articles; --"', "x '); drop table  articles; -- y", True),
    ('"\'); drop table articles; --"', "drop table articles", False),
    # boolean logic
    ("talks AND NOT trade", "trade talks", False),
    ("talks AND NOT trade", "talks", True),
    ("talks AND NOT trade", "trader talks", True),
    ("talks NOT (trade OR tariff*)", "talks on tariffs", False),
    ("(peace OR truce) AND (Kyiv OR Киев*)", "truce near Киеве", True),
    ("(peace OR truce) AND (Kyiv OR Киев*)", "truce near Moscow", False),
    ("peace talks", "talks about peace", True),  # implicit AND, any order
    ('"AND"', "this and that", True),
    ("NATO", "nato", True),
    ("G7", "G7 summit", True),
    ("G7", "G70 summit", False),
    # Python's full case mapping vs the simple mapping of DuckDB and pyarrow
    ("istanbul", "İSTANBUL", True),
    ("İstanbul", "istanbul", True),
    ("οδοσ", "ΟΔΟΣ", True),
    ("ΟΔΟΣ", "οδοσ", True),
    ("straße", "STRAẞE", True),
    ("ΟΔΟΣ", "η οδος", True),  # final sigma is sigma
    ("οδος", "ΟΔΟΣ", True),
]


@pytest.mark.parametrize(("query", "text", "expected"), CASES)
def test_reference_and_re2_agree(con, query: str, text: str, expected: bool) -> None:
    q = compile_query(query)
    assert q.matches(text) is expected
    assert q.matches_dnf(text) is expected
    assert duckdb_dnf(con, q, text) is expected
    assert arrow_dnf(q, [text]) == [expected]


# --- random queries over random texts --------------------------------------------------------
VOCAB = ["peace", "talks", "мир", "переговоры", "мирных", "газ", "war", "u.s.", "talk", "ёж"]
TERMS = [
    "peace",
    "talks",
    "peace*",
    "мир*",
    "переговор*",
    '"мирных переговоры"',
    '"peace talk*"',
    "газ",
    "war",
    "u.s.",
    '"talks war"',
    "ёж",
    "мир",
]
SEPARATORS = [" ", "  ", "\n", "-", ", ", ".", "\u00a0", "_", ""]


def random_query(rng: random.Random, depth: int = 0) -> str:
    r = rng.random()
    if depth > 3 or r < 0.35:
        return rng.choice(TERMS)
    if r < 0.5:
        return "NOT " + random_query(rng, depth + 1)
    op = rng.choice([" AND ", " OR ", " "])
    parts = [random_query(rng, depth + 1) for _ in range(rng.randint(2, 3))]
    return "(" + op.join(parts) + ")"


def random_text(rng: random.Random) -> str:
    words = [rng.choice(VOCAB) + rng.choice(["", "", "s", "ах", "ful"]) for _ in range(rng.randint(0, 8))]
    words = [w.upper() if rng.random() < 0.2 else w for w in words]
    return "".join(w + rng.choice(SEPARATORS) for w in words)


def test_random_queries_dnf_matches_reference() -> None:
    rng = random.Random(20260)
    texts = [random_text(rng) for _ in range(150)]
    compiled = 0
    cache: dict = {}
    for _ in range(400):
        text = random_query(rng)
        try:
            q = compile_query(text)
        except Exception as exc:  # NOT-only alternatives and contradictions are refused, by design
            assert "NOT needs a positive term" in str(exc) or "never match" in str(exc), str(exc)
            continue
        compiled += 1
        expected = [q.matches(t) for t in texts]
        assert [q.matches_dnf(t) for t in texts] == expected, text
        assert arrow_dnf(q, texts, cache) == expected, text
    assert compiled > 150  # the generator mostly produces valid queries


def test_match_articles_evaluates_dnf_from_data(con) -> None:
    """The SQL-side DNF (hits joined with the terms table) against the reference, with languages."""
    rng = random.Random(7)
    texts = [random_text(rng) for _ in range(120)]
    languages = [rng.choice(["en", "ru"]) for _ in texts]
    topics = []
    while len(topics) < 25:
        try:
            q = compile_query(random_query(rng))
        except Exception:
            continue
        langs = rng.choice([None, ["en"], ["ru"], ["en", "ru"]])
        topics.append(Topic(f"t{len(topics)}", "label", "description", q.text, languages=langs, compiled=q))
    docs = pa.table(
        {
            "article_id": [f"a{i}" for i in range(len(texts))],
            "language": languages,
            "text": [t.lower() for t in texts],
        }
    )
    con.register("docs_under_test", docs)
    got = match_articles(con, "docs_under_test", topic_terms_table(topics))
    con.unregister("docs_under_test")
    pairs = set(zip(got.column("article_id").to_pylist(), got.column("topic_id").to_pylist(), strict=True))
    expected = {
        (f"a{i}", t.id)
        for i, text in enumerate(texts)
        for t in topics
        if t.compiled.matches(text) and (t.languages is None or languages[i] in t.languages)
    }
    assert pairs == expected
    assert len(expected) > 50


def test_match_articles_with_no_hits(con) -> None:
    con.register("empty_docs", pa.table({"article_id": ["x"], "language": ["en"], "text": ["nothing here"]}))
    q = compile_query("peace")
    got = match_articles(con, "empty_docs", topic_terms_table([Topic("p", "p", "p", "peace", compiled=q)]))
    assert got.num_rows == 0


def test_match_articles_refuses_non_identifier_relation(con) -> None:
    with pytest.raises(ValueError):
        match_articles(con, "articles; drop table x", topic_terms_table([Topic("p", "p", "p", "peace")]))


def test_find_returns_the_hit_span() -> None:
    q = compile_query('"мирн* переговор*" OR talks NOT trade')
    text = "Начало мирных  переговорах"
    start, end = q.find(text)
    assert text[start:end] == "мирных  переговорах"
    assert q.find("nothing") is None


def test_match_articles_accepts_a_relation_and_cleans_up(con) -> None:
    """dbt-duckdb Python models hand over relations (dbt.ref(...)), not table names."""
    rel = con.sql(
        "select * from (values ('a1', 'ru', 'начало мирных переговоров'), ('a2', 'en', 'peace talks'), "
        "('a3', 'en', 'мирных переговоров')) t(article_id, language, text)"
    )
    topic = Topic("p", "p", "p", '"мирн* переговор*" OR "peace talks"', languages=["ru"])
    got = match_articles(con, rel, topic_terms_table([topic]))
    assert got.to_pylist() == [{"article_id": "a1", "topic_id": "p"}]
    views = con.sql("select view_name from duckdb_views() where view_name like '_nr_%'").fetchall()
    assert views == []


def test_match_patterns_with_composite_key(con) -> None:
    rel = con.sql(
        "select * from (values ('a1', 1, 'peace talks'), ('a1', 2, 'war'), ('a2', 1, 'peaceful')) "
        "t(article_id, version, text)"
    )
    peace = compile_query("peace").terms()[0].pattern
    hits = match_patterns(con, rel, [peace, "war"], key=["article_id", "version"])
    assert sorted(hits.to_pylist(), key=str) == sorted(
        [
            {"article_id": "a1", "version": 1, "pattern_idx": 0},
            {"article_id": "a1", "version": 2, "pattern_idx": 1},
        ],
        key=str,
    )
    empty = match_patterns(con, rel, [], key=["article_id", "version"])
    assert empty.num_rows == 0 and empty.column_names == ["article_id", "version", "pattern_idx"]


def test_query_error_pickles() -> None:
    import pickle

    with pytest.raises(TopicQueryError) as info:
        compile_query("peace OR")
    again = pickle.loads(pickle.dumps(info.value))
    assert (again.position, str(again)) == (info.value.position, str(info.value))


def test_required_literal_is_in_every_match() -> None:
    """match_patterns skips the regex when the term's required literal is absent: the literal must
    occur in (DuckDB-/pyarrow-)lowercased text whenever the pattern matches."""
    rng = random.Random(3)
    texts = [random_text(rng) for _ in range(200)] + [t for _, t, _ in CASES]
    lowered = pc.utf8_lower(pa.array(texts, pa.string()))
    queries = TERMS + [q for q, _, _ in CASES]
    checked = 0
    for query in queries:
        for term in compile_query(query).terms():
            literal = required_literal(term.pattern)
            assert literal, term.source_text  # every generated pattern has one
            hits = pc.match_substring_regex(lowered, term.pattern).to_pylist()
            has = pc.match_substring(lowered, literal).to_pylist()
            assert all(h <= c for h, c in zip(hits, has, strict=True)), (term.source_text, literal)
            checked += sum(hits)
    assert checked > 100


@pytest.mark.parametrize("pattern", ["a|b", "peace?", "(x)", "[ab]c", "x{2}", "\\bpeace", ".*"])
def test_required_literal_refuses_foreign_regexes(pattern: str) -> None:
    assert required_literal(pattern) == ""


def test_literal_column_prefilter_in_sql(con) -> None:
    """The terms tables carry ``literal``: SQL that must take patterns from a column can filter
    with contains() first and get the same hits as without it."""
    rng = random.Random(5)
    texts = [random_text(rng).lower() for _ in range(30)]
    topics = [Topic(f"t{i}", "l", "d", q) for i, q in enumerate(TERMS)]
    terms = topic_terms_table(topics)
    assert all(terms.column("literal").to_pylist())
    con.register("lit_texts", pa.table({"article_id": list(range(len(texts))), "text": texts}))
    con.register("lit_terms", terms)
    sql = "select count(*) from lit_texts cross join lit_terms where {}"
    with_filter = con.sql(sql.format("contains(text, literal) and regexp_matches(text, pattern)")).fetchall()
    without = con.sql(sql.format("regexp_matches(text, pattern)")).fetchall()
    con.unregister("lit_texts")
    con.unregister("lit_terms")
    assert with_filter == without and without[0][0] > 25
