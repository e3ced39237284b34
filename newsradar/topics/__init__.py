"""Topic query language, the topics file and the gazetteer.

Analysts write topics as boolean queries (see ``docs/topics.md``)::

    "peace talk*" OR "мирн* переговор*" OR (переговор* AND NOT торгов*)

This module parses a query (recursive descent, errors carry a 0-based character position),
compiles it to disjunctive normal form (an OR of AND-clauses of possibly negated terms) and
compiles every term to an RE2 regular expression matched against ``lower(text)``. The SQL side
evaluates the DNF purely from data (patterns travel in a table, bound, never pasted into SQL).

Interface (used by the warehouse build, the CLI and the dashboard)::

    class TopicQueryError(UserError)     # .message, .position (0-based), .query; str() has a caret line
    compile_query(text) -> Query         # parse + compile; raises TopicQueryError
    Query.matches(text) -> bool          # reference evaluator in pure Python (no regex engine)
    Query.clauses() -> list[list[Term]]  # DNF: OR of AND-clauses
    Term(pattern, negated, source_text)  # pattern: RE2, matched against lower(text)
    Topic(id, label, description, query, languages=None, spike_threshold=3.0, compiled)
    load_topics(path) -> list[Topic]     # validates; errors name file, topic (line) and position
    topic_terms_table(topics) -> pa.Table    # topic_id, language (null = all), clause_id, term_id,
                                             # pattern, negated, literal
    topics_table(topics) -> pa.Table         # the `topics` reference table
    Entity(id, name, type, aliases, compiled)
    load_gazetteer(path) -> list[Entity]     # CSV entity_id,name,type,aliases ('|'-separated)
    entity_terms_table(entities) -> pa.Table # entity_id, entity_name, entity_type, term_id, pattern,
                                             # literal
    match_patterns(con, texts, patterns)     # (key..., pattern_idx) hits, patterns bound
    match_articles(con, texts, terms)        # (article_id, topic_id) from a topic_terms_table

SQL-side semantics (the contract the warehouse implements; ``Query.matches`` is the reference):

- the text of an article is ``lower(concat_ws(chr(10), title, subtitle, body))``; ``Query.matches``
  folds case with ``fold`` (the same simple case mapping as DuckDB ``lower``);
- a term matches when ``regexp_matches(text, pattern)`` is true (DuckDB and pyarrow both use RE2);
- a clause matches when all its positive terms match and none of its negated terms do; every clause
  has at least one positive term (the compiler refuses NOT-only clauses);
- a topic matches when any clause matches, and the article's language is in ``languages``
  (``topic_terms_table`` repeats the rows once per language; ``language`` null means all languages).
- In ``topic_terms_table`` the ``term_id`` identifies a pattern within its topic (the same pattern
  in two clauses has the same id), so the SQL side can evaluate each distinct pattern once.
  ``(topic_id, language, clause_id, term_id)`` is unique.
- Keep each pattern a constant in DuckDB: ``regexp_matches(text, column)`` recompiles the RE2
  pattern for every row (2-7 ms each with Unicode classes; a cross join of 1,000 articles x 16
  patterns took 70 s). ``match_patterns``/``match_articles`` bind each distinct pattern as a
  parameter instead (compiled once per query) and accept a table name or a DuckDB relation.
  If the pattern must come from a column, filter first: ``where contains(text, literal) and
  regexp_matches(text, pattern)`` (``literal``: a substring of every match, from the terms tables)
  only compiles the regex for rows that contain the literal (1000 rows: 0.03 s instead of 5 s).

The warehouse itself matches with ``scan.TermScanner`` (one Hyperscan pass per batch of texts over
approximations of all patterns, every candidate verified exactly; same hits as RE2).

Modules: ``language`` (parser, DNF, patterns, reference matcher), ``files`` (topics.yml, gazetteer,
term tables), ``evaluate`` (DuckDB evaluation), ``scan`` (the warehouse's multi-pattern matcher).
"""

from newsradar.topics.evaluate import TEXT_SQL, match_articles, match_patterns
from newsradar.topics.files import (
    ENTITY_ID_RE,
    ENTITY_TERMS_SCHEMA,
    ENTITY_TYPES,
    GAZETTEER_COLUMNS,
    LANGUAGE_RE,
    TOPIC_ID_RE,
    TOPIC_TERMS_SCHEMA,
    TOPICS_SCHEMA,
    Entity,
    Topic,
    TopicsError,
    default_gazetteer_file,
    default_topics_file,
    entity_terms_table,
    load_gazetteer,
    load_topics,
    parse_topics,
    topic_terms_table,
    topics_table,
)
from newsradar.topics.language import (
    LEFT_BOUNDARY,
    MAX_CLAUSES,
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    MAX_TERMS_PER_CLAUSE,
    MIN_WILDCARD_STEM,
    NON_WORD,
    RIGHT_BOUNDARY,
    SEPARATOR,
    WORD,
    Query,
    Term,
    TopicQueryError,
    compile_phrase,
    compile_query,
    fold,
    is_separator_char,
    is_word_char,
    required_literal,
)

__all__ = [
    "ENTITY_ID_RE",
    "ENTITY_TERMS_SCHEMA",
    "ENTITY_TYPES",
    "GAZETTEER_COLUMNS",
    "LANGUAGE_RE",
    "LEFT_BOUNDARY",
    "MAX_CLAUSES",
    "MAX_DEPTH",
    "MAX_QUERY_LENGTH",
    "MAX_TERMS_PER_CLAUSE",
    "MIN_WILDCARD_STEM",
    "NON_WORD",
    "RIGHT_BOUNDARY",
    "SEPARATOR",
    "TEXT_SQL",
    "TOPICS_SCHEMA",
    "TOPIC_ID_RE",
    "TOPIC_TERMS_SCHEMA",
    "WORD",
    "Entity",
    "Query",
    "Term",
    "Topic",
    "TopicQueryError",
    "TopicsError",
    "compile_phrase",
    "compile_query",
    "default_gazetteer_file",
    "default_topics_file",
    "entity_terms_table",
    "fold",
    "is_separator_char",
    "is_word_char",
    "load_gazetteer",
    "load_topics",
    "match_articles",
    "match_patterns",
    "parse_topics",
    "required_literal",
    "topic_terms_table",
    "topics_table",
]
