"""``newsradar topics check`` and ``newsradar topics test`` (in-process, on small DuckDB/Parquet files)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsradar.cli import main
from newsradar.schema import ARTICLE_SCHEMA

NOW = datetime.now(UTC).replace(microsecond=0)
ARTICLES = [
    # article_id, source_id, language, days ago, title, subtitle, body
    ("a1", "s1", "en", 1, "Peace talks resume", None, "Envoys met in Geneva for peace  talks on Monday."),
    ("a2", "s1", "en", 2, "Peaceful protest", None, "A peaceful festival in the park."),
    ("a3", "s2", "ru", 3, "Новости", "Начало мирных переговоров", "Делегации прибыли в Стамбул."),
    ("a4", "s2", "ru", 20, "Инъекция", None, "x '); drop table articles; -- y"),
    ("a5", "s3", "en", 30, "Gas prices", None, "Gas and oil prices rose; no talks."),
]


def make_warehouse(data_dir: Path) -> Path:
    path = data_dir / "newsradar.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "create table articles (article_id varchar, url varchar, source_id varchar, language varchar, "
        "title varchar, subtitle varchar, body varchar, published_at timestamptz)"
    )
    for aid, src, lang, ago, title, sub, body in ARTICLES:
        con.execute(
            "insert into articles values (?, ?, ?, ?, ?, ?, ?, ?)",
            [aid, f"https://{src}.test/{aid}", src, lang, title, sub, body, NOW - timedelta(days=ago)],
        )
    con.close()
    return path


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEWSRADAR_DATA_DIR", str(tmp_path))
    for var in ("NEWSRADAR_LAKE_URI", "NEWSRADAR_WAREHOUSE", "NEWSRADAR_RAW_URI"):
        monkeypatch.delenv(var, raising=False)
    return make_warehouse(tmp_path)


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


# --- check --------------------------------------------------------------------------------------
def test_check_repo_files(capsys) -> None:
    rc, out, err = run(capsys, "topics", "check", "--patterns")
    assert rc == 0, err
    assert "peace_talks: Ukraine–Russia peace talks" in out
    assert '"мирн* переговор*"' in out
    assert r"\p{L}" in out  # --patterns shows the RE2 patterns
    last = out.strip().splitlines()[-1]
    assert "topics OK" in last and "entities" in last and "alias patterns OK" in last


def test_check_bad_file_shows_file_topic_and_caret(tmp_path: Path, capsys) -> None:
    path = tmp_path / "topics.yml"
    path.write_text(
        "topics:\n  - id: energy\n    label: Energy\n    description: d\n    query: 'gas OR OR oil'\n",
        encoding="utf-8",
    )
    rc, out, err = run(capsys, "topics", "check", str(path), "--no-gazetteer")
    assert rc == 2
    lines = err.splitlines()
    assert lines[0].startswith(
        f"newsradar: error: {path}: topic 'energy' (line 2): query: expected a term after OR"
    )
    assert lines[1] == "    gas OR OR oil"
    assert lines[2] == "           ^"


def test_check_bad_gazetteer(tmp_path: Path, capsys) -> None:
    g = tmp_path / "g.csv"
    g.write_text("entity_id,name,type,aliases\nx,X,planet,\n", encoding="utf-8")
    rc, _, err = run(capsys, "topics", "check", "--gazetteer", str(g))
    assert rc == 2 and f"{g}: line 2 (entity 'x'): unknown type 'planet'" in err


# --- test ---------------------------------------------------------------------------------------
def test_query_on_warehouse(warehouse: Path, capsys) -> None:
    rc, out, err = run(capsys, "topics", "test", '"peace talk*" OR "мирн* переговор*"', "--newest")
    assert rc == 0, err
    assert "2 of 5 articles" in out
    assert "[Peace talks]" in out and "[мирных переговоров]" in out
    assert out.index("Peace talks resume") < out.index("Новости")  # newest first (1 day vs 3 days ago)


def test_json_counts_by_source(warehouse: Path, capsys) -> None:
    rc, out, _ = run(capsys, "topics", "test", "peace* OR gas", "--json", "--sample", "10")
    assert rc == 0
    r = json.loads(out)
    assert (r["articles"], r["matching"]) == (5, 3)
    assert {row["source_id"]: (row["matching"], row["total"]) for row in r["by_source"]} == {
        "s1": (2, 2),
        "s2": (0, 2),
        "s3": (1, 1),
    }
    assert sorted(s["article_id"] for s in r["samples"]) == ["a1", "a2", "a5"]


def test_filters(warehouse: Path, capsys) -> None:
    rc, out, _ = run(
        capsys,
        "topics",
        "test",
        "peace* OR gas OR переговор*",
        "--json",
        "--days",
        "10",
        "--source",
        "s1",
        "--source",
        "s2",
    )
    r = json.loads(out)
    assert (r["articles"], r["matching"]) == (3, 3)  # a4 (20 days) and s3 are out of scope
    rc, out, _ = run(capsys, "topics", "test", "peace*", "--json", "--language", "ru")
    assert json.loads(out)["articles"] == 2 and json.loads(out)["matching"] == 0


def test_topic_from_file(warehouse: Path, capsys) -> None:
    rc, out, err = run(capsys, "topics", "test", "--topic", "peace_talks", "--json")
    assert rc == 0, err
    assert sorted(s["article_id"] for s in json.loads(out)["samples"]) == ["a1", "a3"]
    rc, _, err = run(capsys, "topics", "test", "--topic", "no_such_topic")
    assert rc == 2 and "no topic 'no_such_topic'" in err
    rc, _, err = run(capsys, "topics", "test", "peace", "--topic", "peace_talks")
    assert rc == 2 and "exactly one" in err


def test_sql_in_a_query_is_only_text(warehouse: Path, capsys) -> None:
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    rc, out, err = run(capsys, "topics", "test", '"\'); drop table articles; --"', "--json")
    assert rc == 0, err
    r = json.loads(out)
    assert r["matching"] == 1 and r["samples"][0]["article_id"] == "a4"
    rc, out, _ = run(capsys, "topics", "test", "peace*", "--json", "--source", "s1' or '1'='1")
    assert json.loads(out)["articles"] == 0
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.sql("select count(*) from articles").fetchall()[0][0] == len(ARTICLES)
    con.close()
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before  # read-only


def test_bad_query_exits_2_with_caret(warehouse: Path, capsys) -> None:
    rc, _, err = run(capsys, "topics", "test", "peace AND (talks")
    assert rc == 2
    assert "unclosed '('" in err and err.splitlines()[-1] == "              ^"


def test_missing_warehouse_says_what_to_do(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("NEWSRADAR_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("NEWSRADAR_WAREHOUSE", raising=False)
    rc, _, err = run(capsys, "topics", "test", "peace")
    assert rc == 2
    assert "newsradar.duckdb" in err and "newsradar build" in err and "newsradar demo" in err


def _lake_rows(aid: str, src: str, body: str, fetched: datetime, day: date) -> dict:
    return {
        "article_id": aid,
        "url": f"https://{src}.test/{aid}",
        "source_id": src,
        "language": "en",
        "title": "t",
        "body": body,
        "published_at": fetched,
        "fetched_at": fetched,
        "crawl_date": day,
        "schema_version": 1,
        "run_id": "r",
    }


def test_lake_mode_reads_parquet_and_keeps_the_latest_version(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("NEWSRADAR_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("NEWSRADAR_LAKE_URI", raising=False)
    day1, day2 = date(2026, 1, 1), date(2026, 1, 2)
    t1, t2 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    parts = {
        ("s1", day1): [
            _lake_rows("x1", "s1", "peace talks began", t1, day1),
            _lake_rows("x2", "s1", "weather", t1, day1),
        ],
        ("s1", day2): [_lake_rows("x2", "s1", "peace talks ended", t2, day2)],  # a newer version of x2
        ("s2", day1): [_lake_rows("y1", "s2", "peace talks? no: trade talks", t1, day1)],
    }
    for (src, day), rows in parts.items():
        d = tmp_path / "lake" / "articles" / f"source={src}" / f"crawl_date={day}"
        d.mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA), d / "run.parquet")
    rc, out, err = run(capsys, "topics", "test", '"peace talks" NOT trade', "--lake", "--json")
    assert rc == 0, err
    r = json.loads(out)
    assert (r["articles"], r["matching"]) == (3, 2)
    assert sorted(s["article_id"] for s in r["samples"]) == ["x1", "x2"]


def test_lake_mode_without_files(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("NEWSRADAR_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("NEWSRADAR_LAKE_URI", raising=False)
    rc, _, err = run(capsys, "topics", "test", "peace", "--lake")
    assert rc == 2 and "no article files in the lake" in err
