"""``newsradar topics``: check the topics file and the gazetteer; try a query on real articles.

``check [FILE] [--gazetteer FILE] [--patterns]`` validates ``warehouse/topics.yml`` (and the
gazetteer) and prints each topic's compiled form (its alternatives, optionally the RE2 patterns).
Errors name the file, the topic and show the query with a caret under the error (exit 2).

``test [QUERY] [--topic ID] [--sample N] [--source ID] [--language LANG] [--days N] [--lake]``
compiles a query (or a topic of the file) and counts and samples the matching articles of the
published warehouse (``articles`` table, read-only) or, with ``--lake``, of the lake's Parquet files
before any build. Matching runs in DuckDB with the same data-driven DNF as the warehouse build:
the query's patterns are bound parameters, never SQL text.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from newsradar.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "topics",
        help="check the topics file and gazetteer; test a query on articles",
        description="Check the topics file (warehouse/topics.yml) and the gazetteer; test a query.",
    )
    sub = p.add_subparsers(dest="topics_command", metavar="SUBCOMMAND")
    p.set_defaults(func=partial(_usage, p))

    check = sub.add_parser("check", help="validate topics.yml and the gazetteer; print compiled topics")
    check.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="topics file (default: warehouse/topics.yml or $NEWSRADAR_TOPICS)",
    )
    check.add_argument(
        "--gazetteer",
        metavar="FILE",
        help="gazetteer CSV (default: warehouse/seeds/gazetteer.csv or $NEWSRADAR_GAZETTEER)",
    )
    check.add_argument("--no-gazetteer", action="store_true", help="check the topics file only")
    check.add_argument("--patterns", action="store_true", help="also print each term's RE2 pattern")
    check.add_argument("--quiet", "-q", action="store_true", help="print only the summary line")
    check.set_defaults(func=run_check)

    test = sub.add_parser(
        "test",
        help="count and sample the articles a query matches",
        description="Count and sample the articles a query matches, in the published "
        "warehouse (default) or the lake (--lake).",
    )
    test.add_argument(
        "query",
        nargs="?",
        metavar="QUERY",
        help='a topic query, e.g. \'"peace talk*" OR "мирн* переговор*"\'',
    )
    test.add_argument("--topic", metavar="ID", help="test a topic of the topics file instead of QUERY")
    test.add_argument("--topics-file", metavar="FILE", help="topics file for --topic")
    test.add_argument(
        "--sample", type=_non_negative, default=5, metavar="N", help="show N matching articles (default 5)"
    )
    test.add_argument("--newest", action="store_true", help="sample the newest matches, not a random spread")
    test.add_argument("--source", action="append", metavar="ID", help="only this source (repeatable)")
    test.add_argument("--language", metavar="LANG", help="only articles in this language")
    test.add_argument(
        "--days", type=_positive, metavar="N", help="only articles published in the last N days"
    )
    test.add_argument("--lake", action="store_true", help="read the lake's Parquet files, not the warehouse")
    test.add_argument("--data-dir", metavar="DIR", help="data folder (default: $NEWSRADAR_DATA_DIR or data)")
    test.add_argument("--json", action="store_true", help="print the result as JSON")
    test.set_defaults(func=run_test)


def _usage(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    parser.print_help(sys.stderr)
    return 2


def _positive(text: str) -> int:
    value = _non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


# --- check ------------------------------------------------------------------------------------
def run_check(args: argparse.Namespace) -> int:
    from newsradar import topics as T

    path = Path(args.file) if args.file else T.default_topics_file()
    topics = T.load_topics(path)
    out = sys.stdout
    for topic in topics:
        for warning in topic.compiled.warnings:
            print(f"warning: {path}: topic '{topic.id}': {warning}", file=sys.stderr)
        if args.quiet:
            continue
        clauses = topic.compiled.clauses()
        languages = ", ".join(topic.languages) if topic.languages else "all"
        print(f"{topic.id}: {topic.label}", file=out)
        print(
            f"  languages: {languages}; spike threshold: {topic.spike_threshold:g}; "
            f"{len(clauses)} alternative(s), {len(topic.compiled.terms())} distinct term(s)",
            file=out,
        )
        for n, clause in enumerate(clauses, start=1):
            words = " AND ".join(("NOT " if t.negated else "") + t.source_text for t in clause)
            print(f"  {n:>3}. {words}", file=out)
            if args.patterns:
                for t in clause:
                    print(f"         {'-' if t.negated else '+'} {t.pattern}", file=out)
    summary = f"{path}: {len(topics)} topics OK"
    if not args.no_gazetteer:
        gpath = Path(args.gazetteer) if args.gazetteer else T.default_gazetteer_file()
        entities = T.load_gazetteer(gpath)
        by_type = {kind: sum(e.type == kind for e in entities) for kind in T.ENTITY_TYPES}
        n_terms = T.entity_terms_table(entities).num_rows
        summary += (
            f"; {gpath}: {len(entities)} entities ("
            + ", ".join(f"{n} {kind}" for kind, n in by_type.items())
            + f"), {n_terms} alias patterns OK"
        )
    print(summary, file=out)
    return 0


# --- test -------------------------------------------------------------------------------------
def _resolve_query(args: argparse.Namespace) -> tuple[str, Any, list[str] | None]:
    """(label, compiled query, languages) from QUERY or --topic."""
    from newsradar import topics as T

    if bool(args.query) == bool(args.topic):
        raise UserError("give either a QUERY or --topic ID (exactly one)")
    if args.topic:
        path = Path(args.topics_file) if args.topics_file else T.default_topics_file()
        found = {t.id: t for t in T.load_topics(path)}
        if args.topic not in found:
            raise UserError(f"{path}: no topic '{args.topic}' (topics: {', '.join(sorted(found))})")
        topic = found[args.topic]
        return f"topic {topic.id}", topic.compiled, topic.languages
    return "query", T.compile_query(args.query), None


def _connect(args: argparse.Namespace, paths: Any) -> tuple[Any, str]:
    """A DuckDB connection and the SQL of the article relation to read (our own text, no input)."""
    import duckdb

    if args.lake:
        from newsradar.lake import register_lake

        con = duckdb.connect()
        glob = register_lake(con, paths.lake_uri, "articles")
        try:
            con.execute(
                "create temp view _nr_lake_articles as "
                f"select * from read_parquet({_sql_literal(glob)}, hive_partitioning = false, "
                "union_by_name = true) qualify row_number() over (partition by article_id "
                "order by fetched_at desc) = 1"
            ).fetchall()
        except duckdb.Error as exc:
            if "No files found" in str(exc):
                raise UserError(
                    f"no article files in the lake at {paths.lake_uri}: run `newsradar crawl` or "
                    "`newsradar demo` first"
                ) from None
            raise UserError(f"cannot read the lake at {paths.lake_uri}: {exc}") from None
        return con, "_nr_lake_articles"
    from newsradar.warehouse import connect_readonly

    con = connect_readonly(paths)  # raises a UserError naming the file and suggesting build/demo
    tables = {r[0] for r in con.sql("select table_name from information_schema.tables").fetchall()}
    if "articles" not in tables:
        raise UserError(
            f"the warehouse {paths.warehouse_path} has no 'articles' table: run `newsradar build`"
        )
    return con, "articles"


def _sql_literal(value: str) -> str:
    # read_parquet's path comes from our settings, but quote it properly anyway
    return "'" + value.replace("'", "''") + "'"


def run_test(args: argparse.Namespace) -> int:
    from newsradar.settings import Paths

    label, query, languages = _resolve_query(args)
    for warning in query.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    paths = Paths.from_env(args.data_dir)
    con, relation = _connect(args, paths)
    try:
        result = evaluate(
            con,
            relation,
            query,
            languages=languages,
            sources=args.source,
            language=args.language,
            days=args.days,
            sample=args.sample,
            newest=args.newest,
        )
    finally:
        con.close()
    result["query"] = query.text
    result["compiled"] = query.describe()
    result["where"] = str(paths.lake_uri) if args.lake else str(paths.warehouse_path)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        _print_result(label, result)
    return 0


def evaluate(
    con: Any,
    relation: str,
    query: Any,
    *,
    languages: list[str] | None = None,
    sources: list[str] | None = None,
    language: str | None = None,
    days: int | None = None,
    sample: int = 5,
    newest: bool = False,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Count and sample the articles of ``relation`` (our own table/view name) that ``query``
    matches. Filters are bound parameters; the query's patterns go through ``match_articles``."""
    from newsradar import topics as T
    from newsradar.topics.evaluate import sql_identifier

    conditions, params = [], []
    if sources:
        conditions.append("list_contains(cast($src as varchar[]), source_id)")
        params.append(("src", list(sources)))
    if language:
        conditions.append("language = $lang")
        params.append(("lang", language))
    since = None
    if days:
        since = (now or datetime.now(UTC)) - timedelta(days=days)
        conditions.append("published_at >= $since")
        params.append(("since", since))
    where = (" where " + " and ".join(conditions)) if conditions else ""
    con.execute(
        "create or replace temp table _nr_docs as select article_id, source_id, language, published_at, "
        "title, url, lower(concat_ws(chr(10), title, subtitle, body)) as text "
        f"from {sql_identifier(relation)}{where}",
        dict(params),
    ).fetchall()  # DuckDB 2: a result owns the connection until fetched
    total, newest_at = con.sql("select count(*), max(published_at) from _nr_docs").fetchall()[0]
    topic = T.Topic("query", "query", "ad-hoc query", query.text, languages=languages, compiled=query)
    matched = T.match_articles(con, "_nr_docs", T.topic_terms_table([topic]))
    con.register("_nr_matched", matched)
    try:
        by_source = con.sql(
            "select d.source_id, count(m.article_id) as matching, count(*) as total "
            "from _nr_docs d left join _nr_matched m using (article_id) group by 1 order by 2 desc, 1"
        ).fetchall()
        order = "published_at desc nulls last" if newest else "hash(article_id)"
        picked = con.sql(
            f"select d.article_id from _nr_docs d join _nr_matched m using (article_id) order by {order} limit $n",
            params={"n": sample},
        ).fetchall()
        ids = [r[0] for r in picked]
        # the original text (not lowercased) of the sampled articles, for readable snippets
        raw = {
            r[0]: r[1:]
            for r in con.sql(
                "select article_id, source_id, language, published_at, title, url, "
                f"concat_ws(chr(10), title, subtitle, body) from {sql_identifier(relation)} "
                "where list_contains(cast($ids as varchar[]), article_id)",
                params={"ids": ids},
            ).fetchall()
        }
        rows = [(i, *raw[i]) for i in ids if i in raw]
    finally:
        con.unregister("_nr_matched")
    samples = []
    for article_id, source_id, lang, published_at, title, url, text in rows:
        samples.append(
            {
                "article_id": article_id,
                "source_id": source_id,
                "language": lang,
                "published_at": published_at,
                "title": title,
                "url": url,
                "snippet": snippet(query, text or ""),
            }
        )
    matching = matched.num_rows
    return {
        "articles": total,
        "matching": matching,
        "share": (matching / total) if total else 0.0,
        "since": since,
        "newest_article": newest_at,
        "by_source": [{"source_id": s, "matching": m, "total": t} for s, m, t in by_source],
        "samples": samples,
    }


def snippet(query: Any, text: str, width: int = 80) -> str:
    """Some context around the first hit of ``query`` in ``text``, the hit in [brackets]."""
    span = query.find(text)
    flat = " ".join(text.split())
    if span is None:
        return flat[: 2 * width]
    from newsradar.topics import fold

    folded = fold(text)
    start, end = span
    if len(folded) != len(text):  # a rare case-fold that changes length: show the folded text
        text = folded
    before = " ".join(text[:start].split())[-width:]
    hit = " ".join(text[start:end].split())
    after = " ".join(text[end:].split())[:width]
    parts = [
        ("…" if len(before) == width else "") + before,
        f"[{hit}]",
        after + ("…" if len(after) == width else ""),
    ]
    return " ".join(p for p in parts if p)


def _print_result(label: str, r: dict[str, Any]) -> None:
    print(f"{label}: {r['query']}")
    print(f"compiled: {r['compiled']}")
    scope = f" published since {r['since']:%Y-%m-%d %H:%M} UTC" if r["since"] else ""
    print(
        f"{r['matching']} of {r['articles']} articles{scope} match ({100 * r['share']:.1f}%) in {r['where']}"
    )
    if r["articles"] == 0:
        hint = f" (newest article: {r['newest_article']})" if r["newest_article"] else ""
        print(f"no articles in scope{hint}")
        return
    print("by source:")
    for row in r["by_source"]:
        share = 100 * row["matching"] / row["total"] if row["total"] else 0.0
        print(f"  {row['source_id']:<24} {row['matching']:>6} / {row['total']:<6} {share:5.1f}%")
    if r["samples"]:
        print("samples:")
    for s in r["samples"]:
        day = f"{s['published_at']:%Y-%m-%d}" if s["published_at"] else "undated"
        print(f"  {day}  {s['source_id']}  {s['language'] or '?'}  {s['title'] or '(no title)'}")
        print(f"      {s['url']}")
        print(f"      {s['snippet']}")
