"""End-to-end warehouse builds over a synthetic lake (tests/warehouse_lake.py): contents, trends
against an independent computation, incremental builds, topic changes, failures and atomic publish."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
import warehouse_lake as wl

from newsradar import warehouse
from newsradar.cli import main
from newsradar.settings import Paths

pytestmark = pytest.mark.slow

TABLES = [
    *warehouse.MARTS,
    "intermediate.int_articles_deduped",
    "intermediate.int_article_topics",
    "intermediate.int_near_duplicates",
    "intermediate.int_fetch_days",
]
TZ = {"alpha": "America/New_York", "beta": "Europe/Moscow"}


def _build(paths: Paths, terms=None, **kw) -> warehouse.BuildResult:
    return warehouse.build(
        paths,
        progress=False,
        topics=wl.topics_tables(terms or wl.DEFAULT_TERMS),
        entity_terms=wl.entity_table(wl.DEFAULT_ENTITIES),
        sources_file=paths.data_dir / "sources.yaml",
        **kw,
    )


def checksums(path: Path) -> dict[str, tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: con.execute(f"select count(*), bit_xor(hash(x)) from {t} x").fetchone() for t in TABLES}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> tuple[Paths, list[dict]]:
    d = tmp_path_factory.mktemp("wh")
    rows = wl.newsroom(d / "lake")
    wl.write_sources(d / "sources.yaml")
    paths = Paths.from_env(d)
    _build(paths)
    return paths, rows


@pytest.fixture
def copy(base, tmp_path) -> Paths:
    paths, _ = base
    shutil.copytree(paths.data_dir, tmp_path / "data", ignore=shutil.ignore_patterns(".build", "*.lock"))
    return Paths.from_env(tmp_path / "data")


def expected_peace_shares(rows: list[dict]) -> dict[str, tuple[int, int]]:
    """Independent computation: day (outlet time zone) -> (matching, total dated articles)."""
    latest: dict[str, dict] = {}
    for r in sorted(rows, key=lambda r: r["fetched_at"]):
        latest[r["canonical_url"] or r["url"]] = r
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in latest.values():
        if r["published_at"] is None:
            continue
        day = r["published_at"].astimezone(ZoneInfo(TZ[r["source_id"]])).date().isoformat()
        text = "\n".join(x for x in (r["title"], r["subtitle"], r["body"]) if x).lower()
        no_football = not re.search(r"\bfootball\b", text)
        clause1 = re.search(r"\bpeace\b", text) and re.search(r"\btalks\b", text) and no_football
        clause2 = re.search(r"\bnegotiat\w*", text) and no_football
        out[day][0] += bool(clause1 or clause2)
        out[day][1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def test_contents(base):
    paths, rows = base
    with warehouse.connect_readonly(paths) as con:
        n_articles = con.execute("select count(*) from articles").fetchone()[0]
        assert n_articles == len({r["url"] for r in rows})
        # undated: in source_health, not in any trend denominator
        undated = sum(r["published_at"] is None for r in rows)
        assert undated > 0
        assert con.execute("select sum(undated_articles) from source_health").fetchone()[0] == undated
        assert con.execute(
            "select sum(total_articles) from topic_daily_all where topic_id = 'elections'"
        ).fetchone()[0] == (n_articles - undated)
        # the outlet's time zone decides the day: alpha publishes at 15:xx UTC (10:xx or 11:xx in New York)
        alpha_days = con.execute(
            "select count(*) from articles where source_id = 'alpha' and day <> cast(published_at as date)"
        ).fetchone()[0]
        assert alpha_days == 0
        beta_late = con.execute(
            "select day, published_at from articles where source_id = 'beta' and published_at is not null limit 1"
        ).fetchone()
        assert beta_late[0] == beta_late[1].astimezone(ZoneInfo("Europe/Moscow")).date()
        health = con.execute(
            "select failures, failures_by_kind from source_health where source_id = 'alpha' order by day limit 1"
        ).fetchone()
        assert health[0] == 1 and json.loads(health[1]) == {"http_5xx": 1}
        # negation: "Football: peace and talks" never counts for peace_talks
        assert (
            con.execute(
                "select count(*) from article_topics join articles using (article_id) "
                "where topic_id = 'peace_talks' and articles.body like 'Football%'"
            ).fetchone()[0]
            == 0
        )
        docs = {r[0] for r in con.execute("select distinct table_name from _table_docs").fetchall()}
        assert docs == set(warehouse.MARTS)
        assert con.execute("select count(*) from duckdb_views() where not internal").fetchone()[0] == 0
        assert con.execute("select value from _build_meta where key = 'topic_terms_hash'").fetchone()[0]
    # the published file opens with plain duckdb from another directory
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import duckdb; print(duckdb.connect({str(paths.warehouse_path)!r}, read_only=True)"
            ".execute('select count(*) from topic_daily').fetchone()[0])",
        ],
        cwd="/",
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(out.stdout) > 0


def test_trends_json_matches_independent_computation(base, capsys):
    paths, rows = base
    assert (
        main(
            ["trends", "peace_talks", "--days", "100", "--format", "json", "--data-dir", str(paths.data_dir)]
        )
        == 0
    )
    got = json.loads(capsys.readouterr().out)
    expected = expected_peace_shares(rows)
    assert {g["day"] for g in got} == set(expected)
    for g in got:
        matching, total = expected[g["day"]]
        assert (g["matching_articles"], g["total_articles"]) == (matching, total), g["day"]
        assert g["share"] == pytest.approx(matching / total)
        assert set(g) == {
            "day",
            "topic_id",
            "matching_articles",
            "total_articles",
            "share",
            "rolling_share_7d",
            "spike_score",
            "is_spike",
        }
    spikes = [g["day"] for g in got if g["is_spike"]]
    last_days = sorted(expected)[-wl.SURGE_DAYS :]
    assert spikes and spikes[0] == last_days[0] and set(spikes) <= set(last_days)
    # by source
    assert (
        main(
            ["trends", "peace_talks", "--by", "source", "--format", "json", "--data-dir", str(paths.data_dir)]
        )
        == 0
    )
    by_source = json.loads(capsys.readouterr().out)
    assert {g["source_id"] for g in by_source} == {"alpha", "beta"}


def test_rebuild_without_new_data_changes_no_table(copy):
    before = checksums(copy.warehouse_path)
    result = _build(copy)
    assert result.refreshed == []
    assert checksums(copy.warehouse_path) == before
    # same dbt code as the build it continues: no unit tests; every lake reader incremental: the views
    # over the whole lake (which open every lake file) are left out
    assert not [n for n in result.nodes if n.resource_type == "unit_test"]
    assert not {"stg_articles", "stg_fetch_log"} & {n.name for n in result.models}
    assert result.tests


def test_incremental_new_day_and_new_version(copy, base):
    _, rows = base
    before = checksums(copy.warehouse_path)
    # a new version of an old peace article (fetched later, no longer about peace) and a new day
    old = next(r for r in rows if "Peace talks" in r["body"] and r["published_at"] is not None)
    new_version = {
        **old,
        "body": "Weather only.",
        "fetched_at": old["fetched_at"].replace(year=2027),
        "run_id": "run2",
    }
    new_version["crawl_date"] = new_version["fetched_at"].date()
    fresh = wl.article(
        "http://127.0.0.1:9/beta/news/new",
        "beta",
        body="Negotiations continue.",
        published_at=old["published_at"],
        fetched_at=new_version["fetched_at"],
        run_id="run2",
    )
    wl.write_rows(Path(copy.lake_uri), "articles", [new_version, fresh], run_id="run2")
    _build(copy)
    after = checksums(copy.warehouse_path)
    assert after["articles"][0] == before["articles"][0] + 1
    with warehouse.connect_readonly(copy) as con:
        topics_of = dict(
            con.execute("select article_id, list(topic_id) from article_topics group by 1").fetchall()
        )
        assert old["article_id"] not in topics_of
        assert topics_of[fresh["article_id"]] == ["peace_talks"]
        assert con.execute("select body from articles where article_id = ?", [old["article_id"]]).fetchone()[
            0
        ] == ("Weather only.")
    assert after["topics"] == before["topics"]


def test_topic_change_recomputes_history(copy):
    terms = [t for t in wl.DEFAULT_TERMS if t["topic_id"] != "peace_talks"]
    terms.append({"topic_id": "peace_talks", "clause_id": 1, "term_id": "g", "pattern": r"\bgeneva\b"})
    result = _build(copy, terms)
    assert "int_article_topics" in result.refreshed
    assert "stg_articles" in {n.name for n in result.models}  # the refreshed models read the whole lake
    with warehouse.connect_readonly(copy) as con:
        n = con.execute("select count(*) from article_topics where topic_id = 'peace_talks'").fetchone()[0]
        m = con.execute("select count(*) from articles where body ilike '%geneva%'").fetchone()[0]
    assert n == m > 0


def test_failing_test_keeps_previous_warehouse(copy):
    before = checksums(copy.warehouse_path)
    bad = [*wl.DEFAULT_TERMS, wl.DEFAULT_TERMS[0]]  # duplicate term row: a key test fails
    with pytest.raises(warehouse.WarehouseError, match="unique_combination_stg_topic_terms"):
        _build(copy, bad)
    assert checksums(copy.warehouse_path) == before
    assert not list(copy.warehouse_path.parent.glob(".newsradar-build-*"))


def test_concurrent_build_is_refused(copy):
    with warehouse.build_lock(copy):
        with pytest.raises(warehouse.BuildLockedError, match="another build is running"):
            _build(copy)


READER = """
import sys, time, duckdb
path, stop = sys.argv[1], sys.argv[2]
import os
ok = errors = 0
while not os.path.exists(stop):
    try:
        with duckdb.connect(path, read_only=True) as con:
            con.execute("select count(*), sum(share) from topic_daily_all").fetchone()
        ok += 1
    except Exception as exc:
        errors += 1
        print(repr(exc), file=sys.stderr)
    time.sleep(0.01)
print(ok, errors)
"""

BUILDER = """
import sys
sys.path.insert(0, {tests!r})
import warehouse_lake as wl
from pathlib import Path
from newsradar import warehouse
from newsradar.settings import Paths
paths = Paths.from_env({data!r})
warehouse.build(paths, progress=print, topics=wl.topics_tables(wl.DEFAULT_TERMS),
                entity_terms=wl.entity_table(wl.DEFAULT_ENTITIES), sources_file=paths.data_dir / "sources.yaml")
"""


def test_kill_mid_build_and_readers_never_fail(copy, tmp_path):
    before = checksums(copy.warehouse_path)
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(copy.warehouse_path), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    script = BUILDER.format(tests=str(Path(__file__).parents[1]), data=str(copy.data_dir))
    # 1) a build killed while dbt runs leaves the previous warehouse in place
    builder = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert builder.stdout is not None
    for line in builder.stdout:
        if " OK " in line and "int_articles_deduped" in line:
            break
    import os
    import signal

    os.killpg(builder.pid, signal.SIGKILL)
    builder.wait()
    assert checksums(copy.warehouse_path) == before
    # 2) the next build succeeds (stale temp files removed) while the reader keeps reading
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, timeout=120)
    time.sleep(0.2)
    stop.touch()
    out, err = reader.communicate(timeout=30)
    ok, errors = map(int, out.split())
    assert errors == 0, err
    assert ok > 10
    assert not list(copy.warehouse_path.parent.glob(".newsradar-build-*"))
    assert checksums(copy.warehouse_path) == before


def _ino(path: Path) -> int:
    return path.stat().st_ino


def test_incremental_builds_continue_the_standby(copy):
    """Builds write into the standby (the build before the published one) and swap the two files;
    never into a file a reader holds, never continuing a half-written standby."""
    standby = warehouse.standby_path(copy)
    _build(copy)  # the copied data folder's standby record names other files: this build copies
    before = checksums(copy.warehouse_path)
    with duckdb.connect(str(copy.warehouse_path), read_only=True) as old:
        held = old.execute("select count(*), bit_xor(hash(a)) from articles a").fetchone()
        published, previous = _ino(copy.warehouse_path), _ino(standby)
        _build(copy)  # no copy: built into the standby, then swapped
        assert (_ino(copy.warehouse_path), _ino(standby)) == (previous, published)
        assert checksums(copy.warehouse_path) == before
        # the file `old` reads is now the standby; DuckDB's lock keeps the next build out of it
        fresh = wl.article(
            "http://127.0.0.1:9/beta/news/standby",
            "beta",
            body="Negotiations resumed.",
            fetched_at=datetime(2027, 1, 2, tzinfo=UTC),
            run_id="run3",
        )
        wl.write_rows(Path(copy.lake_uri), "articles", [fresh], run_id="run3")
        _build(copy)
        assert old.execute("select count(*), bit_xor(hash(a)) from articles a").fetchone() == held
    assert checksums(copy.warehouse_path)["articles"][0] == before["articles"][0] + 1
    after = checksums(copy.warehouse_path)
    # a failed build leaves no standby to continue from; the next one copies and is complete
    with pytest.raises(warehouse.WarehouseError):
        _build(copy, [*wl.DEFAULT_TERMS, wl.DEFAULT_TERMS[0]])
    assert not standby.exists()
    _build(copy)
    assert standby.exists()
    assert checksums(copy.warehouse_path) == after


def test_late_rows_are_read_and_compaction_changes_nothing(copy, base):
    """Builds read lake files they have not read, whatever their rows' fetch times: a crawl that
    ends after a build that already saw later rows is not lost, and its older version of an article
    never replaces the newer one. Compacted files hold rows already read: the marts stay the same."""
    from newsradar.lake import compact

    _, rows = base
    kept = next(r for r in rows if r["published_at"] is not None and r["source_id"] == "alpha")
    late = wl.article(
        "http://127.0.0.1:9/alpha/news/late",
        "alpha",
        body="Peace talks, reported late.",
        published_at=kept["published_at"],
        fetched_at=datetime(2026, 3, 1, 9, tzinfo=UTC),  # before the rows the warehouse has
        run_id="late",
    )
    stale = {**kept, "body": "An older version.", "fetched_at": kept["fetched_at"].replace(year=2025)}
    wl.write_rows(Path(copy.lake_uri), "articles", [late, stale], run_id="late")
    _build(copy)
    with warehouse.connect_readonly(copy) as con:
        assert con.execute(
            "select count(*) from article_topics where article_id = ?", [late["article_id"]]
        ).fetchone() == (1,)
        assert con.execute(
            "select body from articles where article_id = ?", [kept["article_id"]]
        ).fetchone() == (kept["body"],)
    before = checksums(copy.warehouse_path)
    assert compact(copy.lake_uri, "articles") > 0
    _build(copy)
    after = checksums(copy.warehouse_path)
    assert {t: after[t] for t in warehouse.MARTS} == {t: before[t] for t in warehouse.MARTS}
    with duckdb.connect(str(copy.warehouse_path), read_only=True) as con:
        stale_refs = con.execute(
            "select count(*) from intermediate.int_articles_deduped d where not exists "
            "(select 1 from intermediate.int_lake_files f where f.lake_table = 'articles' and f.path = d.lake_file)"
        ).fetchone()[0]
    assert stale_refs == 0  # every kept version points at a file that exists
    # and the incremental builds left exactly what a full build computes from the same lake
    incremental = checksums(copy.warehouse_path)
    _build(copy, full_refresh=True)
    assert checksums(copy.warehouse_path) == incremental
