"""The dashboard's read-only queries over a small warehouse written by tests/dashboard_warehouse.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dashboard_warehouse  # noqa: E402  (tests/ is on sys.path: tests/conftest.py)
import duckdb
import pytest

from newsradar.dashboard import queries as q
from newsradar.settings import Paths


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return dashboard_warehouse.write_warehouse(tmp_path_factory.mktemp("wh") / "newsradar.duckdb")


@pytest.fixture
def con(warehouse):
    c = duckdb.connect(str(warehouse.path), read_only=True)
    yield c
    c.close()


def test_connect_is_read_only_and_missing_file_is_reported(warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSRADAR_WAREHOUSE", str(warehouse.path))
    c = q.connect(Paths.from_env())
    try:
        with pytest.raises(duckdb.Error):
            c.execute("create table x (a int)")
    finally:
        c.close()
    monkeypatch.setenv("NEWSRADAR_WAREHOUSE", str(tmp_path / "absent.duckdb"))
    with pytest.raises(q.WarehouseMissing):
        q.connect(Paths.from_env())


def test_options_and_tables(con, warehouse):
    assert q.missing_tables(con) == []
    opts = q.options(con)
    assert sorted(opts.sources) == sorted(warehouse.sources)
    assert opts.sources["vestnik"] == "Вестник"
    assert opts.languages == ["en", "ru"]
    assert set(opts.topics) == set(warehouse.topics)
    assert (opts.first_day, opts.last_day) == (warehouse.first_day, warehouse.last_day)


def test_topic_trend_matches_article_level_counts(con):
    f = q.Filters(start=date(2026, 11, 1), end=date(2026, 11, 14), sources=("vestnik",))
    trend = q.topic_trend(con, "peace_talks", f)
    assert set(trend["source_id"]) == {"vestnik"}
    expected = con.execute(
        "select count(*) from article_topics where topic_id = 'peace_talks' and source_id = 'vestnik' "
        "and day between '2026-11-01' and '2026-11-14'"
    ).fetchall()[0][0]
    assert int(trend["matching_articles"].sum()) == expected > 0
    assert trend["is_spike"].any()
    assert trend["day"].min().date() >= date(2026, 11, 1)


def test_language_filter_narrows_outlets(con):
    f = q.Filters(languages=("ru",))
    assert q.effective_sources(con, f) == ("vestnik",)
    assert set(q.topic_trend(con, "peace_talks", f)["source_id"]) == {"vestnik"}
    # a language nobody publishes in selects nothing (not everything)
    assert q.topic_trend(con, "peace_talks", q.Filters(languages=("de",))).empty


def test_rank_topics_puts_the_spiking_topic_first(con, warehouse):
    ranked = q.rank_topics(con, warehouse.topics, q.Filters())
    assert ranked[0] == "peace_talks"
    assert ranked[-1] == "space_race"


def test_outlet_comparison_shares(con):
    comp = q.outlet_comparison(con, q.Filters(topics=("peace_talks",)))
    assert set(comp["topic_id"]) == {"peace_talks"}
    assert comp["share_of_voice"].sum() == pytest.approx(1.0)
    row = comp[comp["source_id"] == "vestnik"].iloc[0]
    assert row["share"] == pytest.approx(row["matching_articles"] / row["total_articles"])


def test_cooccurrence_is_symmetric(con):
    co = q.cooccurrence(con, q.Filters())
    pairs = {(a, b): n for a, b, n in co[["topic_a", "topic_b", "articles_both"]].itertuples(index=False)}
    assert pairs
    for (a, b), n in pairs.items():
        assert pairs[(b, a)] == n
    assert (co["jaccard"].between(0, 1)).all()


def test_top_entities_per_type_and_timeline(con):
    top = q.top_entities(con, "peace_talks", q.Filters(), limit=1)
    assert top.groupby("entity_type").size().max() == 1
    assert "volodymyr_zelensky" in set(top["entity_id"])
    tl = q.entity_timeline(
        con, "peace_talks", ["geneva"], q.Filters(start=date(2026, 11, 8), end=date(2026, 11, 8))
    )
    assert list(tl["entity_id"]) == ["geneva"]
    expected = con.execute(
        "select count(*) from article_topics where topic_id = 'peace_talks' and day = '2026-11-08'"
    ).fetchall()[0][0]
    assert int(tl["articles"].iloc[0]) == expected


def test_source_health_shows_the_gap(con):
    summary = q.source_health_summary(con, q.Filters())
    gaps = dict(zip(summary["source_id"], summary["gap_days"], strict=True))
    assert gaps == {"daily_planet": 0, "evening_star": 1, "vestnik": 0}


def test_drilldown_articles(con):
    day = date(2026, 11, 8)
    df = q.topic_articles(con, "peace_talks", q.Filters(), day=day, source_id="vestnik")
    assert not df.empty
    assert set(df["source_id"]) == {"vestnik"}
    assert {d.date() for d in df["day"]} == {day}
    assert all(u.startswith("https://vestnik.example/2026-11-08/") for u in df["url"])
    assert q.topic_days(con, "peace_talks", q.Filters())[0] == date(2026, 11, 14)
    # the entity timeline's drill-down: the topic's articles of that day mentioning the entity
    geneva = q.topic_articles(con, "peace_talks", q.Filters(), day=day, entity_id="geneva")
    expected = con.execute(
        "select count(*) from article_topics t join entity_mentions e using (article_id) "
        "where t.topic_id = 'peace_talks' and t.day = ? and e.entity_id = 'geneva'",
        [day],
    ).fetchall()[0][0]
    assert len(geneva) == expected > 0
    assert q.topic_articles(con, "peace_talks", q.Filters(), day=day, entity_id="berlin").empty


def test_adhoc_query_agrees_with_the_reference_evaluator(con):
    topics = pytest.importorskip("newsradar.topics")
    query = topics.compile_query('"peace talks" OR (переговор* AND NOT парк)')
    f = q.Filters(start=date(2026, 11, 7), end=date(2026, 11, 9))
    daily = q.adhoc_daily(con, query.clauses(), f)
    rows = con.execute(
        "select title, subtitle, body from articles where day between '2026-11-07' and '2026-11-09'"
    ).fetchall()
    expected = sum(query.matches("\n".join(p for p in r if p is not None)) for r in rows)
    assert int(daily["matching_articles"].sum()) == expected > 0
    arts = q.adhoc_articles(con, query.clauses(), f, source_id="vestnik", limit=5)
    assert len(arts) == 5 and set(arts["source_id"]) == {"vestnik"}


class T:
    def __init__(self, pattern, negated=False):
        self.pattern, self.negated = pattern, negated


def test_adhoc_sql_binds_each_distinct_pattern_once():
    with pytest.raises(ValueError):
        q.adhoc_sql([])
    sql, params = q.adhoc_sql([[T("a'b"), T("c", True)], [T("a'b")]])
    assert params == {"p0": "a'b", "p1": "c"}
    assert "a'b" not in sql and "(m0 and not m1) or (m0)" in sql


HOSTILE = [
    "x' or '1'='1",
    "'; drop table articles; --",
    "peace_talks') or true --",
    "$sources",
]


@pytest.mark.parametrize("evil", HOSTILE)
def test_hostile_filter_values_are_bound_not_pasted(warehouse, tmp_path, evil):
    # a writable copy, so that a pasted "drop table" would have worked
    copy = tmp_path / "rw.duckdb"
    copy.write_bytes(warehouse.path.read_bytes())
    c = duckdb.connect(str(copy))
    try:
        f = q.Filters(sources=(evil,), languages=(evil,), topics=(evil,))
        assert q.topic_trend(c, evil, q.Filters()).empty
        assert q.topic_trend(c, "peace_talks", f).empty
        assert q.outlet_comparison(c, f).empty
        assert q.topic_articles(c, "peace_talks", q.Filters(), source_id=evil).empty
        assert q.top_entities(c, evil, q.Filters()).empty
        assert q.entity_timeline(c, "peace_talks", [evil], q.Filters()).empty
        assert q.source_health(c, q.Filters(sources=(evil,))).empty
        assert q.missing_tables(c) == []
        assert q.article_count(c) == warehouse.articles
    finally:
        c.close()


def test_hostile_adhoc_pattern_is_data(warehouse, tmp_path):
    copy = tmp_path / "rw.duckdb"
    copy.write_bytes(warehouse.path.read_bytes())
    c = duckdb.connect(str(copy))

    try:
        evil = [[T("x' or 1=1; drop table articles; --")]]
        assert int(q.adhoc_daily(c, evil, q.Filters())["matching_articles"].sum()) == 0
        assert q.adhoc_articles(c, evil, q.Filters()).empty
        # a pattern RE2 rejects is an error from the regex engine, nothing else runs
        with pytest.raises(duckdb.InvalidInputException):
            q.adhoc_daily(c, [[T("') ; drop table articles; --")]], q.Filters())
        assert q.article_count(c) == warehouse.articles
    finally:
        c.close()


def test_sample_warehouse_follows_the_table_contract(con):
    """tests/dashboard_warehouse.py must keep the columns of docs/tables.md (the dashboard is tested on it)."""
    doc = (Path(__file__).parents[2] / "docs" / "tables.md").read_text(encoding="utf-8")
    contract: dict[str, list[str]] = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`") and cells[1] != "grain":
            contract[cells[0].strip("`")] = [c.split("(")[0].strip().strip("`") for c in cells[2].split(",")]
    assert set(q.REQUIRED_TABLES) <= set(contract)
    for table, columns in contract.items():
        if columns[0].startswith("same columns"):
            columns = [c for c in contract["topic_daily"] if c != "source_id"]
        actual = [
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
        ]
        assert actual == columns, table
