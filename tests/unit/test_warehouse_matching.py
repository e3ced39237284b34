"""Term matching of the warehouse's Python models: the Hyperscan prefilter is sound (same hits as
evaluating every pattern on every text with RE2) and terms/entities map back correctly."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from newsradar import topics as tm
from newsradar.topics.evaluate import match_patterns
from newsradar.warehouse import (
    entity_mention_counts,
    match_texts,
    topic_term_matches,
)

TEXTS = [
    ("a1", "en", "Peace talks resumed in Geneva; the peace-talks went on. NATO and the U.N. watched."),
    ("a2", "ru", "Мирные переговоры в Женеве. Переговорщики и Путин; ПЕРЕГОВОРЫ снова."),
    ("a3", "en", "Football: peace and talks in the dressing room."),
    ("a4", "en", "Nothing to see: peacekeepers, talkative, negotiation-free zone."),
    ("a5", "en", "Negotiations, negotiators and a negotiated deal in geneva. G-7 and G7."),
    ("a6", "en", ""),
    ("a7", "ru", "Перёговоры (с ё) и переговор, ёж и еж."),
]

QUERIES = [
    '"peace talk*"',
    "negotiat* AND NOT football",
    "переговор* OR женев*",
    "geneva OR nato",
    '"u.n." OR "g-7"',
    "(peace AND talks) AND NOT football",
    "еж",
]


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute(
        "create table arts (article_id varchar, fetched_at timestamptz, language varchar, text varchar)"
    )
    c.executemany(
        "insert into arts values (?, '2026-03-01 00:00:00+00', ?, lower(?))", [list(t) for t in TEXTS]
    )
    yield c
    c.close()


def test_match_texts_equals_unfiltered_evaluation(con):
    patterns = sorted({t.pattern for q in QUERIES for c in tm.compile_query(q).clauses() for t in c})
    entities = tm.entity_terms_table(tm.load_gazetteer(tm.default_gazetteer_file()))
    patterns += sorted(set(entities.column("pattern").to_pylist()))
    rel = con.table("arts")
    got = match_texts(con, rel, patterns, ["article_id"], batch_rows=3)
    ref = match_patterns(con, rel, patterns, key=["article_id"])

    def as_set(t):
        return set(zip(t.column("article_id").to_pylist(), t.column("pattern_idx").to_pylist(), strict=True))

    assert as_set(got) == as_set(ref)
    assert len(as_set(got)) > 10


def test_topic_term_matches_follow_query_semantics(con):
    topics = [
        tm.Topic(id=f"t{i}", label=q, description="", query=q, languages=["ru"] if "переговор" in q else None)
        for i, q in enumerate(QUERIES)
    ]
    terms = tm.topic_terms_table(topics)
    con.register("terms_arrow", terms)
    matches = topic_term_matches(con, con.table("arts"), con.table("terms_arrow"))
    hit_terms: dict[tuple[str, str], set[int]] = {}
    for r in matches.to_pylist():
        hit_terms.setdefault((r["article_id"], r["topic_id"]), set()).add(int(r["term_id"]))
    # DNF from the term hits must agree with the reference evaluator of newsradar.topics
    for topic in topics:
        term_ids: dict[str, int] = {}
        for clause in topic.compiled.clauses():
            for term in clause:
                term_ids.setdefault(term.pattern, len(term_ids))
        for article_id, language, text in TEXTS:
            hits = hit_terms.get((article_id, topic.id), set())
            dnf = any(
                all((term_ids[t.pattern] in hits) != t.negated for t in clause)
                for clause in topic.compiled.clauses()
            )
            expected = topic.compiled.matches(text) and (
                topic.languages is None or language in topic.languages
            )
            assert dnf == expected, (topic.query, article_id)


def test_entity_mention_counts(con):
    entities = pa.table(
        {
            "entity_id": ["geneva", "geneva", "putin"],
            "entity_name": ["Geneva", "Geneva", "Putin"],
            "entity_type": ["place"] * 2 + ["person"],
            "term_id": ["0", "1", "0"],
            "pattern": [
                tm.compile_phrase("geneva").clauses()[0][0].pattern,
                tm.compile_phrase("женев*").clauses()[0][0].pattern,
                tm.compile_phrase("путин").clauses()[0][0].pattern,
            ],
        }
    )
    con.register("ents", entities)
    out = {
        (r["article_id"], r["entity_id"]): r["mentions"]
        for r in entity_mention_counts(con, con.table("arts"), con.table("ents")).to_pylist()
    }
    assert out == {("a1", "geneva"): 1, ("a2", "geneva"): 1, ("a2", "putin"): 1, ("a5", "geneva"): 1}
