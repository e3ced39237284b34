"""Warehouse pieces that need no dbt run: read-only query guard, terminal chart, build inputs,
lock, read-only connection errors."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
import pytest
import warehouse_lake as wl

from newsradar import warehouse
from newsradar.cli import main
from newsradar.commands.build import _bar, check_read_only, sparkline
from newsradar.errors import UserError
from newsradar.settings import Paths


@pytest.mark.parametrize(
    "sql",
    [
        "select 1",
        "  SELECT * FROM topics; select 2",
        "explain select 1",
        "with x as (select 1) select * from x",
    ],
)
def test_read_statements_pass(sql):
    check_read_only(sql)


@pytest.mark.parametrize(
    "sql,kind",
    [
        ("insert into topics values (1)", "INSERT"),
        ("copy topics to '/tmp/x.csv'", "COPY"),
        ("attach '/tmp/other.duckdb' as o", "ATTACH"),
        ("select 1; drop table topics", "DROP"),
        ("set threads = 1", "SET"),
        ("create table t as select 1", "CREATE"),
    ],
)
def test_write_statements_refused(sql, kind):
    with pytest.raises(UserError, match=f"only read statements are allowed.*{kind}"):
        check_read_only(sql)


def test_bad_sql_is_a_user_error():
    with pytest.raises(UserError, match="query:"):
        check_read_only("selec 1 frm")


def test_sparkline_and_bar():
    assert sparkline([0.0, 0.5, 1.0]) == "▁▅█"
    assert sparkline([None, 0.0]) == " ▁"
    assert sparkline([0.0, 0.0]) == "▁▁"
    assert _bar(1.0, 1.0, width=4) == "████"
    assert _bar(0.5, 1.0, width=4) == "██"
    assert _bar(None, 1.0) == ""


def test_missing_warehouse_message(tmp_path, capsys):
    assert main(["trends", "peace_talks", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no warehouse at" in err and "newsradar demo" in err and "newsradar build" in err


def test_export_inputs_empty_lake_and_quoting(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSRADAR_SOURCES", raising=False)
    data = tmp_path / "it's data"
    data.mkdir()
    wl.write_sources(data / "sources.yaml")
    paths = Paths.from_env(data)
    inputs = warehouse.export_inputs(
        paths,
        data / "scratch",
        topics=wl.topics_tables(wl.DEFAULT_TERMS),
        entity_terms=wl.entity_table(wl.DEFAULT_ENTITIES),
    )
    # every value is one SQL string literal that DuckDB reads back (the quote in the path escaped)
    con = duckdb.connect()
    n = con.execute(f"select count(*) from read_parquet({inputs.env['NEWSRADAR_ARTICLES_GLOB']})").fetchone()[
        0
    ]
    assert n == 0  # an empty file with the article schema stands in for an empty lake
    srcs = con.execute(
        f"select source_id, timezone from read_parquet({inputs.env['NEWSRADAR_SOURCES_FILE']})"
    ).fetchall()
    assert sorted(srcs) == [("alpha", "America/New_York"), ("beta", "Europe/Moscow")]
    # a non-empty lake gives the glob
    wl.newsroom(data / "lake", days=2, per_day=2)
    inputs = warehouse.export_inputs(paths, data / "scratch", topics=wl.topics_tables(wl.DEFAULT_TERMS))
    assert inputs.env["NEWSRADAR_ARTICLES_GLOB"].endswith("*/*/*.parquet'")
    n = con.execute(f"select count(*) from read_parquet({inputs.env['NEWSRADAR_ARTICLES_GLOB']})").fetchone()[
        0
    ]
    assert n == 8


def test_terms_hash_ignores_row_order():
    _, terms = wl.topics_tables(wl.DEFAULT_TERMS)
    assert warehouse._table_hash(terms) == warehouse._table_hash(
        terms.take(list(reversed(range(terms.num_rows))))
    )
    _, other = wl.topics_tables(wl.DEFAULT_TERMS[:-1])
    assert warehouse._table_hash(terms) != warehouse._table_hash(other)


def test_build_lock_is_exclusive(tmp_path):
    paths = Paths.from_env(tmp_path)
    with warehouse.build_lock(paths):
        with pytest.raises(warehouse.BuildLockedError, match="another build is running"):
            with warehouse.build_lock(paths):
                pass
    with warehouse.build_lock(paths):  # released
        pass


def test_sources_files_merge(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSRADAR_SOURCES", raising=False)
    data = tmp_path / "data"
    (data / "demo").mkdir(parents=True)
    wl.write_sources(data / "demo" / "sources.yaml")
    wl.write_sources(
        tmp_path / "sources.yaml", wl.SOURCES_YAML.replace("alpha", "gamma").replace("Alpha", "Gamma")
    )
    table = warehouse.sources_table(Paths.from_env(data))
    assert sorted(table.column("source_id").to_pylist()) == ["alpha", "beta", "gamma"]
    with pytest.raises(warehouse.WarehouseError, match="no such sources file"):
        warehouse.sources_table(Paths.from_env(data), tmp_path / "missing.yaml")


def test_empty_parquet_placeholder_has_schema(tmp_path):
    paths = Paths.from_env(tmp_path)
    inputs = warehouse.export_inputs(
        paths, tmp_path / "s", topics=wl.topics_tables([]), entity_terms=wl.entity_table([])
    )
    path = inputs.env["NEWSRADAR_FETCH_LOG_GLOB"].strip("'")
    assert "outcome" in pq.read_schema(path).names


def test_lake_models_are_every_model_reading_the_whole_lake():
    """An incremental build may leave the views over the whole lake out (LAKE_MODELS): every model
    reading them must be in that list, and incremental (else it would read them on every build)."""
    import re

    views = "|".join(warehouse.WHOLE_LAKE_VIEWS)
    reads_view = re.compile(r"""ref\(\s*['"](?:""" + views + r""")['"]\s*\)""")
    readers = {}
    for path in sorted((warehouse.PROJECT_DIR / "models").rglob("*")):
        if path.suffix in (".sql", ".py"):
            text = path.read_text(encoding="utf-8")
            if reads_view.search(text):
                readers[path.stem] = "incremental" in text
    assert set(readers) == set(warehouse.LAKE_MODELS)
    assert all(readers.values()), readers
