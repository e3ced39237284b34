"""TermScanner (newsradar.topics.scan): Hyperscan prefilter + exact verification must give exactly
what RE2 gives for every (text, pattern), on texts built to sit at every edge of the approximation."""

from __future__ import annotations

import random

import duckdb
import pyarrow as pa
import pytest

from newsradar import topics as tm
from newsradar.topics.scan import TermScanner, approximation, occurrences, term_pieces

QUERIES = [
    '"peace talk*"',
    '"front line" OR frontline',
    "negotiat* AND NOT football",
    '"мирн* переговор*" OR переговор*',
    "ёлка OR ежи",
    '"u.n." OR "g-7" OR "c++"',
    "σίσυφος",
    "_x OR 42",
]


def shipped_patterns() -> list[str]:
    topics = tm.load_topics(tm.default_topics_file())
    entities = tm.load_gazetteer(tm.default_gazetteer_file())
    pats = set(tm.topic_terms_table(topics).column("pattern").to_pylist())
    pats |= set(tm.entity_terms_table(entities).column("pattern").to_pylist())
    for q in QUERIES:
        pats |= {t.pattern for c in tm.compile_query(q).clauses() for t in c}
    return sorted(pats)


def re2_hits(texts: list[str], patterns: list[str]) -> set[tuple[int, int]]:
    """The reference: DuckDB's regexp_matches (RE2) for every pair."""
    con = duckdb.connect()
    con.register("t", pa.table({"i": list(range(len(texts))), "text": texts}))
    hits = set()
    for k, p in enumerate(patterns):
        for (i,) in con.execute("select i from t where regexp_matches(text, $1)", [p]).fetchall():
            hits.add((i, k))
    return hits


def test_every_generated_pattern_has_pieces_and_an_approximation():
    for pattern in shipped_patterns():
        pieces = term_pieces(pattern)
        assert pieces, pattern
        assert approximation(pieces)


def test_other_shapes_have_no_pieces():
    for pattern in ["abc|def", "(?i)peace", "^peace", "pe.ce", "[abc]x", "peace\\b", ""]:
        assert term_pieces(pattern) is None, pattern


def random_texts(patterns: list[str], n: int, seed: int) -> list[str]:
    """Texts made of pattern words, their neighbours and every kind of glue: word characters that
    break a boundary (ASCII, Cyrillic, digits, _), separators (space, NBSP, thin space, hyphens,
    newline), other punctuation (ASCII, «», —), ё/е and ς/σ twins."""
    rng = random.Random(seed)
    words: list[str] = []
    for p in patterns:
        pieces = term_pieces(p)
        if pieces:
            words += [piece.literal for piece in pieces]
    words += ["peace", "talks", "переговоры", "ёлка", "елка", "ежи", "ёжи", "σίσυφος", "σίσυφoς"]
    glue = [" ", "  ", "\u00a0", "\u2009", "-", "\u2010", "\u2011", "\n", "\t", ", ", ". ", "«", "»", "—",
            "x", "я", "_", "7", "é", "", "ё", "'", "(", ")"]  # fmt: skip
    texts = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(0, 12)):
            w = rng.choice(words)
            if rng.random() < 0.2:
                w = w.replace("е", "ё") if "е" in w else w.replace("σ", "ς")
            if rng.random() < 0.2:
                w = w[: rng.randint(1, len(w))] + rng.choice(["", "s", "ами", "ing", "_"])
            parts.append(w)
            parts.append(rng.choice(glue))
        texts.append("".join(parts).lower())
    return texts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scanner_equals_re2_on_random_texts(seed):
    patterns = shipped_patterns()
    texts = random_texts(patterns, 400, seed)
    scanner = TermScanner(patterns)
    result = scanner.scan(pa.array(texts))
    got = set(zip(result.rows.tolist(), result.pattern_idx.tolist(), strict=True))
    want = re2_hits(texts, patterns)
    assert got == want
    assert len(want) > 100  # the texts do exercise the patterns
    counted = scanner.scan(pa.array(texts), counts=True)
    assert set(zip(counted.rows.tolist(), counted.pattern_idx.tolist(), strict=True)) == want
    assert (counted.counts >= 1).all()


def test_counts_equal_the_reference_matcher_on_ascii_and_other_texts():
    patterns = shipped_patterns()
    texts = random_texts(patterns, 300, 4)
    texts += ["".join(c for c in t if c.isascii()) for t in texts]  # the ASCII fast path as well
    texts += ["a b a b a", "b a b", "a b, a b. a-b"]  # a phrase that overlaps itself
    patterns += [
        tm.compile_phrase("a b a").clauses()[0][0].pattern,
        tm.compile_phrase("a b").clauses()[0][0].pattern,
    ]
    result = TermScanner(patterns).scan(pa.array(texts), counts=True)
    got = {
        (r, p): n
        for r, p, n in zip(
            result.rows.tolist(), result.pattern_idx.tolist(), result.counts.tolist(), strict=True
        )
    }
    want = {}
    for r, text in enumerate(texts):
        folded = text.replace("ё", "е").replace("ς", "σ")
        for p, pattern in enumerate(patterns):
            n = occurrences(term_pieces(pattern), folded)
            if n:
                want[(r, p)] = n
    assert got == want
    assert sum(1 for r, _ in want if texts[r].isascii()) > 50


def test_no_match_across_the_frame_of_two_texts():
    patterns = [
        tm.compile_phrase("peace talks").clauses()[0][0].pattern,
        tm.compile_phrase("putin").clauses()[0][0].pattern,
    ]
    texts = ["the peace", "talks began", "putin", "xputin", "putinx", "", None, "putin"]
    result = TermScanner(patterns).scan(pa.array(texts))
    got = set(zip(result.rows.tolist(), result.pattern_idx.tolist(), strict=True))
    assert got == {(2, 1), (7, 1)}


def test_counts_are_occurrences():
    putin = term_pieces(tm.compile_phrase("putin").clauses()[0][0].pattern)
    assert occurrences(putin, "putin putin, putin.putin") == 4
    assert occurrences(putin, "putinputin xputin") == 0
    assert occurrences(putin, "putin putin", first_only=True) == 1
    wildcard = term_pieces(tm.compile_phrase("путин*").clauses()[0][0].pattern)
    assert occurrences(wildcard, "путина и путину, распутин") == 2
    result = TermScanner([tm.compile_phrase("putin").clauses()[0][0].pattern]).scan(
        pa.array(["putin putin", "no", "«putin»"]), counts=True
    )
    assert dict(zip(result.rows.tolist(), result.counts.tolist(), strict=True)) == {0: 2, 2: 1}


def test_other_shapes_are_evaluated_by_re2():
    patterns = ["^peace", "talks$", "p[aeiou]ace", tm.compile_phrase("peace").clauses()[0][0].pattern]
    texts = ["peace now", "more talks", "a pace", "a peace", "talks peace"]
    result = TermScanner(patterns).scan(pa.array(texts))
    got = set(zip(result.rows.tolist(), result.pattern_idx.tolist(), strict=True))
    assert got == re2_hits(texts, patterns)
