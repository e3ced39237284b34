"""The newsradar Streamlit dashboard. Run it with ``newsradar dashboard`` (or
``streamlit run dashboard/app.py``); it reads the published warehouse named by ``Paths.from_env()``
(``NEWSRADAR_DATA_DIR`` / ``NEWSRADAR_WAREHOUSE``), read-only, with a new connection on every rerun,
so a rebuilt warehouse swapped in while the page is open is picked up on the next interaction.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import quote, urlsplit

import duckdb
import pandas as pd
import streamlit as st

from newsradar.dashboard import charts
from newsradar.dashboard import queries as q
from newsradar.settings import Paths

ALL_OUTLETS = "All outlets"
DEFAULT_WINDOW_DAYS = 90
ARTICLE_LIMIT = 200

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$])")


def md_escape(text: object) -> str:
    """Escape Markdown (and so HTML) in untrusted text shown with ``st.markdown``."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text or "").split()))


def md_link(title: object, url: object) -> str:
    """A Markdown link to ``url`` if it is http(s), else the escaped title alone."""
    label = md_escape(title) or "(untitled)"
    url = str(url or "")
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return label
    return f"[{label}]({quote(url, safe=':/?#@!$&*+,;=%~')})"


def format_query_error(text: str, exc: Exception) -> str:
    """The error message with the query and a caret under the position of the error
    (``TopicQueryError.message`` / ``.position``, 0-based)."""
    message = getattr(exc, "message", None) or str(exc)
    pos = getattr(exc, "position", None)
    if not isinstance(pos, int):
        return f"Bad topic query: {message}"
    pos = max(0, min(pos, len(text)))
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    fence = "~~~~"
    return f"Bad topic query: {message} (at position {pos})\n\n{fence}\n{line}\n{' ' * (pos - line_start)}^\n{fence}"


def _selected_point(event: object, field: str = "source_id") -> tuple[date | None, str | None]:
    """(day, ``field``) of the point clicked in a chart with a ``pick`` selection, if any."""
    try:
        points = event["selection"][charts.PICK]  # type: ignore[index]
    except (KeyError, TypeError):
        return None, None
    if not points:
        return None, None
    point = points[0] if isinstance(points, list) else points
    try:
        day = date.fromisoformat(str(point.get("date")))
    except (TypeError, ValueError, AttributeError):
        return None, None
    return day, point.get(field)


def titled(title: str, chart):
    """Show ``title`` as a heading above the chart (Vega titles get clipped inside Streamlit)."""
    st.markdown(f"**{md_escape(title)}**")
    return chart


def show_articles(df: pd.DataFrame, *, heading: str, key: str) -> None:
    if df.empty:
        st.info("No articles for this selection.")
        return
    more = " (newest first; more exist)" if len(df) >= ARTICLE_LIMIT else ""
    lines = [f"**{md_escape(heading)}**: {len(df)} article{'s' if len(df) != 1 else ''}{more}", ""]
    for row in df.itertuples(index=False):
        day = pd.Timestamp(row.day).date().isoformat() if pd.notna(row.day) else "undated"
        lines.append(f"- {md_link(row.title, row.url)} · {md_escape(row.source)} · {day}")
    with st.container(key=key):
        st.markdown("\n".join(lines))


def sidebar_filters(opts: q.Options) -> q.Filters:
    sb = st.sidebar
    sb.header("Filters")
    first, last = opts.first_day, opts.last_day
    default_start = max(first, last - timedelta(days=DEFAULT_WINDOW_DAYS - 1))
    picked = sb.date_input(
        "Date range", value=(default_start, last), min_value=first, max_value=last, key="f_dates"
    )
    if isinstance(picked, date):
        start, end = picked, picked
    elif len(picked) == 2:
        start, end = picked
    elif len(picked) == 1:
        start, end = picked[0], picked[0]
    else:
        start, end = default_start, last
    sources = sb.multiselect(
        "Outlets",
        list(opts.sources),
        format_func=lambda s: opts.sources.get(s, s),
        key="f_sources",
        placeholder="All outlets",
    )
    languages = sb.multiselect("Languages", opts.languages, key="f_languages", placeholder="All languages")
    topics = sb.multiselect(
        "Topics",
        list(opts.topics),
        format_func=lambda t: opts.topics.get(t, t),
        key="f_topics",
        placeholder="All topics",
    )
    sb.caption("An empty filter means all.")
    return q.Filters(
        start=start, end=end, sources=tuple(sources), languages=tuple(languages), topics=tuple(topics)
    )


def trends_tab(con: duckdb.DuckDBPyConnection, topic: str, label: str, f: q.Filters) -> None:
    trend = q.topic_trend(con, topic, f)
    if trend.empty or int(trend["matching_articles"].sum()) == 0:
        st.info(f"No articles match the topic “{label}” for these outlets, languages and dates.")
        return
    c1, c2, c3 = st.columns(3)
    c1.metric("Matching articles", int(trend["matching_articles"].sum()))
    c2.metric(
        "Share of all articles", f"{trend['matching_articles'].sum() / trend['total_articles'].sum():.1%}"
    )
    c3.metric("Spike days (outlet × day)", int(trend["is_spike"].fillna(False).astype(bool).sum()))
    st.markdown(f"**{md_escape(label)}: share of each outlet's articles per day**")
    overall = q.topic_trend_all(con, topic, f) if not (f.sources or f.languages) else None
    chart = charts.trend_chart(trend, overall=overall)
    event = st.altair_chart(chart, on_select="rerun", key="trend_chart", selection_mode=charts.PICK)
    st.caption(
        "Line: 7-day rolling mean; dots: daily share (click one to list its articles); "
        "black triangles: spikes against the trailing 28 days; dashed: all outlets."
    )

    st.subheader("Articles behind a point")
    sel_day, sel_source = _selected_point(event)
    days = q.topic_days(con, topic, f)
    day_options = [d.isoformat() for d in days]
    outlets = [ALL_OUTLETS, *sorted(trend["source_id"].unique())]
    names = dict(zip(trend["source_id"], trend["source"], strict=False))
    c1, c2 = st.columns(2)
    day_pick = c1.selectbox("Day", day_options, key="drill_day")
    source_pick = c2.selectbox("Outlet", outlets, key="drill_source", format_func=lambda s: names.get(s, s))
    if sel_day is not None:
        st.caption(f"From the chart: {sel_day.isoformat()}, {names.get(sel_source, sel_source)}")
        day, source = sel_day, sel_source
    else:
        day = date.fromisoformat(day_pick) if day_pick else None
        source = None if source_pick in (None, ALL_OUTLETS) else source_pick
    if day is None:
        st.info("No day to drill into.")
        return
    df = q.topic_articles(con, topic, f, day=day, source_id=source, limit=ARTICLE_LIMIT)
    where = names.get(source, source) if source else ALL_OUTLETS.lower()
    show_articles(df, heading=f"{label} on {day.isoformat()}, {where}", key="drilldown_articles")


def outlets_tab(con: duckdb.DuckDBPyConnection, topic: str, label: str, f: q.Filters) -> None:
    comp = q.outlet_comparison(con, f)
    if comp.empty or int(comp["matching_articles"].sum()) == 0:
        st.info("No topic coverage for these outlets and dates.")
        return
    st.altair_chart(titled("Share of each outlet's articles, per topic", charts.outlet_share_chart(comp)))
    focus = comp[comp["topic_id"] == topic]
    if not focus.empty and int(focus["matching_articles"].sum()) > 0:
        st.altair_chart(titled(f"{label}: share of voice over the period", charts.share_of_voice_bar(focus)))
        sov = q.share_of_voice_daily(con, topic, f)
        if not sov.empty:
            st.altair_chart(titled(f"{label}: share of voice per day", charts.share_of_voice_chart(sov)))
    else:
        st.info(f"No articles match the topic “{label}” for these outlets and dates.")
    st.dataframe(comp.drop(columns=["topic_id", "source_id"]), hide_index=True)


def cooccurrence_tab(con: duckdb.DuckDBPyConnection, f: q.Filters) -> None:
    co = q.cooccurrence(con, f)
    if co.empty:
        st.info("No two topics share an article for these dates.")
        return
    st.altair_chart(
        titled("Topic co-occurrence (Jaccard; numbers: shared articles)", charts.cooccurrence_heatmap(co))
    )


def entities_tab(con: duckdb.DuckDBPyConnection, topic: str, label: str, f: q.Filters) -> None:
    top = q.top_entities(con, topic, f, limit=10)
    if top.empty:
        st.info(f"No people, places or organisations found in “{label}” articles for these filters.")
        return
    st.altair_chart(titled(f"{label}: top people, places and organisations", charts.entity_bar_chart(top)))
    ranked = top.sort_values(["articles", "entity_id"], ascending=[False, True])
    names = dict(zip(ranked["entity_id"], ranked["entity_name"], strict=False))
    chosen = st.multiselect(
        "Entities over time",
        list(ranked["entity_id"]),
        default=list(ranked["entity_id"][:5]),
        format_func=lambda e: names.get(e, e),
        key="entities",
    )
    if chosen:
        tl = q.entity_timeline(con, topic, chosen, f)
        if not tl.empty:
            event = st.altair_chart(
                titled("Articles of the topic mentioning each entity", charts.entity_timeline_chart(tl)),
                on_select="rerun",
                key="entity_chart",
                selection_mode=charts.PICK,
            )
            day, entity = _selected_point(event, "entity_id")
            if day is not None and entity:
                df = q.topic_articles(con, topic, f, day=day, entity_id=entity, limit=ARTICLE_LIMIT)
                heading = f"{label} on {day.isoformat()}, mentioning {names.get(entity, entity)}"
                show_articles(df, heading=heading, key="entity_articles")
            else:
                st.caption("Click a point to list the articles behind it.")


def health_tab(con: duckdb.DuckDBPyConnection, f: q.Filters) -> None:
    health = q.source_health(con, f)
    if health.empty:
        st.info("No crawl records (source_health) for these outlets and dates.")
        return
    summary = q.source_health_summary(con, f)
    gaps = int(summary["gap_days"].sum())
    if gaps:
        st.warning(
            f"{gaps} outlet-day{'s' if gaps != 1 else ''} with a crawl gap: trends on those days are "
            "missing data, not missing coverage."
        )
    st.dataframe(summary.drop(columns=["source_id"]), hide_index=True)
    st.altair_chart(
        titled("Articles extracted per crawl day (red crosses: gaps)", charts.health_chart(health))
    )
    failed = health[health["failures"] > 0]
    if not failed.empty:
        st.caption("Days with failures")
        st.dataframe(failed[["day", "source", "failures", "failures_by_kind"]], hide_index=True)


def adhoc_tab(con: duckdb.DuckDBPyConnection, f: q.Filters) -> None:
    st.caption(
        "Same language as topics.yml: quoted phrases, AND, OR, NOT, parentheses, suffix wildcards "
        '(e.g. `"peace talks" OR переговор*`). Case-insensitive, over title and body.'
    )
    text = st.text_input("Ad-hoc topic query", key="adhoc_query", max_chars=2000)
    if not text.strip():
        return
    try:
        from newsradar.topics import TopicQueryError, compile_query
    except ImportError:
        st.warning("The topic query language (newsradar.topics) is not installed in this build.")
        return
    try:
        clauses = compile_query(text).clauses()
        q.adhoc_sql(clauses)  # ValueError when there is nothing to match
    except TopicQueryError as exc:
        st.error(format_query_error(text, exc))
        return
    except ValueError as exc:
        st.error(f"Bad topic query: {exc}")
        return
    try:
        daily = q.adhoc_daily(con, clauses, f)
    except duckdb.Error as exc:  # e.g. a pattern RE2 rejects
        st.error(f"The query could not be evaluated: {exc}")
        return
    total = int(daily["matching_articles"].sum()) if not daily.empty else 0
    if total == 0:
        st.info("No articles match this query for these outlets, languages and dates.")
        return
    st.metric("Matching articles", total)
    event = st.altair_chart(
        titled("Ad-hoc query: share of each outlet's articles", charts.adhoc_chart(daily)),
        on_select="rerun",
        key="adhoc_chart",
        selection_mode=charts.PICK,
    )
    day, source = _selected_point(event)
    if day is None:
        hit_days = sorted(
            {pd.Timestamp(d).date() for d in daily.loc[daily["matching_articles"] > 0, "day"]}, reverse=True
        )
        choice = st.selectbox("Day", ["All days", *[d.isoformat() for d in hit_days]], key="adhoc_day")
        day = None if choice == "All days" else date.fromisoformat(choice)
    df = q.adhoc_articles(con, clauses, f, day=day, source_id=source, limit=ARTICLE_LIMIT)
    show_articles(
        df, heading="Matching articles" + (f" on {day.isoformat()}" if day else ""), key="adhoc_articles"
    )


def render(con: duckdb.DuckDBPyConnection, paths: Paths) -> None:
    missing = q.missing_tables(con)
    if missing:
        st.warning(
            f"The warehouse at {paths.warehouse_path} lacks the tables {', '.join(missing)}. "
            "Rebuild it with `newsradar build`."
        )
        return
    if q.article_count(con) == 0:
        st.info(
            "The warehouse is empty: no articles yet. Crawl some sources and run `newsradar build` "
            "(or try `newsradar demo`)."
        )
        return
    opts = q.options(con)
    if opts.first_day is None:
        st.info("The warehouse has no dated articles yet, so there are no trends to show.")
        return
    f = sidebar_filters(opts)
    topic_ids = q.rank_topics(con, list(f.topics or opts.topics), f)
    if not topic_ids:
        st.info("No topics are defined. Add some to warehouse/topics.yml and rebuild.")
        return
    topic = st.selectbox("Topic", topic_ids, format_func=lambda t: opts.topics.get(t, t), key="topic")
    label = opts.topics.get(topic, topic)
    tabs = st.tabs(["Trends", "Outlets", "Co-occurrence", "Entities", "Source health", "Ad-hoc query"])
    with tabs[0]:
        trends_tab(con, topic, label, f)
    with tabs[1]:
        outlets_tab(con, topic, label, f)
    with tabs[2]:
        cooccurrence_tab(con, f)
    with tabs[3]:
        entities_tab(con, topic, label, f)
    with tabs[4]:
        health_tab(con, f)
    with tabs[5]:
        adhoc_tab(con, f)


def main() -> None:
    st.set_page_config(page_title="newsradar", layout="wide")
    st.title("newsradar: topic coverage")
    paths = Paths.from_env()
    try:
        con = q.connect(paths)
    except q.WarehouseMissing:
        st.warning(
            f"No warehouse at {paths.warehouse_path}. Build one with `newsradar build` "
            "(or run `newsradar demo`), or point --data-dir at the folder that holds newsradar.duckdb."
        )
        return
    except q.WarehouseUnavailable as exc:
        st.error(f"Cannot open the warehouse {paths.warehouse_path}: {exc}")
        return
    try:
        st.caption(f"Warehouse: {paths.warehouse_path}")
        render(con, paths)
    except duckdb.Error as exc:
        st.error(f"Warehouse query failed: {exc}")
    finally:
        con.close()


if __name__ == "__main__":
    main()
