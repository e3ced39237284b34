"""A small synthetic lake for warehouse tests: Parquet files in the lake layout with ARTICLE_SCHEMA /
FETCH_LOG_SCHEMA, a sources file and hand-made topic / entity terms tables."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newsradar.schema import ARTICLE_SCHEMA, FETCH_LOG_SCHEMA, SCHEMA_VERSION
from newsradar.warehouse import ENTITY_TERMS_SCHEMA, TOPIC_TERMS_SCHEMA, TOPICS_SCHEMA

SOURCES_YAML = """\
sources:
  - id: alpha
    name: Alpha News
    homepage: http://127.0.0.1:9/alpha/
    languages: [en]
    timezone: America/New_York
    article_url: /news/
  - id: beta
    name: Beta Wire
    homepage: http://127.0.0.1:9/beta/
    languages: [en, ru]
    timezone: Europe/Moscow
    article_url: /a/
"""


def article_id(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:32]


def article(
    url: str,
    source_id: str = "alpha",
    *,
    title: str = "A title",
    body: str = "some body text",
    published_at: datetime | None = datetime(2026, 3, 1, 12, tzinfo=UTC),
    fetched_at: datetime = datetime(2026, 3, 2, 8, tzinfo=UTC),
    crawl_date: date | None = None,
    canonical_url: str | None = None,
    language: str = "en",
    simhash: int | None = None,
    run_id: str = "run1",
    **extra,
) -> dict:
    """One article record with every ARTICLE_SCHEMA field (defaults for the ones not given)."""
    if simhash is None:
        simhash = int(hashlib.sha256(body.encode()).hexdigest()[:16], 16)
    row = {
        "article_id": article_id(url),
        "url": url,
        "canonical_url": canonical_url or url,
        "source_id": source_id,
        "domain": "127.0.0.1",
        "language": language,
        "title": title,
        "subtitle": None,
        "body": body,
        "authors": ["A. Writer"],
        "section": "world",
        "tags": ["news"],
        "published_at": published_at,
        "modified_at": None,
        "date_source": "jsonld" if published_at else None,
        "fetched_at": fetched_at,
        "crawl_date": crawl_date or fetched_at.date(),
        "http_status": 200,
        "content_hash": hashlib.sha256(body.encode()).hexdigest(),
        "simhash": simhash,
        "word_count": len(body.split()),
        "image_url": None,
        "views": None,
        "extractor": "test",
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
    }
    row.update(extra)
    return row


def fetch(
    url: str, source_id: str = "alpha", outcome: str = "article", *, crawl_date: date, run_id: str = "run1"
) -> dict:
    return {
        "run_id": run_id,
        "source_id": source_id,
        "crawl_date": crawl_date,
        "url": url,
        "kind": "article",
        "discovered_via": "feed",
        "fetched_at": datetime.combine(crawl_date, datetime.min.time(), UTC) + timedelta(hours=8),
        "http_status": 200 if outcome in ("article", "not_article") else 500,
        "bytes": 1000,
        "elapsed_ms": 12.0,
        "outcome": outcome,
        "error": None if outcome in ("article", "not_article", "unchanged") else outcome,
        "schema_version": SCHEMA_VERSION,
    }


def write_rows(lake: Path, table: str, rows: list[dict], run_id: str | None = None) -> list[Path]:
    """Write rows as one file per (source, crawl_date) partition: <lake>/<table>/source=/crawl_date=/<run>.parquet."""
    schema = ARTICLE_SCHEMA if table == "articles" else FETCH_LOG_SCHEMA
    groups: dict[tuple[str, date, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["source_id"], r["crawl_date"], run_id or r["run_id"]), []).append(r)
    written = []
    for (source, day, run), part in sorted(groups.items()):
        d = lake / table / f"source={source}" / f"crawl_date={day.isoformat()}"
        d.mkdir(parents=True, exist_ok=True)
        path = d / f"{run}.parquet"
        pq.write_table(pa.Table.from_pylist(part, schema=schema), path, compression="zstd")
        written.append(path)
    return written


def write_sources(path: Path, text: str = SOURCES_YAML) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def topics_tables(terms: list[dict], topics: list[dict] | None = None) -> tuple[pa.Table, pa.Table]:
    """(topics, topic_terms) tables; ``topics`` defaults to one row per topic id in ``terms``."""
    if topics is None:
        ids = sorted({t["topic_id"] for t in terms})
        topics = [
            {
                "topic_id": i,
                "label": i.replace("_", " "),
                "description": None,
                "query": None,
                "languages": None,
                "spike_threshold": None,
            }
            for i in ids
        ]
    full_terms = [{"language": None, "negated": False, **t} for t in terms]
    return pa.Table.from_pylist(topics, schema=TOPICS_SCHEMA), pa.Table.from_pylist(
        full_terms, schema=TOPIC_TERMS_SCHEMA
    )


def entity_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=ENTITY_TERMS_SCHEMA)


# A small default vocabulary: "peace_talks" = (peace AND talks) OR negotiat* ; NOT football
DEFAULT_TERMS = [
    {"topic_id": "peace_talks", "clause_id": 1, "term_id": "pt1", "pattern": r"\bpeace\b"},
    {"topic_id": "peace_talks", "clause_id": 1, "term_id": "pt2", "pattern": r"\btalks\b"},
    {
        "topic_id": "peace_talks",
        "clause_id": 1,
        "term_id": "pt3",
        "pattern": r"\bfootball\b",
        "negated": True,
    },
    {"topic_id": "peace_talks", "clause_id": 2, "term_id": "pt4", "pattern": r"\bnegotiat\w*"},
    {
        "topic_id": "peace_talks",
        "clause_id": 2,
        "term_id": "pt5",
        "pattern": r"\bfootball\b",
        "negated": True,
    },
    {"topic_id": "elections", "clause_id": 1, "term_id": "el1", "pattern": r"\belection\w*"},
    {"topic_id": "elections", "clause_id": 2, "term_id": "el2", "pattern": r"\bвыбор\w*", "language": "ru"},
]

DEFAULT_ENTITIES = [
    {
        "entity_id": "geneva",
        "entity_name": "Geneva",
        "entity_type": "place",
        "term_id": "g1",
        "pattern": r"\bgeneva\b",
    },
    {
        "entity_id": "geneva",
        "entity_name": "Geneva",
        "entity_type": "place",
        "term_id": "g2",
        "pattern": r"\bженев\w*",
    },
    {
        "entity_id": "un",
        "entity_name": "United Nations",
        "entity_type": "org",
        "term_id": "u1",
        "pattern": r"\bunited nations\b",
    },
]


SURGE_DAYS = 3


def newsroom(
    lake: Path,
    *,
    days: int = 40,
    per_day: int = 6,
    start: date = date(2026, 2, 1),
    run_id: str = "run1",
    fetched_at: datetime | None = None,
) -> list[dict]:
    """A small deterministic two-outlet newsroom written to ``lake``: peace-talks coverage is about
    one article in six per outlet and day, and surges to four in six on the last SURGE_DAYS days.
    Some articles are undated, one is syndicated (near-duplicate) and one has two versions.
    Returns the article rows written (every version)."""
    rows: list[dict] = []
    for d in range(days):
        day = start + timedelta(days=d)
        surge = d >= days - SURGE_DAYS
        for source, hour in (("alpha", 15), ("beta", 9)):
            for k in range(per_day):
                url = f"http://127.0.0.1:9/{source}/news/{day.isoformat()}/{k}"
                peace = k < (4 if surge else 1 + (d % 2 if k == 0 else 0))
                if peace:
                    body = f"Peace talks resumed in Geneva on day {d}, story {k}."
                elif k == per_day - 1:
                    body = f"Football: peace and talks in the dressing room {d}."  # negated
                else:
                    body = f"Local election news {d} {k} and weather."
                published = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour, minutes=k)
                if k == 3 and d % 7 == 0:
                    published = None  # undated
                fa = fetched_at or (
                    datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=23, minutes=k)
                )
                rows.append(
                    article(
                        url,
                        source,
                        title=f"{source} story {k}",
                        body=body,
                        published_at=published,
                        fetched_at=fa,
                        crawl_date=day,
                        run_id=run_id,
                    )
                )
    write_rows(lake, "articles", rows)
    log = [fetch(r["url"], r["source_id"], crawl_date=r["crawl_date"], run_id=run_id) for r in rows]
    log += [
        fetch(f"http://127.0.0.1:9/{s}/broken", s, "http_5xx", crawl_date=start, run_id=run_id)
        for s in ("alpha",)
    ]
    write_rows(lake, "fetch_log", log)
    return rows
