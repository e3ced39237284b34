"""The demo's lake summary: counts per outlet, language and local day (the outlet's time zone)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from newsradar.lake import PartitionWriter
from newsradar.schema import SCHEMA_VERSION
from newsradar.settings import Paths


def _row(source_id: str, url: str, lang: str, published: datetime | None) -> dict:
    return {
        "article_id": url[-8:], "url": url, "source_id": source_id, "language": lang, "published_at": published,
        "fetched_at": datetime(2026, 1, 1, tzinfo=UTC), "crawl_date": date(2026, 1, 1),
        "schema_version": SCHEMA_VERSION, "run_id": "r1",
    }  # fmt: skip


def test_lake_summary_days_in_outlet_timezone(tmp_path):
    from newsradar.demo.pipeline import lake_summary

    paths = Paths.from_env(tmp_path)
    rows = {
        "meridian_post": [
            # 23:30 in New York on Nov 29 is Nov 30 in UTC: the outlet's day is the 29th
            _row("meridian_post", "http://h/a00000001", "en", datetime(2025, 11, 30, 4, 30, tzinfo=UTC)),
            _row("meridian_post", "http://h/a00000002", "en", datetime(2025, 11, 30, 14, 0, tzinfo=UTC)),
            _row("meridian_post", "http://h/a00000003", "en", None),
        ],
        "baku_chronicle": [
            # 21:00 UTC is 01:00 the next day in Baku
            _row("baku_chronicle", "http://b/a00000004", "ru", datetime(2025, 11, 29, 21, 0, tzinfo=UTC)),
        ],
        "other_source": [_row("other_source", "http://o/a00000005", "en", datetime(2025, 11, 1, tzinfo=UTC))],
    }
    for sid, rs in rows.items():
        with PartitionWriter(paths.lake_uri, "articles", sid, date(2026, 1, 1), "r1") as w:
            w.write_many(rs)
    s = lake_summary(paths, {"meridian_post": "America/New_York", "baku_chronicle": "Asia/Baku"})
    assert s.by_outlet == {"meridian_post": 3, "baku_chronicle": 1}  # other sources are not the demo's
    assert s.by_outlet_language[("baku_chronicle", "ru")] == 1
    assert s.by_outlet_day[("meridian_post", date(2025, 11, 29))] == 1
    assert s.by_outlet_day[("meridian_post", date(2025, 11, 30))] == 1
    assert s.by_outlet_day[("baku_chronicle", date(2025, 11, 30))] == 1
    assert s.undated == {"meridian_post": 1}
    assert s.partitions == 3 and s.total == 4
    assert s.to_dict()["by_outlet_day"]["meridian_post"] == {"2025-11-29": 1, "2025-11-30": 1}
