"""Warehouse benchmark: a synthetic lake written directly with pyarrow (no crawl), then

- a full build (``newsradar.warehouse.build(full_refresh=True)``),
- an incremental build after one new day of articles,
- builds with no new data (the fixed part of every incremental build: dbt's start-up, one pass over
  each node, the data tests over whole tables); the first of them also catches the standby file up,
  so the last one is reported,
- p50/p95 latency of dashboard-like queries on the published marts,
- a baseline in the same run: one DuckDB query per topic straight over the raw Parquet with regular
  expressions (patterns bound as parameters) computing the same per-day shares; the two must agree.

    .venv/bin/python benchmarks/warehouse_bench.py --articles 100000 [--out /tmp/nr-bench] [--keep]

Targets (docs/decisions.md): 1M articles full build <= 10 min on 2 cores within 8 GiB, an incremental
day <= 10% of the full build, mart queries p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsradar import topics as topics_mod
from newsradar import warehouse
from newsradar.schema import ARTICLE_SCHEMA, FETCH_LOG_SCHEMA, SCHEMA_VERSION
from newsradar.settings import Paths

TIMEZONES = ["Europe/London", "Europe/Moscow", "America/New_York", "Asia/Tokyo", "Asia/Baku", "UTC"]
START = date(2026, 1, 1)
TOPIC_NAMES = [
    "arbor", "basalt", "cobalt", "delta", "ember", "fjord", "garnet", "harbor", "indigo", "jasper",
    "kestrel", "lumen", "magma", "nectar", "onyx", "prairie", "quartz", "raven", "sierra", "tundra",
]  # fmt: skip


def topic_defs(n: int) -> list[topics_mod.Topic]:
    out = []
    for t in range(n):
        name = TOPIC_NAMES[t % len(TOPIC_NAMES)] + ("" if t < len(TOPIC_NAMES) else str(t))
        query = f'"{name} summit" OR ({name}negot* AND NOT {name}sport)'
        out.append(
            topics_mod.Topic(id=f"topic_{t:02d}", label=name, description=f"bench topic {name}", query=query)
        )
    return out


def entity_names() -> list[str]:
    """Names and plain (non-wildcard) aliases of the project's gazetteer, as they appear in text."""
    entities = topics_mod.load_gazetteer(topics_mod.default_gazetteer_file())
    names: set[str] = set()
    for e in entities:
        for alias in [e.name, *e.aliases]:
            if "*" not in alias:
                names.add(alias)
    return sorted(names)


def sources_yaml(path: Path, n: int) -> Path:
    lines = ["sources:"]
    for s in range(n):
        lines += [
            f"  - id: outlet_{s:02d}",
            f"    name: Outlet {s}",
            f"    homepage: http://127.0.0.1:9/o{s}/",
            "    languages: [en]",
            f"    timezone: {TIMEZONES[s % len(TIMEZONES)]}",
            "    article_url: /news/",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Generator:
    """Cheap text: bodies are concatenations of pooled paragraphs plus topic sentences."""

    def __init__(self, seed: int, n_topics: int, n_sources: int, words: int = 600):
        self.rng = np.random.default_rng(seed)
        self.n_topics = n_topics
        self.n_sources = n_sources
        letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
        vocab = ["".join(self.rng.choice(letters, size=int(k))) for k in self.rng.integers(3, 10, size=5000)]
        self.paragraphs = [
            " ".join(self.rng.choice(vocab, size=50)) + "." for _ in range(3000)
        ]  # 50 words each
        self.per_body = max(1, words // 50)
        self.names = [t.label for t in topic_defs(n_topics)]
        self.base_p = self.rng.uniform(0.02, 0.08, size=n_topics)
        self.entities = entity_names()

    def day(self, day_index: int, n: int, run_id: str, id_offset: int) -> tuple[pa.Table, pa.Table]:
        rng = self.rng
        day = START + timedelta(days=day_index)
        src = rng.integers(0, self.n_sources, size=n)
        paras = rng.integers(0, len(self.paragraphs), size=(n, self.per_body))
        p = np.tile(self.base_p, (n, 1))
        if day_index >= 0 and (day_index % 60) >= 57:
            p[:, 0] *= 5  # a surge of topic_00 on the last 3 days of each 60
        hits = rng.random((n, self.n_topics)) < p
        kind = rng.random((n, self.n_topics))
        noise = rng.random((n, self.n_topics)) < 0.01
        counts = rng.poisson(1.5, size=n)
        picks = rng.integers(0, len(self.entities), size=int(counts.sum()))
        mentioned = np.split(picks, np.cumsum(counts)[:-1])
        bodies = []
        for i in range(n):
            parts = [self.paragraphs[j] for j in paras[i]]
            for t in np.nonzero(hits[i])[0]:
                name = self.names[t]
                parts.insert(
                    1, f"The {name} summit opened." if kind[i, t] < 0.5 else f"{name}negotiations went on."
                )
            for t in np.nonzero(noise[i])[0]:
                parts.append(f"{self.names[t]}sport results.")
            for e in mentioned[i]:  # people, places, organisations of the real gazetteer
                parts.insert(2, f"{self.entities[e]} said so.")
            bodies.append(" ".join(parts))
        ids = [f"{id_offset + i:032x}" for i in range(n)]
        urls = [f"http://127.0.0.1:9/o{s}/news/{a}" for s, a in zip(src, ids, strict=True)]
        seconds = rng.integers(0, 86400, size=n)
        base = datetime.combine(day, datetime.min.time(), UTC)
        published = [base + timedelta(seconds=int(x)) for x in seconds]
        undated = rng.random(n) < 0.02
        fetched = base + timedelta(days=1, hours=2)
        simhash = rng.integers(0, 2**63, size=n, dtype=np.int64).astype(np.uint64)
        # 1% syndicated copies: another outlet's article with a 2-bit difference
        copies = np.nonzero(rng.random(n) < 0.01)[0]
        for i in copies:
            j = int(rng.integers(0, n))
            simhash[i] = simhash[j] ^ np.uint64(0b101)
        cols = {
            "article_id": ids,
            "url": urls,
            "canonical_url": urls,
            "source_id": [f"outlet_{s:02d}" for s in src],
            "domain": ["127.0.0.1"] * n,
            "language": ["en"] * n,
            "title": [f"Story {a[-6:]}" for a in ids],
            "subtitle": [None] * n,
            "body": bodies,
            "authors": [["Staff"]] * n,
            "section": ["world"] * n,
            "tags": [["news"]] * n,
            "published_at": [None if u else d for u, d in zip(undated, published, strict=True)],
            "modified_at": [None] * n,
            "date_source": [None if u else "jsonld" for u in undated],
            "fetched_at": [fetched] * n,
            "crawl_date": [fetched.date()] * n,
            "http_status": [200] * n,
            "content_hash": ids,
            "simhash": simhash,
            "word_count": [self.per_body * 50] * n,
            "image_url": [None] * n,
            "views": [None] * n,
            "extractor": ["bench"] * n,
            "schema_version": [SCHEMA_VERSION] * n,
            "run_id": [run_id] * n,
        }
        articles = pa.table(cols, schema=ARTICLE_SCHEMA)
        flog = pa.table(
            {
                "run_id": [run_id] * n,
                "source_id": cols["source_id"],
                "crawl_date": cols["crawl_date"],
                "url": urls,
                "kind": ["article"] * n,
                "discovered_via": ["sitemap"] * n,
                "fetched_at": [fetched] * n,
                "http_status": [200] * n,
                "bytes": [30000] * n,
                "elapsed_ms": [50.0] * n,
                "outcome": ["article"] * n,
                "error": [None] * n,
                "schema_version": [SCHEMA_VERSION] * n,
            },
            schema=FETCH_LOG_SCHEMA,
        )
        return articles, flog


def write_partitions(lake: Path, table: str, data: pa.Table, run_id: str) -> None:
    for source in pc.unique(data["source_id"]).to_pylist():
        part = data.filter(pc.equal(data["source_id"], source))
        crawl_date = part["crawl_date"][0].as_py()
        d = lake / table / f"source={source}" / f"crawl_date={crawl_date.isoformat()}"
        d.mkdir(parents=True, exist_ok=True)
        pq.write_table(part, d / f"{run_id}.parquet", compression="zstd")


def generate(lake: Path, n_articles: int, days: int, gen: Generator) -> None:
    per_day = n_articles // days
    for d in range(days):
        a, f = gen.day(d, per_day, f"run{d:03d}", d * per_day)
        write_partitions(lake, "articles", a, f"run{d:03d}")
        write_partitions(lake, "fetch_log", f, f"run{d:03d}")
        print(f"\rgenerating day {d + 1}/{days}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def baseline(paths: Paths, sources: Path, terms: pa.Table) -> tuple[dict, float]:
    """One query per topic over the raw Parquet: per-day matching and total dated articles."""
    con = duckdb.connect()
    con.execute("set threads = 2")
    con.execute("create temp table src as select source_id, timezone from read_parquet(?)", [str(sources)])
    glob = str(Path(paths.articles_uri) / "*" / "*" / "*.parquet")
    clauses: dict[str, dict[int, list[tuple[str, bool]]]] = {}
    for r in terms.to_pylist():
        clauses.setdefault(r["topic_id"], {}).setdefault(r["clause_id"], []).append(
            (r["pattern"], r["negated"])
        )
    results: dict = {}
    started = time.perf_counter()
    for topic, by_clause in sorted(clauses.items()):
        params: list = [glob]
        ors = []
        for terms_ in by_clause.values():
            ands = []
            for pattern, negated in terms_:
                params.append(pattern)
                ands.append(("not " if negated else "") + f"regexp_matches(text, ${len(params)})")
            ors.append("(" + " and ".join(ands) + ")")
        sql = f"""
            with raw as (
                select * from read_parquet($1, hive_partitioning = false, union_by_name = true)
                qualify row_number() over (
                    partition by coalesce(nullif(trim(canonical_url), ''), url)
                    order by fetched_at desc, modified_at desc nulls last, article_id desc) = 1
            ),
            dated as (
                select cast(timezone(coalesce(src.timezone, 'UTC'), raw.published_at) as date) as day,
                       lower(concat_ws(chr(10), title, subtitle, body)) as text
                from raw left join src using (source_id)
                where raw.published_at is not null
            )
            select day, count(*) filter (where {" or ".join(ors)}) as matching, count(*) as total
            from dated group by day
        """
        for day, matching, total in con.execute(sql, params).fetchall():
            results[(topic, day)] = (matching, total)
    return results, time.perf_counter() - started


QUERIES = {
    "trend_topic": (
        "select day, share, rolling_share_7d, is_spike from topic_daily_all where topic_id = $t order by day",
        {"t": "topic_00"},
    ),
    "trend_by_source": (
        "select source_id, day, share, is_spike from topic_daily where topic_id = $t "
        "and day > (select max(day) from topic_daily) - 30 order by source_id, day",
        {"t": "topic_00"},
    ),
    "top_entities": (
        "select entity_name, sum(articles) as n from entity_daily "
        "where day > (select max(day) from entity_daily) - 7 group by entity_name order by n desc limit 10",
        {},
    ),
    "source_health": (
        "select source_id, sum(pages_fetched), sum(failures), sum(undated_articles), count(*) filter (where is_gap) "
        "from source_health where day > (select max(day) from source_health) - 14 group by source_id",
        {},
    ),
    "share_of_voice": (
        "select source_id, avg(share_of_voice) from source_share_of_voice where topic_id = $t group by source_id "
        "order by 2 desc limit 10",
        {"t": "topic_00"},
    ),
}


def query_latency(paths: Paths, repeat: int = 30) -> dict[str, dict[str, float]]:
    out = {}
    with warehouse.connect_readonly(paths) as con:
        for name, (sql, params) in QUERIES.items():
            con.execute(sql, params).fetchall()  # warm
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                con.execute(sql, params).fetchall()
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            out[name] = {
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
            }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--sources", type=int, default=50)
    ap.add_argument("--topics", type=int, default=20)
    ap.add_argument("--words", type=int, default=600)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--memory-limit", default="6GB")
    ap.add_argument("--out", default="/tmp/newsradar-warehouse-bench")
    ap.add_argument("--keep", action="store_true", help="keep the generated lake and warehouse")
    ap.add_argument("--reuse-lake", action="store_true", help="reuse a lake generated by an earlier run")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument(
        "--noop-builds",
        type=int,
        default=2,
        help="builds with no new data after the incremental one; the last one's time is reported",
    )
    ap.add_argument("--skip-baseline", action="store_true", help="no raw-Parquet regex baseline (slow at 1M)")
    ap.add_argument(
        "--baseline-topics",
        type=int,
        default=None,
        help="run the baseline for the first N topics only (at 1M: minutes per topic); it is then also "
        "reported per topic and scaled to all topics",
    )
    args = ap.parse_args(argv)

    out = Path(args.out)
    if out.exists() and not args.reuse_lake:
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = Paths.from_env(out)
    gen = Generator(7, args.topics, args.sources, args.words)
    lake = Path(paths.lake_uri)
    t0 = time.perf_counter()
    if not (args.reuse_lake and (lake / "articles").exists()):
        generate(lake, args.articles, args.days, gen)
    else:  # the day an earlier run added: the incremental build below adds it again
        for stale in lake.glob(f"*/*/*/run{args.days:03d}.parquet"):
            stale.unlink()
    for built in (paths.warehouse_path, warehouse.standby_path(paths)):
        built.unlink(missing_ok=True)
    gen_s = time.perf_counter() - t0
    lake_bytes = sum(p.stat().st_size for p in (lake / "articles").rglob("*.parquet"))
    sources = sources_yaml(out / "sources.yaml", args.sources)
    topics = topic_defs(args.topics)
    topic_tables = (topics_mod.topics_table(topics), topics_mod.topic_terms_table(topics))
    entity_terms = topics_mod.entity_terms_table(
        topics_mod.load_gazetteer(topics_mod.default_gazetteer_file())
    )
    common = dict(
        progress=lambda m: print(m, file=sys.stderr, flush=True),
        sources_file=sources,
        topics=topic_tables,
        entity_terms=entity_terms,
        threads=args.threads,
        memory_limit=args.memory_limit,
    )

    t = time.perf_counter()
    full = warehouse.build(paths, full_refresh=True, **common)
    full_s = time.perf_counter() - t
    peak_full = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    latency = query_latency(paths)

    # baseline over the raw Parquet, and agreement with topic_daily_all
    base: dict = {}
    base_s = None
    with warehouse.connect_readonly(paths) as con:
        mart = {
            (t_, d): (m, tot)
            for t_, d, m, tot in con.execute(
                "select topic_id, day, matching_articles, total_articles from topic_daily_all"
            ).fetchall()
        }
        spikes = con.execute(
            "select count(*) from topic_daily_all where is_spike and topic_id = 'topic_00'"
        ).fetchone()[0]
        n_articles = con.execute("select count(*) from articles").fetchone()[0]
        near_dups = con.execute("select count(*) from articles where is_near_duplicate").fetchone()[0]
    baseline_topics = 0
    if not args.skip_baseline:
        src_parquet = out / "bench_sources.parquet"
        pq.write_table(warehouse.sources_table(paths, sources), src_parquet)
        terms = topic_tables[1]
        chosen = sorted(set(terms.column("topic_id").to_pylist()))[: args.baseline_topics]
        terms = terms.filter(pc.is_in(terms.column("topic_id"), pa.array(chosen)))
        base, base_s = baseline(paths, src_parquet, terms)
        mismatches = [k for k in base if base[k] != mart.get(k)]
        assert not mismatches, (
            f"baseline and warehouse disagree on {len(mismatches)} (topic, day) rows, e.g. {mismatches[:3]}"
        )
        mart_rows = {k for k in mart if k[0] in chosen}
        assert len(base) == len(mart_rows), f"baseline has {len(base)} rows, topic_daily_all {len(mart_rows)}"
        baseline_topics = len(chosen)

    # one new day, incremental
    per_day = args.articles // args.days
    a, f = gen.day(args.days, per_day, f"run{args.days:03d}", args.days * per_day)
    write_partitions(lake, "articles", a, f"run{args.days:03d}")
    write_partitions(lake, "fetch_log", f, f"run{args.days:03d}")
    t = time.perf_counter()
    incr = warehouse.build(paths, **common)
    incr_s = time.perf_counter() - t
    peak_all = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    # no new data: what every incremental build pays whatever the day brought
    noop_s, noop = None, None
    for _ in range(args.noop_builds):
        t = time.perf_counter()
        noop = warehouse.build(paths, **common)
        noop_s = time.perf_counter() - t

    slow_models = sorted(full.models, key=lambda m: -m.seconds)[:6]
    result = {
        "articles": n_articles,
        "days": args.days,
        "sources": args.sources,
        "topics": args.topics,
        "words_per_article": args.words,
        "lake_mb": round(lake_bytes / 2**20, 1),
        "warehouse_mb": round(paths.warehouse_path.stat().st_size / 2**20, 1),
        "generate_s": round(gen_s, 1),
        "full_build_s": round(full_s, 1),
        "incremental_day_s": round(incr_s, 1),
        "incremental_ratio": round(incr_s / full_s, 3),
        "phases_full_s": full.phases,
        "phases_incremental_s": incr.phases,
        "noop_build_s": None if noop_s is None else round(noop_s, 1),
        "noop_ratio": None if noop_s is None else round(noop_s / full_s, 3),
        "phases_noop_s": None if noop is None else noop.phases,
        "peak_rss_mb_full": round(peak_full),
        "peak_rss_mb_any": round(peak_all),
        "slowest_models_full": {m.name: round(m.seconds, 1) for m in slow_models},
        "slowest_models_incremental": {
            m.name: round(m.seconds, 1) for m in sorted(incr.models, key=lambda m: -m.seconds)[:4]
        },
        "mart_query_latency": latency,
        "baseline_regex_over_parquet_s": None if base_s is None else round(base_s, 1),
        "baseline_topics": baseline_topics,
        "baseline_all_topics_s": None if base_s is None else round(base_s * args.topics / baseline_topics, 1),
        "baseline_rows_agree": len(base),
        "spike_days_topic_00": spikes,
        "near_duplicates": near_dups,
        "threads": args.threads,
        "memory_limit": args.memory_limit,
    }
    print(json.dumps(result, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
    worst_p95 = max(v["p95_ms"] for v in latency.values())
    print(
        f"full {full_s:.1f}s, incremental day {incr_s:.1f}s ({incr_s / full_s:.0%} of full), "
        + ("" if noop_s is None else f"no new data {noop_s:.1f}s ({noop_s / full_s:.0%}), ")
        + f"mart p95 max {worst_p95:.1f} ms, peak RSS {peak_all:.0f} MB, baseline {base_s}s",
        file=sys.stderr,
    )
    if not args.keep:
        shutil.rmtree(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
