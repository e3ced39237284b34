from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import pyarrow.parquet as pq
import pytest

from newsradar import lake
from newsradar.schema import SCHEMA_VERSION

DAY = date(2026, 3, 1)
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def article(n: int, *, fetched: datetime = T0, title: str | None = None, run_id: str = "r1") -> dict:
    return {
        "article_id": f"{n:032x}",
        "url": f"https://example.org/news/{n}",
        "source_id": "demo",
        "title": title or f"title {n}",
        "body": "body",
        "authors": ["A"],
        "tags": [],
        "published_at": T0 - timedelta(hours=n),
        "modified_at": None,
        "fetched_at": fetched,
        "crawl_date": DAY,
        "http_status": 200,
        "simhash": 2**63 + n,
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
    }


def part_files(tmp_path, table="articles"):
    return sorted(p.name for p in (tmp_path / table / "source=demo" / f"crawl_date={DAY}").iterdir())


def test_writer_streams_to_hidden_tmp_then_publishes(tmp_path):
    w = lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "r1", row_group_size=10)
    w.write_many(article(i) for i in range(25))
    assert part_files(tmp_path) == ["_tmp-r1.parquet.inprogress"]  # nothing visible yet
    final = w.close()
    assert final.endswith("crawl_date=2026-03-01/r1.parquet")
    assert part_files(tmp_path) == ["r1.parquet"]
    meta = pq.read_metadata(final)
    assert meta.num_rows == 25
    assert meta.row_group(0).column(0).compression == "ZSTD"
    assert pq.read_schema(final).field("simhash").type == "uint64"


def test_rerun_merges_dedupes_latest_and_replaces(tmp_path):
    with lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "r1") as w:
        w.write_many(article(i) for i in range(5))
    later = T0 + timedelta(hours=3)
    with lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "r2") as w:
        w.write(article(2, fetched=later, title="updated", run_id="r2"))
        w.write(article(9, fetched=later, run_id="r2"))
    assert part_files(tmp_path) == ["r2.parquet"]
    t = lake.read_table(str(tmp_path), "articles").to_pylist()
    assert sorted(r["article_id"] for r in t) == sorted(f"{i:032x}" for i in [0, 1, 2, 3, 4, 9])
    (two,) = [r for r in t if r["article_id"] == f"{2:032x}"]
    assert two["title"] == "updated" and two["run_id"] == "r2"
    # an older re-fetch does not overwrite a newer version
    with lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "r3") as w:
        w.write(article(2, fetched=T0 - timedelta(days=1), title="stale", run_id="r3"))
    t = lake.read_table(str(tmp_path), "articles").to_pylist()
    assert [r["title"] for r in t if r["article_id"] == f"{2:032x}"] == ["updated"]
    assert len(t) == 6


def test_duplicates_within_one_writer_keep_latest_across_row_groups(tmp_path):
    later = T0 + timedelta(hours=1)
    w = lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "r1", row_group_size=4)
    w.write_many(article(i) for i in range(10))
    w.write(article(3, fetched=later, title="newer"))
    w.write(article(7, fetched=T0 - timedelta(hours=1), title="older"))
    w.close()
    assert part_files(tmp_path) == ["r1.parquet"]
    t = lake.read_table(str(tmp_path), "articles").to_pylist()
    assert [r["article_id"] for r in t] == [f"{i:032x}" for i in range(10) if i != 3] + [f"{3:032x}"]
    assert {r["title"] for r in t if r["article_id"] in (f"{3:032x}", f"{7:032x}")} == {"newer", "title 7"}
    # a later run merges with it batch by batch (row groups of the merged file stay bounded)
    with lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "r2", row_group_size=4) as w2:
        w2.write(article(5, fetched=later, title="five", run_id="r2"))
    final = tmp_path / "articles" / "source=demo" / f"crawl_date={DAY}" / "r2.parquet"
    meta = pq.read_metadata(final)
    assert meta.num_rows == 10 and max(meta.row_group(i).num_rows for i in range(meta.num_row_groups)) <= 1000
    assert b"newsradar.replaces" in meta.metadata
    t = lake.read_table(str(tmp_path), "articles").to_pylist()
    assert [r["title"] for r in t if r["article_id"] == f"{5:032x}"] == ["five"]


def test_fetch_log_rows_are_appended_not_deduped(tmp_path):
    row = {
        "run_id": "r1",
        "source_id": "demo",
        "crawl_date": DAY,
        "url": "https://example.org/x",
        "fetched_at": T0,
        "outcome": "article",
        "schema_version": SCHEMA_VERSION,
    }
    for run in ("r1", "r2"):
        with lake.PartitionWriter(str(tmp_path), "fetch_log", "demo", DAY, run) as w:
            w.write({**row, "run_id": run})
    assert part_files(tmp_path, "fetch_log") == ["r2.parquet"]
    assert lake.read_table(str(tmp_path), "fetch_log").num_rows == 2


def test_empty_run_leaves_partition_untouched(tmp_path):
    with lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "r1") as w:
        w.write(article(1))
    with lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "r2") as w:
        pass
    assert part_files(tmp_path) == ["r1.parquet"]


def test_abort_and_stale_tmp_cleanup(tmp_path):
    w = lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "dead", row_group_size=1)
    w.write(article(1))  # flushed to the tmp file, then the process "dies": no close()
    assert part_files(tmp_path) == ["_tmp-dead.parquet.inprogress"]
    with lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "r2") as w2:
        w2.write(article(2))
    assert part_files(tmp_path) == ["r2.parquet"]
    w3 = lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "r3", row_group_size=1)
    w3.write(article(3))
    w3.abort()
    assert part_files(tmp_path) == ["r2.parquet"]


def test_interrupted_replace_is_finished_by_next_writer(tmp_path):
    with lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "r1") as w:
        w.write(article(1))
    part = tmp_path / "articles" / "source=demo" / f"crawl_date={DAY}"
    saved = (part / "r1.parquet").read_bytes()
    with lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "r2") as w:
        w.write(article(2))
    # simulate a crash after the rename but before the old file was deleted
    (part / "r1.parquet").write_bytes(saved)
    lake.recover_partition(*lake.filesystem(str(part)))
    assert part_files(tmp_path) == ["r2.parquet"]


def test_known_articles_latest_version(tmp_path):
    with lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "r1") as w:
        w.write_many(article(i) for i in range(3))
    mod = T0 + timedelta(hours=1)
    with lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY + timedelta(days=1), "r2") as w:
        w.write(
            {
                **article(1, fetched=T0 + timedelta(days=1)),
                "modified_at": mod,
                "crawl_date": DAY + timedelta(days=1),
            }
        )
    known = lake.known_articles(str(tmp_path), "demo")
    assert set(known) == {f"https://example.org/news/{i}" for i in range(3)}
    assert known["https://example.org/news/1"] == (T0 + timedelta(days=1), mod)
    assert known["https://example.org/news/0"] == (T0, None)
    assert lake.known_articles(str(tmp_path), "other") == {}


def test_compact_merges_partition_files(tmp_path):
    fs, root = lake.filesystem(str(tmp_path))
    part = lake.partition_dir(root, "articles", "demo", DAY)
    fs.create_dir(part)
    import pyarrow as pa

    for i in range(4):  # small files written by some other tool, with a duplicate
        t = pa.Table.from_pylist(
            [article(i), article(0, fetched=T0 + timedelta(minutes=i))], schema=lake.ARTICLE_SCHEMA
        )
        pq.write_table(t, f"{part}/f{i}.parquet")
    assert lake.compact(str(tmp_path), "articles") == 1
    files = part_files(tmp_path)
    assert len(files) == 1 and files[0].endswith(".parquet")
    t = lake.read_table(str(tmp_path), "articles")
    assert t.num_rows == 4
    assert lake.compact(str(tmp_path), "articles", "demo") == 0
    with pytest.raises(lake.LakeError, match="unknown lake table"):
        lake.compact(str(tmp_path), "nope")


def test_register_lake_local_glob_reads_with_duckdb(tmp_path):
    with lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "r1") as w:
        w.write_many(article(i) for i in range(3))
    con = duckdb.connect()
    glob = lake.register_lake(con, str(tmp_path))
    n = con.execute("select count(*) from read_parquet(?, hive_partitioning = false)", [glob]).fetchall()[0][
        0
    ]
    assert n == 3


def test_register_lake_remote_uses_fsspec(tmp_path):
    fsspec = pytest.importorskip("fsspec")
    import pyarrow as pa

    mem = fsspec.filesystem("memory")
    table = pa.Table.from_pylist([article(i) for i in range(4)], schema=lake.ARTICLE_SCHEMA)
    with mem.open("/bucket/lake/articles/source=demo/crawl_date=2026-03-01/r1.parquet", "wb") as fh:
        pq.write_table(table, fh)
    con = duckdb.connect()
    glob = lake.register_lake(con, "memory://bucket/lake")
    assert glob == "memory://bucket/lake/articles/*/*/*.parquet"
    lake.register_lake(con, "memory://bucket/lake", "fetch_log")  # registering twice is fine
    n = con.execute("select count(*) from read_parquet(?, hive_partitioning = false)", [glob]).fetchall()
    assert n == [(4,)]


def test_bad_partition_date_rejected(tmp_path):
    with pytest.raises(ValueError):
        lake.partition_dir("/x", "articles", "demo", "2026-13-01")


def test_known_articles_skips_hidden_and_temporary_files(tmp_path):
    with lake.PartitionWriter(str(tmp_path), "articles", "demo", DAY, "r1") as w:
        w.write_many(article(i) for i in range(2))
    part = tmp_path / "articles" / "source=demo" / f"crawl_date={DAY.isoformat()}"
    published = (part / "r1.parquet").read_bytes()
    (part / "_tmp-r2.parquet.inprogress").write_bytes(b"half written")  # a killed run's leftovers
    hidden = tmp_path / "articles" / "source=demo" / "_scratch"
    hidden.mkdir()
    (hidden / "x.parquet").write_bytes(published.replace(b"news/0", b"news/9"))
    assert set(lake.known_articles(str(tmp_path), "demo")) == {
        f"https://example.org/news/{i}" for i in range(2)
    }
