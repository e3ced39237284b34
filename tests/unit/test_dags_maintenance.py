"""Maintenance tasks (raw WARC retention, compaction) and the ingest window/summary helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from newsradar.orchestration.ingest import SourceCrawlFailed, crawl_window, summarize_ingest
from newsradar.orchestration.maintenance import compact_table, list_partitions, prune_raw
from newsradar.settings import Paths


def _raw(paths: Paths, source: str, day: str, name: str = "run1.warc.gz", data: bytes = b"x" * 10):
    part = paths.data_dir / "raw" / f"source={source}" / f"crawl_date={day}"
    part.mkdir(parents=True, exist_ok=True)
    (part / name).write_bytes(data)
    return part


def test_prune_raw_removes_only_old_warc_partitions(tmp_path):
    paths = Paths.from_env(tmp_path)
    old = _raw(paths, "alpha", "2026-01-01")
    edge = _raw(paths, "alpha", "2026-01-21")  # exactly at the cutoff: kept
    new = _raw(paths, "beta", "2026-01-30")
    odd = _raw(paths, "beta", "2026-01-02")
    (odd / "notes.txt").write_text("keep me")
    (paths.data_dir / "raw" / "source=beta" / "crawl_date=garbage").mkdir()

    dry = prune_raw(paths, 10, today=date(2026, 1, 31), dry_run=True)
    assert dry["files"] == 2 and old.exists()

    result = prune_raw(paths, 10, today=date(2026, 1, 31))
    assert result["cutoff"] == "2026-01-21"
    assert result["files"] == 2 and result["bytes"] == 20
    assert sorted(result["partitions"]) == ["alpha/2026-01-01", "beta/2026-01-02"]
    assert not old.exists() and edge.exists() and new.exists()
    assert (odd / "notes.txt").exists() and not (odd / "run1.warc.gz").exists()
    assert result["kept_non_warc"] and result["kept_non_warc"][0].endswith("notes.txt")
    # idempotent
    assert prune_raw(paths, 10, today=date(2026, 1, 31))["files"] == 0


def test_prune_raw_on_missing_store_and_bad_retention(tmp_path):
    paths = Paths.from_env(tmp_path)
    assert list_partitions(paths.raw_uri) == []
    assert prune_raw(paths, 5)["files"] == 0
    with pytest.raises(ValueError):
        prune_raw(paths, 0)


def test_compact_table_rejects_unknown_table(tmp_path):
    with pytest.raises(ValueError, match="unknown lake table"):
        compact_table(Paths.from_env(tmp_path), "nope")


def test_compact_table_on_empty_lake(tmp_path):
    assert compact_table(Paths.from_env(tmp_path), "articles")["partitions_compacted"] == 0


def test_crawl_window_daily_interval_and_manual_runs():
    d = datetime(2026, 3, 10, tzinfo=UTC)
    daily = crawl_window(d, d, datetime(2026, 3, 11, tzinfo=UTC))
    assert daily == {"crawl_date": "2026-03-10", "since": "2026-03-10", "until": "2026-03-10"}
    manual = crawl_window(datetime(2026, 3, 12, 15, tzinfo=UTC), None, None)
    assert manual == {"crawl_date": "2026-03-12", "since": "2026-03-12", "until": "2026-03-12"}
    week = crawl_window(d, d, datetime(2026, 3, 17, tzinfo=UTC))
    assert week["until"] == "2026-03-16"
    with pytest.raises(ValueError):
        crawl_window(None, None, None)


def test_summarize_ingest_names_failed_sources():
    window = {"crawl_date": "2026-03-10", "since": "2026-03-10", "until": "2026-03-10"}
    ok = {"source_id": "a", "articles": 3, "pages_fetched": 5}
    summary = summarize_ingest([ok, None], ["a", "b"], window)
    assert summary["sources_ok"] == ["a"] and summary["sources_failed"] == ["b"]
    assert summary["articles"] == 3
    with pytest.raises(SourceCrawlFailed, match="every source failed"):
        summarize_ingest([None, None], ["a", "b"], window)
