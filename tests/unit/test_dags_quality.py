"""Quality gates over source_health, and the crawl days a warehouse run covers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import duckdb
import pytest

from newsradar.orchestration.build import crawl_days, parse_env, runtime_env_templates
from newsradar.orchestration.quality import QualityGateFailed, freshness_problem, run_gates, volume_problems

DAY = date(2026, 3, 15)


def _health(rows):
    con = duckdb.connect()
    con.execute("create table source_health (source_id varchar, day date, articles_extracted integer)")
    if rows:
        con.executemany("insert into source_health values (?, ?, ?)", rows)
    return con


def _history(source, counts, end=DAY):
    return [(source, end - timedelta(days=len(counts) - i), n) for i, n in enumerate(counts)]


def test_source_with_nothing_against_a_busy_history_is_a_problem():
    con = _health(_history("busy", [40, 42, 38, 41]) + [("busy", DAY, 0)]
                  + _history("quiet", [1, 0, 2]) + [("quiet", DAY, 0)]
                  + _history("fine", [10, 12, 9]) + [("fine", DAY, 11)])  # fmt: skip
    problems = volume_problems(con, DAY, trailing_days=14, min_median=5, ratio=0.1)
    assert [(p.source_id, p.articles, p.trailing_median) for p in problems] == [("busy", 0, 40.5)]
    assert "source 'busy' extracted 0 article(s) on 2026-03-15, trailing median 40.5" in problems[0].text()


def test_missing_row_for_the_day_counts_as_zero_and_ratio_applies():
    con = _health(_history("gone", [20, 20, 20]) + _history("thin", [100, 100]) + [("thin", DAY, 5)])
    found = {p.source_id: p.articles for p in volume_problems(con, DAY, min_median=5, ratio=0.1)}
    assert found == {"gone": 0, "thin": 5}
    # history older than the trailing window is ignored
    assert volume_problems(con, DAY + timedelta(days=30), trailing_days=7) == []


def test_freshness():
    con = _health([("a", DAY, 3)])
    assert freshness_problem(con, DAY, 2) is None
    assert freshness_problem(con, DAY + timedelta(days=2), 2) is None
    assert "stale data: newest crawl day in source_health is 2026-03-15" in freshness_problem(
        con, DAY + timedelta(days=3), 2
    )
    assert "empty" in freshness_problem(_health([]), DAY, 2)


def test_run_gates_lists_every_problem_or_passes():
    con = _health(_history("a", [30, 30]) + [("a", DAY, 0)] + _history("b", [30, 30]) + [("b", DAY, 0)])
    with pytest.raises(QualityGateFailed, match=r"2 quality problem\(s\): source 'a'.*source 'b'"):
        run_gates(con, [str(DAY)], trailing_days=14, min_median=5, ratio=0.1, stale_after_days=2)
    ok = _health(_history("a", [30, 30]) + [("a", DAY, 28)])
    assert (
        run_gates(ok, [str(DAY)], trailing_days=14, min_median=5, ratio=0.1, stale_after_days=2)["gaps"] == []
    )
    with pytest.raises(QualityGateFailed, match="no crawl day"):
        run_gates(ok, [], trailing_days=14, min_median=5, ratio=0.1, stale_after_days=2)


def test_crawl_days_from_asset_events_or_the_day_before_the_run():
    events = {"asset": [SimpleNamespace(extra={"crawl_date": "2026-03-14"}), {"extra": {"crawl_date": "2026-03-15"}},
                        SimpleNamespace(extra={})]}  # fmt: skip
    assert crawl_days(events) == ["2026-03-14", "2026-03-15"]
    assert crawl_days({}, datetime(2026, 3, 16, 5, tzinfo=UTC)) == ["2026-03-15"]
    assert crawl_days(None) == []


def test_dbt_environment_templates_cover_the_parse_environment():
    templates = runtime_env_templates()
    assert set(templates) == set(parse_env())
    assert templates["NEWSRADAR_DBT_DATABASE"] == "{{ newsradar_build_env(ti)['NEWSRADAR_DBT_DATABASE'] }}"
