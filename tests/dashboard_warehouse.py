"""Write a small, deterministic DuckDB warehouse with the tables and columns of docs/tables.md.

Used by the dashboard and report tests (and the browser test until the demo warehouse exists).
Three outlets (two English, one Russian), 45 days, three topics, a designed surge of peace-talks
coverage in the last week, entities, co-occurrence and source health with one gap. Derived tables
are computed with SQL from the article-level rows, following the definitions in docs/tables.md, so
the numbers are consistent with each other.

Load it from a test with ``load_helper()`` in the test module (tests/ is not a package).
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

START = date(2026, 10, 1)
N_DAYS = 45
SPIKE_DAYS = range(38, 42)  # day offsets with the peace-talks surge
GAP_DAY = 20  # evening_star fetched nothing that day

SOURCES = [
    ("daily_planet", "The Daily Planet", "https://planet.example", "GB", ["en"], "Europe/London"),
    ("evening_star", "Evening Star", "https://star.example", "US", ["en"], "America/New_York"),
    ("vestnik", "Вестник", "https://vestnik.example", "RU", ["ru"], "Europe/Moscow"),
]

TOPICS = [
    (
        "peace_talks",
        "Ukraine peace talks",
        "Negotiations on ending the war",
        '"peace talks" OR negotiat* OR переговор*',
        ["en", "ru"],
        3.0,
    ),
    ("elections", "Elections", "Elections anywhere", "election* OR выбор*", ["en", "ru"], 3.0),
    ("energy", "Energy prices", "Gas and electricity prices", '"gas price*" OR энерг*', ["en", "ru"], 3.0),
    # a topic that never matches: the dashboard and the report must say so, not fail
    ("space_race", "Space race", "Nothing in the sample mentions it", '"moon landing"', ["en"], 3.0),
]

PHRASES = {
    "en": {
        "peace_talks": "Peace talks resume as negotiators meet",
        "elections": "Election campaign enters final week",
        "energy": "Gas prices climb again",
        None: "Local council approves new park",
    },
    "ru": {
        "peace_talks": "Мирные переговоры возобновились",
        "elections": "Выборы в регионе: итоги",
        "energy": "Энергетика: цены на газ растут",
        None: "В городе открылся новый парк",
    },
}

ENTITIES = {
    "peace_talks": [
        ("volodymyr_zelensky", "Volodymyr Zelensky", "person"),
        ("geneva", "Geneva", "place"),
        ("united_nations", "United Nations", "organisation"),
    ],
    "elections": [("jane_doe", "Jane Doe", "person"), ("ohio", "Ohio", "place")],
    "energy": [("gazprom", "Gazprom", "organisation"), ("berlin", "Berlin", "place")],
}

# An article whose title carries markup and a javascript: link, to test escaping in the dashboard.
HOSTILE_TITLE = "<script>alert(1)</script> [click](javascript:alert(1)) **peace talks**"

DDL = """
create table sources (source_id varchar, name varchar, homepage varchar, country varchar,
    languages varchar[], timezone varchar);
create table topics (topic_id varchar, label varchar, description varchar, query varchar,
    languages varchar[], spike_threshold double);
create table articles (article_id varchar, url varchar, canonical_url varchar, source_id varchar,
    source_name varchar, domain varchar, language varchar, title varchar, subtitle varchar,
    body varchar, authors varchar[], section varchar, tags varchar[], published_at timestamptz,
    day date, modified_at timestamptz, date_source varchar, fetched_at timestamptz,
    crawl_date date, word_count integer, views bigint, image_url varchar, simhash ubigint,
    content_hash varchar, is_near_duplicate boolean, duplicate_of varchar, run_id varchar);
create table article_topics (article_id varchar, topic_id varchar, source_id varchar,
    language varchar, day date, published_at timestamptz);
create table entity_mentions (article_id varchar, entity_id varchar, entity_name varchar,
    entity_type varchar, source_id varchar, language varchar, day date, mentions integer);
create table source_health (source_id varchar, day date, pages_fetched integer,
    articles_extracted integer, not_articles integer, unchanged integer, failures integer,
    failures_by_kind json, undated_articles integer, is_gap boolean);
"""

DERIVED = """
create table topic_daily as
with totals as (
    select source_id, day, count(*) as total_articles from articles where day is not null group by all
), matches as (
    select topic_id, source_id, day, count(*) as matching_articles from article_topics group by all
), grid as (
    select t.topic_id, tot.source_id, tot.day, tot.total_articles,
        coalesce(m.matching_articles, 0) as matching_articles
    from topics t cross join totals tot
    left join matches m on m.topic_id = t.topic_id and m.source_id = tot.source_id and m.day = tot.day
), shares as (
    select *, matching_articles / total_articles as share from grid
), windows as (
    select *,
        avg(share) over (partition by topic_id, source_id order by day
            range between interval 6 days preceding and current row) as rolling_share_7d,
        avg(share) over w28 as baseline_mean_28d,
        stddev_samp(share) over w28 as baseline_std_28d
    from shares
    window w28 as (partition by topic_id, source_id order by day
        range between interval 28 days preceding and interval 1 day preceding)
), final as (
    select w.topic_id, source_id, day, matching_articles, total_articles, share, rolling_share_7d,
        baseline_mean_28d, baseline_std_28d,
        case when baseline_std_28d > 0 then (share - baseline_mean_28d) / baseline_std_28d end as spike_score,
        coalesce(spike_score >= t.spike_threshold and matching_articles >= 3, false) as is_spike
    from windows w join topics t using (topic_id)
)
select * from final;

create table topic_daily_all as
with grid as (
    select topic_id, day, sum(matching_articles)::bigint as matching_articles,
        sum(total_articles)::bigint as total_articles
    from topic_daily group by all
), windows as (
    select *, matching_articles / total_articles as share,
        avg(matching_articles / total_articles) over (partition by topic_id order by day
            range between interval 6 days preceding and current row) as rolling_share_7d,
        avg(matching_articles / total_articles) over w28 as baseline_mean_28d,
        stddev_samp(matching_articles / total_articles) over w28 as baseline_std_28d
    from grid
    window w28 as (partition by topic_id order by day
        range between interval 28 days preceding and interval 1 day preceding)
)
select w.topic_id, day, matching_articles, total_articles, share, rolling_share_7d,
    baseline_mean_28d, baseline_std_28d,
    case when baseline_std_28d > 0 then (share - baseline_mean_28d) / baseline_std_28d end as spike_score,
    coalesce(spike_score >= t.spike_threshold and matching_articles >= 3, false) as is_spike
from windows w join topics t using (topic_id);

create table source_share_of_voice as
select topic_id, source_id, day, matching_articles,
    sum(matching_articles) over (partition by topic_id, day) as topic_articles_all_sources,
    case when topic_articles_all_sources > 0
        then matching_articles / topic_articles_all_sources else 0 end as share_of_voice
from topic_daily;

create table topic_cooccurrence as
with per_topic as (
    select topic_id, day, count(*) as n from article_topics group by all
), pairs as (
    select a.topic_id as topic_a, b.topic_id as topic_b, a.day, count(*) as articles_both
    from article_topics a join article_topics b
        on a.article_id = b.article_id and a.topic_id < b.topic_id
    group by all
)
select p.topic_a, p.topic_b, p.day, p.articles_both, pa.n as articles_a, pb.n as articles_b,
    p.articles_both / (pa.n + pb.n - p.articles_both) as jaccard
from pairs p
join per_topic pa on pa.topic_id = p.topic_a and pa.day = p.day
join per_topic pb on pb.topic_id = p.topic_b and pb.day = p.day;

create table entity_daily as
select entity_id, entity_name, entity_type, source_id, day, count(*) as articles,
    sum(mentions)::bigint as mentions
from entity_mentions group by all;
"""


@dataclass
class WarehouseFacts:
    path: Path
    sources: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    first_day: date = START
    last_day: date = START + timedelta(days=N_DAYS - 1)
    spike_days: list[date] = field(default_factory=list)
    articles: int = 0


def _article_id(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:32]


def write_warehouse(path: str | Path, *, empty: bool = False, seed: int = 7) -> WarehouseFacts:
    """Write the warehouse to ``path`` (replacing it) and return facts the tests can check against."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"_tmp-{path.name}")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        con.execute(DDL)
        facts = WarehouseFacts(path=path)
        if not empty:
            facts = _fill(con, facts, random.Random(seed))
        con.execute(DERIVED)
    finally:
        con.close()
    tmp.replace(path)  # atomic publish, like the real build
    return facts


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[list]) -> None:
    """Bulk insert through Arrow (executemany is row by row, slow), cast to the table's types."""
    import pyarrow as pa

    cols = [
        r[0]
        for r in con.execute(
            f"select column_name from information_schema.columns "
            f"where table_name = '{table}' order by ordinal_position"
        ).fetchall()
    ]
    data = pa.table({c: pa.array([r[i] for r in rows]) for i, c in enumerate(cols)})  # noqa: F841
    con.execute(f"insert into {table} select * from data")


def _fill(con: duckdb.DuckDBPyConnection, facts: WarehouseFacts, rng: random.Random) -> WarehouseFacts:
    con.executemany("insert into sources values (?, ?, ?, ?, ?, ?)", [list(s) for s in SOURCES])
    con.executemany("insert into topics values (?, ?, ?, ?, ?, ?)", [list(t) for t in TOPICS])
    articles, art_topics, mentions, health = [], [], [], []
    for offset in range(N_DAYS):
        day = START + timedelta(days=offset)
        for source_id, name, homepage, _country, langs, _tz in SOURCES:
            lang = langs[0]
            if source_id == "evening_star" and offset == GAP_DAY:
                health.append([source_id, day, 0, 0, 0, 0, 3, json.dumps({"timeout": 3}), 0, True])
                continue
            n_articles = 8 + rng.randint(0, 3)
            n_peace = 5 + rng.randint(0, 1) if offset in SPIKE_DAYS else rng.randint(0, 1)
            n_elect = rng.randint(0, 2)
            n_energy = rng.randint(0, 1)
            plan: list[set[str]] = []
            for i in range(n_articles):
                topics = set()
                if i < n_peace:
                    topics.add("peace_talks")
                if n_peace <= i < n_peace + n_elect:
                    topics.add("elections")
                if i == n_articles - 1 and n_energy:
                    topics.add("energy")
                if i == 0 and offset % 5 == 0:
                    topics.add("energy")  # co-occurs with peace talks / whatever is first
                plan.append(topics)
            for i, topics in enumerate(plan):
                url = f"{homepage}/{day.isoformat()}/story-{i}"
                aid = _article_id(url)
                published = datetime(day.year, day.month, day.day, 6 + i, 15, tzinfo=UTC)
                parts = [PHRASES[lang][t] for t in sorted(topics)] or [PHRASES[lang][None]]
                title = parts[0] + f" ({source_id} {day.isoformat()} #{i})"
                if source_id == "daily_planet" and offset == SPIKE_DAYS[0] and i == 0:
                    title = HOSTILE_TITLE
                body = " ".join(parts) + ". " + " ".join(["lorem ipsum"] * 40)
                articles.append(
                    [
                        aid,
                        url,
                        url,
                        source_id,
                        name,
                        homepage.split("//")[1],
                        lang,
                        title,
                        None,
                        body,
                        ["Staff"],
                        "world",
                        [],
                        published,
                        day,
                        None,
                        "jsonld",
                        published,
                        day,
                        len(body.split()),
                        None,
                        None,
                        rng.getrandbits(63),
                        aid[:16],
                        False,
                        None,
                        "run-1",
                    ]
                )
                for t in sorted(topics):
                    art_topics.append([aid, t, source_id, lang, day, published])
                    for eid, ename, etype in ENTITIES[t]:
                        mentions.append([aid, eid, ename, etype, source_id, lang, day, 1 + rng.randint(0, 2)])
            health.append(
                [
                    source_id,
                    day,
                    n_articles + 2,
                    n_articles,
                    2,
                    0,
                    1 if offset % 7 == 0 else 0,
                    json.dumps({"http_404": 1} if offset % 7 == 0 else {}),
                    offset % 3,
                    False,
                ]
            )
    for table, rows in (
        ("articles", articles),
        ("article_topics", art_topics),
        ("entity_mentions", mentions),
        ("source_health", health),
    ):
        _insert(con, table, rows)
    facts.sources = [s[0] for s in SOURCES]
    facts.topics = [t[0] for t in TOPICS]
    facts.spike_days = [START + timedelta(days=d) for d in SPIKE_DAYS]
    facts.articles = len(articles)
    return facts


if __name__ == "__main__":
    import sys

    f = write_warehouse(sys.argv[1] if len(sys.argv) > 1 else "data/newsradar.duckdb")
    print(f)
