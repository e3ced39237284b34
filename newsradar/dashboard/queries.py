"""Read-only queries behind the dashboard and the HTML report.

Every query is fixed SQL text with named parameters (``$name``); filter values, topic ids and
ad-hoc topic patterns are bound, never pasted into SQL. An empty filter tuple means "all".
Results are pandas DataFrames (what Streamlit and Altair take).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from newsradar.errors import UserError
from newsradar.settings import Paths

#: The marts the dashboard reads (docs/tables.md).
REQUIRED_TABLES = (
    "articles",
    "article_topics",
    "topic_daily",
    "topic_daily_all",
    "source_share_of_voice",
    "topic_cooccurrence",
    "entity_mentions",
    "source_health",
    "topics",
    "sources",
)

_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


class WarehouseMissing(Exception):
    """No published warehouse file at the expected path."""


class WarehouseUnavailable(Exception):
    """The warehouse file exists but cannot be opened (not a DuckDB file, a newer format, ...)."""


@dataclass(frozen=True)
class Filters:
    """Sidebar filters. Empty tuples mean no restriction."""

    start: date | None = None
    end: date | None = None
    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    def params(self) -> dict[str, Any]:
        return {
            "start": self.start or date(1, 1, 1),
            "end": self.end or date(9999, 12, 31),
            "sources": list(self.sources),
            "languages": list(self.languages),
            "topics": list(self.topics),
        }


def connect(paths: Paths) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only (a new connection: a swapped-in file is picked up).

    Raises ``WarehouseMissing`` when there is no file, ``WarehouseUnavailable`` when it cannot be opened."""
    path = Path(paths.warehouse_path)
    if not path.is_file():
        raise WarehouseMissing(str(path))
    try:
        from newsradar.warehouse import connect_readonly
    except ImportError:  # a build without the warehouse module: open it directly
        connect_readonly = None
    try:
        if connect_readonly is not None:
            return connect_readonly(paths)
        return duckdb.connect(str(path), read_only=True)
    except (duckdb.Error, UserError) as exc:
        raise WarehouseUnavailable(str(exc)) from exc


def run(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Execute ``sql`` binding only the named parameters it uses; return a fully fetched DataFrame."""
    used = set(_PARAM.findall(sql))
    bound = {k: v for k, v in (params or {}).items() if k in used}
    missing = used - bound.keys()
    if missing:
        raise KeyError(f"unbound SQL parameters: {sorted(missing)}")
    return con.execute(sql, bound).df() if bound else con.execute(sql).df()


# Common predicates, bound by name. Source / language filters: empty list = all.
def _src(col: str = "source_id") -> str:
    return f"(len($sources::varchar[]) = 0 or list_contains($sources::varchar[], {col}))"


def _lang(col: str = "language") -> str:
    return f"(len($languages::varchar[]) = 0 or list_contains($languages::varchar[], {col}))"


def _days(col: str = "day") -> str:
    return f"{col} between $start and $end"


_SRC, _LANG, _DAYS = _src(), _lang(), _days()


def missing_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    present = set(
        run(con, "select table_name from information_schema.tables where table_schema = 'main'")["table_name"]
    )
    return [t for t in REQUIRED_TABLES if t not in present]


def article_count(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("select count(*) from articles").fetchall()[0][0])


@dataclass(frozen=True)
class Options:
    sources: dict[str, str]  # id -> display name
    languages: list[str]
    topics: dict[str, str]  # id -> label
    first_day: date | None
    last_day: date | None


def options(con: duckdb.DuckDBPyConnection) -> Options:
    src = run(con, "select source_id, coalesce(name, source_id) as name from sources order by source_id")
    names = dict(zip(src["source_id"], src["name"], strict=True))
    for sid in run(con, "select distinct source_id from articles order by 1")["source_id"]:
        names.setdefault(sid, sid)
    langs = run(con, "select distinct language from articles where language is not null order by 1")
    top = run(con, "select topic_id, coalesce(label, topic_id) as label from topics order by topic_id")
    bounds = con.execute("select min(day), max(day) from articles where day is not null").fetchall()[0]
    return Options(
        sources=names,
        languages=list(langs["language"]),
        topics=dict(zip(top["topic_id"], top["label"], strict=True)),
        first_day=_as_date(bounds[0]),
        last_day=_as_date(bounds[1]),
    )


def _as_date(value: Any) -> date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def effective_sources(con: duckdb.DuckDBPyConnection, f: Filters) -> tuple[str, ...]:
    """Outlets for the per-outlet marts: the outlet filter, narrowed by language if one is chosen
    (an outlet is kept when it published in one of the languages in the date range)."""
    if not f.languages:
        return f.sources
    df = run(
        con,
        f"select distinct source_id from articles where {_LANG} and {_SRC} and {_DAYS} order by 1",
        f.params(),
    )
    return tuple(df["source_id"]) or ("\x00no-source\x00",)


def _scoped(con: duckdb.DuckDBPyConnection, f: Filters, **extra: Any) -> dict[str, Any]:
    params = f.params()
    params["sources"] = list(effective_sources(con, f))
    params.update(extra)
    return params


def rank_topics(con: duckdb.DuckDBPyConnection, topic_ids: Sequence[str], f: Filters) -> list[str]:
    """``topic_ids`` ordered by spike days, then matching articles, in the filtered period (the
    dashboard opens on the first: the story of the moment)."""
    sql = f"""
        select topic_id, count(*) filter (where is_spike) as spikes, sum(matching_articles) as matching
        from topic_daily
        where list_contains($topics::varchar[], topic_id) and {_SRC} and {_DAYS}
        group by topic_id
    """
    df = run(con, sql, _scoped(con, f, topics=list(topic_ids)))
    score = {r.topic_id: (-int(r.spikes), -int(r.matching or 0)) for r in df.itertuples(index=False)}
    return sorted(topic_ids, key=lambda t: (*score.get(t, (0, 0)), t))


def topic_trend(con: duckdb.DuckDBPyConnection, topic_id: str, f: Filters) -> pd.DataFrame:
    """Per outlet and day: share, 7-day rolling share, spike score and flag (from ``topic_daily``)."""
    sql = f"""
        select d.day, d.source_id, coalesce(s.name, d.source_id) as source, d.matching_articles,
            d.total_articles, d.share, d.rolling_share_7d, d.spike_score, d.is_spike
        from topic_daily d left join sources s using (source_id)
        where d.topic_id = $topic and {_src("d.source_id")}
            and {_days("d.day")}
        order by d.day, d.source_id
    """
    return run(con, sql, _scoped(con, f, topic=topic_id))


def topic_trend_all(con: duckdb.DuckDBPyConnection, topic_id: str, f: Filters) -> pd.DataFrame:
    """All outlets together (``topic_daily_all``)."""
    sql = f"""
        select day, matching_articles, total_articles, share, rolling_share_7d, spike_score, is_spike
        from topic_daily_all where topic_id = $topic and {_DAYS} order by day
    """
    return run(con, sql, {**f.params(), "topic": topic_id})


def outlet_comparison(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Per topic and outlet over the period: matching, total, share of output, share of voice."""
    sql = f"""
        with per_source as (
            select d.topic_id, d.source_id, sum(d.matching_articles)::bigint as matching_articles,
                sum(d.total_articles)::bigint as total_articles
            from topic_daily d
            where (len($topics::varchar[]) = 0 or list_contains($topics::varchar[], d.topic_id))
                and {_src("d.source_id")} and {_days("d.day")}
            group by all
        )
        select p.topic_id, coalesce(t.label, p.topic_id) as topic, p.source_id,
            coalesce(s.name, p.source_id) as source, p.matching_articles, p.total_articles,
            p.matching_articles / nullif(p.total_articles, 0) as share,
            p.matching_articles / nullif(sum(p.matching_articles) over (partition by p.topic_id), 0)
                as share_of_voice
        from per_source p left join sources s using (source_id) left join topics t using (topic_id)
        order by p.topic_id, p.source_id
    """
    return run(con, sql, _scoped(con, f))


def share_of_voice_daily(con: duckdb.DuckDBPyConnection, topic_id: str, f: Filters) -> pd.DataFrame:
    sql = f"""
        select v.day, v.source_id, coalesce(s.name, v.source_id) as source, v.matching_articles,
            v.topic_articles_all_sources, v.share_of_voice
        from source_share_of_voice v left join sources s using (source_id)
        where v.topic_id = $topic and {_src("v.source_id")} and {_days("v.day")}
            and v.topic_articles_all_sources > 0
        order by v.day, v.source_id
    """
    return run(con, sql, _scoped(con, f, topic=topic_id))


def cooccurrence(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Topic pairs over the period, both orders (for a symmetric heatmap); Jaccard of the totals."""
    sql = f"""
        with pairs as (
            select topic_a, topic_b, sum(articles_both)::bigint as articles_both,
                sum(articles_a)::bigint as articles_a, sum(articles_b)::bigint as articles_b
            from topic_cooccurrence
            where {_DAYS}
                and (len($topics::varchar[]) = 0
                     or (list_contains($topics::varchar[], topic_a) and list_contains($topics::varchar[], topic_b)))
            group by all
        ), both_ways as (
            select topic_a, topic_b, articles_both, articles_a, articles_b from pairs
            union all
            select topic_b, topic_a, articles_both, articles_b, articles_a from pairs
        )
        select topic_a, topic_b, articles_both,
            articles_both / nullif(articles_a + articles_b - articles_both, 0) as jaccard
        from both_ways order by topic_a, topic_b
    """
    return run(con, sql, f.params())


def top_entities(con: duckdb.DuckDBPyConnection, topic_id: str, f: Filters, limit: int = 10) -> pd.DataFrame:
    """Top people, places and organisations in the topic's articles: ``limit`` per entity type."""
    sql = f"""
        with hits as (
            select e.entity_type, e.entity_id, any_value(e.entity_name) as entity_name,
                count(distinct e.article_id) as articles, sum(e.mentions)::bigint as mentions
            from entity_mentions e
            join article_topics t on t.article_id = e.article_id and t.topic_id = $topic
            where {_src("e.source_id")} and {_lang("e.language")}
                and {_days("e.day")}
            group by all
        )
        select * from hits
        qualify row_number() over (partition by entity_type order by articles desc, entity_id) <= $limit
        order by entity_type, articles desc, entity_id
    """
    return run(con, sql, {**f.params(), "topic": topic_id, "limit": int(limit)})


def entity_timeline(
    con: duckdb.DuckDBPyConnection, topic_id: str, entity_ids: Sequence[str], f: Filters
) -> pd.DataFrame:
    """Articles per day of the topic mentioning each of ``entity_ids``."""
    sql = f"""
        select e.day, e.entity_id, any_value(e.entity_name) as entity_name, any_value(e.entity_type) as entity_type,
            count(distinct e.article_id) as articles
        from entity_mentions e
        join article_topics t on t.article_id = e.article_id and t.topic_id = $topic
        where list_contains($entities::varchar[], e.entity_id)
            and {_src("e.source_id")} and {_lang("e.language")}
            and {_days("e.day")}
        group by all order by e.day, e.entity_id
    """
    return run(con, sql, {**f.params(), "topic": topic_id, "entities": list(entity_ids)})


def source_health(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    sql = f"""
        select h.source_id, coalesce(s.name, h.source_id) as source, h.day, h.pages_fetched,
            h.articles_extracted, h.not_articles, h.unchanged, h.failures,
            cast(h.failures_by_kind as varchar) as failures_by_kind, h.undated_articles, h.is_gap
        from source_health h left join sources s using (source_id)
        where {_src("h.source_id")} and {_days("h.day")}
        order by h.day, h.source_id
    """
    return run(con, sql, _scoped(con, f))


def source_health_summary(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    sql = f"""
        select h.source_id, coalesce(any_value(s.name), h.source_id) as source, count(*) as days,
            sum(h.pages_fetched)::bigint as pages_fetched,
            sum(h.articles_extracted)::bigint as articles_extracted,
            sum(h.failures)::bigint as failures, sum(h.undated_articles)::bigint as undated_articles,
            count(*) filter (where h.is_gap) as gap_days, max(h.day) as last_day
        from source_health h left join sources s using (source_id)
        where {_src("h.source_id")} and {_days("h.day")}
        group by h.source_id order by h.source_id
    """
    return run(con, sql, _scoped(con, f))


def topic_days(con: duckdb.DuckDBPyConnection, topic_id: str, f: Filters) -> list[date]:
    """Days with at least one matching article (newest first), for the drill-down picker."""
    sql = f"""
        select distinct day from article_topics
        where topic_id = $topic and {_SRC} and {_LANG} and {_DAYS} order by day desc
    """
    return [_as_date(d) for d in run(con, sql, {**f.params(), "topic": topic_id})["day"]]


def topic_articles(
    con: duckdb.DuckDBPyConnection,
    topic_id: str,
    f: Filters,
    *,
    day: date | None = None,
    source_id: str | None = None,
    entity_id: str | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """The articles behind a point of a topic chart: title, outlet, date, link; optionally only
    one day, one outlet, or those mentioning one entity."""
    sql = f"""
        select a.day, a.published_at, a.source_id, coalesce(a.source_name, a.source_id) as source,
            a.language, a.title, coalesce(a.canonical_url, a.url) as url
        from article_topics t join articles a using (article_id)
        where t.topic_id = $topic
            and {_src("a.source_id")} and {_lang("a.language")}
            and {_days("a.day")}
            and ($day::date is null or a.day = $day::date)
            and ($source::varchar is null or a.source_id = $source::varchar)
            and ($entity::varchar is null or a.article_id in (
                select e.article_id from entity_mentions e where e.entity_id = $entity::varchar))
        order by a.published_at desc nulls last, a.article_id
        limit $limit
    """
    params = {"topic": topic_id, "day": day, "source": source_id, "entity": entity_id, "limit": int(limit)}
    return run(con, sql, {**f.params(), **params})


# --- ad-hoc topic queries: DNF clauses, each distinct pattern a bound parameter -------------------


def adhoc_sql(clauses: Iterable[Iterable[Any]]) -> tuple[str, dict[str, Any]]:
    """CTEs ``docs`` (filtered, dated articles) and ``matched`` (article ids) for DNF ``clauses``
    (lists of objects with ``pattern`` and ``negated``), and the parameters to bind.

    An ad-hoc query is matched like a topic (the ``newsradar.topics`` contract): ``Term.pattern`` is an
    RE2 regex on ``lower(concat_ws(chr(10), title, subtitle, body))``; a clause needs all its positive
    terms and none of its negated ones; the query matches when any clause does.

    Each distinct pattern is bound as its own parameter ``$p<i>`` and evaluated once per article
    (a bound pattern is a constant to DuckDB, compiled once; a pattern taken from a column would be
    recompiled on every row, about 50x slower). The SQL text is built only from generated names and
    the shape of the DNF; no text of the query reaches it.
    """
    index: dict[str, int] = {}
    shape: list[list[tuple[int, bool]]] = []
    for clause in clauses:
        terms = []
        for term in clause:
            i = index.setdefault(str(term.pattern), len(index))
            terms.append((i, bool(term.negated)))
        if terms:
            shape.append(terms)
    if not index:
        raise ValueError("the query has no terms")
    columns = ", ".join(f"regexp_matches(text, $p{i}) as m{i}" for i in range(len(index)))
    dnf = " or ".join(
        "(" + " and ".join(f"{'not ' if neg else ''}m{i}" for i, neg in clause) + ")" for clause in shape
    )
    sql = f"""
    docs as (
        select article_id, source_id, day, lower(concat_ws(chr(10), title, subtitle, body)) as text
        from articles where day is not null and {_SRC} and {_LANG} and {_DAYS}
    ),
    term_hits as (select article_id, {columns} from docs),
    matched as (select article_id from term_hits where {dnf})
    """
    return sql, {f"p{i}": pattern for pattern, i in index.items()}


def adhoc_daily(con: duckdb.DuckDBPyConnection, clauses: Iterable[Iterable[Any]], f: Filters) -> pd.DataFrame:
    """Per outlet and day: articles matching the ad-hoc query, all dated articles, share."""
    ctes, params = adhoc_sql(clauses)
    sql = f"""
        with {ctes},
        totals as (select source_id, day, count(*) as total_articles from docs group by all),
        hits as (
            select d.source_id, d.day, count(*) as matching_articles
            from docs d join matched m using (article_id) group by all
        )
        select t.day, t.source_id, coalesce(s.name, t.source_id) as source,
            coalesce(h.matching_articles, 0) as matching_articles, t.total_articles,
            coalesce(h.matching_articles, 0) / t.total_articles as share
        from totals t left join hits h using (source_id, day) left join sources s using (source_id)
        order by t.day, t.source_id
    """
    return run(con, sql, {**f.params(), **params})


def adhoc_articles(
    con: duckdb.DuckDBPyConnection,
    clauses: Iterable[Iterable[Any]],
    f: Filters,
    *,
    day: date | None = None,
    source_id: str | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """The articles matching the ad-hoc query (optionally one day / one outlet), newest first."""
    ctes, params = adhoc_sql(clauses)
    sql = f"""
        with {ctes}
        select a.day, a.published_at, a.source_id, coalesce(a.source_name, a.source_id) as source,
            a.language, a.title, coalesce(a.canonical_url, a.url) as url
        from matched m join articles a using (article_id)
        where ($day::date is null or a.day = $day::date)
            and ($source::varchar is null or a.source_id = $source::varchar)
        order by a.published_at desc nulls last, a.article_id
        limit $limit
    """
    params = {**f.params(), **params, "day": day, "source": source_id, "limit": int(limit)}
    return run(con, sql, params)
